//! create, replace and patch (merge, JSON, strategic, apply), each committed durably before
//! the answer is sent. Deletes are `lifecycle.rs`.

use super::admission::{self, FieldValidation};
use super::json_response;
use crate::SpaceApi;
use crate::request::{ObjectPath, Query};
use crate::resources::{DEPLOYMENTS, NAMESPACES, ResourceType};
use crate::status::{Cause, StatusError, StatusResult};
use crate::store::{Change, EventType, Key, Memory};
use crate::time::now_rfc3339;
use axum::response::Response;
use serde_json::{Value, json};

/// A write as the dispatcher hands it over.
pub struct WriteRequest<'a> {
    /// The Space API.
    pub api: &'a SpaceApi,
    /// The object or collection written.
    pub path: &'a ObjectPath,
    /// `dryRun`, `fieldValidation`, `fieldManager`…
    pub query: &'a Query,
    /// The body as sent.
    pub body: &'a [u8],
    /// Who writes, for `managedFields`: `?fieldManager`, else the client's User-Agent
    /// program name (as kube-apiserver names it).
    pub manager: &'a str,
}

/// What every write reads from its request first.
struct WriteParams {
    dry_run: bool,
    validation: FieldValidation,
    namespace: String,
}

impl WriteRequest<'_> {
    fn params(&self) -> StatusResult<WriteParams> {
        Ok(WriteParams {
            dry_run: self.query.dry_run()?,
            validation: FieldValidation::from_query(self.query)?,
            namespace: super::require_namespace(&self.api.store, self.path)?,
        })
    }

    /// The parameters and the body as an object of the path's type in its namespace (for
    /// create and update, whose body is the whole object).
    async fn params_and_object(&self) -> StatusResult<(WriteParams, Value)> {
        let params = self.params()?;
        let mut object = parse_object(self.body).await?;
        check_type(self.path, &mut object, &params.namespace)?;
        Ok((params, object))
    }
}

/// kube-apiserver's words for a stale `resourceVersion`.
const STALE: &str =
    "the object has been modified; please apply your changes to the latest version and try again";

/// Runs a store write off the async threads: commits wait for the disk.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> StatusResult<T> + Send + 'static,
) -> StatusResult<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| StatusError::internal(&e))?
}

/// What a write stages: the changes, the answer's status code and admission's warnings.
pub(super) type Staged = (Vec<Change>, (u16, Vec<String>));

/// Stages a write under the store's writer lock, off the async threads; commits it (a dry
/// run commits nothing) and answers with the stored object.
pub(super) async fn commit(
    api: &SpaceApi,
    dry_run: bool,
    stage: impl FnOnce(&Memory) -> StatusResult<Staged> + Send + 'static,
) -> StatusResult<Response> {
    let store = api.store.clone();
    let (_, object, (code, warnings)) = blocking(move || store.write(dry_run, stage)).await?;
    Ok(json_response(code, &object, &warnings))
}

/// Admits a new object and stages its creation (201).
/// `manager` records an Update in `managedFields` (None: they are already set, by apply).
fn stage_new(
    memory: &Memory,
    key: Key,
    mut object: Value,
    validation: FieldValidation,
    manager: Option<&str>,
) -> StatusResult<Staged> {
    let (resource, namespace) = (key.resource, key.namespace.clone());
    super::lifecycle::check_not_terminating(memory, &namespace)?;
    let warnings = admission::admit(memory, resource, &namespace, &mut object, validation)?;
    fill_new_metadata(resource, &mut object, &namespace);
    if resource == &DEPLOYMENTS {
        crate::rollout::roll_out(&mut object, None);
    }
    if let Some(manager) = manager {
        crate::managed::record_update(None, &mut object, manager);
    }
    Ok((vec![Change::Put { key, object, kind: EventType::Added }], (201, warnings)))
}

