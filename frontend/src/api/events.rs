//! Live views of Spaces' EgressPoints from `GET /api/v1/events?spaces=…`: one stream per
//! tab, whatever pages it shows, with a `snapshot` of each Space on every (re)connect, then
//! `change` events naming their Space. Pages read a Space's signals through [`SpaceFeed`];
//! a Space stays followed while a page shows it and for a few seconds after, so moving
//! between the pages of a Space neither reconnects nor downloads it again.

use super::{Problem, egress_points, escape};
use egress_api::events::{ChangeKind, ChangeMessage, EventName, Snapshot};
use egress_rules::{EgressPoint, SpaceIndex, decode};
use futures::StreamExt;
use gloo_net::eventsource::futures::EventSource;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

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

/// Most Spaces one stream follows (the server's limit too).
const MAX_SPACES: usize = 32;

/// The first and the longest pause before reconnecting after an error (doubled each time,
/// with jitter, back to the first once a snapshot arrives).
const RETRY_MS: (i32, i32) = (1_000, 30_000);

/// How long a Space stays followed after the last page showing it went away: going from
/// one page of a Space to another keeps its state and the stream, with no new snapshot.
const LINGER_MS: i32 = 10_000;

/// What the tab's loop waits for besides stream events.
enum Wake {
    /// The set of followed Spaces may have changed.
    Followed,
    /// The tab was shown (true) or hidden (false).
    Visible(bool),
}

enum Input {
    Event(Result<(String, web_sys::MessageEvent), gloo_net::eventsource::EventSourceError>),
    Wake(Wake),
}

/// One followed Space: its signals (kept by the hub, so they outlive the pages that show
/// them), how many pages show it, and where its stream stands.
struct Followed {
    status: ArcRwSignal<FeedStatus>,
    items: ArcRwSignal<BTreeMap<String, StoredEgressPoint>>,
    revision: ArcRwSignal<u64>,
    recently_changed: ArcRwSignal<Vec<String>>,
    pages: usize,
    /// Left by its last page, and still lingering.
    lingering: bool,
    /// How many times its last page left: a linger timer expires only its own leaving.
    left: u64,
    /// A snapshot has arrived since it was followed.
    seen_snapshot: bool,
    /// Refused (forbidden, unknown): left out of the stream until a page follows it again.
    failed: bool,
}

impl Followed {
    fn new() -> Followed {
        Followed {
            status: ArcRwSignal::new(FeedStatus::Connecting),
            items: ArcRwSignal::new(BTreeMap::new()),
            revision: ArcRwSignal::new(0),
            recently_changed: ArcRwSignal::new(Vec::new()),
            pages: 0,
            lingering: false,
            left: 0,
            seen_snapshot: false,
            failed: false,
        }
    }

    /// Sets the status only when it changes: pages re-render on status changes.
    fn set_status(&self, status: FeedStatus) {
        if self.status.with_untracked(|s| *s != status) {
            self.status.set(status);
        }
    }
}

/// The tab's one event stream and the Spaces it follows. Over HTTP/1.1 a browser keeps at
/// most six connections per server; one stream per tab, whatever it shows, leaves the rest
/// to the pages' requests.
struct Hub {
    spaces: RefCell<BTreeMap<String, Followed>>,
    wake: futures::channel::mpsc::UnboundedSender<Wake>,
}

thread_local! {
    static HUB: Rc<Hub> = Hub::start();
}

impl Hub {
    fn start() -> Rc<Hub> {
        let (wake, woken) = futures::channel::mpsc::unbounded::<Wake>();
        let hub = Rc::new(Hub { spaces: RefCell::default(), wake: wake.clone() });
        // A hidden tab closes its stream (seven open tabs must not starve each other), and
        // so does a page being left; coming back reconnects, and the snapshot shows what
        // changed meanwhile.
        let visibility = wake.clone();
        let on_visibility = window_event_listener_untyped("visibilitychange", move |_| {
            let _ = visibility.unbounded_send(Wake::Visible(!document().hidden()));
        });
        let leaving = wake.clone();
        let on_leave = window_event_listener(leptos::ev::pagehide, move |_| {
            let _ = leaving.unbounded_send(Wake::Visible(false));
        });
        let on_show = window_event_listener(leptos::ev::pageshow, move |_| {
            let _ = wake.unbounded_send(Wake::Visible(!document().hidden()));
        });
        // The tab's lifetime: the listeners stay.
        std::mem::forget((on_visibility, on_leave, on_show));
        spawn_local(run(hub.clone(), woken));
        hub
    }

