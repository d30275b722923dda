//! The Space index: host → the ports, protocols and EgressPoints that already use it, so a
//! Space-wide check costs O(targets × hosts) lookups instead of a scan of the Space.

use crate::model::{AppliesTo, EgressPoint, Protocol};
use crate::validate::entries;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// One host+port+protocol of an indexed EgressPoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedRule {
    /// The port.
    pub port: u16,
    /// The protocol.
    pub protocol: Protocol,
    egress_point: Arc<str>,
    identity: Arc<str>,
    applies_to: Arc<AppliesTo>,
}

impl IndexedRule {
    /// Name of the EgressPoint the rule comes from.
    pub fn egress_point(&self) -> &str {
        &self.egress_point
    }

    /// How the index knows that EgressPoint: its name, or what `insert_as` was given.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Whom that EgressPoint applies to.
    pub fn applies_to(&self) -> &AppliesTo {
        &self.applies_to
    }
}

/// Every valid rule of a Space's EgressPoints, by host key (lowercase name or canonical IP).
#[derive(Clone, Debug, Default)]
pub struct SpaceIndex {
    // Host keys are shared between the two maps, and a host's rule list starts with room for
    // one rule (most hosts have one): a watch cache holds an index per Space.
    by_host: HashMap<Arc<str>, Vec<IndexedRule>>,
    hosts_of: HashMap<Arc<str>, Vec<Arc<str>>>,
    rules: usize,
}

impl SpaceIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// The index of these EgressPoints.
    pub fn build<'a>(egress_points: impl IntoIterator<Item = &'a EgressPoint>) -> Self {
        let mut index = Self::new();
        for ep in egress_points {
            index.insert(ep);
        }
        index
    }

    /// Adds (or replaces) an EgressPoint's rules, known by its name. Invalid targets are
    /// left out.
    pub fn insert(&mut self, ep: &EgressPoint) {
        self.insert_as(ep.name(), ep);
    }

    /// Adds (or replaces) an EgressPoint's rules, known as `identity`: documents without a
    /// name (`generateName`) need one each, or they would replace one another.
    pub fn insert_as(&mut self, identity: &str, ep: &EgressPoint) {
        self.remove(identity);
        let identity: Arc<str> = Arc::from(identity);
        let name: Arc<str> = match (ep.name(), ep.metadata.generate_name.as_deref()) {
            ("", Some(prefix)) if !prefix.is_empty() => Arc::from(format!("{prefix}…")),
            (name, _) => Arc::from(name),
        };
        let applies_to = Arc::new(ep.applies_to());
        let mut keys = Vec::new();
        for entry in entries(ep) {
            let rule = IndexedRule {
                port: entry.port,
                protocol: entry.protocol,
                egress_point: name.clone(),
                identity: identity.clone(),
                applies_to: applies_to.clone(),
            };
            let key: Arc<str> = match self.by_host.get_key_value(entry.key.as_ref()) {
                Some((key, _)) => key.clone(),
                None => Arc::from(entry.key.as_ref()),
            };
            match self.by_host.get_mut(&key) {
                Some(rules) => rules.push(rule),
                None => {
                    self.by_host.insert(key.clone(), vec![rule]);
                }
            }
            keys.push(key);
            self.rules += 1;
        }
        keys.shrink_to_fit();
        self.hosts_of.insert(identity, keys);
    }

    /// Removes the rules of the EgressPoint known as `identity` (its name, unless it was
    /// inserted with [`SpaceIndex::insert_as`]).
    pub fn remove(&mut self, identity: &str) {
        let Some(keys) = self.hosts_of.remove(identity) else { return };
        for key in keys {
            if let Some(rules) = self.by_host.get_mut(&key) {
                let before = rules.len();
                rules.retain(|r| r.identity() != identity);
                self.rules -= before - rules.len();
                if rules.is_empty() {
                    self.by_host.remove(&key);
                }
            }
        }
    }

    /// Every rule for the host with this key, on any port.
    pub fn rules_for_host(&self, key: &str) -> &[IndexedRule] {
        self.by_host.get(key).map_or(&[], Vec::as_slice)
    }

    /// The rules for this host key and port.
    pub fn lookup<'s>(&'s self, key: &str, port: u16) -> impl Iterator<Item = &'s IndexedRule> {
        self.rules_for_host(key).iter().filter(move |r| r.port == port)
    }

    /// How many host+port+protocol rules are indexed.
    pub fn len(&self) -> usize {
        self.rules
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.rules == 0
    }
}