/// Carries the server-set fields over from `current`, admits the result and stages the
/// replacement (200).
fn stage_replace(
    memory: &Memory,
    key: Key,
    current: &Value,
    mut object: Value,
    validation: FieldValidation,
    manager: Option<&str>,
) -> StatusResult<Staged> {
    let (resource, namespace) = (key.resource, key.namespace.clone());
    carry_over(resource, current, &mut object)?;
    if resource == &DEPLOYMENTS {
        crate::rollout::roll_out(&mut object, Some(current));
    }
    let warnings = admission::admit(memory, resource, &namespace, &mut object, validation)?;
    if let Some(manager) = manager {
        crate::managed::record_update(Some(current), &mut object, manager);
    }
    // An object being deleted goes once its last finalizer is removed.
    if let Some(changes) = super::lifecycle::finish(memory, resource, &key, current, &object)? {
        return Ok((changes, (200, warnings)));
    }
    Ok((vec![Change::Put { key, object, kind: EventType::Modified }], (200, warnings)))
}

/// The body as a JSON object (JSON or YAML accepted).
async fn parse_object(body: &[u8]) -> StatusResult<Value> {
    let text = std::str::from_utf8(body)
        .map_err(|_| StatusError::bad_request("the request body is not UTF-8 text"))?;
    if text.trim().is_empty() {
        return Err(StatusError::bad_request("the request body is empty: send the object as JSON"));
    }
    let value = parse_off_thread(text).await.map_err(|e| {
        StatusError::bad_request(format!("the request body could not be decoded: {e}"))
    })?;
    if !value.is_object() {
        return Err(StatusError::bad_request("the request body must be a JSON object"));
    }
    Ok(value)
}

/// Parsing costs CPU in proportion to the body: done in the bounded pool, not on the
/// async workers that answer everyone else.
async fn parse_off_thread(text: &str) -> Result<Value, egress_rules::SyntaxError> {
    let text = text.to_owned();
    crate::http::cpu::run(move || egress_rules::parse_text(&text)).await
}

