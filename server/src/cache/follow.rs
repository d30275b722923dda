//! The kube-runtime watchers that keep a [`SpaceState`] equal to the Space: one for its
//! EgressPoints (whose changes are also announced to the SSE feed), one each for the names
//! of its Deployments and ContainerApps. Each re-lists after an error, as client-go's
//! informers do, and says in the state when listing cannot work (403, 404, 401).

use super::state::{Cached, Change, Listing, SpaceState};
use crate::api::egresspoints::workload_api;
use crate::spaces::Space;
use futures_util::StreamExt;
use kube::runtime::{WatchStreamExt, watcher};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::RwLock;
use tokio::sync::{broadcast, watch};

/// What the watchers write to: the state, the SSE announcements, and a counter bumped on
/// every update so that readers can wait for the state they need.
pub struct Sink {
    pub state: RwLock<SpaceState>,
    pub changes: broadcast::Sender<Change>,
    pub updated: watch::Sender<u64>,
}

impl Sink {
    fn update<T>(&self, change: impl FnOnce(&mut SpaceState) -> T) -> T {
        let out = change(&mut self.state.write().unwrap_or_else(|e| e.into_inner()));
        self.updated.send_modify(|n| *n += 1);
        out
    }
}

/// The status of a failed list or watch, when Kubernetes answered one.
fn status_of(error: &watcher::Error) -> Option<u16> {
    match error {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => Some(s.code),
        watcher::Error::WatchError(s) => Some(s.code),
        _ => None,
    }
}

/// Follows the Space's EgressPoints until the stream ends (it does not, unless the
/// caller's credentials are refused: a 401 will not heal by retrying).
pub async fn egress_points(space: Space, sink: std::sync::Arc<Sink>) {
    let mut relisted: Option<BTreeMap<String, Cached>> = None;
    let mut stream =
        watcher(space.egresspoints(), watcher::Config::default()).default_backoff().boxed();
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(space = %space.name, %error, "EgressPoint watch failed; retrying");
                let status = status_of(&error);
                let refused = matches!(status, Some(401 | 403));
                let synced = sink.state.read().unwrap_or_else(|e| e.into_inner()).egress_synced;
                // Refused (the caller lost access, the token expired, watch is not allowed):
                // the cache stops answering at once, even after it had listed; readers ask
                // Kubernetes, which says why, and the janitor drops it.
                if refused || !synced {
                    sink.update(|s| {
                        s.egress_failed = Some(status.unwrap_or(0));
                        s.egress_synced &= !refused;
                    });
                }
                if status == Some(401) {
                    return;
                }
                continue;
            }
        };
        match event {
            watcher::Event::Init => relisted = Some(BTreeMap::new()),
            watcher::Event::InitApply(object) => {
                if let Some(list) = relisted.as_mut() {
                    let cached = Cached::of(serde_json::to_value(&object).unwrap_or_default());
                    list.insert(object.metadata.name.clone().unwrap_or_default(), cached);
                }
            }
            watcher::Event::InitDone => {
                let fresh = relisted.take().unwrap_or_default();
                for change in sink.update(|s| s.relisted(fresh)) {
                    let _ = sink.changes.send(change);
                }
            }
            watcher::Event::Apply(object) => {
                let cached = Cached::of(serde_json::to_value(&object).unwrap_or_default());
                let kind = sink.update(|s| s.put(cached.clone()));
                let _ = sink.changes.send(Change { kind, object: cached });
            }
            watcher::Event::Delete(object) => {
                let cached = Cached::of(serde_json::to_value(&object).unwrap_or_default());
                sink.update(|s| s.remove(&cached));
                let kind = egress_api::events::ChangeKind::Deleted;
                let _ = sink.changes.send(Change { kind, object: cached });
            }
        }
    }
}

/// Which workload kind a watcher follows.
#[derive(Clone, Copy)]
pub enum WorkloadKind {
    Deployments,
    ContainerApps,
}

impl WorkloadKind {
    fn listing(self, state: &mut SpaceState) -> &mut Listing {
        match self {
            WorkloadKind::Deployments => &mut state.deployments,
            WorkloadKind::ContainerApps => &mut state.container_apps,
        }
    }
}

/// Follows the names of the Space's Deployments or ContainerApps.
pub async fn workloads(space: Space, kind: WorkloadKind, sink: std::sync::Arc<Sink>) {
    let api = match kind {
        WorkloadKind::Deployments => {
            workload_api(&space, "apps", "v1", "Deployment", "deployments")
        }
        WorkloadKind::ContainerApps => {
            workload_api(&space, "apps.tanzu.vmware.com", "v1", "ContainerApp", "containerapps")
        }
    };
    let mut relisted: Option<BTreeSet<String>> = None;
    let mut stream = watcher(api, watcher::Config::default()).default_backoff().boxed();
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                let status = status_of(&error);
                let listing = match status {
                    Some(403) => Listing::Forbidden,
                    // A cluster without Tanzu's ContainerApp CRD simply has none.
                    Some(404) => Listing::Absent,
                    _ => Listing::Failed,
                };
                // A refusal counts even after listing (access was lost); other errors only
                // until the first list (the watch retries, as client-go's informers do).
                let refused = matches!(status, Some(401 | 403));
                let listed = sink.update(|s| {
                    let current = kind.listing(s);
                    let listed = matches!(current, Listing::Listed(_));
                    if !listed || refused {
                        *current =
                            if status == Some(401) { Listing::Failed } else { listing.clone() };
                    }
                    listed
                });
                if !listed {
                    tracing::debug!(space = %space.name, %error, "workload watch failed");
                }
                if status == Some(401) {
                    return;
                }
                continue;
            }
        };
        let name = |o: &kube::api::DynamicObject| o.metadata.name.clone().unwrap_or_default();
        match event {
            watcher::Event::Init => relisted = Some(BTreeSet::new()),
            watcher::Event::InitApply(object) => {
                if let Some(names) = relisted.as_mut() {
                    names.insert(name(&object));
                }
            }
            watcher::Event::InitDone => {
                let names = relisted.take().unwrap_or_default();
                sink.update(|s| *kind.listing(s) = Listing::Listed(names));
            }
            watcher::Event::Apply(object) => sink.update(|s| {
                if let Listing::Listed(names) = kind.listing(s) {
                    names.insert(name(&object));
                }
            }),
            watcher::Event::Delete(object) => sink.update(|s| {
                if let Listing::Listed(names) = kind.listing(s) {
                    names.remove(&name(&object));
                }
            }),
        }
    }
}
