//! The EgressPoints in what people keep in files and paste: every document of a YAML
//! stream, and the items of a `kind: List` (what `kubectl get egresspoints -o yaml` prints)
//! or an `EgressPointList` (what the API answers). `lint` and the form's paste box both
//! read them here.

use crate::path;
use crate::yaml::{SyntaxError, parse_stream};
use crate::{
    Code, Decoded, Diagnostic, EgressPoint, GROUP, KIND, SpaceContext, SpaceIndex, WorkloadRef,
    check_decoded, decode,
};
use serde_json::Value;
use std::collections::HashMap;

/// The EgressPoints of one document, each with the path of the item it came from (""
/// for the document itself): the document, or the items of a List. Other kinds are
/// skipped.
pub fn egress_points_in(value: &Value) -> Vec<(String, &Value)> {
    let kind = value.get("kind").and_then(Value::as_str);
    if matches!(kind, Some("List" | "EgressPointList"))
        && let Some(items) = value.get("items").and_then(Value::as_array)
    {
        return items
            .iter()
            .enumerate()
            .filter(|(_, item)| is_egress_point(item))
            .map(|(i, item)| (path::index("items", i), item))
            .collect();
    }
    if is_egress_point(value) { vec![(String::new(), value)] } else { Vec::new() }
}

/// An EgressPoint, or something meant to be one: `kind: EgressPoint` in any spelling or
/// version, or any kind of the EgressPoint API group (so `kind: EgressPoints` is reported,
/// not skipped).
pub fn is_egress_point(value: &Value) -> bool {
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = value.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    kind.eq_ignore_ascii_case(KIND)
        || kind.to_ascii_lowercase().starts_with("egresspoint")
        || api_version.split('/').next() == Some(GROUP)
}

/// Every EgressPoint of a text (YAML stream or JSON), in order. A text with a syntax error
/// yields nothing but the error, so nothing half-read is used.
pub fn egress_points_in_text(text: &str) -> Result<Vec<Value>, SyntaxError> {
    let documents = if text.trim_start_matches('\u{feff}').trim_start().starts_with('{') {
        vec![crate::parse_text(text)?]
    } else {
        let (documents, error) = parse_stream(text);
        if let Some(error) = error {
            return Err(error);
        }
        documents.into_iter().map(|d| d.value).collect()
    };
    Ok(documents
        .iter()
        .flat_map(|d| egress_points_in(d).into_iter().map(|(_, v)| v.clone()))
        .collect())
}

/// Checks EgressPoints that are to be created together in a Space, before any is: each
/// against the Space's `existing` EgressPoints and the others of the import (as if all were
/// created), and each name against those taken (creating it would fail) and those given
/// twice in the import. One result per value, in order.
pub fn check_import(
    values: &[Value],
    existing: &[&EgressPoint],
    workloads: Option<&[WorkloadRef]>,
) -> Vec<Decoded> {
    let mut decoded: Vec<Decoded> = values.iter().map(decode).collect();
    let mut index = SpaceIndex::build(existing.iter().copied());
    let identity = |i: usize| format!("import #{}", i + 1);
    for (i, d) in decoded.iter().enumerate() {
        index.insert_as(&identity(i), &d.egress_point);
    }
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    let names: Vec<String> = decoded.iter().map(|d| d.egress_point.name().to_owned()).collect();
    let context = SpaceContext { index: &index, workloads };
    for (i, d) in decoded.iter_mut().enumerate() {
        let mut all = check_decoded(d, Some(context), Some(&identity(i)));
        let name = names[i].as_str();
        if !name.is_empty() && existing.iter().any(|e| e.name() == name) {
            all.push(
                Diagnostic::error(
                    Code::Duplicate,
                    "metadata.name",
                    format!("the Space already has an EgressPoint \"{name}\": importing cannot replace it"),
                )
                .with_hint("edit the existing one, or rename this one"),
            );
        } else if let Some(first) = (!name.is_empty()).then(|| first_of.get(name)).flatten() {
            all.push(
                Diagnostic::error(
                    Code::Duplicate,
                    "metadata.name",
                    format!("\"{name}\" is also EgressPoint {} of this import", first + 1),
                )
                .with_hint("rename one of them, or merge their targets"),
            );
        }
        first_of.entry(name).or_insert(i);
        d.diagnostics = all;
    }
    decoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_is_checked_against_the_space_and_itself() {
        let ep = |name: &str, port: u16, protocol: &str| {
            serde_json::json!({"apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint",
                "metadata": {"name": name},
                "spec": {"targets": [{"hosts": ["db.example.com"], "port": {"number": port, "protocol": protocol}}]}})
        };
        let existing = decode(&ep("taken", 443, "HTTPS")).egress_point;
        let values = [
            ep("taken", 80, "HTTP"),
            ep("a", 5432, "TCP"),
            ep("b", 5432, "TLS"),
            ep("a", 1, "TCP"),
        ];
        let checked = check_import(&values, &[&existing], None);
        let codes = |i: usize| -> Vec<&str> {
            checked[i]
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.code.as_str())
                .collect()
        };
        assert!(codes(0).contains(&"duplicate"), "{:?}", checked[0].diagnostics);
        // a and b put two protocols on db.example.com:5432 between them.
        assert!(codes(2).contains(&"host-port-protocols"), "{:?}", checked[2].diagnostics);
        assert!(codes(3).contains(&"duplicate"), "{:?}", checked[3].diagnostics);
    }

    const ONE: &str = "apiVersion: networking.tanzu.vmware.com/v1alpha1\nkind: EgressPoint\nmetadata: {name: a}\n";

    #[test]
    fn streams_and_lists_give_every_egress_point() {
        let stream =
            format!("{ONE}---\n{}---\nkind: ConfigMap\n", ONE.replace("name: a", "name: b"));
        let names: Vec<String> = egress_points_in_text(&stream)
            .unwrap()
            .iter()
            .map(|v| v["metadata"]["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["a", "b"]);
        let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.tanzu.vmware.com/v1alpha1\n  kind: EgressPoint\n  metadata: {name: c}\n- kind: Secret\n";
        assert_eq!(egress_points_in_text(list).unwrap().len(), 1);
        let json = r#"{"kind": "EgressPointList", "items": [{"kind": "EgressPoint"}, {"kind": "EgressPoint"}]}"#;
        assert_eq!(egress_points_in_text(json).unwrap().len(), 2);
        assert!(egress_points_in_text("a: [\n").is_err());
    }
}
