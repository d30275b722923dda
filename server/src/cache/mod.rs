//! One watch cache per Space and caller: the Space's EgressPoints, its index and its
//! workloads, kept current by kube-runtime watchers (`follow.rs`) and shared by the SSE
//! feed, the lists, `/rules`, `/workloads`, reachability and the check before every write.
//! A request then costs a lock and a copy instead of three list calls and a rebuild.
//!
//! Consistency: until a cache has listed its Space, reads ask Kubernetes directly; after one
//! of the console's own writes, the handler waits (bounded) until the cache has seen it (and
//! listed, if it had not), so a read that follows a write sees it whichever path it takes. When the cache cannot list (no `watch` permission, an API
//! server that does not answer), callers fall back to asking Kubernetes directly, so the
//! answer and its error are the same as without the cache.
//!
//! Bounds: a cache nobody used for [`IDLE`] and that no SSE client follows is dropped (its
//! watchers stop); at most [`MAX_CACHES`] caches and [`MAX_BYTES`] of cached JSON are held,
//! the least recently used going first. In token mode each identity has its own caches,
//! because a watch runs with its caller's credentials.

mod follow;
pub mod state;

pub use state::{Cached, Change, SpaceState, Workloads};

use crate::spaces::Space;
use follow::{Sink, WorkloadKind};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLockReadGuard};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// How long an unused cache lives.
pub const IDLE: Duration = Duration::from_secs(300);
/// Most caches held at once.
pub const MAX_CACHES: usize = 512;
/// Most JSON bytes held across caches (the objects themselves; their specs and the
/// index take about as much again).
pub const MAX_BYTES: usize = 512 * 1024 * 1024;
/// Longest the live feed waits for a new cache to list its Space before its snapshot.
pub const SYNC_WAIT: Duration = Duration::from_secs(5);
/// Longest a write waits for the cache to see it.
pub const WRITE_WAIT: Duration = Duration::from_secs(3);

/// A running watch cache of one Space for one caller. Dropping the last handle stops its
/// watchers.
pub struct SpaceCache {
    sink: Arc<Sink>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// When a request last used it (for idle eviction).
    used: Mutex<Instant>,
}

impl Drop for SpaceCache {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl SpaceCache {
    fn start(space: &Space) -> SpaceCache {
        let (changes, _) = broadcast::channel(1024);
        let (updated, _) = tokio::sync::watch::channel(0);
        let sink = Arc::new(Sink { state: Default::default(), changes, updated });
        let tasks = vec![
            tokio::spawn(follow::egress_points(space.clone(), sink.clone())),
            tokio::spawn(follow::workloads(space.clone(), WorkloadKind::Deployments, sink.clone())),
            tokio::spawn(follow::workloads(
                space.clone(),
                WorkloadKind::ContainerApps,
                sink.clone(),
            )),
        ];
        SpaceCache { sink, tasks, used: Mutex::new(Instant::now()) }
    }

    /// The state, for reading. Hold it briefly: watch events wait while it is held.
    pub fn read(&self) -> RwLockReadGuard<'_, SpaceState> {
        self.sink.state.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The state, for making derived answers (they are stored for the next reader).
    pub fn write(&self) -> std::sync::RwLockWriteGuard<'_, SpaceState> {
        self.sink.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Announcements of every change, for the SSE feed.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sink.changes.subscribe()
    }

    /// Waits until `done` holds for the state or `limit` passes; whether it held.
    pub async fn wait_until(&self, limit: Duration, done: impl Fn(&SpaceState) -> bool) -> bool {
        let mut updated = self.sink.updated.subscribe();
        let wait = async {
            loop {
                if done(&self.read()) {
                    return true;
                }
                if updated.changed().await.is_err() {
                    return false;
                }
            }
        };
        tokio::time::timeout(limit, wait).await.unwrap_or(false)
    }

