//! Turns a parsed document (JSON value) into an [`EgressPoint`], reporting every wrong type
//! and unknown field with its field path instead of stopping at the first, the way
//! kube-apiserver's `fieldValidation=Strict` reports them all.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{EgressPoint, EgressPointSpec, ObjectMeta, Port, SourceRef, Target};
use crate::path;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// An EgressPoint as far as it could be read, and what was wrong with its shape.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decoded {
    /// Every field that had the right type; wrong ones are left at their defaults.
    pub egress_point: EgressPoint,
    /// Wrong types and unknown fields (codes `schema`, `unknown-field` and the rule codes of
    /// the fields concerned).
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads `value` as an EgressPoint.
pub fn decode(value: &Value) -> Decoded {
    let mut decoder = Decoder::default();
    let egress_point = decoder.egress_point(value);
    Decoded { egress_point, diagnostics: decoder.diagnostics }
}

const TOP_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];
const SPEC_FIELDS: &[&str] = &["sourceRef", "targets"];
const SOURCE_REF_FIELDS: &[&str] = &["apiGroup", "kind", "name"];
const TARGET_FIELDS: &[&str] = &["hosts", "port"];
const PORT_FIELDS: &[&str] = &["number", "protocol"];

/// Each object of the schema (as a path of property names, `[]` for list items) and its
/// fields; `schema.rs` tests that the OpenAPI schema says the same.
#[cfg(test)]
pub(crate) const FIELDS: &[(&[&str], &[&str])] = &[
    (&[], TOP_FIELDS),
    (&["spec"], SPEC_FIELDS),
    (&["spec", "sourceRef"], SOURCE_REF_FIELDS),
    (&["spec", "targets", "[]"], TARGET_FIELDS),
    (&["spec", "targets", "[]", "port"], PORT_FIELDS),
];

#[derive(Default)]
struct Decoder {
    diagnostics: Vec<Diagnostic>,
}

impl Decoder {
    fn egress_point(&mut self, value: &Value) -> EgressPoint {
        let mut ep = EgressPoint::default();
        let Some(map) = self.object(value, "", Code::Schema, TOP_FIELDS) else { return ep };
        ep.api_version = self.string_field(map, "", "apiVersion", Code::Kind).unwrap_or_default();
        ep.kind = self.string_field(map, "", "kind", Code::Kind).unwrap_or_default();
        if let Some(meta) = present(map, "metadata") {
            ep.metadata = self.metadata(meta);
        }
        if let Some(spec) = present(map, "spec") {
            ep.spec = self.spec(spec);
        }
        ep.status = present(map, "status").cloned();
        ep
    }

