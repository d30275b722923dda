//! `/api/v1/spaces/{space}/egresspoints[/{name}]`: CRUD through kube-rs. Every write is
//! checked with egress-rules against the Space's current EgressPoints first; an invalid one
//! gets a 422 with diagnostics and never reaches Kubernetes.

use super::AppState;
use super::body::{Body, reply};
use super::caller::InSpace;
use super::error::{ApiError, ApiResult, SpaceErrors};
use super::reads::{ListMeta, Reads, list_raw, unexpected_list};
use crate::spaces::Space;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use egress_api::EgressPointList;
use egress_rules::{Code, Diagnostic, has_errors};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, PostParams};
use serde::Deserialize;
use serde_json::{Value, json};

/// A namespaced kind of the Space, as kube-rs reaches it.
pub(crate) fn workload_api(
    space: &Space,
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
) -> Api<DynamicObject> {
    let resource = ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: if group.is_empty() { version.into() } else { format!("{group}/{version}") },
        kind: kind.into(),
        plural: plural.into(),
    };
    Api::namespaced_with(space.client.clone(), &space.namespace, &resource)
}

/// Read-your-writes: returns once the Space's cache holds what the console just wrote (or a
/// newer version), so that the lists, `/rules` and the check of the next write see it.
async fn seen_by_cache(reads: &Reads, written: &DynamicObject) {
    if let (Some(cache), Some(name)) = (reads.following(), &written.metadata.name) {
        cache.wait_for_write(name, written.metadata.resource_version.as_deref()).await;
    }
}

/// An object as the console answers with it and streams it: without `managedFields`, as
/// `kubectl get` shows objects.
pub(crate) fn to_value(object: &DynamicObject) -> Value {
    let mut value = serde_json::to_value(object).unwrap_or(Value::Null);
    egress_rules::hide_managed_fields(&mut value);
    value
}

/// The console's writes, named in `managedFields` as "egress-console" (so `kubectl get
/// --show-managed-fields` says who changed what).
fn write_params(dry_run: bool) -> PostParams {
    PostParams { dry_run, field_manager: Some("egress-console".into()) }
}

/// `?dryRun=true`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct WriteQuery {
    /// Kubernetes server dry-run: everything but the write.
    #[serde(default)]
    pub dry_run: bool,
}

/// 404 for a name no EgressPoint can have (names are DNS-1123 subdomains), before asking
/// Kubernetes.
pub(crate) fn check_name(name: &str) -> ApiResult<()> {
    match egress_rules::names::check_subdomain(name) {
        Ok(()) => Ok(()),
        Err(problem) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "Not found",
            format!("there is no EgressPoint \"{name}\": its name {problem}"),
        )),
    }
}

/// The part of a Kubernetes list the REST list needs; items stay raw JSON until needed.
#[derive(Deserialize)]
struct RawList<'a> {
    #[serde(default)]
    metadata: ListMeta,
    #[serde(borrow)]
    items: &'a serde_json::value::RawValue,
}

#[utoipa::path(get, path = "/api/v1/spaces/{space}/egresspoints", tag = "egresspoints", params(("space" = String, Path, description = "Space name")),
    responses((status = 200, description = "The EgressPoints, with the list's resourceVersion", body = EgressPointList), SpaceErrors))]
/// GET the list, with its resourceVersion: from the Space's watch cache (made once per
/// change), else passed through as Kubernetes sent it, without building object trees.
pub async fn egresspoints_list(
    State(state): State<AppState>,
    InSpace(space): InSpace,
) -> ApiResult<Response> {
    let json = axum::http::HeaderValue::from_static("application/json");
    if let Some(cache) = state.caches.ready(&space).await {
        let body = cache.read().list_json();
        return Ok(([(axum::http::header::CONTENT_TYPE, json)], body).into_response());
    }
    let text = list_raw(&space).await?;
    state.caches.vouch(&space);
    let list: RawList<'_> = serde_json::from_str(&text).map_err(|e| unexpected_list(&space, &e))?;
    let version = serde_json::to_string(&list.metadata.resource_version).unwrap_or_default();
    let mut body = String::with_capacity(text.len() + 64);
    body.push_str("{\"resourceVersion\":");
    body.push_str(&version);
    body.push_str(",\"items\":");
    if list.items.get().contains("\"managedFields\"") {
        // Answers never carry field ownership (as the cache's do not): parse only then.
        let mut items: Vec<Value> =
            serde_json::from_str(list.items.get()).map_err(|e| unexpected_list(&space, &e))?;
        items.iter_mut().for_each(egress_rules::hide_managed_fields);
        body.push_str(&serde_json::to_string(&items).unwrap_or_else(|_| "[]".into()));
    } else {
        body.push_str(list.items.get());
    }
    body.push('}');
    Ok(([(axum::http::header::CONTENT_TYPE, json)], body).into_response())
}

