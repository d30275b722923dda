//! The in-memory copy of the store, with the per-namespace index the EgressPoint
//! admission needs.

use crate::resources::{ALL, CONTAINERAPPS, DEPLOYMENTS, EGRESSPOINTS, ResourceType};
use bytes::Bytes;
use egress_rules::{EgressPoint, SpaceIndex, WorkloadRef, decode};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;

/// Where an object lives: type, namespace ("" when cluster-scoped), name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// The type.
    pub resource: &'static ResourceType,
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
}

impl PartialOrd for ResourceType {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ResourceType {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.group, self.plural).cmp(&(other.group, other.plural))
    }
}

impl std::hash::Hash for ResourceType {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.group, self.plural).hash(state);
    }
}

impl Key {
    /// A key.
    pub fn of(resource: &'static ResourceType, namespace: &str, name: &str) -> Key {
        Key { resource, namespace: namespace.to_owned(), name: name.to_owned() }
    }

    /// `egresspoints.networking.tanzu.vmware.com/ns/name`, the key on disk.
    pub fn encode(&self) -> String {
        format!("{}/{}/{}", self.resource.qualified(), self.namespace, self.name)
    }

    /// The inverse of [`Key::encode`].
    pub fn parse(text: &str) -> Option<Key> {
        let mut parts = text.splitn(3, '/');
        let (qualified, namespace, name) = (parts.next()?, parts.next()?, parts.next()?);
        let resource = ALL.iter().copied().find(|r| r.qualified() == qualified)?;
        Some(Key::of(resource, namespace, name))
    }
}

/// An object as kept in memory: its JSON, ready to send, and its labels for selectors.
/// Kept serialized because lists then cost a copy, not a parse/clone/serialize per object
/// (5,000 EgressPoints: ~2 MB of bytes instead of ~100 MB of JSON trees).
#[derive(Clone, Debug)]
pub struct Stored {
    /// The object as JSON.
    pub json: Bytes,
    /// `metadata.labels`, when it has any.
    pub labels: Option<Arc<Map<String, Value>>>,
}

impl Stored {
    /// Serializes an object.
    pub fn new(object: &Value) -> Stored {
        Stored {
            json: Bytes::from(serde_json::to_vec(object).unwrap_or_default()),
            labels: labels_of(object),
        }
    }

    /// The object, parsed.
    pub fn value(&self) -> Value {
        serde_json::from_slice(&self.json).unwrap_or(Value::Null)
    }
}

/// `metadata.labels` of an object.
pub fn labels_of(object: &Value) -> Option<Arc<Map<String, Value>>> {
    object["metadata"]["labels"].as_object().filter(|m| !m.is_empty()).map(|m| Arc::new(m.clone()))
}

/// Every object, in key order, plus derived indexes.
#[derive(Default)]
pub struct Memory {
    objects: BTreeMap<Key, Stored>,
    /// Per namespace: the rules of its EgressPoints, for Space-wide admission checks.
    egress_indexes: HashMap<String, SpaceIndex>,
    /// The last committed resourceVersion.
    pub revision: u64,
}

impl Memory {
    /// One object, parsed.
    pub fn get(&self, key: &Key) -> Option<Value> {
        self.objects.get(key).map(Stored::value)
    }

    /// One object as stored.
    pub fn get_stored(&self, key: &Key) -> Option<&Stored> {
        self.objects.get(key)
    }

    /// True when the object exists.
    pub fn contains(&self, key: &Key) -> bool {
        self.objects.contains_key(key)
    }

    /// Objects of one type, in one namespace or (None) in all, in name order.
    pub fn list(
        &self,
        resource: &'static ResourceType,
        namespace: Option<&str>,
    ) -> Vec<(&Key, &Stored)> {
        let start = Key::of(resource, namespace.unwrap_or(""), "");
        self.objects
            .range((Bound::Included(start), Bound::Unbounded))
            .take_while(|(k, _)| {
                k.resource == resource && namespace.is_none_or(|ns| k.namespace == ns)
            })
            .collect()
    }

    /// How many objects of a type a namespace holds.
    pub fn count(&self, resource: &'static ResourceType, namespace: &str) -> usize {
        self.list(resource, Some(namespace)).len()
    }

    /// The Space index of a namespace's EgressPoints.
    pub fn egress_index(&self, namespace: &str) -> Option<&SpaceIndex> {
        self.egress_indexes.get(namespace)
    }

    /// The workloads `sourceRef` can name in a namespace.
    pub fn workloads(&self, namespace: &str) -> Vec<WorkloadRef> {
        let mut out = Vec::new();
        for (key, _) in self.list(&DEPLOYMENTS, Some(namespace)) {
            out.push(WorkloadRef::deployment(key.name.clone()));
        }
        for (key, _) in self.list(&CONTAINERAPPS, Some(namespace)) {
            out.push(WorkloadRef::container_app(key.name.clone()));
        }
        out
    }

    pub(super) fn put(&mut self, key: Key, object: &Value, stored: Stored) {
        if key.resource == &EGRESSPOINTS {
            let ep: EgressPoint = decode(object).egress_point;
            self.egress_indexes.entry(key.namespace.clone()).or_default().insert(&ep);
        }
        self.objects.insert(key, stored);
    }

    pub(super) fn delete(&mut self, key: &Key) {
        if key.resource == &EGRESSPOINTS
            && let Some(index) = self.egress_indexes.get_mut(&key.namespace)
        {
            index.remove(&key.name);
        }
        self.objects.remove(key);
    }
}
