//! `GET /api/v1/spaces/{space}/events`: Server-Sent Events fed by one kube-runtime watcher
//! per Space, shared by every browser tab, started on demand and stopped when the last
//! listener leaves. Each connection (and reconnection) starts with a `snapshot` of the
//! Space's EgressPoints taken after it subscribed, then `change` events; a client that
//! replaces its state with the snapshot and applies changes by resourceVersion neither
//! loses nor duplicates anything across reconnects.

use super::AppState;
use super::caller::InSpace;
use super::egresspoints::to_value;
use super::error::ApiResult;
use crate::spaces::Space;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use egress_api::events::{ChangeKind, ChangeMessage, EventName, Snapshot};
use futures_util::{Stream, StreamExt};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, RwLock, Weak};
use tokio::sync::broadcast;

/// One change, as sent to browsers.
#[derive(Clone, Debug)]
pub struct Change {
    /// Added, modified or deleted.
    pub kind: ChangeKind,
    /// The object (its last state for DELETED).
    pub object: Arc<Value>,
}

/// A running watch of one Space. Dropping the last handle stops it.
pub struct SpaceWatch {
    objects: Arc<RwLock<BTreeMap<String, Arc<Value>>>>,
    changes: broadcast::Sender<Change>,
    /// True once the watch has listed the Space: a snapshot taken before that would be empty.
    synced: tokio::sync::watch::Receiver<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SpaceWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The watches that have listeners, by Space name.
#[derive(Clone, Default)]
pub struct EventHub {
    watches: Arc<Mutex<HashMap<String, Weak<SpaceWatch>>>>,
}

impl EventHub {
    /// The Space's watch, started if nobody is watching it yet.
    pub fn watch(&self, space: &Space) -> Arc<SpaceWatch> {
        let mut watches = self.watches.lock().unwrap_or_else(|e| e.into_inner());
        // One watch per Space and caller: a watch runs with its caller's credentials.
        let key = format!("{}\u{0}{}", space.name, space.caller);
        if let Some(existing) = watches.get(&key).and_then(Weak::upgrade) {
            return existing;
        }
        let objects = Arc::new(RwLock::new(BTreeMap::new()));
        let (changes, _) = broadcast::channel(1024);
        let (synced_tx, synced) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(follow(space.clone(), objects.clone(), changes.clone(), synced_tx));
        let watch = Arc::new(SpaceWatch { objects, changes, synced, task });
        watches.retain(|_, w| w.strong_count() > 0);
        watches.insert(key, Arc::downgrade(&watch));
        watch
    }

    /// How many Spaces are being watched (for tests and metrics).
    pub fn active(&self) -> usize {
        self.watches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter(|w| w.strong_count() > 0)
            .count()
    }
}

/// Keeps `objects` equal to the Space's EgressPoints and announces every difference. After a
/// re-list (the watcher restarts on errors), differences with what was known are announced
/// too, so a gap in the watch loses nothing.
async fn follow(
    space: Space,
    objects: Arc<RwLock<BTreeMap<String, Arc<Value>>>>,
    changes: broadcast::Sender<Change>,
    synced: tokio::sync::watch::Sender<bool>,
) {
    let mut relisted: Option<BTreeMap<String, Arc<Value>>> = None;
    let mut stream =
        watcher(space.egresspoints(), watcher::Config::default()).default_backoff().boxed();
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(space = %space.name, %error, "EgressPoint watch failed; retrying");
                continue;
            }
        };
        match event {
            watcher::Event::Init => relisted = Some(BTreeMap::new()),
            watcher::Event::InitApply(object) => {
                if let Some(list) = relisted.as_mut() {
                    let value = Arc::new(to_value(&object));
                    list.insert(name_of(&value), value);
                }
            }
            watcher::Event::InitDone => {
                let fresh = relisted.take().unwrap_or_default();
                let mut known = objects.write().unwrap_or_else(|e| e.into_inner());
                for (name, old) in known.iter() {
                    if !fresh.contains_key(name) {
                        let _ =
                            changes.send(Change { kind: ChangeKind::Deleted, object: old.clone() });
                    }
                }
                for (name, new) in &fresh {
                    match known.get(name) {
                        None => {
                            let _ = changes
                                .send(Change { kind: ChangeKind::Added, object: new.clone() });
                        }
                        Some(old) if version(old) != version(new) => {
                            let _ = changes
                                .send(Change { kind: ChangeKind::Modified, object: new.clone() });
                        }
                        Some(_) => {}
                    }
                }
                *known = fresh;
                drop(known);
                synced.send_replace(true);
            }
            watcher::Event::Apply(object) => {
                let value = Arc::new(to_value(&object));
                let name = name_of(&value);
                let previous =
                    objects.write().unwrap_or_else(|e| e.into_inner()).insert(name, value.clone());
                let kind =
                    if previous.is_some() { ChangeKind::Modified } else { ChangeKind::Added };
                let _ = changes.send(Change { kind, object: value });
            }
            watcher::Event::Delete(object) => {
                let value = Arc::new(to_value(&object));
                objects.write().unwrap_or_else(|e| e.into_inner()).remove(&name_of(&value));
                let _ = changes.send(Change { kind: ChangeKind::Deleted, object: value });
            }
        }
    }
}

