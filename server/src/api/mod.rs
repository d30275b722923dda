//! The REST API under `/api/v1` (DESIGN.md §REST API): Spaces, EgressPoints through
//! kube-rs, rules, workloads, reachability, validation. Errors are problem+json.

pub mod body;
pub mod caller;
pub mod egresspoints;
pub mod error;
pub mod events;
pub mod reads;
pub mod rules;
pub mod session;
pub mod suggestions;

use crate::spaces::Catalog;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use egress_api::SpaceInfo;
use error::ApiResult;
use std::path::PathBuf;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The built UI.
    pub site_dir: PathBuf,
    /// The Spaces on offer.
    pub catalog: Catalog,
    /// The per-Space watch caches behind `/events`, the lists, `/rules` and the checks.
    pub caches: crate::cache::SpaceCaches,
    /// Whose credentials reach Kubernetes.
    pub auth: crate::spaces::AuthMode,
}

impl axum::extract::FromRef<AppState> for crate::spaces::AuthMode {
    fn from_ref(state: &AppState) -> Self {
        state.auth
    }
}

/// The `/api/v1` routes that answer and end (the request time limit applies to them).
pub fn routes() -> Router<AppState> {
    use egresspoints::*;
    Router::new()
        .route("/api/v1/spaces", get(spaces_list))
        .route("/api/v1/whoami", get(whoami_get))
        .route("/api/v1/spaces/{space}/access", get(rules::access_get))
        .route(
            "/api/v1/spaces/{space}/egresspoints",
            get(egresspoints_list).post(egresspoints_create),
        )
        .route(
            "/api/v1/spaces/{space}/egresspoints/{name}",
            get(egresspoints_get).put(egresspoints_replace).delete(egresspoints_delete),
        )
        .route("/api/v1/spaces/{space}/rules", get(rules::rules_list))
        .route("/api/v1/spaces/{space}/workloads", get(rules::workloads_list))
        .route(
            "/api/v1/spaces/{space}/workloads/{kind}/{name}/suggestions",
            get(suggestions::suggestions_get),
        )
        .route("/api/v1/spaces/{space}/reachability", get(rules::reachability_get))
        .route("/api/v1/spaces/{space}/impact", post(rules::impact_post))
        .route("/api/v1/validate", post(rules::validate))
        .route("/api/v1/openapi.json", get(openapi_get))
        .route("/auth/session", post(session::session_create))
        .route("/auth/sign-out", post(session::session_delete))
}

/// The routes whose answer is a stream that lasts as long as the client listens.
pub fn streams() -> Router<AppState> {
    Router::new()
        .route("/api/v1/spaces/{space}/events", get(events::events_stream))
        .route("/api/v1/events", get(events::events_multiplexed))
}

/// The OpenAPI document of the REST API, generated from the handlers and their types.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Egress Console REST API",
        description = "EgressPoints of Tanzu Platform Spaces, checked by egress-rules."
    ),
    paths(
        spaces_list,
        whoami_get,
        rules::access_get,
        egresspoints::egresspoints_list,
        egresspoints::egresspoints_get,
        egresspoints::egresspoints_create,
        egresspoints::egresspoints_replace,
        egresspoints::egresspoints_delete,
        rules::rules_list,
        rules::workloads_list,
        rules::reachability_get,
        rules::impact_post,
        suggestions::suggestions_get,
        rules::validate,
        events::events_stream,
        events::events_multiplexed,
    ),
    components(schemas(
        error::ApiError,
        egress_rules::Diagnostic,
        egress_rules::Severity,
        egress_rules::Code
    ))
)]
pub struct ApiDoc;

/// GET /api/v1/openapi.json.
pub async fn openapi_get() -> Json<utoipa::openapi::OpenApi> {
    Json(<ApiDoc as utoipa::OpenApi>::openapi())
}

/// GET the Spaces, each with whether it can be reached.
#[utoipa::path(get, path = "/api/v1/spaces", tag = "spaces",
    responses((status = 200, description = "Every Space the caller may use, with reachable", body = Vec<SpaceInfo>),
        (status = 401, description = "No token (token mode)", body = error::ApiError, content_type = "application/problem+json")))]
pub async fn spaces_list(
    State(state): State<AppState>,
    caller: crate::spaces::Caller,
) -> ApiResult<Json<Vec<SpaceInfo>>> {
    // A Space whose watch cache has listed it answers: no need to ask it again.
    let infos = state.catalog.infos_with(&caller, |space| state.caches.answers(space)).await?;
    Ok(Json(infos.into_iter().map(|(space, reach)| space_info(space, &reach)).collect()))
}

/// GET who the caller is.
#[utoipa::path(get, path = "/api/v1/whoami", tag = "spaces",
    responses((status = 200, description = "The caller's user name and groups, from a SelfSubjectReview made with its own credentials", body = egress_api::Whoami),
        (status = 401, description = "No token (token mode)", body = error::ApiError, content_type = "application/problem+json")))]
pub async fn whoami_get(
    State(state): State<AppState>,
    caller: crate::spaces::Caller,
) -> ApiResult<Json<egress_api::Whoami>> {
    Ok(Json(state.catalog.whoami(&caller).await?))
}

/// What `GET /api/v1/spaces` says of one Space: an unreachable Space is data, with the
/// reason in the words a failed request would use.
pub fn space_info(space: crate::spaces::Space, reach: &crate::spaces::Reach) -> SpaceInfo {
    SpaceInfo {
        name: space.name,
        source: space.source,
        namespace: space.namespace,
        reachable: reach.is_ok(),
        error: reach.as_ref().err().map(|e| error::ApiError::from(&**e).0.detail),
    }
}
