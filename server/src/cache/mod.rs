//! One watch cache per Space and caller: the Space's EgressPoints, its index and its
//! workloads, kept current by kube-runtime watchers (`follow.rs`) and shared by the SSE
//! feed, the lists, `/rules`, `/workloads`, reachability and the check before every write.
//! A request then costs a lock and a copy instead of three list calls and a rebuild.
//!
//! Consistency: a read waits (bounded) for a new cache to list its Space, and asks
//! Kubernetes directly when it cannot; after one of the console's own writes, the handler
//! waits (bounded) until the cache has seen it (and listed, if it had not), so a read that
//! follows a write sees it whichever path it takes. When the cache cannot list (no `watch` permission, an API
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
/// Longest a read (and the live feed's snapshot) waits for a new cache to list its Space.
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
    /// ours), or, with `None`, no longer holds it (a delete). Only the EgressPoints count:
    /// a workload listing that failed or is pending neither ends the wait nor prolongs it.
    pub async fn wait_for_write(&self, name: &str, version: Option<&str>) {
        let seen = self
            .wait_until(WRITE_WAIT, |s| {
                // EgressPoints that cannot be listed are never answered from here.
                (s.egress_failed() && !s.egress_synced())
                    || s.egress_synced()
                        && match (s.get(name), version) {
                            (Some(c), Some(v)) => c.version == v || state::newer(&c.version, v),
                            (Some(_), None) | (None, Some(_)) => false,
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

    /// The Space's cache, started if there is none yet (the live feed, after its own check
    /// that the caller may list the Space). Above [`MAX_CACHES`] the cache is not kept for
    /// others: it lives as long as the stream.
    pub fn get(&self, space: &Space) -> Arc<SpaceCache> {
        self.start(space).unwrap_or_else(|| Arc::new(SpaceCache::start(space)))
    }

    fn existing(&self, space: &Space) -> Option<Arc<SpaceCache>> {
        let key = (space.name.clone(), space.caller.clone());
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(&key)?;
        *entry.cache.used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        Some(entry.cache.clone())
    }

    /// The Space's cache, started if there is none and fewer than [`MAX_CACHES`] run.
    fn start(&self, space: &Space) -> Option<Arc<SpaceCache>> {
        self.janitor.get_or_init(|| self.spawn_janitor());
        if let Some(cache) = self.existing(space) {
            return Some(cache);
        }
        let key = (space.name.clone(), space.caller.clone());
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_CACHES {
            return None;
        }
        let cache = entries
            .entry(key)
            .or_insert_with(|| Entry { cache: Arc::new(SpaceCache::start(space)) })
            .cache
            .clone();
        Some(cache)
    }

    /// Says that the caller has just read the Space directly with its own credentials: its
    /// cache may start. In token mode a cache starts only then, so a made-up token never
    /// starts watchers (with the server's own credentials, any request may start one).
    pub fn vouch(&self, space: &Space) {
        if self.enabled {
            self.start(space);
        }
    }

    /// The Space's cache once it can answer reads (a new one is waited for, up to
    /// [`SYNC_WAIT`], while it lists the Space: one list, instead of a direct list beside
    /// the cache's), or None: then ask Kubernetes directly (and [`SpaceCaches::vouch`] once
    /// that worked).
    pub async fn ready(&self, space: &Space) -> Option<Arc<SpaceCache>> {
        let cache = self.following(space)?;
        cache.wait_until(SYNC_WAIT, |s| s.ready() || s.failed()).await;
        let ready = cache.read().ready();
        ready.then_some(cache)
    }

    /// The Space's cache, ready or not (None with `--no-watch-cache`, or in token mode
    /// before the caller has been vouched for): what a write waits on until the cache has
    /// seen it.
    pub fn following(&self, space: &Space) -> Option<Arc<SpaceCache>> {
        if !self.enabled {
            return None;
        }
        match space.caller.as_str() {
            "local" => self.start(space),
            _ => self.existing(space),
        }
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
        // Look at the caches without holding the map: a cache's state lock may be busy.
        let caches: Vec<((String, String), Arc<SpaceCache>)> = {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            entries.iter().map(|(k, e)| (k.clone(), e.cache.clone())).collect()
        };
        // Held by the map, by `caches` above, and by nobody else unless followed.
        let followed = |c: &Arc<SpaceCache>| Arc::strong_count(c) > 2;
        let last_use = |c: &SpaceCache| *c.used.lock().unwrap_or_else(|p| p.into_inner());
        let mut kept: Vec<((String, String), Instant, usize)> = Vec::new();
        let mut gone = Vec::new();
        for (key, cache) in &caches {
            let (failed, bytes) = {
                let state = cache.read();
                (state.failed(), state.bytes())
            };
            let fresh = last_use(cache).elapsed() < idle && !failed;
            if followed(cache) || fresh {
                let at = if followed(cache) { Instant::now() } else { last_use(cache) };
                kept.push((key.clone(), at, bytes));
            } else {
                gone.push(key.clone());
            }
        }
        let mut bytes: usize = kept.iter().map(|(_, _, b)| b).sum();
        let mut count = kept.len();
        kept.sort_by_key(|(_, at, _)| *at);
        for (key, _, size) in kept {
            if count <= MAX_CACHES && bytes <= MAX_BYTES {
                break;
            }
            let followed_now = caches.iter().any(|(k, c)| *k == key && followed(c));
            if !followed_now {
                gone.push(key);
                count -= 1;
                bytes = bytes.saturating_sub(size);
            }
        }
        drop(caches);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for key in gone {
            // Unless a stream took it meanwhile.
            if entries.get(&key).is_some_and(|e| Arc::strong_count(&e.cache) == 1) {
                entries.remove(&key);
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
