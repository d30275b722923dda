//! What handlers read of a Space: its EgressPoints, its workloads, and the rules' verdict
//! on a posted EgressPoint in it. From the Space's watch cache (`crate::cache`) when it can
//! answer, else straight from Kubernetes (the functions at the end), with the same answers
//! and the same errors either way.

use super::egresspoints::workload_api;
use super::error::{ApiError, ApiResult};
use crate::cache::{SpaceCache, SpaceCaches, Workloads};
use crate::spaces::Space;
use axum::http::StatusCode;
use egress_rules::{
    Diagnostic, EgressPoint, SpaceContext, SpaceIndex, WorkloadRef, check_value, decode,
};
use kube::api::ListParams;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

/// One request's reads of a Space.
pub struct Reads {
    /// The Space.
    pub space: Space,
    /// Its watch cache, when that can answer.
    pub cache: Option<Arc<SpaceCache>>,
    caches: SpaceCaches,
}

impl Reads {
    /// The reads of `space`: from its cache when that has listed the Space.
    pub async fn of(caches: &SpaceCaches, space: Space) -> Reads {
        let cache = caches.ready(&space).await;
        Reads { space, cache, caches: caches.clone() }
    }

    /// The Space's watch cache as it is now, ready or not: what a write waits on until the
    /// cache has seen it. Asked after the write, since the write's own check may have
    /// started it (a cache that lists after the write still needs its watch event).
    pub fn following(&self) -> Option<Arc<SpaceCache>> {
        self.caches.following(&self.space)
    }

    /// Passes a direct read's answer through; one that worked lets the Space's cache start
    /// (in token mode, only a caller Kubernetes answered may start watchers).
    fn vouched<T>(&self, answer: ApiResult<T>) -> ApiResult<T> {
        if answer.is_ok() {
            self.caches.vouch(&self.space);
        }
        answer
    }

    /// The EgressPoints, as the rules read them.
    pub async fn egress_points(&self) -> ApiResult<Vec<EgressPoint>> {
        match &self.cache {
            Some(cache) => Ok(cache.read().egress_points()),
            None => Ok(self.vouched(current(&self.space).await)?.0),
        }
    }

    /// The Deployments and ContainerApps (403 when the caller may not read them).
    pub async fn workloads(&self) -> ApiResult<Vec<WorkloadRef>> {
        match self.cached_workloads() {
            Some(Workloads::Listed(list)) => Ok(list),
            _ => self.vouched(workloads(&self.space).await),
        }
    }

    /// The workloads, or None when the caller may not read them.
    pub async fn readable_workloads(&self) -> ApiResult<Option<Vec<WorkloadRef>>> {
        match self.cached_workloads() {
            Some(Workloads::Listed(list)) => Ok(Some(list)),
            Some(Workloads::Unreadable) => Ok(None),
            None => self.vouched(readable_workloads(&self.space).await),
        }
    }

    fn cached_workloads(&self) -> Option<Workloads> {
        self.cache.as_ref().map(|c| c.read().workloads())
    }

    /// Diagnostics of `value` as it would be in the Space (all rules, Space-wide ones
    /// included).
    pub async fn check(&self, value: &Value) -> ApiResult<Vec<Diagnostic>> {
        let Some(cache) = self.cache.clone() else {
            return self.vouched(check_in_space(&self.space, value).await);
        };
        let value = value.clone();
        // Checking a large body is CPU work: off the async workers. The index is the
        // cache's own, kept current by the watch: nothing is listed or rebuilt.
        Ok(egress_apiserver::http::cpu::run(move || {
            let state = cache.read();
            let workloads = match state.workloads() {
                Workloads::Listed(list) => Some(list),
                Workloads::Unreadable => None,
            };
            let context = SpaceContext { index: state.index(), workloads: workloads.as_deref() };
            check_value(&value, Some(context)).diagnostics
        })
        .await)
    }
}

// Straight from Kubernetes: without a cache (`--no-watch-cache`, or a caller who may list
// but not watch), and for `diff --space` and `suggest --space`, which run once.

/// The Space's EgressPoints as Kubernetes sent them, and the list's resourceVersion.
pub async fn list_raw(space: &Space) -> ApiResult<String> {
    let url = kube::core::Request::new(space.egresspoints().resource_url());
    let request = url
        .list(&ListParams::default())
        .map_err(|e| ApiError::from_kube(kube::Error::BuildRequest(e), &space.name))?;
    space.client.request_text(request).await.map_err(|e| ApiError::from_kube(e, &space.name))
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
pub async fn readable_workloads(space: &Space) -> ApiResult<Option<Vec<WorkloadRef>>> {
    match workloads(space).await {
        Ok(list) => Ok(Some(list)),
        Err(problem) if problem.status == 403 => Ok(None),
        Err(problem) => Err(problem),
    }
}

/// The part of a Kubernetes list the REST list needs.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListMeta {
    #[serde(default)]
    pub(crate) resource_version: String,
}

pub(crate) fn unexpected_list(space: &Space, error: &serde_json::Error) -> ApiError {
    tracing::warn!(space = %space.name, %error, "unexpected list from Kubernetes");
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "Unexpected answer",
        "the Kubernetes API answered the list with something that is not a list",
    )
}
