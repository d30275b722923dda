//! What one Space's watch cache holds: its EgressPoints (as the console sends them, and as
//! the rules read them), the Space index kept up to date on every change, the names of its
//! workloads, and the answers derived from them (the `/rules` rows, the list), made once per
//! change instead of once per request.

use bytes::Bytes;
use egress_api::events::ChangeKind;
use egress_rules::{EgressPoint, EgressPointSpec, SpaceIndex, WorkloadRef};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// One EgressPoint in the cache.
#[derive(Clone)]
pub struct Cached {
    /// As the console answers with it (JSON, without `managedFields`).
    pub json: Arc<RawValue>,
    /// Its name.
    pub name: Arc<str>,
    /// Its spec, as the rules read it: all they need of a cached EgressPoint besides the
    /// name (the JSON keeps the rest; a whole decoded EgressPoint is twice the memory).
    pub spec: Arc<EgressPointSpec>,
    /// Its resourceVersion.
    pub version: String,
}

impl Cached {
    /// Reads an object as the watch delivered it.
    pub fn of(mut value: serde_json::Value) -> Cached {
        egress_rules::hide_managed_fields(&mut value);
        let decoded = egress_rules::decode(&value).egress_point;
        let name = Arc::from(decoded.name());
        let spec = Arc::new(decoded.spec);
        let version = egress_rules::resource_version(&value).unwrap_or("").to_owned();
        let text = serde_json::to_string(&value).unwrap_or_else(|_| "null".into());
        let json = Arc::from(RawValue::from_string(text).unwrap_or_else(|_| null()));
        Cached { json, name, spec, version }
    }

    fn name(&self) -> &str {
        &self.name
    }

    /// The EgressPoint as the rules read it (name and spec).
    pub fn egress_point(&self) -> EgressPoint {
        egress_point(&self.name, &self.spec)
    }
}

/// An EgressPoint of this name and spec, as the rules read a cached one.
fn egress_point(name: &str, spec: &EgressPointSpec) -> EgressPoint {
    let mut egress_point = EgressPoint::new(name);
    egress_point.spec = spec.clone();
    egress_point
}

fn null() -> Box<RawValue> {
    RawValue::from_string("null".into()).expect("null is JSON")
}

/// One change, as sent to browsers.
#[derive(Clone)]
pub struct Change {
    /// Added, modified or deleted.
    pub kind: ChangeKind,
    /// The object (its last state for DELETED).
    pub object: Cached,
}

/// Where a kind of workload stands in the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listing {
    /// Not listed yet.
    Waiting,
    /// Listed: these names.
    Listed(BTreeSet<String>),
    /// The caller may not list them (403).
    Forbidden,
    /// The kind does not exist in this cluster (404: no ContainerApp CRD): none.
    Absent,
    /// Listing failed otherwise; the direct path reports why.
    Failed,
}

impl Listing {
    fn names(&self) -> impl Iterator<Item = &String> {
        match self {
            Listing::Listed(names) => Some(names.iter()),
            _ => None,
        }
        .into_iter()
        .flatten()
    }
}

/// The Space's workloads as the cache knows them.
pub enum Workloads {
    /// Every Deployment and ContainerApp.
    Listed(Vec<WorkloadRef>),
    /// The caller may not read them: whether a `sourceRef` names one is not judged.
    Unreadable,
}

/// The cached state of one Space for one caller.
pub struct SpaceState {
    /// By name, so answers come in the order Kubernetes lists them.
    pub(super) egress: BTreeMap<String, Cached>,
    pub(super) index: SpaceIndex,
    /// Whether the EgressPoints have been listed; `Some(status)` once listing failed.
    pub(super) egress_synced: bool,
    pub(super) egress_failed: Option<u16>,
    pub(super) deployments: Listing,
    pub(super) container_apps: Listing,
    /// The newest resourceVersion seen (the list's, as far as its objects tell).
    pub(super) newest: String,
    /// JSON bytes held, for the memory bound.
    pub(super) bytes: usize,
    /// Bumped on every change: a derived answer made from an older state is not stored.
    pub(super) generation: u64,
    /// `/rules`, gzip-compressed, made on the first request after a change (compressed,
    /// because 100 Spaces' rules would otherwise hold ~35 MB; 10× less this way).
    pub(super) rules_gzip: Option<Bytes>,
}

