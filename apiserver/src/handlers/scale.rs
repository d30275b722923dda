//! Deployments' subresources: `/scale` (an `autoscaling/v1` Scale: `kubectl scale`, `kubectl
//! autoscale`) and `/status` (read; the Space API sets it, `rollout.rs`).

use super::json_response;
use super::write::{self, WriteRequest};
use crate::resources::DEPLOYMENTS;
use crate::status::{StatusError, StatusResult};
use crate::store::Key;
use axum::http::Method;
use axum::response::Response;
use serde_json::{Value, json};

/// The Scale of a Deployment.
fn scale_of(deployment: &Value) -> Value {
    let meta = &deployment["metadata"];
    let selector = deployment["spec"]["selector"]["matchLabels"]
        .as_object()
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    json!({
        "apiVersion": "autoscaling/v1",
        "kind": "Scale",
        "metadata": {
            "name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"], "creationTimestamp": meta["creationTimestamp"],
        },
        "spec": {"replicas": deployment["spec"]["replicas"].as_i64().unwrap_or(1)},
        "status": {
            "replicas": deployment["status"]["replicas"].as_i64().unwrap_or(0),
            "selector": selector,
        },
    })
}

/// A request to `/scale` or `/status` of a Deployment.
pub async fn serve(
    request: WriteRequest<'_>,
    method: &Method,
    content_type: &str,
) -> StatusResult<Response> {
    let path = request.path;
    let subresource = path.subresource.as_deref().unwrap_or("");
    if path.resource != &DEPLOYMENTS || !matches!(subresource, "scale" | "status") {
        return Err(StatusError::no_route(&format!("{}/{subresource}", path.resource.plural)));
    }
    let name = path.name.clone().unwrap_or_default();
    let key = Key::of(&DEPLOYMENTS, path.namespace.as_deref().unwrap_or(""), &name);
    let current = request
        .api
        .store
        .read(|m| m.get(&key))
        .ok_or_else(|| StatusError::not_found(&DEPLOYMENTS, &name))?;
    match (subresource, method.clone()) {
        ("status", Method::GET) => Ok(json_response(200, &current, &[])),
        ("status", _) => Err(StatusError::method_not_allowed(
            "the Space API sets a Deployment's status itself: every Deployment is shown rolled out",
        )),
        ("scale", Method::GET) => Ok(json_response(200, &scale_of(&current), &[])),
        ("scale", Method::PUT | Method::PATCH) => {
            let mut scale = scale_of(&current);
            let body: Value = serde_json::from_slice(request.body).map_err(|e| {
                StatusError::bad_request(format!("the Scale could not be decoded: {e}"))
            })?;
            if *method == Method::PUT {
                scale = body;
            } else if content_type.starts_with("application/json-patch+json") {
                let ops: json_patch::Patch = serde_json::from_value(body)
                    .map_err(|e| StatusError::bad_request(format!("invalid JSON patch: {e}")))?;
                json_patch::patch(&mut scale, &ops)
                    .map_err(|e| StatusError::bad_request(format!("the JSON patch failed: {e}")))?;
            } else {
                json_patch::merge(&mut scale, &body);
            }
            let Some(replicas) = scale["spec"]["replicas"].as_i64().filter(|r| *r >= 0) else {
                return Err(StatusError::bad_request(
                    "spec.replicas of a Scale must be a number of at least 0",
                ));
            };
            let wanted_version = scale["metadata"]["resourceVersion"].as_str().map(str::to_owned);
            let mut deployment = current.clone();
            deployment["spec"]["replicas"] = json!(replicas);
            match wanted_version {
                Some(v) if !v.is_empty() => deployment["metadata"]["resourceVersion"] = json!(v),
                _ => {}
            }
            let stored = write::replace_with(request, deployment).await?;
            Ok(json_response(200, &scale_of(&stored), &[]))
        }
        _ => Err(StatusError::method_not_allowed(format!(
            "{method} is not supported on {name}/{subresource}"
        ))),
    }
}
