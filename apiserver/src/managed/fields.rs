//! Field sets: which fields of an object a manager owns, and their `FieldsV1` form as
//! `metadata.managedFields` stores them (k8s.io/apimachinery structured-merge-diff):
//! `{"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers":
//! {"k:{\"name\":\"app\"}": {".": {}, "f:image": {}}}}}}}`. A set holds leaves: scalars,
//! atomic lists and empty maps; items of keyed lists (`k:`, with `.` for the item itself)
//! and of scalar sets (`v:`).

use crate::strategic::schema::{ListStrategy, Node};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fmt;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Elem {
    /// A field of a map: `f:name`.
    Field(String),
    /// An item of a keyed list, by its key fields: `k:{"name":"app"}` (the JSON text).
    Key(String),
    /// An item of a set of scalars: `v:"x"` (the JSON text).
    Value(String),
}

/// A path from the object's root.
pub type Path = Vec<Elem>;

/// A set of paths.
pub type FieldSet = BTreeSet<Path>;

/// Whether nobody owns this metadata field: what the server sets, and the namespace (the
/// URL's).
fn server_set(field: &str) -> bool {
    field == "namespace" || egress_rules::SERVER_SET_METADATA.contains(&field)
}

/// What the key of a keyed list item is: `{"name":"app"}`.
fn key_of(item: &Value, key: &str) -> Option<String> {
    let value = item.get(key)?;
    Some(Value::Object(Map::from_iter([(key.to_owned(), value.clone())])).to_string())
}

/// Every owned leaf of `value`, an object of a kind with schema root `Node::Root`. `apiVersion`,
/// `kind`, `status`, `metadata.name` and what the server sets are not owned.
pub fn fields_of(object: &Value) -> FieldSet {
    let mut out = FieldSet::new();
    let Some(map) = object.as_object() else { return out };
    for (key, value) in map {
        match key.as_str() {
            "apiVersion" | "kind" | "status" => {}
            "metadata" => {
                if let Some(meta) = value.as_object() {
                    for (field, v) in meta {
                        if server_set(field) || field == "name" {
                            continue;
                        }
                        let path = vec![Elem::Field("metadata".into()), Elem::Field(field.clone())];
                        walk(
                            v,
                            Node::ObjectMeta.child(field),
                            Node::ObjectMeta.list(field),
                            path,
                            &mut out,
                        );
                    }
                }
            }
            _ => walk(
                value,
                Node::Root.child(key),
                Node::Root.list(key),
                vec![Elem::Field(key.clone())],
                &mut out,
            ),
        }
    }
    out
}

/// The leaves of `value` at `path`; `node` is what the value is, `list` how it merges if it
/// is a list.
fn walk(value: &Value, node: Node, list: ListStrategy, path: Path, out: &mut FieldSet) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                let mut child = path.clone();
                child.push(Elem::Field(key.clone()));
                walk(v, node.child(key), node.list(key), child, out);
            }
        }
        Value::Array(items) => match list {
            ListStrategy::MergeByKey(key) => {
                for item in items {
                    match key_of(item, key) {
                        Some(k) => {
                            let mut at = path.clone();
                            at.push(Elem::Key(k));
                            out.insert(at.clone());
                            walk(item, node, ListStrategy::Replace, at, out);
                        }
                        // An item without its key cannot be told apart: the list is atomic.
                        None => {
                            out.insert(path.clone());
                        }
                    }
                }
                if items.is_empty() {
                    out.insert(path);
                }
            }
            ListStrategy::MergeScalars => {
                for item in items {
                    let mut at = path.clone();
                    at.push(Elem::Value(item.to_string()));
                    out.insert(at);
                }
                if items.is_empty() {
                    out.insert(path);
                }
            }
            ListStrategy::Replace => {
                out.insert(path);
            }
        },
        _ => {
            out.insert(path);
        }
    }
}