    /// The Spaces the stream should follow now.
    fn wanted(&self) -> Vec<String> {
        let spaces = self.spaces.borrow();
        spaces
            .iter()
            .filter(|(_, f)| (f.pages > 0 || f.lingering) && !f.failed)
            .map(|(name, _)| name.clone())
            // The server follows at most this many on one stream.
            .take(MAX_SPACES)
            .collect()
    }

    fn woken(&self) {
        let _ = self.wake.unbounded_send(Wake::Followed);
    }

    fn with(&self, space: &str, act: impl FnOnce(&mut Followed)) {
        if let Some(followed) = self.spaces.borrow_mut().get_mut(space) {
            act(followed);
        }
    }

    fn follow(&self, space: &str) -> SpaceFeed {
        let mut spaces = self.spaces.borrow_mut();
        let followed = spaces.entry(space.to_owned()).or_insert_with(Followed::new);
        if followed.failed {
            // Asked again (after signing in, say): try again.
            followed.failed = false;
            followed.set_status(FeedStatus::Connecting);
        }
        followed.pages += 1;
        followed.lingering = false;
        let feed = SpaceFeed {
            status: RwSignal::from(followed.status.clone()),
            items: RwSignal::from(followed.items.clone()),
            revision: RwSignal::from(followed.revision.clone()),
            recently_changed: RwSignal::from(followed.recently_changed.clone()),
        };
        drop(spaces);
        self.woken();
        feed
    }

    fn unfollow(&self, space: &str) {
        let mut left = None;
        self.with(space, |f| {
            f.pages = f.pages.saturating_sub(1);
            if f.pages == 0 {
                f.lingering = true;
                f.left += 1;
                left = Some(f.left);
            }
        });
        if let Some(left) = left {
            let space = space.to_owned();
            spawn_local(async move {
                pause_ms(LINGER_MS).await;
                HUB.with(|hub| hub.expire(&space, left));
            });
        }
    }

    /// Forgets a Space no page came back to since its `left`-th leaving.
    fn expire(&self, space: &str, left: u64) {
        let mut spaces = self.spaces.borrow_mut();
        if spaces.get(space).is_some_and(|f| f.pages == 0 && f.left == left) {
            spaces.remove(space);
            drop(spaces);
            self.woken();
        }
    }

    /// Replaces a Space's state with its snapshot; unless it is the first, what differs
    /// from the state shown changed meanwhile.
    fn apply_snapshot(&self, data: &str) {
        let Ok(snapshot) = serde_json::from_str::<Snapshot>(data) else { return };
        let Some(space) = snapshot.space.as_deref() else { return };
        let next: BTreeMap<String, StoredEgressPoint> = snapshot
            .items
            .into_iter()
            .map(StoredEgressPoint::new)
            .map(|ep| (ep.model.name().to_owned(), ep))
            .collect();
        self.with(space, |f| {
            if f.seen_snapshot {
                let changed: Vec<String> = f.items.with_untracked(|old| {
                    next.iter()
                        .filter(|(name, ep)| old.get(*name) != Some(ep))
                        .map(|(name, _)| name.clone())
                        .collect()
                });
                if !changed.is_empty() {
                    f.recently_changed.set(changed);
                    f.revision.update(|r| *r += 1);
                }
            }
            f.seen_snapshot = true;
            f.items.set(next);
            f.set_status(FeedStatus::Live);
        });
    }

    fn apply_change(&self, data: &str) {
        let Ok(change) = serde_json::from_str::<ChangeMessage>(data) else { return };
        let Some(space) = change.space.as_deref() else { return };
        let ep = StoredEgressPoint::new(change.object);
        let name = ep.model.name().to_owned();
        self.with(space, |f| {
            f.items.update(|items| {
                if change.kind == ChangeKind::Deleted {
                    items.remove(&name);
                } else {
                    items.insert(name.clone(), ep);
                }
            });
            f.recently_changed.set(vec![name]);
            f.revision.update(|r| *r += 1);
            f.set_status(FeedStatus::Live);
        });
    }
}