impl Default for SpaceState {
    fn default() -> Self {
        SpaceState {
            egress: BTreeMap::new(),
            index: SpaceIndex::new(),
            egress_synced: false,
            egress_failed: None,
            deployments: Listing::Waiting,
            container_apps: Listing::Waiting,
            newest: String::new(),
            bytes: 0,
            generation: 0,
            rules_gzip: None,
        }
    }
}

impl SpaceState {
    /// True when every answer can come from the cache.
    pub fn ready(&self) -> bool {
        let settled = |l: &Listing| !matches!(l, Listing::Waiting | Listing::Failed);
        self.egress_synced && settled(&self.deployments) && settled(&self.container_apps)
    }

    /// True when the EgressPoints cannot be listed or watched (refused): the cache does
    /// not answer until a new one lists them.
    pub fn egress_failed(&self) -> bool {
        self.egress_failed.is_some()
    }

    /// True when the EgressPoints are listed.
    pub fn egress_synced(&self) -> bool {
        self.egress_synced
    }

    /// True when waiting longer will not make it ready (listing failed).
    pub fn failed(&self) -> bool {
        self.egress_failed.is_some()
            || self.deployments == Listing::Failed
            || self.container_apps == Listing::Failed
    }

    /// The EgressPoints, as the rules read them (name and spec), in name order.
    pub fn egress_points(&self) -> Vec<EgressPoint> {
        self.egress.values().map(Cached::egress_point).collect()
    }

    /// The index of the EgressPoints (kept current on every change).
    pub fn index(&self) -> &SpaceIndex {
        &self.index
    }

    /// The EgressPoint named `name`, if cached.
    pub fn get(&self, name: &str) -> Option<&Cached> {
        self.egress.get(name)
    }

    /// The newest resourceVersion seen.
    pub fn resource_version(&self) -> &str {
        &self.newest
    }

    /// The workloads, Deployments first, each kind in name order.
    pub fn workloads(&self) -> Workloads {
        let unreadable = |l: &Listing| *l == Listing::Forbidden;
        if unreadable(&self.deployments) || unreadable(&self.container_apps) {
            return Workloads::Unreadable;
        }
        let deployments = self.deployments.names().map(WorkloadRef::deployment);
        let apps = self.container_apps.names().map(WorkloadRef::container_app);
        Workloads::Listed(deployments.chain(apps).collect())
    }

    /// `/rules` (gzip) as made since the last change, if it was.
    pub fn cached_rules_gzip(&self) -> Option<Bytes> {
        self.rules_gzip.clone()
    }

    /// What `/rules` is made of, taken under the lock (cheap: shared names and specs), so
    /// that making it ([`RulesInputs::make`]) holds no lock.
    pub fn rules_inputs(&self) -> RulesInputs {
        RulesInputs {
            generation: self.generation,
            resource_version: self.newest.clone(),
            items: self.egress.values().map(|c| (c.name.clone(), c.spec.clone())).collect(),
        }
    }

    /// Keeps a `/rules` answer made from generation `generation`, unless the state changed
    /// since.
    pub fn store_rules_gzip(&mut self, generation: u64, gzip: Bytes) {
        if generation == self.generation {
            self.rules_gzip = Some(gzip);
        }
    }

    /// The flattened rules as the REST API answers them, gzip-compressed, made once per
    /// change.
    pub fn rules_gzip(&mut self) -> Bytes {
        if let Some(gzip) = &self.rules_gzip {
            return gzip.clone();
        }
        let inputs = self.rules_inputs();
        let generation = inputs.generation;
        let gzip = inputs.make();
        self.store_rules_gzip(generation, gzip.clone());
        gzip
    }

