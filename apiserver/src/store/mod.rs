//! Durable object storage: every object lives in a redb database (a write is acknowledged
//! only after its transaction is committed to disk) and in memory for reads. One global
//! `resourceVersion` counter, like etcd's revision, orders all writes and survives restarts.

mod memory;

pub use memory::{Key, Memory, Stored, labels_of};

use crate::resources::ResourceType;
use crate::status::{StatusError, StatusResult};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;
use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::broadcast;

const OBJECTS: TableDefinition<&str, &[u8]> = TableDefinition::new("objects");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const REVISION: &str = "resourceVersion";
/// Events kept for watches that resume from a resourceVersion; older ones get 410 Expired.
pub const EVENT_WINDOW: usize = 10_000;

/// What happened to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// Created.
    Added,
    /// Replaced or patched.
    Modified,
    /// Deleted.
    Deleted,
}

impl EventType {
    /// `ADDED`, `MODIFIED`, `DELETED`, as in a watch stream.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One committed change.
#[derive(Clone, Debug)]
pub struct Event {
    /// The resourceVersion the change was committed at.
    pub revision: u64,
    /// What happened.
    pub kind: EventType,
    /// The object's type.
    pub resource: &'static ResourceType,
    /// The object's namespace ("" for namespaces).
    pub namespace: String,
    /// The object's name.
    pub name: String,
    /// The object after the change (its last state, for a deletion), serialized once.
    pub stored: Stored,
    /// The object before the change (None when it was created): what a paged list that
    /// began earlier still shows. It shares its bytes with the version it was.
    pub previous: Option<Stored>,
}

impl Event {
    /// The object, parsed.
    pub fn object(&self) -> Value {
        self.stored.value()
    }
}

/// A change staged by a write.
#[derive(Clone, Debug)]
pub enum Change {
    /// Create or replace. The object's `metadata.resourceVersion` is set on commit.
    Put {
        /// Where.
        key: Key,
        /// The new object.
        object: Value,
        /// Added or Modified.
        kind: EventType,
    },
    /// Remove.
    Delete {
        /// Where.
        key: Key,
    },
}

/// The store: redb on disk, a copy in memory, a broadcast of committed events.
pub struct Store {
    db: Database,
    memory: RwLock<Memory>,
    /// Serialises writers; readers only take `memory` briefly.
    writer: Mutex<()>,
    events: broadcast::Sender<Arc<Event>>,
    recent: RwLock<VecDeque<Arc<Event>>>,
}

impl Store {
    /// Opens (or creates) the database in `dir`, loading every object into memory.
    pub fn open(dir: &Path) -> Result<Store, crate::Error> {
        std::fs::create_dir_all(dir)
            .map_err(|e| crate::Error::Storage(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join("space-api.redb");
        // Every object is also in memory, so redb's page cache only needs to cover writes.
        let db = redb::Builder::new()
            .set_cache_size(16 * 1024 * 1024)
            .create(&path)
            .map_err(|e| match e {
                // Another egress-console (serve or apiserver) has it: say how to reach that
                // one instead.
                redb::DatabaseError::DatabaseAlreadyOpen => crate::Error::Storage(format!(
                    "{} is in use by another running egress-console (serve or apiserver); reach that one through its API instead (apiserver: --kubeconfig {}), or stop it",
                    path.display(),
                    dir.join("kubeconfig").display()
                )),
                e => crate::Error::Storage(format!("cannot open {}: {e}", path.display())),
            })?;
        let mut memory = Memory::default();
        {
            let tx = db.begin_write().map_err(storage)?;
            tx.open_table(OBJECTS).map_err(storage)?;
            tx.open_table(META).map_err(storage)?;
            tx.commit().map_err(storage)?;
        }
        let tx = db.begin_read().map_err(storage)?;
        let objects = tx.open_table(OBJECTS).map_err(storage)?;
        for row in objects.iter().map_err(storage)? {
            let (key, value) = row.map_err(storage)?;
            let key = Key::parse(key.value())
                .ok_or_else(|| crate::Error::Storage(format!("bad key {}", key.value())))?;
            let object: Value = serde_json::from_slice(value.value()).map_err(storage)?;
            let stored = Stored {
                json: bytes::Bytes::copy_from_slice(value.value()),
                labels: labels_of(&object),
            };
            memory.put(key, &object, stored);
        }
        let meta = tx.open_table(META).map_err(storage)?;
        memory.revision = meta.get(REVISION).map_err(storage)?.map(|v| v.value()).unwrap_or(0);
        drop((objects, meta, tx));
        let (events, _) = broadcast::channel(4096);
        let store = Store {
            db,
            memory: RwLock::new(memory),
            writer: Mutex::new(()),
            events,
            recent: RwLock::new(VecDeque::with_capacity(EVENT_WINDOW)),
        };
        Ok(store)
    }

    /// Reads the in-memory copy.
    pub fn read<T>(&self, f: impl FnOnce(&Memory) -> T) -> T {
        let memory = self.memory.read().unwrap_or_else(|e| e.into_inner());
        f(&memory)
    }

    /// Runs `stage` with the writer lock held; the changes it returns are committed to disk
    /// (unless `dry_run`), then applied in memory and broadcast. Returns the objects as
    /// stored (with their new resourceVersion), one per change, as events; the last
    /// object is returned parsed too.
    pub fn write<T>(
        &self,
        dry_run: bool,
        stage: impl FnOnce(&Memory) -> StatusResult<(Vec<Change>, T)>,
    ) -> StatusResult<(Vec<Arc<Event>>, Value, T)> {
        let _writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let (changes, extra) = self.read(stage)?;
        let base = self.read(|m| m.revision);
        let mut events = Vec::with_capacity(changes.len());
        let mut objects = Vec::with_capacity(changes.len());
        for change in changes {
            let (key, mut object, kind) = match change {
                Change::Put { key, object, kind } => (key, object, kind),
                Change::Delete { key } => {
                    let old = self
                        .read(|m| m.get(&key))
                        .ok_or_else(|| StatusError::not_found(key.resource, &key.name))?;
                    (key, old, EventType::Deleted)
                }
            };
            if kind == EventType::Modified
                && let Some(current) = self.read(|m| m.get(&key))
            {
                let version = current["metadata"]["resourceVersion"].clone();
                object["metadata"]["resourceVersion"] = version;
                // A write that changes nothing keeps the version and tells no watcher, as
                // kube-apiserver's storage skips it (`kubectl diff` then shows nothing).
                if object == current {
                    objects.push(current);
                    continue;
                }
            }
            if dry_run {
                // Nothing is written, so no new version exists: an update shows the current
                // one (set above), a new object none, a deletion the object's last.
                if kind == EventType::Added
                    && let Some(meta) = object["metadata"].as_object_mut()
                {
                    meta.remove("resourceVersion");
                }
                objects.push(object);
                continue;
            }
            let revision = base + 1 + events.len() as u64;
            // A deletion event carries the final state at the deletion's revision.
            object["metadata"]["resourceVersion"] = Value::String(revision.to_string());
            let previous = self.read(|m| m.get_stored(&key).cloned());
            events.push(Arc::new(Event {
                revision,
                kind,
                resource: key.resource,
                namespace: key.namespace,
                name: key.name,
                stored: Stored::new(&object),
                previous,
            }));
            objects.push(object);
        }
        let last = objects.last().cloned().unwrap_or(Value::Null);
        if events.is_empty() {
            return Ok((events, last, extra));
        }
        self.persist(&events).map_err(|e| StatusError::internal(&e))?;
        {
            let mut memory = self.memory.write().unwrap_or_else(|e| e.into_inner());
            for (event, object) in events.iter().zip(&objects) {
                let key = Key::of(event.resource, &event.namespace, &event.name);
                match event.kind {
                    EventType::Deleted => memory.delete(&key),
                    _ => memory.put(key, object, event.stored.clone()),
                }
            }
            memory.revision = base + events.len() as u64;
        }
        {
            let mut recent = self.recent.write().unwrap_or_else(|e| e.into_inner());
            for event in &events {
                if recent.len() == EVENT_WINDOW {
                    recent.pop_front();
                }
                recent.push_back(event.clone());
            }
        }
        for event in &events {
            // No receiver is fine: nobody is watching.
            let _ = self.events.send(event.clone());
        }
        Ok((events, last, extra))
    }

    fn persist(&self, events: &[Arc<Event>]) -> Result<(), redb::Error> {
        let tx = self.db.begin_write()?;
        {
            let mut objects = tx.open_table(OBJECTS)?;
            for event in events {
                let key = Key::of(event.resource, &event.namespace, &event.name).encode();
                match event.kind {
                    EventType::Deleted => {
                        objects.remove(key.as_str())?;
                    }
                    _ => {
                        objects.insert(key.as_str(), &event.stored.json[..])?;
                    }
                }
            }
            let mut meta = tx.open_table(META)?;
            let last = events.last().map_or(0, |e| e.revision);
            meta.insert(REVISION, last)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A receiver of every event committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.events.subscribe()
    }

    /// The objects of `resource` (in `namespace`, or all) as they were at `revision`, in key
    /// order: the current ones with every change since undone. None when the events back to
    /// `revision` are no longer kept. Writes wait meanwhile, so memory and events agree.
    pub fn list_at(
        &self,
        revision: u64,
        resource: &'static ResourceType,
        namespace: Option<&str>,
    ) -> Option<Vec<(Key, Stored)>> {
        let _writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let events = self.events_since(revision)?;
        Some(self.read(|memory| {
            let mut at: std::collections::BTreeMap<(String, String), (Key, Stored)> = memory
                .list(resource, namespace)
                .into_iter()
                .map(|(k, s)| ((k.namespace.clone(), k.name.clone()), (k.clone(), s.clone())))
                .collect();
            let mut undone = std::collections::HashSet::new();
            for event in events
                .iter()
                .filter(|e| e.resource == resource && namespace.is_none_or(|ns| e.namespace == ns))
            {
                // The earliest change of each object since then says what it was then.
                let id = (event.namespace.clone(), event.name.clone());
                if !undone.insert(id.clone()) {
                    continue;
                }
                match &event.previous {
                    Some(previous) => {
                        let key = Key::of(resource, &event.namespace, &event.name);
                        at.insert(id, (key, previous.clone()));
                    }
                    None => {
                        at.remove(&id);
                    }
                }
            }
            at.into_values().collect()
        }))
    }

    /// Events after `revision`, or `None` when some of them are no longer kept.
    pub fn events_since(&self, revision: u64) -> Option<Vec<Arc<Event>>> {
        let recent = self.recent.read().unwrap_or_else(|e| e.into_inner());
        let current = self.read(|m| m.revision);
        if revision >= current {
            return Some(Vec::new());
        }
        let oldest_kept = recent.front().map_or(current + 1, |e| e.revision);
        if revision + 1 < oldest_kept {
            return None;
        }
        Some(recent.iter().filter(|e| e.revision > revision).cloned().collect())
    }
}

fn storage(e: impl std::fmt::Display) -> crate::Error {
    crate::Error::Storage(e.to_string())
}