    /// Waits until the cache holds `name` at `version` or newer (a create or replace of
    /// ours), or, with `None`, no longer holds it at `was` (a delete).
    pub async fn wait_for_write(&self, name: &str, version: Option<&str>, was: Option<&str>) {
        let seen = self
            .wait_until(WRITE_WAIT, |s| {
                // A cache that cannot list never answers reads: nothing to wait for.
                s.failed()
                    || s.ready()
                        && match (s.get(name), version) {
                            (Some(c), Some(v)) => c.version == v || state::newer(&c.version, v),
                            (Some(c), None) => was.is_some_and(|w| c.version != w),
                            (None, Some(_)) => false,
                            (None, None) => true,
                        }
            })
            .await;
        if !seen {
            tracing::warn!(name, "the watch cache did not see a write in time");
        }
    }
}

struct Entry {
    cache: Arc<SpaceCache>,
}

/// The caches, by Space and caller. Cheap to clone.
#[derive(Clone)]
pub struct SpaceCaches {
    entries: Arc<Mutex<HashMap<(String, String), Entry>>>,
    enabled: bool,
    janitor: Arc<std::sync::OnceLock<()>>,
}

impl Default for SpaceCaches {
    fn default() -> Self {
        SpaceCaches { entries: Arc::default(), enabled: true, janitor: Arc::default() }
    }
}

impl SpaceCaches {
    /// No caches: every request asks Kubernetes (`serve --no-watch-cache`). The SSE feed
    /// still watches, while someone follows it.
    pub fn disabled() -> Self {
        SpaceCaches { enabled: false, ..Self::default() }
    }

    /// Whether reads are served from caches.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The Space's cache, started if there is none yet.
    pub fn get(&self, space: &Space) -> Arc<SpaceCache> {
        self.janitor.get_or_init(|| self.spawn_janitor());
        let key = (space.name.clone(), space.caller.clone());
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = entries.get(&key) {
            *entry.cache.used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
            return entry.cache.clone();
        }
        let cache = Arc::new(SpaceCache::start(space));
        entries.insert(key, Entry { cache: cache.clone() });
        cache
    }

    /// The Space's cache if it can answer reads now, or None: then ask Kubernetes directly.
    /// A new cache is started, and answers once it has listed the Space; the request that
    /// started it does not wait for that (a first read costs one list, not two in a row).
    pub fn ready(&self, space: &Space) -> Option<Arc<SpaceCache>> {
        self.following(space).filter(|cache| cache.read().ready())
    }

    /// The Space's cache, ready or not (None with `--no-watch-cache`): what a write waits on
    /// until the cache has seen it.
    pub fn following(&self, space: &Space) -> Option<Arc<SpaceCache>> {
        self.enabled.then(|| self.get(space))
    }

    /// Whether the Space has a cache that has listed it (so it answers, for this caller).
    pub fn answers(&self, space: &Space) -> bool {
        let key = (space.name.clone(), space.caller.clone());
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(&key).is_some_and(|e| e.cache.read().ready())
    }

    /// How many caches are running (for tests and metrics).
    pub fn active(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Drops idle caches, then the least recently used ones over the bounds. A cache an
    /// SSE client follows is never dropped: the stream holds it.
    pub fn evict(&self, idle: Duration) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let followed = |e: &Entry| Arc::strong_count(&e.cache) > 1;
        let last_use = |e: &Entry| *e.cache.used.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|_, e| {
            followed(e) || (last_use(e).elapsed() < idle && !e.cache.read().failed())
        });
        let mut bytes: usize = entries.values().map(|e| e.cache.read().bytes()).sum();
        if entries.len() <= MAX_CACHES && bytes <= MAX_BYTES {
            return;
        }
        let mut by_age: Vec<((String, String), Instant)> = entries
            .iter()
            .filter(|(_, e)| !followed(e))
            .map(|(k, e)| (k.clone(), last_use(e)))
            .collect();
        by_age.sort_by_key(|(_, at)| *at);
        for (key, _) in by_age {
            if entries.len() <= MAX_CACHES && bytes <= MAX_BYTES {
                break;
            }
            if let Some(entry) = entries.remove(&key) {
                bytes -= entry.cache.read().bytes();
            }
        }
    }

    fn spawn_janitor(&self) {
        let caches = Arc::downgrade(&self.entries);
        let enabled = self.enabled;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(15));
            loop {
                tick.tick().await;
                let Some(entries) = caches.upgrade() else { return };
                let caches = SpaceCaches { entries, enabled, janitor: Arc::default() };
                caches.evict(IDLE);
            }
        });
    }
}