#[utoipa::path(get, path = "/api/v1/spaces/{space}/egresspoints/{name}", tag = "egresspoints", params(("space" = String, Path, description = "Space name"), ("name" = String, Path, description = "EgressPoint name")),
    responses((status = 200, description = "The EgressPoint (JSON, or YAML with Accept: application/yaml)", body = Object), SpaceErrors))]
/// GET one, as JSON or (Accept: application/yaml) as the YAML kubectl would apply.
pub async fn egresspoints_get(
    InSpace(space): InSpace,
    Path((_space, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    check_name(&name)?;
    let object =
        space.egresspoints().get(&name).await.map_err(|e| ApiError::from_kube(e, &space.name))?;
    Ok(reply(StatusCode::OK, &to_value(&object), &headers))
}

/// Prepares a posted EgressPoint for `space`: namespace set, rules checked (422 on error).
async fn admit(reads: &Reads, mut value: Value) -> ApiResult<(DynamicObject, Vec<Diagnostic>)> {
    let space = &reads.space;
    if !value.is_object() {
        return Err(ApiError::invalid(vec![Diagnostic::error(
            Code::Schema,
            "",
            "the body must be an EgressPoint object",
        )]));
    }
    value["metadata"]["namespace"] = json!(space.namespace);
    // Field ownership is Kubernetes' record of who wrote what: the console never sends it
    // (a stale copy from an earlier read would replace the record).
    egress_rules::hide_managed_fields(&mut value);
    let diagnostics = reads.check(&value).await?;
    if has_errors(&diagnostics) {
        return Err(ApiError::invalid(diagnostics));
    }
    let object: DynamicObject = serde_json::from_value(value)
        .map_err(|e| ApiError::invalid(vec![Diagnostic::error(Code::Schema, "", e.to_string())]))?;
    Ok((object, diagnostics))
}

#[utoipa::path(post, path = "/api/v1/spaces/{space}/egresspoints", tag = "egresspoints", params(("space" = String, Path, description = "Space name"), WriteQuery),
    request_body(content = Object, description = "An EgressPoint, as JSON or YAML (Content-Type: application/yaml)"),
    responses((status = 201, description = "Created", body = Object), (status = 400, description = "Unreadable body", body = ApiError, content_type = "application/problem+json"),
        (status = 409, description = "Already exists", body = ApiError, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = ApiError, content_type = "application/problem+json"),
        (status = 422, description = "Breaks EgressPoint rules; diagnostics name the fields", body = ApiError, content_type = "application/problem+json"), SpaceErrors))]
/// POST: create (201), or only check it with `?dryRun=true`.
pub async fn egresspoints_create(
    State(state): State<AppState>,
    InSpace(space): InSpace,
    Query(query): Query<WriteQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let reads = Reads::of(&state.caches, space).await;
    let (object, _) = admit(&reads, body.value).await?;
    let params = write_params(query.dry_run);
    let space = &reads.space;
    let created = space
        .egresspoints()
        .create(&params, &object)
        .await
        .map_err(|e| ApiError::from_kube(e, &space.name))?;
    if !query.dry_run {
        seen_by_cache(&reads, &created).await;
    }
    Ok(reply(StatusCode::CREATED, &to_value(&created), &headers))
}

