//! The YAML reader on any bytes: never panics, and every line it reports is in the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (documents, _) = egress_rules::yaml::parse_stream(text);
    // YAML breaks lines at \n, \r\n and a lone \r.
    let lines = text.replace("\r\n", "\n").matches(['\n', '\r']).count() + 1;
    for document in &documents {
        for path in ["", "metadata.name", "spec.targets[0].hosts[0]", "a[b.c][3].d"] {
            let line = document.line_of(path);
            assert!(line >= 1 && line <= lines, "line {line} of {lines}");
        }
        // What was read can be written back and read again to the same value.
        let written = egress_rules::yaml::to_yaml(&document.value);
        if let Ok(again) = egress_rules::yaml::parse_one(&written) {
            assert_eq!(again.value, document.value, "{written}");
        }
    }
});