    /// The REST list (`{resourceVersion, items}`): the cached objects' JSON, joined.
    pub fn list_json(&self) -> Bytes {
        let mut body = Vec::with_capacity(self.bytes + 64);
        body.extend_from_slice(b"{\"resourceVersion\":");
        body.extend(serde_json::to_vec(&self.newest).unwrap_or_default());
        body.extend_from_slice(b",\"items\":");
        push_array(&mut body, self.egress.values());
        body.push(b'}');
        Bytes::from(body)
    }

    /// The SSE snapshot (`{items}`, and `space` when it is given).
    pub fn snapshot_json(&self, space: Option<&str>) -> String {
        let mut body = Vec::with_capacity(self.bytes + 64);
        body.push(b'{');
        if let Some(space) = space {
            body.extend_from_slice(b"\"space\":");
            body.extend(serde_json::to_vec(space).unwrap_or_default());
            body.push(b',');
        }
        body.extend_from_slice(b"\"items\":");
        push_array(&mut body, self.egress.values());
        body.push(b'}');
        String::from_utf8(body).unwrap_or_default()
    }

    /// Bytes of JSON held (what the memory bound counts).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn changed(&mut self, version: &str) {
        self.generation += 1;
        self.rules_gzip = None;
        if newer(version, &self.newest) {
            self.newest = version.to_owned();
        }
    }

    /// Stores an added or modified EgressPoint; the kind of change it was.
    pub(super) fn put(&mut self, object: Cached) -> ChangeKind {
        self.changed(&object.version.clone());
        self.index.insert(&object.egress_point());
        self.bytes += object.json.get().len();
        match self.egress.insert(object.name().to_owned(), object) {
            Some(old) => {
                self.bytes -= old.json.get().len();
                ChangeKind::Modified
            }
            None => ChangeKind::Added,
        }
    }

    /// Forgets a deleted EgressPoint.
    pub(super) fn remove(&mut self, object: &Cached) {
        self.changed(&object.version);
        self.index.remove(object.name());
        if let Some(old) = self.egress.remove(object.name()) {
            self.bytes -= old.json.get().len();
        }
    }

    /// Replaces everything after a (re)list; the changes that makes, so that a gap in the
    /// watch loses nothing for those who follow it.
    pub(super) fn relisted(&mut self, fresh: BTreeMap<String, Cached>) -> Vec<Change> {
        let mut changes = Vec::new();
        for (name, old) in &self.egress {
            if !fresh.contains_key(name) {
                changes.push(Change { kind: ChangeKind::Deleted, object: old.clone() });
            }
        }
        for (name, new) in &fresh {
            match self.egress.get(name) {
                None => changes.push(Change { kind: ChangeKind::Added, object: new.clone() }),
                Some(old) if old.version != new.version => {
                    changes.push(Change { kind: ChangeKind::Modified, object: new.clone() })
                }
                Some(_) => {}
            }
        }
        self.index =
            SpaceIndex::build(&fresh.values().map(Cached::egress_point).collect::<Vec<_>>());
        self.bytes = fresh.values().map(|c| c.json.get().len()).sum();
        for cached in fresh.values() {
            self.changed(&cached.version.clone());
        }
        self.changed("");
        self.egress = fresh;
        self.egress_synced = true;
        self.egress_failed = None;
        changes
    }
}

/// The EgressPoints `/rules` is made from, with the state's generation then.
pub struct RulesInputs {
    generation: u64,
    resource_version: String,
    items: Vec<(Arc<str>, Arc<EgressPointSpec>)>,
}

impl RulesInputs {
    /// The generation these were taken at.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// `/rules` as JSON, gzip-compressed (CPU work: call it off the async workers).
    pub fn make(self) -> Bytes {
        let egress_points: Vec<EgressPoint> =
            self.items.iter().map(|(name, spec)| egress_point(name, spec)).collect();
        let list = egress_api::RulesList {
            resource_version: self.resource_version,
            rules: egress_rules::flatten(&egress_points),
        };
        Bytes::from(gzip(&serde_json::to_vec(&list).unwrap_or_default()))
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// The bytes gzip-compressed by this cache, uncompressed (for clients that do not accept
/// gzip).
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::with_capacity(bytes.len() * 8);
    let _ = flate2::read::GzDecoder::new(bytes).read_to_end(&mut out);
    out
}

fn push_array<'a>(body: &mut Vec<u8>, items: impl Iterator<Item = &'a Cached>) {
    body.push(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(item.json.get().as_bytes());
    }
    body.push(b']');
}

