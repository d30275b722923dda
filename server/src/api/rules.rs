//! `/rules`, `/workloads`, `/reachability` and `/validate`: what the rules say about a Space.

use super::AppState;
use super::body::Body;
use super::caller::InSpace;
use super::error::{ApiError, ApiResult, SpaceErrors};
use super::reads::Reads;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use egress_api::{Report, RulesList};
use egress_rules::{
    EgressPoint, Protocol, Reachability, SpaceContext, SpaceIndex, WorkloadRef, check_value,
    flatten, has_errors, reachability,
};
use serde::Deserialize;
use serde_json::Value;

#[utoipa::path(get, path = "/api/v1/spaces/{space}/rules", tag = "rules", params(("space" = String, Path, description = "Space name")),
    responses((status = 200, description = "One row per host+port+protocol", body = RulesList), SpaceErrors))]
/// GET the flattened rules: one row per host+port+protocol.
pub async fn rules_list(
    State(state): State<AppState>,
    InSpace(space): InSpace,
    headers: axum::http::HeaderMap,
) -> ApiResult<axum::response::Response> {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    if let Some(cache) = state.caches.ready(&space).await {
        // Made once per change of the Space, not per request, and kept compressed; made
        // without holding the cache's lock (watch events keep arriving meanwhile).
        let cached = cache.read().cached_rules_gzip();
        let gzip = match cached {
            Some(gzip) => gzip,
            None => {
                let inputs = cache.read().rules_inputs();
                let generation = inputs.generation();
                let gzip = egress_apiserver::http::cpu::run(move || inputs.make()).await;
                cache.write().store_rules_gzip(generation, gzip.clone());
                gzip
            }
        };
        let json = (header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let vary = (header::VARY, HeaderValue::from_static("accept-encoding"));
        let accepts_gzip = headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(accepts_gzip);
        if accepts_gzip {
            let encoding = (header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            return Ok(([json, vary, encoding], gzip).into_response());
        }
        let body = egress_apiserver::http::cpu::run(move || crate::cache::state::gunzip(&gzip));
        return Ok(([json, vary], body.await).into_response());
    }
    let (eps, version) = super::reads::current(&space).await?;
    state.caches.vouch(&space);
    Ok(Json(RulesList { resource_version: version, rules: flatten(&eps) }).into_response())
}

/// Whether one `Accept-Encoding` item accepts gzip: `gzip` (any case) without a zero
/// quality (`q=0`, `q=0.0`, `Q=0.000`).
fn accepts_gzip(coding: &str) -> bool {
    let mut parts = coding.split(';').map(str::trim);
    let named = parts.next().is_some_and(|c| c.eq_ignore_ascii_case("gzip"));
    let refused = parts.any(|p| {
        let (key, value) = p.split_once('=').unwrap_or((p, ""));
        key.trim().eq_ignore_ascii_case("q") && value.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
    });
    named && !refused
}

/// `?delete=a,b`: EgressPoints the change removes.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImpactQuery {
    /// Names of EgressPoints to delete, comma-separated.
    #[serde(default)]
    pub delete: String,
}

#[utoipa::path(post, path = "/api/v1/spaces/{space}/impact", tag = "rules", params(("space" = String, Path, description = "Space name"), ImpactQuery),
    request_body(content = Object, description = "An EgressPoint, or a List (or EgressPointList) of them, to create or replace (JSON or YAML)"),
    responses((status = 200, description = "Each workload's gains and losses, and each EgressPoint's diagnostics in the Space after the change", body = egress_api::ImpactReport),
        (status = 400, description = "Unreadable body", body = ApiError, content_type = "application/problem+json"), SpaceErrors))]
/// POST EgressPoints (and `?delete=`): what applying them would change.
pub async fn impact_post(
    State(state): State<AppState>,
    InSpace(space): InSpace,
    Query(query): Query<ImpactQuery>,
    body: Body,
) -> ApiResult<Json<egress_api::ImpactReport>> {
    let applied: Vec<Value> = egress_rules::manifests::egress_points_in(&body.value)
        .into_iter()
        .map(|(_, v)| v.clone())
        .collect();
    let deleted: Vec<String> = query
        .delete
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    let reads = Reads::of(&state.caches, space).await;
    let (before, workloads) = tokio::try_join!(reads.egress_points(), reads.readable_workloads())?;
    let report = egress_apiserver::http::cpu::run(move || {
        let decoded: Vec<_> = applied.iter().map(egress_rules::decode).collect();
        let replaced: Vec<&str> = decoded
            .iter()
            .map(|d| d.egress_point.name())
            .chain(deleted.iter().map(String::as_str))
            .collect();
        let mut after: Vec<EgressPoint> =
            before.iter().filter(|e| !replaced.contains(&e.name())).cloned().collect();
        after.extend(decoded.iter().map(|d| d.egress_point.clone()));
        let index = SpaceIndex::build(&after);
        let context = SpaceContext { index: &index, workloads: workloads.as_deref() };
        let egress_points = applied
            .iter()
            .zip(&decoded)
            .map(|(value, d)| {
                let diagnostics = check_value(value, Some(context)).diagnostics;
                egress_api::NamedReport {
                    name: d.egress_point.name().to_owned(),
                    valid: !has_errors(&diagnostics),
                    diagnostics,
                }
            })
            .collect();
        let impact =
            egress_rules::impact::impact(&before, &after, workloads.as_deref().unwrap_or_default());
        egress_api::ImpactReport { lines: impact.lines(), impact, egress_points }
    })
    .await;
    Ok(Json(report))
}

