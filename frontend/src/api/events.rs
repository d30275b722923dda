//! A live view of one Space's EgressPoints from `GET /api/v1/spaces/{space}/events`: a
//! `snapshot` on every (re)connect, then `change` events. Pages read its signals; the
//! connection closes when the page that opened it goes away.

use super::{Problem, egress_points, space_path};
use egress_api::events::{ChangeKind, ChangeMessage, EventName, Snapshot};
use egress_rules::{EgressPoint, SpaceIndex, decode};
use futures::StreamExt;
use futures::channel::oneshot;
use gloo_net::eventsource::futures::EventSource;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// One EgressPoint as the Space has it: the object as stored (nothing dropped) and the
/// model the rules read.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEgressPoint {
    /// The object exactly as the API returned it.
    pub object: Value,
    /// The rules' model of it.
    pub model: EgressPoint,
}

impl StoredEgressPoint {
    /// Reads an object from the API.
    pub fn new(object: Value) -> Self {
        let model = decode(&object).egress_point;
        StoredEgressPoint { object, model }
    }

    /// `metadata.resourceVersion`.
    pub fn resource_version(&self) -> String {
        self.model.metadata.resource_version.clone().unwrap_or_default()
    }
}

/// Where the live connection stands.
#[derive(Clone, Debug, PartialEq)]
pub enum FeedStatus {
    /// Waiting for the first snapshot.
    Connecting,
    /// Up to date.
    Live,
    /// Lost; the browser retries by itself. The data shown is the last known.
    Reconnecting,
    /// The tab is hidden: the stream is closed until it is shown again.
    Paused,
    /// Not available: forbidden, unknown, unreachable (the problem says which).
    Failed(Problem),
}

/// The live EgressPoints of a Space.
#[derive(Clone, Copy)]
pub struct SpaceFeed {
    /// Connection state.
    pub status: RwSignal<FeedStatus>,
    /// EgressPoints by name.
    pub items: RwSignal<BTreeMap<String, StoredEgressPoint>>,
    /// Bumped on every change after the first snapshot: forms compare it to know whether the
    /// Space changed since they opened.
    pub revision: RwSignal<u64>,
    /// Names changed live (not by the first snapshot), for highlighting.
    pub recently_changed: RwSignal<Vec<String>>,
}

/// Resolves after `ms` milliseconds.
async fn pause_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// What the feed's loop waits for: a stream event, or the tab shown or hidden.
enum Input {
    Event(Result<(String, web_sys::MessageEvent), gloo_net::eventsource::EventSourceError>),
    Visible(bool),
}

