//! Field ownership (`metadata.managedFields`), as kube-apiserver keeps it for server-side
//! apply: every write records which fields its manager set (operation `Update`: create,
//! replace, patch) or declares (operation `Apply`). An apply that would change a field
//! another manager owns is refused with 409 naming the manager and fields, unless forced;
//! fields a manager stops applying are removed when nobody else owns them; lists merge by
//! their keys (containers by name, ports by containerPort, …: the same schema as
//! strategic merge patch).

pub mod fields;

use crate::strategic::schema::{ListStrategy, Node};
use crate::time::now_rfc3339;
use fields::{FieldSet, Path, Shown, fields_of, from_fields_v1, get, remove, to_fields_v1};
use serde_json::{Map, Value, json};

/// One `managedFields` entry.
#[derive(Clone, Debug, PartialEq)]
struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: String,
    fields: FieldSet,
    /// Whatever else the entry carries (`subresource`), kept as sent.
    rest: Map<String, Value>,
}

fn entries_of(object: &Value) -> Vec<Entry> {
    let Some(list) = object["metadata"]["managedFields"].as_array() else { return Vec::new() };
    list.iter()
        .filter_map(|e| {
            let mut rest = e.as_object()?.clone();
            let mut take = |k: &str| rest.remove(k);
            Some(Entry {
                manager: take("manager")?.as_str()?.to_owned(),
                operation: take("operation")
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "Update".into()),
                api_version: take("apiVersion")
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                time: take("time").and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                fields: take("fieldsV1").map(|f| from_fields_v1(&f)).unwrap_or_default(),
                rest: {
                    rest.remove("fieldsType");
                    rest
                },
            })
        })
        .collect()
}

fn write_entries(object: &mut Value, entries: Vec<Entry>) {
    let list: Vec<Value> = entries
        .into_iter()
        .filter(|e| !e.fields.is_empty())
        .map(|e| {
            let mut map = e.rest;
            map.insert("manager".into(), json!(e.manager));
            map.insert("operation".into(), json!(e.operation));
            map.insert("apiVersion".into(), json!(e.api_version));
            map.insert("time".into(), json!(e.time));
            map.insert("fieldsType".into(), json!("FieldsV1"));
            map.insert("fieldsV1".into(), to_fields_v1(&e.fields));
            Value::Object(map)
        })
        .collect();
    if let Some(meta) = object["metadata"].as_object_mut() {
        if list.is_empty() {
            meta.remove("managedFields");
        } else {
            meta.insert("managedFields".into(), Value::Array(list));
        }
    }
}

/// The entry of `manager` for `operation`, created at the end when missing; stamped with
/// `api_version` and the time now when `stamp` is given.
fn entry<'a>(
    entries: &'a mut Vec<Entry>,
    manager: &str,
    operation: &str,
    stamp: Option<&str>,
) -> &'a mut Entry {
    let at = match entries.iter().position(|e| e.manager == manager && e.operation == operation) {
        Some(at) => at,
        None => {
            entries.push(Entry {
                manager: manager.to_owned(),
                operation: operation.to_owned(),
                api_version: String::new(),
                time: String::new(),
                fields: FieldSet::new(),
                rest: Map::new(),
            });
            entries.len() - 1
        }
    };
    let found = &mut entries[at];
    if let Some(api_version) = stamp {
        found.api_version = api_version.to_owned();
        found.time = now_rfc3339();
    }
    found
}

/// Who owns what, without the times: two equal lists record the same ownership.
fn ownership(entries: &[Entry]) -> Vec<(&str, &str, &FieldSet)> {
    entries.iter().map(|e| (e.manager.as_str(), e.operation.as_str(), &e.fields)).collect()
}

/// Records an `Update` by `manager`: `new` (about to be stored, replacing `current` or
/// created) gets `managedFields` in which `manager` owns every field it set or changed, and
/// nobody owns a field that is gone. A client that sends its own `managedFields` (different
/// from the stored ones) replaces them, as with kube-apiserver.
pub fn record_update(current: Option<&Value>, new: &mut Value, manager: &str) {
    let sent = new["metadata"]["managedFields"].clone();
    let stored = current.map(|c| c["metadata"]["managedFields"].clone()).unwrap_or(Value::Null);
    let mut entries = if sent.is_array() && sent != stored {
        entries_of(new)
    } else {
        current.map(entries_of).unwrap_or_default()
    };
    let now = fields_of(new);
    let changed: FieldSet =
        now.iter().filter(|p| current.is_none_or(|c| get(c, p) != get(new, p))).cloned().collect();
    for e in &mut entries {
        e.fields.retain(|p| now.contains(p) && !changed.contains(p));
    }
    if !changed.is_empty() {
        let api_version = new["apiVersion"].as_str().unwrap_or("").to_owned();
        entry(&mut entries, manager, "Update", Some(&api_version)).fields.extend(changed);
    }
    write_entries(new, entries);
}

/// A field another manager owns with a different value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// Who owns it.
    pub manager: String,
    /// `.spec.replicas`.
    pub field: String,
}