/// The `fieldsV1` form of a set.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Map::new();
    for path in set {
        let mut at = &mut root;
        for elem in path {
            let key = match elem {
                Elem::Field(f) => format!("f:{f}"),
                Elem::Key(k) => format!("k:{k}"),
                Elem::Value(v) => format!("v:{v}"),
            };
            at = at
                .entry(key)
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("inserted as an object");
        }
        // An item owned as a whole, and also by its fields, is marked with ".".
        if matches!(path.last(), Some(Elem::Key(_) | Elem::Value(_))) || !at.is_empty() {
            at.insert(".".into(), Value::Object(Map::new()));
        }
    }
    Value::Object(root)
}

/// A set from its `fieldsV1` form (what clients and earlier writes stored); unreadable
/// entries are skipped.
pub fn from_fields_v1(value: &Value) -> FieldSet {
    let mut out = FieldSet::new();
    read(value, &mut Vec::new(), &mut out);
    out
}

fn read(value: &Value, path: &mut Path, out: &mut FieldSet) {
    let Some(map) = value.as_object() else { return };
    let mut leaf = map.is_empty() && !path.is_empty();
    for (key, child) in map {
        let elem = if key == "." {
            leaf = true;
            continue;
        } else if let Some(f) = key.strip_prefix("f:") {
            Elem::Field(f.to_owned())
        } else if let Some(k) = key.strip_prefix("k:") {
            Elem::Key(k.to_owned())
        } else if let Some(v) = key.strip_prefix("v:") {
            Elem::Value(v.to_owned())
        } else {
            continue;
        };
        path.push(elem);
        read(child, path, out);
        path.pop();
    }
    if leaf {
        out.insert(path.clone());
    }
}

/// `.spec.replicas`, `.spec.template.spec.containers[name="app"].image`, as kube-apiserver
/// names fields in conflicts.
pub struct Shown<'a>(pub &'a Path);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for elem in self.0 {
            match elem {
                Elem::Field(name) => write!(f, ".{name}")?,
                Elem::Key(key) => {
                    let parsed: Map<String, Value> = serde_json::from_str(key).unwrap_or_default();
                    let parts: Vec<String> =
                        parsed.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    write!(f, "[{}]", parts.join(","))?;
                }
                Elem::Value(v) => write!(f, "[={v}]")?,
            }
        }
        Ok(())
    }
}

/// The value at `path` in `object`, if it is there.
pub fn get<'a>(object: &'a Value, path: &Path) -> Option<&'a Value> {
    let mut at = object;
    for elem in path {
        at = match elem {
            Elem::Field(name) => at.get(name)?,
            Elem::Key(key) => {
                let wanted: Map<String, Value> = serde_json::from_str(key).ok()?;
                at.as_array()?
                    .iter()
                    .find(|item| wanted.iter().all(|(k, v)| item.get(k) == Some(v)))?
            }
            Elem::Value(v) => {
                let wanted: Value = serde_json::from_str(v).ok()?;
                at.as_array()?.iter().find(|item| **item == wanted)?
            }
        };
    }
    Some(at)
}

/// Removes what is at `path` from `object` (a field, a keyed item, a set item).
pub fn remove(object: &mut Value, path: &Path) {
    let Some((last, parent)) = path.split_last() else { return };
    let mut at = object;
    for elem in parent {
        let next = match elem {
            Elem::Field(name) => at.get_mut(name),
            Elem::Key(key) => {
                let Ok(wanted) = serde_json::from_str::<Map<String, Value>>(key) else { return };
                at.as_array_mut().and_then(|items| {
                    items.iter_mut().find(|item| wanted.iter().all(|(k, v)| item.get(k) == Some(v)))
                })
            }
            Elem::Value(_) => None,
        };
        match next {
            Some(next) => at = next,
            None => return,
        }
    }
    match last {
        Elem::Field(name) => {
            if let Some(map) = at.as_object_mut() {
                map.remove(name);
            }
        }
        Elem::Key(key) => {
            let Ok(wanted) = serde_json::from_str::<Map<String, Value>>(key) else { return };
            if let Some(items) = at.as_array_mut() {
                items.retain(|item| !wanted.iter().all(|(k, v)| item.get(k) == Some(v)));
            }
        }
        Elem::Value(v) => {
            let Ok(wanted) = serde_json::from_str::<Value>(v) else { return };
            if let Some(items) = at.as_array_mut() {
                items.retain(|item| *item != wanted);
            }
        }
    }
}