fn name_of(object: &Value) -> String {
    object["metadata"]["name"].as_str().unwrap_or("").to_owned()
}

fn version(object: &Value) -> &str {
    egress_rules::resource_version(object).unwrap_or("")
}

/// GET the Space's events as an SSE stream.
#[utoipa::path(get, path = "/api/v1/spaces/{space}/events", tag = "egresspoints",
    params(("space" = String, Path, description = "Space name")),
    responses((status = 200, description = "text/event-stream: a `snapshot` event ({items}), then `change` events ({type, object})", content_type = "text/event-stream", body = String),
        super::error::SpaceErrors))]
pub async fn events_stream(
    State(state): State<AppState>,
    InSpace(space): InSpace,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    // Fail now, in words, rather than open a stream whose watch cannot start (403, 502).
    space
        .egresspoints()
        .list(&kube::api::ListParams::default().limit(1))
        .await
        .map_err(|e| super::error::ApiError::from_kube(e, &space.name))?;
    let watch = state.events.watch(&space);
    // A new watch has not listed the Space yet: wait for it (bounded, so a stuck API server
    // still gives a stream), or the snapshot would be empty and every object would follow
    // as a "change".
    let mut synced = watch.synced.clone();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), synced.wait_for(|s| *s)).await;
    // Subscribe before the snapshot so nothing between the two is missed.
    let receiver = watch.changes.subscribe();
    let snapshot: Vec<Arc<Value>> =
        watch.objects.read().unwrap_or_else(|e| e.into_inner()).values().cloned().collect();
    let first = Event::default()
        .event(EventName::Snapshot.as_str())
        .json_data(Snapshot { items: snapshot.iter().map(|v| &**v).collect::<Vec<&Value>>() })
        .unwrap_or_default();
    let changes =
        tokio_stream::wrappers::BroadcastStream::new(receiver).filter_map(move |change| {
            // Holding the watch here keeps it running while this client listens.
            let _keep = &watch;
            let event = match change {
                Ok(change) => Event::default()
                    .event(EventName::Change.as_str())
                    .id(version(&change.object))
                    .json_data(ChangeMessage { kind: change.kind, object: &*change.object })
                    .ok(),
                // Fell behind: tell the client to take a fresh snapshot by reconnecting.
                Err(_) => Some(
                    Event::default()
                        .event(EventName::Resync.as_str())
                        .data("reconnect for a fresh snapshot"),
                ),
            };
            std::future::ready(event.map(Ok))
        });
    let stream = futures_util::stream::once(std::future::ready(Ok(first))).chain(changes);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
