//! `/api/v1/spaces/{space}/egresspoints[/{name}]`: CRUD through kube-rs. Every write is
//! checked with egress-rules against the Space's current EgressPoints first; an invalid one
//! gets a 422 with diagnostics and never reaches Kubernetes.

use super::body::{Body, reply};
use super::caller::InSpace;
use super::error::{ApiError, ApiResult, SpaceErrors};
use crate::spaces::Space;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use egress_api::EgressPointList;
use egress_rules::{
    Code, Diagnostic, EgressPoint, SpaceContext, SpaceIndex, WorkloadRef, check_value, decode,
    has_errors,
};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, PostParams};
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

/// The Space's EgressPoints as Kubernetes sent them, and the list's resourceVersion.
pub(crate) async fn list_raw(space: &Space) -> ApiResult<String> {
    let url = kube::core::Request::new(space.egresspoints().resource_url());
    let request = url
        .list(&ListParams::default())
        .map_err(|e| ApiError::from_kube(kube::Error::BuildRequest(e), &space.name))?;
    space.client.request_text(request).await.map_err(|e| ApiError::from_kube(e, &space.name))
}

fn unexpected_list(space: &Space, error: &serde_json::Error) -> ApiError {
    tracing::warn!(space = %space.name, %error, "unexpected list from Kubernetes");
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "Unexpected answer",
        "the Kubernetes API answered the list with something that is not a list",
    )
}

/// The Space's EgressPoints, as the rules crate reads them.
pub async fn current(space: &Space) -> ApiResult<(Vec<EgressPoint>, String)> {
    #[derive(Deserialize)]
    struct Items {
        #[serde(default)]
        metadata: ListMeta,
        items: Vec<Value>,
    }
    let text = list_raw(space).await?;
    let list: Items = serde_json::from_str(&text).map_err(|e| unexpected_list(space, &e))?;
    let eps = list.items.iter().map(|o| decode(o).egress_point).collect();
    Ok((eps, list.metadata.resource_version))
}

/// The Space's Deployments and ContainerApps.
pub async fn workloads(space: &Space) -> ApiResult<Vec<WorkloadRef>> {
    let mut out = Vec::new();
    let deployments = workload_api(space, "apps", "v1", "Deployment", "deployments");
    for o in deployments
        .list(&ListParams::default())
        .await
        .map_err(|e| ApiError::from_kube(e, &space.name))?
        .items
    {
        out.push(WorkloadRef::deployment(o.metadata.name.unwrap_or_default()));
    }
    let apps = workload_api(space, "apps.tanzu.vmware.com", "v1", "ContainerApp", "containerapps");
    match apps.list(&ListParams::default()).await {
        Ok(list) => out.extend(
            list.items
                .into_iter()
                .map(|o| WorkloadRef::container_app(o.metadata.name.unwrap_or_default())),
        ),
        // A cluster without Tanzu's ContainerApp CRD simply has none.
        Err(kube::Error::Api(s)) if s.is_not_found() => {}
        Err(e) => return Err(ApiError::from_kube(e, &space.name)),
    }
    Ok(out)
}

/// Diagnostics of `value` as it would be in `space` (all rules, Space-wide ones included).
pub async fn check_in_space(space: &Space, value: &Value) -> ApiResult<Vec<Diagnostic>> {
    let ((eps, _), workloads) = tokio::try_join!(current(space), readable_workloads(space))?;
    let value = value.clone();
    // Indexing a large Space and checking a large body are CPU work: off the async workers.
    Ok(egress_apiserver::http::cpu::run(move || {
        let index = SpaceIndex::build(&eps);
        check_value(&value, Some(SpaceContext { index: &index, workloads: workloads.as_deref() }))
            .diagnostics
    })
    .await)
}

/// The Space's workloads, or None when the caller may not read them: then whether a
/// `sourceRef` names one is not judged, and the write still works (Kubernetes decides).
pub(crate) async fn readable_workloads(space: &Space) -> ApiResult<Option<Vec<WorkloadRef>>> {
    match workloads(space).await {
        Ok(list) => Ok(Some(list)),
        Err(problem) if problem.status == 403 => Ok(None),
        Err(problem) => Err(problem),
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

/// The part of a Kubernetes list the REST list needs; items stay raw JSON.
#[derive(Deserialize)]
struct RawList<'a> {
    #[serde(default)]
    metadata: ListMeta,
    #[serde(borrow)]
    items: &'a serde_json::value::RawValue,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListMeta {
    #[serde(default)]
    resource_version: String,
}

#[utoipa::path(get, path = "/api/v1/spaces/{space}/egresspoints", tag = "egresspoints", params(("space" = String, Path, description = "Space name")),
    responses((status = 200, description = "The EgressPoints, with the list's resourceVersion", body = EgressPointList), SpaceErrors))]
/// GET the list, with its resourceVersion. The items are passed through as Kubernetes sent
/// them, without building object trees: a list of 5,000 costs about what kube-rs's own does.
pub async fn egresspoints_list(InSpace(space): InSpace) -> ApiResult<Response> {
    let text = list_raw(&space).await?;
    let list: RawList<'_> = serde_json::from_str(&text).map_err(|e| unexpected_list(&space, &e))?;
    let version = serde_json::to_string(&list.metadata.resource_version).unwrap_or_default();
    let mut body = String::with_capacity(text.len() + 64);
    body.push_str("{\"resourceVersion\":");
    body.push_str(&version);
    body.push_str(",\"items\":");
    body.push_str(list.items.get());
    body.push('}');
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response())
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
async fn admit(space: &Space, mut value: Value) -> ApiResult<(DynamicObject, Vec<Diagnostic>)> {
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
    let diagnostics = check_in_space(space, &value).await?;
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
    InSpace(space): InSpace,
    Query(query): Query<WriteQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let (object, _) = admit(&space, body.value).await?;
    let params = write_params(query.dry_run);
    let created = space
        .egresspoints()
        .create(&params, &object)
        .await
        .map_err(|e| ApiError::from_kube(e, &space.name))?;
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
    let (object, _) = admit(&space, value).await?;
    let params = write_params(query.dry_run);
    match space.egresspoints().replace(&name, &params, &object).await {
        Ok(replaced) => Ok(reply(StatusCode::OK, &to_value(&replaced), &headers)),
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
    Ok(axum::Json(match deleted.left() {
        Some(object) => to_value(&object),
        None => json!({"name": name, "deleted": true}),
    }))
}