#[utoipa::path(put, path = "/api/v1/spaces/{space}/egresspoints/{name}", tag = "egresspoints", params(("space" = String, Path, description = "Space name"), ("name" = String, Path, description = "EgressPoint name"), WriteQuery),
    request_body(content = Object, description = "The edited EgressPoint, with the metadata.resourceVersion it was read at"),
    responses((status = 200, description = "Replaced", body = Object), (status = 400, description = "Unreadable body or name mismatch", body = ApiError, content_type = "application/problem+json"),
        (status = 409, description = "Changed since it was read; `current` holds the object as it is now", body = ApiError, content_type = "application/problem+json"),
        (status = 422, description = "Breaks EgressPoint rules, or no resourceVersion", body = ApiError, content_type = "application/problem+json"), SpaceErrors))]
/// PUT: replace; needs `metadata.resourceVersion`. A stale one is a 409 carrying the
/// current object, so nothing is overwritten and the client can show what changed.
pub async fn egresspoints_replace(
    State(state): State<AppState>,
    InSpace(space): InSpace,
    Path((_space, name)): Path<(String, String)>,
    Query(query): Query<WriteQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    check_name(&name)?;
    let mut value = body.value;
    if egress_rules::resource_version(&value).is_none() {
        return Err(ApiError::invalid(vec![Diagnostic::error(
            Code::Schema,
            "metadata.resourceVersion",
            "metadata.resourceVersion is required to replace an EgressPoint: send the version you edited",
        )]));
    }
    match value["metadata"]["name"].as_str() {
        None => value["metadata"]["name"] = json!(name),
        Some(n) if n == name => {}
        Some(n) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "Name mismatch",
                format!("the body names \"{n}\" but the URL names \"{name}\""),
            ));
        }
    }
    let reads = Reads::of(&state.caches, space).await;
    let (object, _) = admit(&reads, value).await?;
    let params = write_params(query.dry_run);
    let space = &reads.space;
    match space.egresspoints().replace(&name, &params, &object).await {
        Ok(replaced) => {
            if !query.dry_run {
                seen_by_cache(&reads, &replaced).await;
            }
            Ok(reply(StatusCode::OK, &to_value(&replaced), &headers))
        }
        Err(kube::Error::Api(status)) if status.is_conflict() => {
            let mut problem = ApiError::new(
                StatusCode::CONFLICT,
                "Conflict",
                format!(
                    "EgressPoint \"{name}\" was changed by someone else since you loaded it; review the current version and apply your edit again"
                ),
            );
            problem.current =
                space.egresspoints().get(&name).await.ok().map(|o| Box::new(to_value(&o)));
            Err(problem)
        }
        Err(e) => Err(ApiError::from_kube(e, &space.name)),
    }
}

#[utoipa::path(delete, path = "/api/v1/spaces/{space}/egresspoints/{name}", tag = "egresspoints", params(("space" = String, Path, description = "Space name"), ("name" = String, Path, description = "EgressPoint name"), WriteQuery),
    responses((status = 200, description = "The deleted EgressPoint", body = Object), SpaceErrors))]
/// DELETE: returns what was deleted.
pub async fn egresspoints_delete(
    State(state): State<AppState>,
    InSpace(space): InSpace,
    Path((_space, name)): Path<(String, String)>,
    Query(query): Query<WriteQuery>,
) -> ApiResult<axum::Json<Value>> {
    check_name(&name)?;
    let params = DeleteParams { dry_run: query.dry_run, ..DeleteParams::default() };
    let deleted = space
        .egresspoints()
        .delete(&name, &params)
        .await
        .map_err(|e| ApiError::from_kube(e, &space.name))?;
    let cache = if query.dry_run { None } else { state.caches.following(&space) };
    Ok(axum::Json(match deleted.left() {
        Some(object) => {
            // Kubernetes answers with the object either way: finalizers keep it, marked for
            // deletion (the cache then sees that version), or it is gone.
            if let Some(cache) = cache {
                let kept = object.metadata.finalizers.as_ref().is_some_and(|f| !f.is_empty());
                let version = object.metadata.resource_version.as_deref().filter(|_| kept);
                cache.wait_for_write(&name, version).await;
            }
            to_value(&object)
        }
        None => {
            if let Some(cache) = cache {
                cache.wait_for_write(&name, None).await;
            }
            json!({"name": name, "deleted": true})
        }
    }))
}