/// The tab's stream: follows the wanted Spaces, reconnecting when they change, when the
/// tab is shown again, on `resync`, and after errors.
async fn run(hub: Rc<Hub>, mut woken: futures::channel::mpsc::UnboundedReceiver<Wake>) {
    let mut hidden = document().hidden();
    let mut retry_ms = RETRY_MS.0;
    loop {
        let spaces = hub.wanted();
        if spaces.is_empty() || hidden {
            if hidden {
                for space in &spaces {
                    hub.with(space, |f| f.set_status(FeedStatus::Paused));
                }
            }
            match woken.next().await {
                Some(Wake::Visible(visible)) => hidden = !visible,
                Some(Wake::Followed) => {}
                None => return,
            }
            continue;
        }
        let url = format!("/api/v1/events?spaces={}", escape(&spaces.join(",")));
        let mut source = match EventSource::new(&url) {
            Ok(source) => source,
            Err(e) => {
                let problem = super::browser_problem(format!("{e:?}"));
                spaces.iter().for_each(|s| fail(&hub, s, problem.clone(), true));
                continue;
            }
        };
        let streams = EventName::ALL.map(|name| source.subscribe(name.as_str()));
        let [Ok(snapshots), Ok(changes), Ok(resyncs)] = streams else {
            let problem = super::browser_problem("the browser refused the event stream".into());
            spaces.iter().for_each(|s| fail(&hub, s, problem.clone(), true));
            continue;
        };
        let events = futures::stream::select_all([snapshots, changes, resyncs]).map(Input::Event);
        let mut inputs = futures::stream::select(events, woken.by_ref().map(Input::Wake));
        while let Some(input) = inputs.next().await {
            match input {
                Input::Wake(Wake::Visible(false)) => {
                    hidden = true;
                    break;
                }
                Input::Wake(Wake::Visible(true)) => hidden = false,
                Input::Wake(Wake::Followed) if hub.wanted() != spaces => break,
                Input::Wake(Wake::Followed) => {}
                Input::Event(Ok((kind, message))) => {
                    let data = message.data().as_string().unwrap_or_default();
                    match EventName::parse(&kind) {
                        Some(EventName::Snapshot) => {
                            retry_ms = RETRY_MS.0;
                            hub.apply_snapshot(&data);
                        }
                        Some(EventName::Change) => hub.apply_change(&data),
                        Some(EventName::Resync) | None => break,
                    }
                }
                // An EventSource only ever says "error": a plain GET of each Space says why
                // in words (a 401 sends the user to sign in). A Space forbidden or unknown
                // leaves the stream (that will not come back); any other failure is shown
                // before a Space's first snapshot, and retried.
                Input::Event(Err(_)) => {
                    for space in &spaces {
                        hub.with(space, |f| f.set_status(FeedStatus::Reconnecting));
                        let first =
                            hub.spaces.borrow().get(space).is_some_and(|f| !f.seen_snapshot);
                        if let Err(problem) = egress_points(space).await {
                            let last = matches!(problem.status, 401 | 403 | 404);
                            if last || first {
                                fail(&hub, space, problem, last);
                            }
                        }
                    }
                    // A stream refused with an error status is closed for good: open a new
                    // one after a pause (longer each time) instead of waiting on a dead one.
                    if hub.wanted() != spaces
                        || source.state() == gloo_net::eventsource::State::Closed
                    {
                        let jitter = (js_sys::Math::random() * f64::from(retry_ms) / 2.0) as i32;
                        pause_ms(retry_ms + jitter).await;
                        retry_ms = (retry_ms * 2).min(RETRY_MS.1);
                        break;
                    }
                }
            }
        }
        drop(inputs);
        source.close();
    }
}

/// Shows a Space as failed; when it is the `last` word (forbidden, unknown, refused by the
/// browser), it also leaves the stream until a page follows it again.
fn fail(hub: &Hub, space: &str, problem: Problem, last: bool) {
    hub.with(space, |f| {
        f.failed |= last;
        f.set_status(FeedStatus::Failed(problem));
    });
}

impl SpaceFeed {
    /// The live view of `space`, shared by every page of the tab that shows it; the tab's
    /// one stream follows it while a page shows it (and a little after).
    pub fn open(space: String) -> SpaceFeed {
        let feed = HUB.with(|hub| hub.follow(&space));
        on_cleanup(move || HUB.with(|hub| hub.unfollow(&space)));
        feed
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
