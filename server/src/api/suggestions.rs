//! `GET /api/v1/spaces/{space}/workloads/{kind}/{name}/suggestions`: what a workload's
//! configuration says it will connect to (`egress_rules::suggest`), each endpoint with how
//! it stands in the Space, and the EgressPoint that would allow the new ones. The
//! ConfigMaps the workload references are read; Secrets never are.

use super::AppState;
use super::caller::InSpace;
use super::egresspoints::{check_name, workload_api};
use super::error::{ApiError, ApiResult, SpaceErrors};
use super::reads::Reads;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use egress_api::SuggestionsReport;
use egress_rules::suggest::{config_maps_referenced, read_workload};
use serde_json::Value;
use std::collections::BTreeMap;

#[utoipa::path(get, path = "/api/v1/spaces/{space}/workloads/{kind}/{name}/suggestions", tag = "rules",
    params(("space" = String, Path, description = "Space name"), ("kind" = String, Path, description = "Deployment or ContainerApp"), ("name" = String, Path, description = "Workload name")),
    responses((status = 200, description = "Endpoints from the configuration of the workload, and how each stands in the Space", body = SuggestionsReport),
        (status = 404, description = "No such workload", body = ApiError, content_type = "application/problem+json"), SpaceErrors))]
/// GET the egress a workload's configuration needs.
pub async fn suggestions_get(
    State(state): State<AppState>,
    InSpace(space): InSpace,
    Path((_space, kind, name)): Path<(String, String, String)>,
) -> ApiResult<Json<SuggestionsReport>> {
    check_name(&name)?;
    let api = match kind.as_str() {
        "Deployment" => workload_api(&space, "apps", "v1", "Deployment", "deployments"),
        "ContainerApp" => {
            workload_api(&space, "apps.tanzu.vmware.com", "v1", "ContainerApp", "containerapps")
        }
        other => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "Not a workload kind",
                format!(
                    "\"{other}\" is not a kind an EgressPoint can name: Deployment or ContainerApp"
                ),
            ));
        }
    };
    let object = api.get(&name).await.map_err(|e| ApiError::from_kube(e, &space.name))?;
    let object = serde_json::to_value(&object).unwrap_or(Value::Null);
    let names = config_maps_referenced(&object);
    let maps = workload_api(&space, "", "v1", "ConfigMap", "configmaps");
    let mut config_maps = BTreeMap::new();
    for cm in names {
        // One that cannot be read (missing, forbidden) is said by the reading as not given.
        if let Ok(found) = maps.get(&cm).await {
            let data = serde_json::to_value(&found).unwrap_or(Value::Null)["data"].clone();
            config_maps.insert(cm, data);
        }
    }
    let reading = read_workload(&object, &config_maps).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "Not a workload",
            format!("{kind} {name} has no containers to read"),
        )
    })?;
    let egress_points = Reads::of(&state.caches, space.clone()).await.egress_points().await?;
    let standings = reading.against_space(&egress_points);
    let egress_point = reading.proposal().map(|ep| {
        let mut value = serde_json::to_value(&ep).unwrap_or(Value::Null);
        value["metadata"]["namespace"] = space.namespace.clone().into();
        egress_rules::as_written(&value)
    });
    Ok(Json(SuggestionsReport { reading, standings, egress_point }))
}
