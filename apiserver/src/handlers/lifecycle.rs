//! The delete lifecycle, as Kubernetes documents it, with the controllers' part done at
//! once (no controller runs here): an object with `finalizers` is not removed but marked
//! (`deletionTimestamp`) until they are all gone; a namespace is `Terminating` until the
//! objects in it are gone; dependents (`ownerReferences`) are deleted with their owner
//! (`propagationPolicy` Background or Foreground) or kept without the reference (Orphan).
//! DELETE of an object and of a collection (`deletecollection`) are answered here.

use super::json_response;
use super::write::{WriteRequest, blocking, commit};
use crate::resources::{ALL, NAMESPACES, ResourceType};
use crate::status::{Cause, StatusError, StatusResult};
use crate::store::{Change, EventType, Key, Memory};
use crate::time::now_rfc3339;
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// How dependents go with their owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    /// Deleted (with the owner, here: no controller is slower than the other).
    Background,
    /// Deleted before the owner.
    Foreground,
    /// Kept, without the owner's reference.
    Orphan,
}

impl Propagation {
    /// From DeleteOptions' `propagationPolicy` (or the older `orphanDependents`).
    pub fn of(options: &Value) -> StatusResult<Propagation> {
        match options["propagationPolicy"].as_str() {
            None if options["orphanDependents"] == json!(true) => Ok(Propagation::Orphan),
            None | Some("Background") => Ok(Propagation::Background),
            Some("Foreground") => Ok(Propagation::Foreground),
            Some("Orphan") => Ok(Propagation::Orphan),
            Some(other) => Err(StatusError::bad_request(format!(
                "propagationPolicy \"{other}\" is not one of Background, Foreground, Orphan"
            ))),
        }
    }
}

fn finalizers(object: &Value) -> bool {
    object["metadata"]["finalizers"].as_array().is_some_and(|f| !f.is_empty())
}

fn uid(object: &Value) -> &str {
    object["metadata"]["uid"].as_str().unwrap_or("")
}

/// Marks an object as being deleted (its finalizers keep it).
fn marked(mut object: Value) -> Value {
    if object["metadata"]["deletionTimestamp"].is_null() {
        object["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
        object["metadata"]["deletionGracePeriodSeconds"] = json!(0);
    }
    object
}

/// The changes that delete `key` (whose object is `current`): the object removed or marked,
/// its dependents deleted or orphaned, a namespace's content with it. The object's own
/// change comes last (the answer shows it).
pub fn plan(memory: &Memory, key: Key, current: Value, propagation: Propagation) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut seen = BTreeSet::new();
    if key.resource == &NAMESPACES {
        let mut left = false;
        for child in ALL.iter().copied().filter(|r| r.namespaced) {
            for (child_key, stored) in memory.list(child, Some(&key.name)) {
                let object = stored.value();
                left |= finalizers(&object);
                remove(&mut changes, &mut seen, child_key.clone(), object);
            }
        }
        // The namespace controller's own finalizer (`spec.finalizers: [kubernetes]`) is done
        // once the content is gone; other finalizers keep the namespace.
        if left || finalizers(&current) {
            let mut object = marked(current);
            object["status"]["phase"] = json!("Terminating");
            changes.push(Change::Put { key, object, kind: EventType::Modified });
        } else {
            changes.push(Change::Delete { key });
        }
        return changes;
    }
    let dependents = dependents_of(memory, &key, uid(&current));
    match propagation {
        Propagation::Orphan => {
            let owner = uid(&current).to_owned();
            for (dependent_key, mut object) in dependents {
                if let Some(refs) = object["metadata"]["ownerReferences"].as_array_mut() {
                    refs.retain(|r| r["uid"].as_str() != Some(owner.as_str()));
                }
                changes.push(Change::Put { key: dependent_key, object, kind: EventType::Modified });
            }
        }
        Propagation::Background | Propagation::Foreground => {
            for (dependent_key, object) in dependents {
                cascade(memory, &mut changes, &mut seen, dependent_key, object);
            }
        }
    }
    remove(&mut changes, &mut seen, key, current);
    changes
}