/// Server-side apply of `applied` by `manager` to `current` (None: the object is created).
/// Returns the object to store, with its `managedFields`, or the conflicts (unless `force`,
/// which takes the fields over).
pub fn apply(
    current: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
) -> Result<Value, Vec<Conflict>> {
    let live = current.cloned().unwrap_or_else(|| json!({}));
    let original = current.map(entries_of).unwrap_or_default();
    let mut entries = original.clone();
    let declared = fields_of(applied);
    let mut conflicts = Vec::new();
    let mut taken: Vec<(usize, Path)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if e.manager == manager {
            continue;
        }
        for path in e.fields.intersection(&declared) {
            // An item of a keyed list or a set is shared, not contested: only its fields are.
            let is_item =
                matches!(path.last(), Some(fields::Elem::Key(_) | fields::Elem::Value(_)));
            if !is_item && get(&live, path) != get(applied, path) {
                conflicts
                    .push(Conflict { manager: e.manager.clone(), field: Shown(path).to_string() });
                taken.push((i, path.clone()));
            }
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflicts);
    }
    for (i, path) in taken {
        entries[i].fields.remove(&path);
    }
    let mut merged = merge(&live, applied, Node::Root, ListStrategy::Replace);
    // What this manager applied before and applies no more, owned by nobody else, goes.
    let previous: FieldSet = entries
        .iter()
        .filter(|e| e.manager == manager && e.operation == "Apply")
        .flat_map(|e| e.fields.iter().cloned())
        .collect();
    let others: FieldSet = entries
        .iter()
        .filter(|e| !(e.manager == manager && e.operation == "Apply"))
        .flat_map(|e| e.fields.iter().cloned())
        .collect();
    for path in previous.difference(&declared) {
        let kept_by_others = others.iter().any(|o| o.starts_with(path));
        if !kept_by_others {
            remove(&mut merged, path);
        }
    }
    // Fields this manager set by Update and now applies are owned by its Apply entry.
    for e in entries.iter_mut().filter(|e| e.manager == manager && e.operation != "Apply") {
        e.fields.retain(|p| !declared.contains(p));
    }
    entry(&mut entries, manager, "Apply", None).fields = declared;
    let unchanged_fields = ownership(&entries) == ownership(&original);
    let api_version = applied["apiVersion"].as_str().unwrap_or("").to_owned();
    entry(&mut entries, manager, "Apply", Some(&api_version));
    write_entries(&mut merged, entries);
    // An apply that changes nothing leaves the object exactly as it was (no new times), so
    // that the store sees no change and keeps the resourceVersion.
    let bare = |v: &Value| {
        let mut v = v.clone();
        if let Some(meta) = v["metadata"].as_object_mut() {
            meta.remove("managedFields");
        }
        v
    };
    if let Some(current) = current
        && unchanged_fields
        && bare(&merged) == bare(current)
    {
        return Ok(current.clone());
    }
    Ok(merged)
}

/// The applied configuration merged into the live object: maps field by field, keyed lists
/// item by item, scalar sets by union, other lists replaced.
fn merge(live: &Value, applied: &Value, node: Node, list: ListStrategy) -> Value {
    match (live, applied) {
        (Value::Object(old), Value::Object(new)) => {
            let mut out = old.clone();
            for (key, value) in new {
                if key == "managedFields" {
                    continue;
                }
                if value.is_null() {
                    out.remove(key);
                    continue;
                }
                let merged = match old.get(key) {
                    Some(existing) => merge(existing, value, node.child(key), node.list(key)),
                    None => value.clone(),
                };
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(old), Value::Array(new)) => match list {
            ListStrategy::MergeByKey(key) => {
                let mut out = old.clone();
                for item in new {
                    let at =
                        item.get(key).and_then(|k| out.iter().position(|o| o.get(key) == Some(k)));
                    match at {
                        Some(at) => out[at] = merge(&out[at], item, node, ListStrategy::Replace),
                        None => out.push(item.clone()),
                    }
                }
                Value::Array(out)
            }
            ListStrategy::MergeScalars => {
                let mut out = old.clone();
                out.extend(new.iter().filter(|v| !old.contains(v)).cloned());
                Value::Array(out)
            }
            ListStrategy::Replace => applied.clone(),
        },
        _ => applied.clone(),
    }
}

/// The 409 message kube-apiserver gives: `Apply failed with 1 conflict: conflict with
/// "alice": .spec.replicas`.
pub fn conflict_message(conflicts: &[Conflict]) -> String {
    let n = conflicts.len();
    let noun = if n == 1 { "conflict" } else { "conflicts" };
    let lines: Vec<String> =
        conflicts.iter().map(|c| format!("conflict with \"{}\": {}", c.manager, c.field)).collect();
    if n == 1 {
        format!("Apply failed with 1 conflict: {}", lines[0])
    } else {
        format!("Apply failed with {n} {noun}: {}", lines.join("\n"))
    }
}

#[cfg(test)]
mod tests;
