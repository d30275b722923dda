//! The impact engine. A Space's grants are indexed once ([`AccessIndex`]); a change (some
//! EgressPoints removed or replaced, some added) is then judged only where it can matter:
//! for the host+port+protocol combinations its rules touch, and for the workloads those
//! rules apply to (every workload when one of them is Space-wide). So the form's live
//! "If you save:" line costs the size of the edit, not of the Space.

use super::{Grant, Impact, Subject, SubjectImpact};
use crate::egress::{Rule, rules_of};
use crate::host;
use crate::model::{AppliesTo, EgressPoint, Protocol, WorkloadRef};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::{BTreeMap, BTreeSet};

/// The protocols a rule's protocol permits on its host+port.
fn permitted(protocol: Protocol) -> &'static [Protocol] {
    match protocol {
        Protocol::Tcp => &[Protocol::Tcp, Protocol::Http, Protocol::Https, Protocol::Tls],
        Protocol::Http => &[Protocol::Http],
        Protocol::Https => &[Protocol::Https],
        Protocol::Tls => &[Protocol::Tls],
    }
}

/// Everything a rule permits.
pub(super) fn grants(rule: &Rule) -> Vec<Grant> {
    let key = match host::classify(&rule.host) {
        Ok(kind) => host::host_key(&rule.host, kind).into_owned(),
        Err(_) => return Vec::new(),
    };
    permitted(rule.protocol)
        .iter()
        .map(|&protocol| Grant { host: key.clone(), port: rule.port, protocol })
        .collect()
}

fn applies(applies_to: &AppliesTo, subject: &Subject) -> bool {
    match (applies_to, subject) {
        (AppliesTo::Space, _) => true,
        (AppliesTo::Workload(w), Subject::Workload(s)) => w == s,
        (AppliesTo::Workload(_), Subject::OtherWorkloads) => false,
    }
}

/// A rule's grant as the index keys it: host id, port, protocol.
type Key = (u32, u16, Protocol);

/// "For every workload" in [`Source::workload`].
const EVERY: u32 = u32::MAX;

/// Who a grant comes from: a workload id (or [`EVERY`]) and an EgressPoint id.
#[derive(Clone, Copy, Debug)]
struct Source {
    workload: u32,
    egress_point: u32,
}

/// What a Space's EgressPoints grant, by grant: "who else allows this?" without a scan.
/// Hosts, workloads and EgressPoints are numbered, so a Space of 10,000 EgressPoints is a
/// few small allocations per rule.
#[derive(Clone, Debug, Default)]
pub struct AccessIndex {
    hosts: HashMap<String, u32>,
    workloads: Vec<WorkloadRef>,
    workload_ids: HashMap<WorkloadRef, u32>,
    /// EgressPoint ids by name (a set of files may give a name twice).
    egress_points: HashMap<String, Vec<u32>>,
    by_grant: HashMap<Key, Vec<Source>>,
}

impl AccessIndex {
    /// Indexes every rule of `egress_points`.
    pub fn build<'a>(egress_points: impl IntoIterator<Item = &'a EgressPoint>) -> AccessIndex {
        let mut index = AccessIndex::default();
        for (at, ep) in egress_points.into_iter().enumerate() {
            let at = u32::try_from(at).unwrap_or(u32::MAX - 1);
            index.egress_points.entry(ep.name().to_owned()).or_default().push(at);
            let workload = match ep.applies_to() {
                AppliesTo::Space => EVERY,
                AppliesTo::Workload(w) => index.workload_id(w),
            };
            for rule in rules_of(ep) {
                let Ok(kind) = host::classify(&rule.host) else { continue };
                let key = host::host_key(&rule.host, kind);
                let next = u32::try_from(index.hosts.len()).unwrap_or(u32::MAX);
                let host = match index.hosts.get(key.as_ref()) {
                    Some(&id) => id,
                    None => *index.hosts.entry(key.into_owned()).or_insert(next),
                };
                for &protocol in permitted(rule.protocol) {
                    let source = Source { workload, egress_point: at };
                    index.by_grant.entry((host, rule.port, protocol)).or_default().push(source);
                }
            }
        }
        index
    }

    fn workload_id(&mut self, workload: WorkloadRef) -> u32 {
        if let Some(&id) = self.workload_ids.get(&workload) {
            return id;
        }
        let id = u32::try_from(self.workloads.len()).unwrap_or(EVERY - 1);
        self.workloads.push(workload.clone());
        self.workload_ids.insert(workload, id);
        id
    }

    /// Who holds `grant` in the Space, leaving out the EgressPoints `except`.
    fn holders(&self, grant: &Grant, except: &HashSet<u32>) -> Holders<'_> {
        let mut holders = Holders::default();
        let sources = self
            .hosts
            .get(grant.host.as_str())
            .and_then(|&host| self.by_grant.get(&(host, grant.port, grant.protocol)));
        for source in sources.into_iter().flatten() {
            if except.contains(&source.egress_point) {
                continue;
            }
            match source.workload {
                EVERY => holders.everyone = true,
                id => {
                    holders.workloads.insert(&self.workloads[id as usize]);
                }
            }
        }
        holders
    }
}

/// Who may use one grant: every workload, or these.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Holders<'a> {
    everyone: bool,
    workloads: BTreeSet<&'a WorkloadRef>,
}