/// apiVersion/kind must be the resource's (filled in when absent), the namespace the URL's.
fn check_type(path: &ObjectPath, object: &mut Value, namespace: &str) -> StatusResult<()> {
    let resource = path.resource;
    let expected = resource.api_version();
    // A merge patch that is not an object replaces the whole object (RFC 7386); what is
    // left cannot be a Kubernetes object (found by the `patch` fuzz target: it was a 500).
    if !object.is_object() {
        return Err(StatusError::bad_request(format!(
            "the result is not a JSON object and cannot be a {}",
            resource.kind
        )));
    }
    if !object["metadata"].is_object() && !object["metadata"].is_null() {
        return Err(StatusError::bad_request("metadata must be a JSON object"));
    }
    match object["apiVersion"].as_str() {
        None | Some("") => object["apiVersion"] = json!(expected),
        Some(v) if v == expected => {}
        Some(v) => {
            return Err(StatusError::bad_request(format!(
                "the API version in the data ({v}) does not match the expected API version ({expected})"
            )));
        }
    }
    match object["kind"].as_str() {
        None | Some("") => object["kind"] = json!(resource.kind),
        Some(k) if k == resource.kind => {}
        Some(k) => {
            return Err(StatusError::bad_request(format!(
                "the kind in the data ({k}) does not match the expected kind ({})",
                resource.kind
            )));
        }
    }
    if !object["metadata"].is_object() {
        object["metadata"] = json!({});
    }
    if resource.namespaced {
        match object["metadata"]["namespace"].as_str() {
            None | Some("") => object["metadata"]["namespace"] = json!(namespace),
            Some(ns) if ns == namespace => {}
            Some(_) => {
                return Err(StatusError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
        }
    }
    Ok(())
}

/// uid, creationTimestamp, generation 1, namespace; Namespaces get their finalizer and phase.
pub(crate) fn fill_new_metadata(resource: &ResourceType, object: &mut Value, namespace: &str) {
    let meta = &mut object["metadata"];
    meta["uid"] = json!(uuid::Uuid::new_v4().to_string());
    meta["creationTimestamp"] = json!(now_rfc3339());
    meta["generation"] = json!(1);
    if let Some(map) = meta.as_object_mut() {
        // kube-apiserver's BeforeCreate: a new object is not being deleted.
        for field in ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"] {
            map.remove(field);
        }
    }
    if resource.namespaced {
        object["metadata"]["namespace"] = json!(namespace);
    }
    if resource == &NAMESPACES {
        if object["spec"]["finalizers"].is_null() {
            object["spec"] = json!({"finalizers": ["kubernetes"]});
        }
        object["status"] = json!({"phase": "Active"});
        label_namespace(object);
    }
}

/// Every namespace carries `kubernetes.io/metadata.name: NAME` (set by kube-apiserver since
/// 1.21, so that network policies can select namespaces by name).
fn label_namespace(object: &mut Value) {
    let name = object["metadata"]["name"].clone();
    if !object["metadata"]["labels"].is_object() {
        object["metadata"]["labels"] = json!({});
    }
    object["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
}

/// Keeps what a client may not change (uid, creationTimestamp, namespace) and bumps
/// `generation` when the spec changed. A different `uid` is a 409, as in kube-apiserver: the
/// client holds another object of the same name (deleted and created again meanwhile).
fn carry_over(resource: &ResourceType, current: &Value, object: &mut Value) -> StatusResult<()> {
    let (sent, stored) = (object["metadata"]["uid"].as_str(), current["metadata"]["uid"].as_str());
    if let (Some(sent), Some(stored)) = (sent.filter(|u| !u.is_empty()), stored)
        && sent != stored
    {
        let name = current["metadata"]["name"].as_str().unwrap_or("");
        return Err(StatusError::conflict(
            resource,
            name,
            &format!(
                "Precondition failed: UID in precondition: {sent}, UID in object meta: {stored}"
            ),
        ));
    }
    for field in ["uid", "creationTimestamp", "namespace"] {
        if let Some(v) = current["metadata"].get(field) {
            object["metadata"][field] = v.clone();
        }
    }
    // Only a delete sets these; no update changes them.
    for field in ["deletionTimestamp", "deletionGracePeriodSeconds"] {
        match current["metadata"].get(field) {
            Some(v) => object["metadata"][field] = v.clone(),
            None => {
                if let Some(meta) = object["metadata"].as_object_mut() {
                    meta.remove(field);
                }
            }
        }
    }
    let generation = current["metadata"]["generation"].as_i64().unwrap_or(1);
    let changed = current.get("spec") != object.get("spec");
    object["metadata"]["generation"] = json!(if changed { generation + 1 } else { generation });
    if let Some(status) = current.get("status")
        && current["kind"] == "Namespace"
    {
        object["status"] = status.clone();
    }
    if resource == &NAMESPACES {
        label_namespace(object);
    }
    Ok(())
}

fn generate_name(
    memory: &Memory,
    resource: &'static ResourceType,
    namespace: &str,
    prefix: &str,
) -> String {
    // kube-apiserver's alphabet: no vowels, no look-alikes.
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    // kube-apiserver keeps at most 58 characters of the prefix (63 − the 5 random ones).
    let mut cut = prefix.len().min(egress_rules::names::GENERATED_PREFIX);
    while !prefix.is_char_boundary(cut) {
        cut -= 1;
    }
    let prefix = &prefix[..cut];
    loop {
        let random = uuid::Uuid::new_v4().into_bytes();
        let suffix: String =
            random.iter().take(5).map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
        let name = format!("{prefix}{suffix}");
        if !memory.contains(&Key::of(resource, namespace, &name)) {
            return name;
        }
    }
}

/// POST a collection.
pub async fn create(request: WriteRequest<'_>) -> StatusResult<Response> {
    let (WriteParams { dry_run, validation, namespace }, mut object) =
        request.params_and_object().await?;
    let resource = request.path.resource;
    let manager = request.manager.to_owned();
    commit(request.api, dry_run, move |memory| {
        let name = match object["metadata"]["name"].as_str().filter(|n| !n.is_empty()) {
            Some(name) => name.to_owned(),
            None => match object["metadata"]["generateName"].as_str().filter(|g| !g.is_empty()) {
                Some(prefix) => generate_name(memory, resource, &namespace, prefix),
                None => {
                    return Err(StatusError::invalid(
                        resource,
                        "",
                        vec![Cause {
                            reason: "FieldValueRequired",
                            field: "metadata.name".into(),
                            message: "Required value: name or generateName is required".into(),
                        }],
                    ));
                }
            },
        };
        object["metadata"]["name"] = json!(name);
        if object["metadata"]["resourceVersion"].as_str().is_some_and(|v| !v.is_empty()) {
            return Err(StatusError::bad_request(
                "resourceVersion should not be set on objects to be created",
            ));
        }
        let key = Key::of(resource, &namespace, &name);
        if memory.contains(&key) {
            return Err(StatusError::already_exists(resource, &name));
        }
        stage_new(memory, key, object, validation, Some(&manager))
    })
    .await
}

/// PUT an object: needs the current `metadata.resourceVersion`.
pub async fn update(request: WriteRequest<'_>) -> StatusResult<Response> {
    let (WriteParams { dry_run, validation, namespace }, mut object) =
        request.params_and_object().await?;
    let name = request.path.name.clone().unwrap_or_default();
    let manager = request.manager.to_owned();
    match object["metadata"]["name"].as_str() {
        None | Some("") => object["metadata"]["name"] = json!(name),
        Some(n) if n == name => {}
        Some(n) => {
            return Err(StatusError::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )));
        }
    }
    let resource = request.path.resource;
    let Some(version) = egress_rules::resource_version(&object).map(str::to_owned) else {
        return Err(StatusError::invalid(
            resource,
            &name,
            vec![Cause {
                reason: "FieldValueInvalid",
                field: "metadata.resourceVersion".into(),
                message: "Invalid value: 0x0: must be specified for an update".into(),
            }],
        ));
    };
    commit(request.api, dry_run, move |memory| {
        let key = Key::of(resource, &namespace, &name);
        let current = memory.get(&key).ok_or_else(|| StatusError::not_found(resource, &name))?;
        if egress_rules::resource_version(&current) != Some(version.as_str()) {
            return Err(StatusError::conflict(resource, &name, STALE));
        }
        stage_replace(memory, key, &current, object, validation, Some(&manager))
    })
    .await
}

