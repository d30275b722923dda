//! Parse, decode and every rule, as `/api/v1/validate` runs them: never panics, and a
//! document with no error diagnostics decodes to an EgressPoint that checks clean again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(checked) = egress_rules::check_text(text, None) else { return };
    if !egress_rules::has_errors(&checked.diagnostics) {
        let value = serde_json::to_value(&checked.egress_point).expect("serializable");
        let again = egress_rules::check_value(&value, None);
        assert!(!egress_rules::has_errors(&again.diagnostics), "{value}: {:?}", again.diagnostics);
    }
});