impl Holders<'_> {
    fn cover(&self, subject: &Subject) -> bool {
        self.everyone || matches!(subject, Subject::Workload(w) if self.workloads.contains(w))
    }
}

/// EgressPoints by name (a set of files may give a name twice).
fn by_name(eps: &[EgressPoint]) -> BTreeMap<&str, Vec<&EgressPoint>> {
    eps.iter().fold(BTreeMap::new(), |mut m, ep| {
        m.entry(ep.name()).or_default().push(ep);
        m
    })
}

/// The impact of replacing the Space's EgressPoints `before` by `after`, for `workloads`
/// (the Space's workloads; those the EgressPoints name are added).
pub fn impact(before: &[EgressPoint], after: &[EgressPoint], workloads: &[WorkloadRef]) -> Impact {
    let (was, now) = (by_name(before), by_name(after));
    let removed: Vec<&EgressPoint> = was
        .iter()
        .filter(|(name, eps)| now.get(*name) != Some(eps))
        .flat_map(|(_, eps)| eps.iter().copied())
        .collect();
    let added: Vec<EgressPoint> = now
        .iter()
        .filter(|(name, eps)| was.get(*name) != Some(eps))
        .flat_map(|(_, eps)| eps.iter().map(|&ep| ep.clone()))
        .collect();
    impact_of_change(&AccessIndex::build(before), &removed, &added, workloads)
}

/// The impact of a change to the Space `index` was built from: `removed` (EgressPoints of
/// it, deleted or about to be replaced; every one of their names is taken out) and `added`
/// (new EgressPoints, or the new versions of removed ones).
pub fn impact_of_change(
    index: &AccessIndex,
    removed: &[&EgressPoint],
    added: &[EgressPoint],
    workloads: &[WorkloadRef],
) -> Impact {
    let old: Vec<Rule> = removed.iter().flat_map(|ep| rules_of(ep)).collect();
    let new: Vec<Rule> = added.iter().flat_map(rules_of).collect();
    let except: HashSet<u32> = removed
        .iter()
        .filter_map(|ep| index.egress_points.get(ep.name()))
        .flatten()
        .copied()
        .collect();
    // Every grant the change touches, and who holds it before and after.
    let mut new_grants: HashMap<Grant, Vec<&AppliesTo>> = HashMap::default();
    for rule in &new {
        for grant in grants(rule) {
            new_grants.entry(grant).or_default().push(&rule.applies_to);
        }
    }
    let touched: BTreeSet<Grant> =
        old.iter().flat_map(grants).chain(new_grants.keys().cloned()).collect();
    let mut changed: Vec<(Grant, Holders<'_>, Holders<'_>)> = Vec::new();
    for grant in touched {
        let before = index.holders(&grant, &HashSet::default());
        let mut after = index.holders(&grant, &except);
        for applies_to in new_grants.get(&grant).into_iter().flatten() {
            match applies_to {
                AppliesTo::Space => after.everyone = true,
                AppliesTo::Workload(w) => {
                    after.workloads.insert(w);
                }
            }
        }
        if before != after {
            changed.push((grant, before, after));
        }
    }
    let mut everyone: BTreeSet<Subject> =
        workloads.iter().chain(&index.workloads).cloned().map(Subject::Workload).collect();
    everyone.extend(new.iter().filter_map(|r| match &r.applies_to {
        AppliesTo::Workload(w) => Some(Subject::Workload(w.clone())),
        AppliesTo::Space => None,
    }));
    everyone.insert(Subject::OtherWorkloads);
    let mut out = Impact { considered: everyone.len(), ..Impact::default() };
    // Only the workloads whose holding changed can change, unless a grant changed for every
    // workload.
    let judged: Vec<Subject> = if changed.iter().any(|(_, b, a)| b.everyone != a.everyone) {
        everyone.into_iter().collect()
    } else {
        let named: BTreeSet<&WorkloadRef> = changed
            .iter()
            .flat_map(|(_, b, a)| b.workloads.symmetric_difference(&a.workloads).copied())
            .collect();
        named.into_iter().cloned().map(Subject::Workload).collect()
    };
    for subject in judged {
        let (mut gains, mut loses) = (Vec::new(), Vec::new());
        for (grant, before, after) in &changed {
            match (before.cover(&subject), after.cover(&subject)) {
                (false, true) => gains.push(grant.clone()),
                (true, false) => loses.push(grant.clone()),
                _ => {}
            }
        }
        if !gains.is_empty() || !loses.is_empty() {
            out.subjects.push(SubjectImpact { subject, gains, loses });
        }
    }
    // Rules the change adds (by EgressPoint) that every subject they apply to already had.
    for rule in &new {
        let existed = old.iter().any(|r| {
            r.egress_point == rule.egress_point
                && r.host == rule.host
                && r.port == rule.port
                && r.protocol == rule.protocol
                && r.applies_to == rule.applies_to
        });
        if existed {
            continue;
        }
        let mine = grants(rule);
        let gained_somewhere = out.subjects.iter().any(|s| {
            applies(&rule.applies_to, &s.subject) && s.gains.iter().any(|g| mine.contains(g))
        });
        if !gained_somewhere {
            out.no_effect.push(rule.clone());
        }
    }
    out
}
