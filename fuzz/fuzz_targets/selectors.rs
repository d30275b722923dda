//! Label and field selectors as kube-apiserver parses them: never panic, and a parsed
//! selector can be evaluated.
#![no_main]

use egress_apiserver::selectors::{FieldSelector, LabelSelector};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let labels = serde_json::json!({"app": "web", "tier": "front", "a.b/c": ""});
    if let Ok(selector) = LabelSelector::parse(text) {
        selector.matches(labels.as_object());
        selector.matches(None);
    }
    if let Ok(selector) = FieldSelector::parse(text) {
        selector.matches("web", "storefront");
    }
});