/// Replaces an object by `object` (a subresource's write: `/scale`), as the request's
/// manager; a `resourceVersion` in it must be the current one. Returns what is stored.
pub(super) async fn replace_with(request: WriteRequest<'_>, object: Value) -> StatusResult<Value> {
    let WriteParams { dry_run, validation, namespace } = request.params()?;
    let resource = request.path.resource;
    let name = request.path.name.clone().unwrap_or_default();
    let manager = request.manager.to_owned();
    let store = request.api.store.clone();
    let (_, stored, _) = blocking(move || {
        store.write(dry_run, move |memory| {
            let key = Key::of(resource, &namespace, &name);
            let current =
                memory.get(&key).ok_or_else(|| StatusError::not_found(resource, &name))?;
            let wanted = egress_rules::resource_version(&object);
            if wanted.is_some() && wanted != egress_rules::resource_version(&current) {
                return Err(StatusError::conflict(resource, &name, STALE));
            }
            stage_replace(memory, key, &current, object, validation, Some(&manager))
        })
    })
    .await?;
    Ok(stored)
}

/// PATCH an object: JSON merge patch, JSON patch, or server-side apply.
pub async fn patch(request: WriteRequest<'_>, content_type: &str) -> StatusResult<Response> {
    let WriteRequest { api, path, query, body, manager } = request;
    let WriteParams { dry_run, validation, namespace } = request.params()?;
    let manager = manager.to_owned();
    let force = query.flag("force");
    let media = content_type.split(';').next().unwrap_or("").trim().to_owned();
    let resource = path.resource;
    let kind = match media.as_str() {
        "application/merge-patch+json" => PatchKind::Merge,
        "application/json-patch+json" => PatchKind::Json,
        // Built-in kinds take strategic merge patches on a real server (kubectl edit and
        // client-side apply send them); for these plain objects a merge patch is the same
        // except for list merge keys. CRDs refuse them with 415, as kube-apiserver does.
        // Built-in kinds have patch strategies (`strategic::schema`); custom kinds have none,
        // and kube-apiserver refuses strategic merge for them with 415, as here.
        "application/strategic-merge-patch+json" if !resource.is_custom() => PatchKind::Strategic,
        "application/apply-patch+yaml" => {
            if query.get("fieldManager").is_none() {
                return Err(StatusError::bad_request(
                    "PATCH requests with apply-patch+yaml require fieldManager to be set",
                ));
            }
            PatchKind::Apply
        }
        other => return Err(StatusError::unsupported_media_type(other)),
    };
    let text = std::str::from_utf8(body)
        .map_err(|_| StatusError::bad_request("the patch is not UTF-8 text"))?;
    let patch: Value = parse_off_thread(text)
        .await
        .map_err(|e| StatusError::bad_request(format!("the patch could not be decoded: {e}")))?;
    let name = path.name.clone().unwrap_or_default();
    let path = path.clone();
    commit(api, dry_run, move |memory| {
        let key = Key::of(resource, &namespace, &name);
        let Some(current) = memory.get(&key) else {
            if kind != PatchKind::Apply {
                return Err(StatusError::not_found(resource, &name));
            }
            // Server-side apply of a missing object creates it.
            let mut object = applied(None, &patch, &manager, force, resource, &name)?;
            check_type(&path, &mut object, &namespace)?;
            object["metadata"]["name"] = json!(name);
            return stage_new(memory, key, object, validation, None);
        };
        let mut object = current.clone();
        match kind {
            PatchKind::Merge => json_patch::merge(&mut object, &patch),
            PatchKind::Strategic => {
                object = crate::strategic::apply(&object, &patch).map_err(|e| {
                    StatusError::bad_request(format!("the strategic merge patch failed: {e}"))
                })?;
            }
            PatchKind::Apply => {
                object = applied(Some(&current), &patch, &manager, force, resource, &name)?
            }
            PatchKind::Json => {
                let ops: json_patch::Patch = serde_json::from_value(patch)
                    .map_err(|e| StatusError::bad_request(format!("invalid JSON patch: {e}")))?;
                json_patch::patch(&mut object, &ops).map_err(|e| {
                    StatusError::invalid(
                        resource,
                        &name,
                        vec![Cause {
                            reason: "FieldValueInvalid",
                            field: String::new(),
                            message: format!("the JSON patch could not be applied: {e}"),
                        }],
                    )
                })?;
            }
        }
        let wanted = object["metadata"]["resourceVersion"].as_str().map(str::to_owned);
        if wanted.is_some() && wanted.as_deref() != egress_rules::resource_version(&current) {
            return Err(StatusError::conflict(resource, &name, STALE));
        }
        check_type(&path, &mut object, &namespace)?;
        object["metadata"]["name"] = json!(name);
        let recorded = (kind != PatchKind::Apply).then_some(manager.as_str());
        stage_replace(memory, key, &current, object, validation, recorded)
    })
    .await
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PatchKind {
    Merge,
    Strategic,
    Json,
    Apply,
}

/// Server-side apply with field ownership (`crate::managed`); conflicts are a 409 naming
/// each manager and field, as kube-apiserver words it.
fn applied(
    current: Option<&Value>,
    patch: &Value,
    manager: &str,
    force: bool,
    resource: &ResourceType,
    name: &str,
) -> StatusResult<Value> {
    if !patch.is_object() {
        return Err(StatusError::bad_request("an applied configuration must be an object"));
    }
    crate::managed::apply(current, patch, manager, force).map_err(|conflicts| {
        let causes = conflicts
            .iter()
            .map(|c| Cause {
                reason: "FieldManagerConflict",
                field: c.field.clone(),
                message: format!("conflict with \"{}\"", c.manager),
            })
            .collect();
        StatusError::apply_conflict(
            resource,
            name,
            crate::managed::conflict_message(&conflicts),
            causes,
        )
    })
}
