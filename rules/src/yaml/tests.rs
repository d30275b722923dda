//! The reader's tests: what kubectl (YAML 1.1) reads, the limits, and the line tree.

use super::*;
use serde_json::json;

#[test]
fn every_document_of_a_stream_is_read_with_the_lines_of_its_fields() {
    let text =
        "a: 1\n---\nkind: EgressPoint\nspec:\n  targets:\n  - hosts:\n    - x.com\n    - y.com\n";
    let (docs, error) = parse_stream(text);
    assert_eq!(error, None);
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[1].value["spec"]["targets"][0]["hosts"][1], json!("y.com"));
    assert_eq!(docs[1].line_of("spec.targets[0].hosts[1]"), 8);
    assert_eq!(docs[1].line_of("spec.targets[0].port.number"), 6);
    assert_eq!(docs[1].line_of("kind"), 3);
}

#[test]
fn a_syntax_error_keeps_the_documents_before_it_and_names_its_line() {
    let (docs, error) = parse_stream("a: 1\n---\nb: [1, 2\n");
    assert_eq!(docs.len(), 1);
    let error = error.expect("syntax error");
    assert!(error.line >= 3, "{error}");
}

#[test]
fn duplicate_keys_are_an_error_as_in_kubectl() {
    let error = parse_one("a: 1\na: 2\n").unwrap_err();
    assert!(error.message.contains("appears twice"), "{error}");
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let error = parse_one(&text).unwrap_err();
    assert!(error.message.contains("more than"), "{error}");
}

#[test]
fn quoted_scalars_stay_strings_and_plain_ones_are_resolved() {
    let doc = parse_one("a: \"443\"\nb: 443\nc: true\nd: ~\ne: 1.5\nf: !!str 7\n").unwrap();
    assert_eq!(doc.value, json!({"a": "443", "b": 443, "c": true, "d": null, "e": 1.5, "f": "7"}));
}

#[test]
fn written_yaml_reads_back_to_the_same_value() {
    let value = json!({"apiVersion": "v", "metadata": {"labels": {"yes": "no", "n": "0123"}},
            "spec": {"targets": [{"hosts": ["a.com", "::1"], "port": {"number": 443}}], "e": []}});
    let text = to_yaml(&value);
    assert_eq!(parse_one(&text).unwrap().value, value, "{text}");
}

#[test]
fn keys_longer_than_any_kubernetes_key_are_refused_with_their_length() {
    let text = format!("? {}\n: [1, 2]\n", "k".repeat(50_000));
    let error = parse_one(&text).unwrap_err();
    assert!(error.message.contains("50000 bytes long"), "{error}");
    let fine = format!("{}: 1\n", "k".repeat(MAX_KEY_BYTES));
    assert!(parse_one(&fine).is_ok());
}

#[test]
fn lines_are_found_under_long_keys_and_label_keys() {
    let key = "k".repeat(MAX_KEY_BYTES);
    let items = vec!["1"; 20_000].join(", ");
    let text =
        format!("metadata:\n  labels:\n    app.kubernetes.io/name: x\n{key}:\n  [{items}]\n");
    let doc = parse_one(&text).unwrap();
    assert_eq!(doc.line_of("metadata.labels[app.kubernetes.io/name]"), 3);
    assert_eq!(doc.line_of(&format!("{key}[19999]")), 5);
    assert_eq!(doc.line_of("metadata.labels[missing].deeper"), 2);
}

#[test]
fn an_alias_used_as_a_key_is_counted_and_must_be_plain() {
    let doc = parse_one("a: &k name\n*k : 1\n").unwrap();
    assert_eq!(doc.value, json!({"a": "name", "name": 1}));
    let error = parse_one("a: &k [1, 2]\n*k : 1\n").unwrap_err();
    assert!(error.message.contains("plain value"), "{error}");
    // A 1 KB string aliased 300 times as keys: refused before the keys are built.
    let mut text = format!("a: &k {}\n", "x".repeat(1_000));
    for i in 0..300 {
        text.push_str(&format!("b{i}: {{*k : 1}}\n"));
    }
    let error = parse_one(&text).unwrap_err();
    assert!(error.message.contains("alias bomb"), "{error}");
}

#[test]
fn nested_anchors_are_counted_as_copies() {
    // Each anchor keeps a copy of its value: 150 nested anchors over 2,000 values
    // would hold 300,000 copies.
    let mut text = String::from("x: ");
    for i in 0..150 {
        text.push_str(&format!("&a{i} ["));
    }
    text.push_str(&vec!["1"; 2_000].join(","));
    text.push_str(&"]".repeat(150));
    let error = parse_one(&text).unwrap_err();
    assert!(error.message.contains("alias bomb"), "{error}");
}

#[test]
fn the_value_limit_is_per_document() {
    let document = format!("[{}]\n", vec!["1"; 1_000].join(","));
    let text = vec![document; 3_000].join("---\n");
    let (docs, error) = parse_stream(&text);
    assert_eq!(error, None);
    assert_eq!(docs.len(), 3_000);
}

#[test]
fn deep_nesting_is_refused_without_recursion() {
    let text = format!("{}{}", "[".repeat(500_000), "]".repeat(500_000));
    let error = parse_one(&text).unwrap_err();
    assert!(error.message.contains("nested deeper"), "{error}");
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_key() {
    let (docs, error) = parse_stream("\u{feff}apiVersion: v1\n");
    assert_eq!(error, None);
    assert_eq!(docs[0].value, json!({"apiVersion": "v1"}));
}

#[test]
fn written_yaml_is_read_back_by_kubectl_as_it_was_whatever_the_strings() {
    for value in [
        json!({"a": "line\n\n\ntrailing blank lines\n\n"}),
        json!({"labels": {"count": "1_000", "octal": "0443", "bool": "on", "merge": "<<"}}),
        json!({"<<": {"a": 1}}),
        json!(["  leading spaces", "tab\there", "# not a comment", "*not-an-alias"]),
    ] {
        let text = to_yaml(&value);
        assert_eq!(parse_one(&text).unwrap().value, value, "{text}");
    }
}