/// Whether resourceVersion `a` is newer than `b`. Versions are opaque strings to clients,
/// but kube-apiserver's (etcd's) and the embedded API's are increasing integers, which is
/// what client-go's watch cache compares too; anything else counts as newer when different.
pub fn newer(a: &str, b: &str) -> bool {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(a), Ok(b)) => a > b,
        _ => !a.is_empty() && a != b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn egress(name: &str, host: &str, version: &str) -> Cached {
        Cached::of(json!({
            "apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint",
            "metadata": {"name": name, "resourceVersion": version,
                "managedFields": [{"manager": "kubectl"}]},
            "spec": {"targets": [{"hosts": [host], "port": {"number": 443, "protocol": "HTTPS"}}]}
        }))
    }

    #[test]
    fn the_index_and_the_rules_follow_every_change() {
        let mut state = SpaceState::default();
        state.relisted(BTreeMap::from([("a".into(), egress("a", "a.example.com", "5"))]));
        assert_eq!(state.index().len(), 1);
        let before = gunzip(&state.rules_gzip());
        assert!(String::from_utf8_lossy(&before).contains("a.example.com"));
        assert_eq!(state.put(egress("a", "b.example.com", "7")), ChangeKind::Modified);
        let after = String::from_utf8(gunzip(&state.rules_gzip())).unwrap();
        assert!(after.contains("b.example.com") && !after.contains("a.example.com"), "{after}");
        assert_eq!(state.index().lookup("b.example.com", 443).count(), 1);
        assert_eq!(state.index().lookup("a.example.com", 443).count(), 0);
        assert_eq!(state.resource_version(), "7");
        state.remove(&egress("a", "b.example.com", "9"));
        assert!(state.index().is_empty());
        assert_eq!(state.bytes(), 0);
        assert_eq!(state.resource_version(), "9");
    }

    #[test]
    fn answers_never_carry_managed_fields() {
        let mut state = SpaceState::default();
        state.put(egress("a", "a.example.com", "5"));
        let list = String::from_utf8(state.list_json().to_vec()).unwrap();
        assert!(!list.contains("managedFields"), "{list}");
        let list: serde_json::Value = serde_json::from_str(&list).unwrap();
        assert_eq!(list["resourceVersion"], "5");
        assert_eq!(list["items"][0]["metadata"]["name"], "a");
    }

    #[test]
    fn a_relist_announces_what_changed_during_the_gap() {
        let mut state = SpaceState::default();
        state.put(egress("kept", "k.example.com", "1"));
        state.put(egress("gone", "g.example.com", "2"));
        state.put(egress("edited", "e.example.com", "3"));
        let fresh = BTreeMap::from([
            ("kept".to_owned(), egress("kept", "k.example.com", "1")),
            ("edited".to_owned(), egress("edited", "e.example.com", "8")),
            ("new".to_owned(), egress("new", "n.example.com", "9")),
        ]);
        let mut changes: Vec<(ChangeKind, String)> = state
            .relisted(fresh)
            .into_iter()
            .map(|c| (c.kind, c.object.name().to_owned()))
            .collect();
        changes.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            changes,
            vec![
                (ChangeKind::Modified, "edited".to_owned()),
                (ChangeKind::Deleted, "gone".to_owned()),
                (ChangeKind::Added, "new".to_owned()),
            ]
        );
        assert_eq!(state.index().len(), 3);
    }

    #[test]
    fn versions_compare_as_numbers_when_they_are() {
        assert!(newer("10", "9"));
        assert!(!newer("9", "10"));
        assert!(newer("abc", ""));
        assert!(!newer("", "5"));
    }
}