    fn metadata(&mut self, value: &Value) -> ObjectMeta {
        let mut meta = ObjectMeta::default();
        let Some(map) = self.object(value, "metadata", Code::Schema, ObjectMeta::FIELDS) else {
            return meta;
        };
        let at = "metadata";
        meta.name = self.string_field(map, at, "name", Code::Name);
        meta.generate_name = self.string_field(map, at, "generateName", Code::Name);
        meta.namespace = self.string_field(map, at, "namespace", Code::Schema);
        meta.uid = self.string_field(map, at, "uid", Code::Schema);
        meta.resource_version = self.string_field(map, at, "resourceVersion", Code::Schema);
        meta.generation = self.int_field(map, at, "generation", Code::Schema);
        meta.creation_timestamp = self.string_field(map, at, "creationTimestamp", Code::Schema);
        meta.deletion_timestamp = self.string_field(map, at, "deletionTimestamp", Code::Schema);
        meta.deletion_grace_period_seconds =
            self.int_field(map, at, "deletionGracePeriodSeconds", Code::Schema);
        meta.labels = self.string_map(map, at, "labels");
        meta.annotations = self.string_map(map, at, "annotations");
        meta.finalizers = present(map, "finalizers").and_then(|v| {
            let items = self.array(v, "metadata.finalizers", Code::Schema)?;
            let field = path::child(at, "finalizers");
            Some(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| {
                        self.string(item, &path::index(&field, i), Code::Schema)
                    })
                    .collect(),
            )
        });
        meta.owner_references = self.value_list(map, at, "ownerReferences");
        meta.managed_fields = self.value_list(map, at, "managedFields");
        meta
    }

    fn spec(&mut self, value: &Value) -> EgressPointSpec {
        let mut spec = EgressPointSpec::default();
        let Some(map) = self.object(value, "spec", Code::Schema, SPEC_FIELDS) else { return spec };
        if let Some(source) = present(map, "sourceRef") {
            spec.source_ref = self.source_ref(source);
        }
        if let Some(targets) = present(map, "targets")
            && let Some(items) = self.array(targets, "spec.targets", Code::Targets)
        {
            spec.targets = items.iter().enumerate().map(|(i, t)| self.target(i, t)).collect();
        }
        spec
    }

    fn source_ref(&mut self, value: &Value) -> Option<SourceRef> {
        let at = "spec.sourceRef";
        let map = self.object(value, at, Code::SourceRef, SOURCE_REF_FIELDS)?;
        Some(SourceRef {
            api_group: self.string_field(map, at, "apiGroup", Code::SourceRef).unwrap_or_default(),
            kind: self.string_field(map, at, "kind", Code::SourceRef).unwrap_or_default(),
            name: self.string_field(map, at, "name", Code::SourceRef).unwrap_or_default(),
        })
    }

    fn target(&mut self, i: usize, value: &Value) -> Target {
        let mut target = Target::default();
        let at = path::target(i);
        let Some(map) = self.object(value, &at, Code::Targets, TARGET_FIELDS) else {
            return target;
        };
        if let Some(hosts) = present(map, "hosts") {
            let field = path::child(&at, "hosts");
            if let Some(items) = self.array(hosts, &field, Code::Host) {
                // A host of the wrong type is kept as "" so that later hosts keep their
                // indexes, and field paths keep pointing at the right entry.
                target.hosts = items
                    .iter()
                    .enumerate()
                    .map(|(j, h)| self.string(h, &path::host(i, j), Code::Host).unwrap_or_default())
                    .collect();
            }
        }
        if let Some(port) = present(map, "port") {
            target.port = self.port(i, port);
        }
        target
    }

    fn port(&mut self, i: usize, value: &Value) -> Port {
        let mut port = Port::default();
        let at = format!("{}.port", path::target(i));
        let Some(map) = self.object(value, &at, Code::Port, PORT_FIELDS) else { return port };
        port.number = self.int_field(map, &at, "number", Code::Port);
        port.protocol = self.string_field(map, &at, "protocol", Code::Protocol).unwrap_or_default();
        port
    }

    fn string_map(
        &mut self,
        map: &Map<String, Value>,
        at: &str,
        name: &str,
    ) -> Option<BTreeMap<String, String>> {
        let field = path::child(at, name);
        let value = present(map, name)?;
        let Some(entries) = value.as_object() else {
            self.wrong_type(&field, Code::Schema, "a mapping of strings", value);
            return None;
        };
        let mut out = BTreeMap::new();
        for (key, v) in entries {
            if let Some(text) = self.string(v, &path::child(&field, key), Code::Schema) {
                out.insert(key.clone(), text);
            }
        }
        Some(out)
    }

    fn value_list(&mut self, map: &Map<String, Value>, at: &str, name: &str) -> Option<Vec<Value>> {
        let field = path::child(at, name);
        Some(self.array(present(map, name)?, &field, Code::Schema)?.clone())
    }

    /// `value` as an object; every key outside `known` is an `unknown-field` error.
    fn object<'v>(
        &mut self,
        value: &'v Value,
        at: &str,
        code: Code,
        known: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let Some(map) = value.as_object() else {
            self.wrong_type(at, code, "a mapping", value);
            return None;
        };
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            let mut diagnostic = Diagnostic::error(
                Code::UnknownField,
                path::child(at, key),
                format!("unknown field \"{key}\": {} has no such field", describe_path(at)),
            );
            if let Some(near) = nearest(key, known) {
                diagnostic = diagnostic.with_hint(format!("did you mean \"{near}\"?"));
            }
            self.diagnostics.push(diagnostic);
        }
        Some(map)
    }

    fn array<'v>(&mut self, value: &'v Value, at: &str, code: Code) -> Option<&'v Vec<Value>> {
        match value {
            Value::Array(items) => Some(items),
            other => {
                self.wrong_type(at, code, "a list", other);
                None
            }
        }
    }

    fn string_field(
        &mut self,
        map: &Map<String, Value>,
        at: &str,
        name: &str,
        code: Code,
    ) -> Option<String> {
        let value = present(map, name)?;
        self.string(value, &path::child(at, name), code)
    }

    fn string(&mut self, value: &Value, at: &str, code: Code) -> Option<String> {
        match value {
            Value::String(text) => Some(text.clone()),
            other => {
                let mut diagnostic = Diagnostic::error(
                    code,
                    at,
                    format!("{at} must be a string, not {}", describe(other)),
                );
                if matches!(other, Value::Number(_) | Value::Bool(_)) {
                    diagnostic = diagnostic.with_hint(format!("quote it: \"{other}\""));
                }
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    fn int_field(
        &mut self,
        map: &Map<String, Value>,
        at: &str,
        name: &str,
        code: Code,
    ) -> Option<i64> {
        let value = present(map, name)?;
        let field = path::child(at, name);
        if let Some(n) = value.as_i64() {
            return Some(n);
        }
        let mut diagnostic = Diagnostic::error(
            code,
            &field,
            format!("{field} must be a whole number, not {}", describe(value)),
        );
        if let Some(text) = value.as_str()
            && let Ok(n) = text.trim().parse::<i64>()
        {
            diagnostic = diagnostic.with_hint(format!("write {n} without quotes"));
        }
        self.diagnostics.push(diagnostic);
        None
    }

    fn wrong_type(&mut self, at: &str, code: Code, expected: &str, value: &Value) {
        let what = if at.is_empty() { "an EgressPoint".to_owned() } else { at.to_owned() };
        self.diagnostics.push(Diagnostic::error(
            code,
            at,
            format!("{what} must be {expected}, not {}", describe(value)),
        ));
    }
}

/// A field's value, treating `null` as absent, as Kubernetes does for optional fields.
fn present<'v>(map: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    map.get(name).filter(|v| !v.is_null())
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

fn describe_path(at: &str) -> String {
    if at.is_empty() { "an EgressPoint".into() } else { at.to_owned() }
}

/// The known field a typo most likely meant: same letters ignoring case, or at most two edits.
fn nearest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = key.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_typo_in_a_field_name_is_an_unknown_field_with_a_suggestion() {
        let decoded = decode(&json!({
            "apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint",
            "metadata": {"name": "x"},
            "spec": {"target": [{"hosts": ["a.com"], "port": {"number": 443, "protocol": "HTTPS"}}]}
        }));
        let d = &decoded.diagnostics[0];
        assert_eq!((d.code, d.path.as_str()), (Code::UnknownField, "spec.target"));
        assert_eq!(d.hint.as_deref(), Some("did you mean \"targets\"?"));
    }

    #[test]
    fn wrong_types_are_reported_at_their_field_path_and_decoding_goes_on() {
        let decoded = decode(&json!({
            "apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint",
            "metadata": {"name": "x", "labels": {"a": 1}},
            "spec": {"targets": [
                {"hosts": ["a.com", 7], "port": {"number": "443", "protocol": "HTTPS"}},
                {"hosts": "b.com", "port": {"number": 80, "protocol": "HTTP"}}
            ]}
        }));
        let found: Vec<_> = decoded.diagnostics.iter().map(|d| (d.code, d.path.as_str())).collect();
        assert_eq!(
            found,
            [
                (Code::Schema, "metadata.labels.a"),
                (Code::Host, "spec.targets[0].hosts[1]"),
                (Code::Port, "spec.targets[0].port.number"),
                (Code::Host, "spec.targets[1].hosts"),
            ]
        );
        assert_eq!(decoded.diagnostics[2].hint.as_deref(), Some("write 443 without quotes"));
        assert_eq!(decoded.egress_point.spec.targets[0].hosts, ["a.com", ""]);
        assert_eq!(decoded.egress_point.spec.targets[1].port.number, Some(80));
    }

    #[test]
    fn a_document_that_is_not_a_mapping_is_a_schema_error() {
        let decoded = decode(&json!(["not", "an", "object"]));
        assert_eq!(decoded.diagnostics[0].code, Code::Schema);
        assert_eq!(decoded.diagnostics[0].path, "");
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("target", "targets"), 1);
        assert_eq!(edit_distance("protcol", "protocol"), 1);
        assert_eq!(edit_distance("abc", "xyz"), 3);
    }
}
