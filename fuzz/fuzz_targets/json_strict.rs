//! The strict JSON reader agrees with serde_json on every document without duplicate keys.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let strict = egress_rules::json::from_str(text);
    let plain = serde_json::from_str::<serde_json::Value>(text);
    match (strict, plain) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Ok(a), Err(e)) => panic!("strict read {a} where serde_json failed: {e}"),
        // Refused by the strict reader only for a key given twice.
        (Err(e), Ok(_)) => assert!(e.to_string().contains("appears twice"), "{e}"),
        (Err(_), Err(_)) => {}
    }
});