/// Deletes `key` and, depth first, everything it owns.
fn cascade(
    memory: &Memory,
    changes: &mut Vec<Change>,
    seen: &mut BTreeSet<String>,
    key: Key,
    object: Value,
) {
    if !seen.insert(key.encode()) {
        return;
    }
    for (dependent_key, dependent) in dependents_of(memory, &key, uid(&object)) {
        cascade(memory, changes, seen, dependent_key, dependent);
    }
    seen.remove(&key.encode());
    remove(changes, seen, key, object);
}

/// The object removed, or marked when finalizers keep it.
fn remove(changes: &mut Vec<Change>, seen: &mut BTreeSet<String>, key: Key, object: Value) {
    if !seen.insert(key.encode()) {
        return;
    }
    if finalizers(&object) {
        changes.push(Change::Put { key, object: marked(object), kind: EventType::Modified });
    } else {
        changes.push(Change::Delete { key });
    }
}

/// The objects of `owner`'s namespace (or of every namespace, for a cluster-scoped owner)
/// whose `ownerReferences` name its uid.
fn dependents_of(memory: &Memory, owner: &Key, owner_uid: &str) -> Vec<(Key, Value)> {
    if owner_uid.is_empty() {
        return Vec::new();
    }
    let namespace = (!owner.namespace.is_empty()).then_some(owner.namespace.as_str());
    // Every delete asks this of the whole namespace: only objects whose bytes hold the uid
    // at all are parsed (a namespace of 10,000 objects is a byte search, not 10,000 parses).
    let finder = memchr::memmem::Finder::new(owner_uid.as_bytes());
    let mut out = Vec::new();
    for resource in ALL.iter().copied().filter(|r| r.namespaced) {
        for (key, stored) in memory.list(resource, namespace) {
            if finder.find(&stored.json).is_none() {
                continue;
            }
            let object = stored.value();
            let owned = object["metadata"]["ownerReferences"]
                .as_array()
                .is_some_and(|refs| refs.iter().any(|r| r["uid"].as_str() == Some(owner_uid)));
            if owned {
                out.push((key.clone(), object));
            }
        }
    }
    out
}

/// An update of an object being deleted: it may not add finalizers; once it has none left
/// the object is removed (and its namespace, when that was waiting for it). Returns the
/// changes instead of the plain replacement, or None when the object is not being deleted.
pub fn finish(
    memory: &Memory,
    resource: &ResourceType,
    key: &Key,
    current: &Value,
    object: &Value,
) -> StatusResult<Option<Vec<Change>>> {
    if current["metadata"]["deletionTimestamp"].is_null() {
        return Ok(None);
    }
    let had: BTreeSet<&str> = names(current);
    let added: Vec<&str> = names(object).into_iter().filter(|f| !had.contains(f)).collect();
    if !added.is_empty() {
        let name = key.name.clone();
        return Err(StatusError::invalid(
            resource,
            &name,
            vec![Cause {
                reason: "FieldValueForbidden",
                field: "metadata.finalizers".into(),
                message: format!(
                    "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers [{}]",
                    added.join(" ")
                ),
            }],
        ));
    }
    if finalizers(object) {
        return Ok(None);
    }
    let mut changes = vec![Change::Delete { key: key.clone() }];
    // The last object of a Terminating namespace takes the namespace with it.
    if !key.namespace.is_empty() {
        let ns_key = Key::of(&NAMESPACES, "", &key.namespace);
        if let Some(namespace) = memory.get(&ns_key)
            && !namespace["metadata"]["deletionTimestamp"].is_null()
            && !finalizers(&namespace)
        {
            let others = ALL
                .iter()
                .copied()
                .filter(|r| r.namespaced)
                .any(|r| memory.list(r, Some(&key.namespace)).iter().any(|(k, _)| *k != key));
            if !others {
                changes.push(Change::Delete { key: ns_key });
            }
        }
    }
    Ok(Some(changes))
}