impl SpaceFeed {
    /// Opens the feed of `space`; it closes when the calling component is cleaned up.
    pub fn open(space: String) -> SpaceFeed {
        let feed = SpaceFeed {
            status: RwSignal::new(FeedStatus::Connecting),
            items: RwSignal::new(BTreeMap::new()),
            revision: RwSignal::new(0),
            recently_changed: RwSignal::new(Vec::new()),
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let stop = Arc::new(Mutex::new(Some(stop)));
        let stop_now = move || {
            if let Some(stop) = stop.lock().ok().and_then(|mut s| s.take()) {
                let _ = stop.send(());
            }
        };
        // Leaving the page must free the connection at once: over HTTP/1.1 a browser keeps at
        // most six per server, and streams left open by earlier pages starve the next page's
        // requests.
        let on_leave = window_event_listener(leptos::ev::pagehide, {
            let stop_now = stop_now.clone();
            move |_| stop_now()
        });
        // A hidden tab pauses its stream for the same reason: seven open tabs must not
        // starve each other. Coming back reconnects, and the snapshot shows what changed.
        let (visibility, visible) = futures::channel::mpsc::unbounded::<bool>();
        let on_visibility = window_event_listener_untyped("visibilitychange", move |_| {
            let _ = visibility.unbounded_send(!document().hidden());
        });
        on_cleanup(move || {
            on_leave.remove();
            on_visibility.remove();
            stop_now();
        });
        spawn_local(async move {
            let run = feed.run(&space, visible);
            futures::pin_mut!(run);
            futures::future::select(run, stopped).await;
        });
        feed
    }

    async fn run(self, space: &str, mut visible: futures::channel::mpsc::UnboundedReceiver<bool>) {
        // Whether a snapshot has arrived since the feed opened: the first one fills the page,
        // later ones (reconnects) show what changed meanwhile.
        let mut seen_snapshot = false;
        let url = format!("{}/events", space_path(space));
        // A `resync` asks for a fresh snapshot, a hidden tab pauses: both reconnect.
        loop {
            if document().hidden() {
                self.set_status(FeedStatus::Paused);
                while let Some(now_visible) = visible.next().await {
                    if now_visible {
                        break;
                    }
                }
            }
            let mut source = match EventSource::new(&url) {
                Ok(source) => source,
                Err(e) => return self.fail(super::browser_problem(format!("{e:?}"))),
            };
            let streams = EventName::ALL.map(|name| source.subscribe(name.as_str()));
            let [Ok(snapshots), Ok(changes), Ok(resyncs)] = streams else {
                return self
                    .fail(super::browser_problem("the browser refused the event stream".into()));
            };
            let events =
                futures::stream::select_all([snapshots, changes, resyncs]).map(Input::Event);
            let mut inputs = futures::stream::select(events, visible.by_ref().map(Input::Visible));
            while let Some(input) = inputs.next().await {
                // The page that opened the feed is gone: stop.
                if self.items.is_disposed() {
                    return;
                }
                match input {
                    Input::Visible(false) => break,
                    Input::Visible(true) => {}
                    Input::Event(Ok((kind, message))) => {
                        let data = message.data().as_string().unwrap_or_default();
                        match EventName::parse(&kind) {
                            Some(EventName::Snapshot) => {
                                self.apply_snapshot(&data, !seen_snapshot);
                                seen_snapshot = true;
                            }
                            Some(EventName::Change) => self.apply_change(&data),
                            Some(EventName::Resync) | None => break,
                        }
                    }
                    // An EventSource only ever says "error": a plain GET says why in words
                    // (a 401 sends the user to sign in). Before the first snapshot any
                    // failure is shown; later the browser's own retries continue, unless the
                    // Space became forbidden or unknown, which will not come back.
                    Input::Event(Err(_)) => {
                        self.set_status(FeedStatus::Reconnecting);
                        if let Err(problem) = egress_points(space).await
                            && (!seen_snapshot || matches!(problem.status, 401 | 403 | 404))
                        {
                            return self.fail(problem);
                        }
                        // A stream refused with an error status is closed for good: open a
                        // new one after a pause instead of waiting on a dead one.
                        if source.state() == gloo_net::eventsource::State::Closed {
                            pause_ms(2000).await;
                            break;
                        }
                    }
                }
            }
            drop(inputs);
            source.close();
        }
    }

    fn fail(&self, problem: Problem) {
        if !self.status.is_disposed() {
            self.status.set(FeedStatus::Failed(problem));
        }
    }

    /// Replaces the state with a snapshot; unless it is the `first`, what differs from the
    /// state shown changed meanwhile.
    fn apply_snapshot(&self, data: &str, first: bool) {
        let Ok(snapshot) = serde_json::from_str::<Snapshot>(data) else { return };
        let next: BTreeMap<String, StoredEgressPoint> = snapshot
            .items
            .into_iter()
            .map(StoredEgressPoint::new)
            .map(|ep| (ep.model.name().to_owned(), ep))
            .collect();
        if !first {
            let changed: Vec<String> = self.items.with_untracked(|old| {
                next.iter()
                    .filter(|(name, ep)| old.get(*name) != Some(ep))
                    .map(|(name, _)| name.clone())
                    .collect()
            });
            if !changed.is_empty() {
                self.recently_changed.set(changed);
                self.revision.update(|r| *r += 1);
            }
        }
        self.items.set(next);
        self.set_status(FeedStatus::Live);
    }

    /// Sets the status only when it changes: pages re-render on status changes.
    fn set_status(&self, status: FeedStatus) {
        if self.status.try_with_untracked(|s| *s != status) == Some(true) {
            self.status.set(status);
        }
    }

    fn apply_change(&self, data: &str) {
        let Ok(change) = serde_json::from_str::<ChangeMessage>(data) else { return };
        let ep = StoredEgressPoint::new(change.object);
        let name = ep.model.name().to_owned();
        self.items.update(|items| {
            if change.kind == ChangeKind::Deleted {
                items.remove(&name);
            } else {
                items.insert(name.clone(), ep);
            }
        });
        self.recently_changed.set(vec![name]);
        self.revision.update(|r| *r += 1);
        self.set_status(FeedStatus::Live);
    }

    /// The rules' index of the Space's EgressPoints, for Space-wide checks.
    pub fn index(&self) -> Memo<SpaceIndex> {
        let items = self.items;
        // Always "changed": comparing two indices would cost more than using the new one.
        Memo::new_with_compare(
            move |_| items.with(|items| SpaceIndex::build(items.values().map(|e| &e.model))),
            |_, _| true,
        )
    }
}