#[utoipa::path(get, path = "/api/v1/spaces/{space}/access", tag = "spaces", params(("space" = String, Path, description = "Space name")),
    responses((status = 200, description = "What the caller may do with the Space's EgressPoints (one access review per verb, made with the caller's own credentials), and whether it may read its workloads", body = egress_api::Access), SpaceErrors))]
/// GET what the caller may do in the Space.
pub async fn access_get(
    State(state): State<AppState>,
    InSpace(space): InSpace,
) -> ApiResult<Json<egress_api::Access>> {
    Ok(Json(state.catalog.access(&space).await?))
}

#[utoipa::path(get, path = "/api/v1/spaces/{space}/workloads", tag = "rules", params(("space" = String, Path, description = "Space name")),
    responses((status = 200, description = "Deployments and ContainerApps", body = Vec<WorkloadRef>), SpaceErrors))]
/// GET the Space's Deployments and ContainerApps, for the sourceRef picker.
pub async fn workloads_list(
    State(state): State<AppState>,
    InSpace(space): InSpace,
) -> ApiResult<Json<Vec<WorkloadRef>>> {
    Ok(Json(Reads::of(&state.caches, space).await.workloads().await?))
}

/// `?workload=Deployment/web&host=…&port=…&protocol=…`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReachabilityQuery {
    /// `Deployment/NAME` or `ContainerApp/NAME`.
    pub workload: String,
    /// Host name or IP.
    pub host: String,
    /// Port.
    pub port: u16,
    /// HTTP, HTTPS, TCP or TLS.
    pub protocol: String,
}

#[utoipa::path(get, path = "/api/v1/spaces/{space}/reachability", tag = "rules", params(("space" = String, Path, description = "Space name"), ReachabilityQuery),
    responses((status = 200, description = "Allowed, and by which rules", body = Reachability), (status = 400, description = "Bad workload, host or protocol", body = ApiError, content_type = "application/problem+json"), SpaceErrors))]
/// GET whether a workload may reach host:port over a protocol, and which EgressPoint allows it.
pub async fn reachability_get(
    State(state): State<AppState>,
    InSpace(space): InSpace,
    Query(query): Query<ReachabilityQuery>,
) -> ApiResult<Json<Reachability>> {
    let bad = |detail: String| ApiError::new(StatusCode::BAD_REQUEST, "Bad query", detail);
    let workload = egress_api::parse_workload_key(&query.workload).ok_or_else(|| {
        bad(format!("workload \"{}\" must be Deployment/NAME or ContainerApp/NAME", query.workload))
    })?;
    let protocol = Protocol::parse(&query.protocol).ok_or_else(|| {
        bad(format!("protocol \"{}\" must be HTTP, HTTPS, TCP or TLS", query.protocol))
    })?;
    let answer = match state.caches.ready(&space).await {
        Some(cache) => reachability(
            &cache.read().egress_points(),
            &workload,
            &query.host,
            query.port,
            protocol,
        ),
        None => {
            let (eps, _) = super::reads::current(&space).await?;
            state.caches.vouch(&space);
            reachability(&eps, &workload, &query.host, query.port, protocol)
        }
    };
    answer.map(Json).map_err(|problem| bad(format!("host: {}", problem.message)))
}

/// `?space=NAME`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValidateQuery {
    /// Check against this Space's EgressPoints and workloads too.
    pub space: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/validate", tag = "rules", params(ValidateQuery),
    request_body(content = Object, description = "An EgressPoint, as JSON or YAML"),
    responses((status = 200, description = "The diagnostics", body = Report), (status = 400, description = "Unreadable body", body = ApiError, content_type = "application/problem+json"), SpaceErrors))]
/// POST an EgressPoint (JSON or YAML) and get its diagnostics; with `?space=` the
/// Space-wide rules are checked too.
pub async fn validate(
    State(state): State<AppState>,
    caller: crate::spaces::Caller,
    Query(query): Query<ValidateQuery>,
    body: Body,
) -> ApiResult<Json<Report>> {
    let mut diagnostics = match query.space {
        Some(name) => {
            let space = state.catalog.get(&name, &caller).await?;
            Reads::of(&state.caches, space).await.check(&body.value).await?
        }
        None => {
            let value = body.value.clone();
            egress_apiserver::http::cpu::run(move || check_value(&value, None).diagnostics).await
        }
    };
    // A posted manifest also hears what only a manifest carries, as `lint` says it.
    diagnostics.extend(body.notes);
    diagnostics.extend(egress_rules::manifest_diagnostics(&body.value));
    Ok(Json(Report { valid: !has_errors(&diagnostics), diagnostics }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn gzip_is_sent_unless_refused_with_a_zero_quality() {
        for yes in ["gzip", "GZIP", " gzip ", "gzip;q=0.5", "gzip; q=1"] {
            assert!(super::accepts_gzip(yes), "{yes}");
        }
        for no in ["br", "gzip;q=0", "gzip;q=0.0", "gzip; Q=0.000", "x-gzip"] {
            assert!(!super::accepts_gzip(no), "{no}");
        }
    }
}