fn names(object: &Value) -> BTreeSet<&str> {
    object["metadata"]["finalizers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// A create in a namespace being deleted is refused, as kube-apiserver refuses it.
pub fn check_not_terminating(memory: &Memory, namespace: &str) -> StatusResult<()> {
    if namespace.is_empty() {
        return Ok(());
    }
    let terminating = memory
        .get(&Key::of(&NAMESPACES, "", namespace))
        .is_some_and(|ns| !ns["metadata"]["deletionTimestamp"].is_null());
    if terminating {
        return Err(StatusError::forbidden(format!(
            "unable to create new content in namespace {namespace} because it is being terminated"
        )));
    }
    Ok(())
}

/// DELETE an object (a namespace with everything in it), honouring `preconditions`.
pub async fn delete(request: WriteRequest<'_>) -> StatusResult<Response> {
    let WriteRequest { api, path, query, body, .. } = request;
    let options: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(body)
            .map_err(|e| StatusError::bad_request(format!("invalid DeleteOptions: {e}")))?
    };
    let dry_run = query.dry_run()?
        || options["dryRun"].as_array().is_some_and(|a| a.iter().any(|v| v == "All"));
    let namespace = super::require_namespace(&api.store, path)?;
    let name = path.name.clone().unwrap_or_default();
    let resource = path.resource;
    let propagation = Propagation::of(&options)?;
    commit(api, dry_run, move |memory| {
        let key = Key::of(resource, &namespace, &name);
        let current = memory.get(&key).ok_or_else(|| StatusError::not_found(resource, &name))?;
        check_preconditions(resource, &name, &current, &options["preconditions"])?;
        let changes = plan(memory, key, current, propagation);
        Ok((changes, (200, Vec::new())))
    })
    .await
}

/// DELETE a collection (`deletecollection`): every object of the namespace that the label
/// and field selectors match; answers with the list of what was deleted.
pub async fn delete_collection(request: WriteRequest<'_>) -> StatusResult<Response> {
    let WriteRequest { api, path, query, .. } = request;
    let dry_run = query.dry_run()?;
    let resource = path.resource;
    if resource == &NAMESPACES {
        return Err(StatusError::method_not_allowed(
            "namespaces cannot be deleted as a collection: delete them one by one",
        ));
    }
    let namespace = path.namespace.clone();
    let filter = super::read::Filter::from_query(query)?;
    let store = api.store.clone();
    let (_, _, deleted) = blocking(move || {
        store.write(dry_run, move |memory| {
            let mut changes = Vec::new();
            let mut deleted = Vec::new();
            for (key, stored) in memory.list(resource, namespace.as_deref()) {
                if filter.matches(&key.name, &key.namespace, stored) {
                    let object = stored.value();
                    let propagation = Propagation::Background;
                    changes.extend(plan(memory, key.clone(), object.clone(), propagation));
                    deleted.push(object);
                }
            }
            // An object two of them own is deleted once.
            let mut keys = std::collections::HashSet::new();
            changes.retain(|change| {
                let (Change::Put { key, .. } | Change::Delete { key }) = change;
                keys.insert(key.encode())
            });
            Ok((changes, deleted))
        })
    })
    .await?;
    let list = json!({
        "apiVersion": resource.api_version(),
        "kind": resource.list_kind(),
        "metadata": {},
        "items": deleted,
    });
    Ok(json_response(200, &list, &[]))
}

fn check_preconditions(
    resource: &ResourceType,
    name: &str,
    current: &Value,
    pre: &Value,
) -> StatusResult<()> {
    for (field, label) in [("uid", "UID"), ("resourceVersion", "ResourceVersion")] {
        if let Some(wanted) = pre[field].as_str() {
            let actual = current["metadata"][field].as_str().unwrap_or("");
            if wanted != actual {
                return Err(StatusError::conflict(
                    resource,
                    name,
                    &format!(
                        "Precondition failed: {label} in precondition: {wanted}, {label} in object meta: {actual}"
                    ),
                ));
            }
        }
    }
    Ok(())
}
