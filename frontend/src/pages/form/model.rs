//! The form as data: the EgressPoint object it stands for (built as JSON so that a wrong
//! value, like a port "80a", reaches the rules' decoder and is reported, not dropped), and
//! which field each diagnostic belongs to.

use egress_rules::WorkloadRef;
use serde_json::{Map, Value, json};

/// What the user typed into one target row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TargetInput {
    /// Hosts, one per input.
    pub hosts: Vec<String>,
    /// The port as typed.
    pub port: String,
    /// The protocol chosen.
    pub protocol: String,
}

/// The EgressPoint object of the form. `base` is the object being edited (its labels,
/// annotations and, when `keep_version`, resourceVersion are kept).
pub fn object(
    name: &str,
    namespace: &str,
    source_ref: Option<&WorkloadRef>,
    targets: &[TargetInput],
    base: Option<&Value>,
    keep_version: bool,
) -> Value {
    let mut metadata = base
        .and_then(|b| b.get("metadata"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // The server-set fields never go back, except the version an edit started from.
    let version = base.and_then(egress_rules::resource_version).filter(|_| keep_version);
    for key in egress_rules::SERVER_SET_METADATA {
        metadata.remove(key);
    }
    metadata.insert("name".into(), name.trim().into());
    metadata.insert("namespace".into(), namespace.into());
    let mut spec = Map::new();
    if let Some(w) = source_ref {
        spec.insert(
            "sourceRef".into(),
            json!({"apiGroup": w.api_group, "kind": w.kind, "name": w.name}),
        );
    }
    let targets: Vec<Value> = targets
        .iter()
        .map(|t| {
            let mut port = Map::new();
            let number = t.port.trim();
            if !number.is_empty() {
                // Kept as text when it is not a number, so the decoder names the wrong type.
                let value =
                    number.parse::<i64>().map(Value::from).unwrap_or_else(|_| number.into());
                port.insert("number".into(), value);
            }
            port.insert("protocol".into(), t.protocol.clone().into());
            json!({"hosts": t.hosts.iter().map(|h| h.trim()).collect::<Vec<_>>(), "port": port})
        })
        .collect();
    spec.insert("targets".into(), targets.into());
    let mut object = json!({
        "apiVersion": egress_rules::API_VERSION,
        "kind": egress_rules::KIND,
        "metadata": metadata,
        "spec": spec,
    });
    if let Some(version) = version {
        egress_rules::set_resource_version(&mut object, version);
    }
    object
}

/// The object without what the server rewrites on every write (and without status), so a
/// comparison of two versions shows what a person changed.
pub fn comparable(object: &Value) -> Value {
    egress_rules::as_written(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_that_is_not_a_number_reaches_the_decoder_as_text() {
        let t = TargetInput {
            hosts: vec![" api.example.com ".into()],
            port: "80a".into(),
            protocol: "HTTP".into(),
        };
        let value = object("x", "ns", None, &[t], None, false);
        assert_eq!(value["spec"]["targets"][0]["port"]["number"], "80a");
        assert_eq!(value["spec"]["targets"][0]["hosts"][0], "api.example.com");
        let decoded = egress_rules::check_value(&value, None);
        let wrong = decoded.diagnostics.iter().find(|d| d.path == "spec.targets[0].port.number");
        assert!(wrong.is_some(), "{:?}", decoded.diagnostics);
    }

    #[test]
    fn editing_keeps_labels_and_the_version_but_not_server_fields() {
        let base = json!({"metadata": {"name": "x", "labels": {"team": "a"}, "uid": "u", "resourceVersion": "7"}});
        let value = object("x", "ns", None, &[], Some(&base), true);
        assert_eq!(value["metadata"]["labels"]["team"], "a");
        assert_eq!(value["metadata"]["resourceVersion"], "7");
        assert!(value["metadata"].get("uid").is_none());
        let preview = object("x", "ns", None, &[], Some(&base), false);
        assert!(preview["metadata"].get("resourceVersion").is_none());
    }
}
