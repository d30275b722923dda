//! What a change to a Space's EgressPoints does to each workload's access: for every
//! workload (and "any other workload", which gets only the rules for every workload), the
//! host+port+protocol combinations it gains and loses. The reference page's semantics: a
//! rule applies to its workload, or to every workload without `sourceRef`; TCP on a
//! host+port also permits HTTP, HTTPS and TLS there. A rule that another EgressPoint already
//! allows for the same workloads changes nothing, and is reported as having no effect.
//! [`kept_after_delete`] answers the delete dialog's rule-by-rule question: which other
//! EgressPoint keeps each rule's traffic flowing.

use crate::egress::{Rule, reachability, rules_of};
use crate::host;
use crate::model::{AppliesTo, EgressPoint, Protocol, WorkloadRef};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Who is affected.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "workload")]
pub enum Subject {
    /// One workload.
    Workload(WorkloadRef),
    /// Every workload no EgressPoint names: it gets only the rules for every workload.
    OtherWorkloads,
}

impl Subject {
    /// How the UI says it: "checkout (Deployment)", "any other workload".
    pub fn label(&self) -> String {
        match self {
            Subject::Workload(w) => w.label(),
            Subject::OtherWorkloads => "any other workload".to_owned(),
        }
    }
}

/// One host, port and protocol a workload may use.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The host, as its key (lowercase DNS name without the trailing dot, or the IP).
    pub host: String,
    /// The port.
    pub port: u16,
    /// The protocol.
    pub protocol: Protocol,
}

impl std::fmt::Display for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} {}", self.host, self.port, self.protocol)
    }
}

/// What one subject gains and loses.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectImpact {
    /// Who.
    pub subject: Subject,
    /// Newly allowed.
    pub gains: Vec<Grant>,
    /// No longer allowed.
    pub loses: Vec<Grant>,
}

/// The impact of a change.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Impact {
    /// Every subject whose access changes, in order.
    pub subjects: Vec<SubjectImpact>,
    /// Rules added by the change that allow nothing new: another EgressPoint already
    /// allows that traffic for the same workloads.
    pub no_effect: Vec<Rule>,
    /// How many subjects were compared (every workload known, plus "any other workload").
    #[serde(default)]
    pub considered: usize,
}

impl Impact {
    /// True when nobody's access changes.
    pub fn is_empty(&self) -> bool {
        self.subjects.is_empty()
    }

    /// In words, one line per distinct change: subjects with the same change share a line
    /// ("every workload gains api.stripe.com:443 HTTP/TCP/TLS; loses nothing"), and a
    /// host+port's protocols are written together.
    pub fn lines(&self) -> Vec<String> {
        let mut groups: Vec<(&[Grant], &[Grant], Vec<&Subject>)> = Vec::new();
        for s in &self.subjects {
            match groups
                .iter_mut()
                .find(|(g, l, _)| *g == s.gains.as_slice() && *l == s.loses.as_slice())
            {
                Some((_, _, subjects)) => subjects.push(&s.subject),
                None => groups.push((&s.gains, &s.loses, vec![&s.subject])),
            }
        }
        groups
            .into_iter()
            .map(|(gains, loses, subjects)| {
                // Everyone the Space has, "any other workload" included: say so.
                let everyone = subjects.len() == self.considered
                    && subjects.contains(&&Subject::OtherWorkloads);
                let (who, plural) = if everyone {
                    ("every workload".to_owned(), false)
                } else {
                    let labels: Vec<String> = subjects.iter().map(|s| s.label()).collect();
                    (labels.join(", "), labels.len() > 1)
                };
                let (gain, lose) = if plural { ("gain", "lose") } else { ("gains", "loses") };
                format!("{who} {gain} {}; {lose} {}", said(gains), said(loses))
            })
            .collect()
    }
}

/// Grants in words, a host+port's protocols together: "api.stripe.com:443 HTTP/TCP/TLS".
fn said(grants: &[Grant]) -> String {
    if grants.is_empty() {
        return "nothing".to_owned();
    }
    let mut by_target: Vec<((&str, u16), Vec<&str>)> = Vec::new();
    for g in grants {
        let key = (g.host.as_str(), g.port);
        match by_target.iter_mut().find(|(k, _)| *k == key) {
            Some((_, protocols)) => protocols.push(g.protocol.as_str()),
            None => by_target.push((key, vec![g.protocol.as_str()])),
        }
    }
    by_target
        .into_iter()
        .map(|((host, port), protocols)| format!("{host}:{port} {}", protocols.join("/")))
        .collect::<Vec<_>>()
        .join(", ")
}

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
fn grants(rule: &Rule) -> Vec<Grant> {
    let key = match host::classify(&rule.host) {
        Ok(kind) => host::host_key(&rule.host, kind).into_owned(),
        Err(_) => return Vec::new(),
    };
    permitted(rule.protocol)
        .iter()
        .map(|&protocol| Grant { host: key.clone(), port: rule.port, protocol })
        .collect()
}

fn applies(rule: &Rule, subject: &Subject) -> bool {
    match (&rule.applies_to, subject) {
        (AppliesTo::Space, _) => true,
        (AppliesTo::Workload(w), Subject::Workload(s)) => w == s,
        (AppliesTo::Workload(_), Subject::OtherWorkloads) => false,
    }
}

fn access(rules: &[Rule], subject: &Subject) -> BTreeSet<Grant> {
    rules.iter().filter(|r| applies(r, subject)).flat_map(grants).collect()
}

/// The impact of replacing the Space's EgressPoints `before` by `after`, for `workloads`
/// (the Space's workloads; those the EgressPoints name are added).
pub fn impact(before: &[EgressPoint], after: &[EgressPoint], workloads: &[WorkloadRef]) -> Impact {
    let rules = |eps: &[EgressPoint]| eps.iter().flat_map(rules_of).collect::<Vec<Rule>>();
    let (old, new) = (rules(before), rules(after));
    let mut subjects: BTreeSet<Subject> =
        workloads.iter().cloned().map(Subject::Workload).collect();
    for rule in old.iter().chain(&new) {
        if let AppliesTo::Workload(w) = &rule.applies_to {
            subjects.insert(Subject::Workload(w.clone()));
        }
    }
    subjects.insert(Subject::OtherWorkloads);
    let mut out = Impact { considered: subjects.len(), ..Impact::default() };
    for subject in subjects {
        let (was, now) = (access(&old, &subject), access(&new, &subject));
        let gains: Vec<Grant> = now.difference(&was).cloned().collect();
        let loses: Vec<Grant> = was.difference(&now).cloned().collect();
        if !gains.is_empty() || !loses.is_empty() {
            out.subjects.push(SubjectImpact { subject, gains, loses });
        }
    }
    // Rules the change adds (by EgressPoint) that every subject they apply to already had.
    let old_by_ep: BTreeMap<&str, Vec<&Rule>> = old.iter().fold(BTreeMap::new(), |mut m, r| {
        m.entry(r.egress_point.as_str()).or_default().push(r);
        m
    });
    let everyone: Vec<Subject> = out.subjects.iter().map(|s| s.subject.clone()).collect();
    for rule in &new {
        let existed = old_by_ep.get(rule.egress_point.as_str()).is_some_and(|rs| {
            rs.iter().any(|r| {
                r.host == rule.host
                    && r.port == rule.port
                    && r.protocol == rule.protocol
                    && r.applies_to == rule.applies_to
            })
        });
        let gained_somewhere = everyone.iter().filter(|s| applies(rule, s)).any(|s| {
            let mine = grants(rule);
            out.subjects
                .iter()
                .any(|si| &si.subject == s && si.gains.iter().any(|g| mine.contains(g)))
        });
        if !existed && !gained_somewhere {
            out.no_effect.push(rule.clone());
        }
    }
    out
}

/// One rule of the EgressPoint being deleted.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    /// The rule.
    pub rule: Rule,
    /// Another EgressPoint that keeps allowing it, if any.
    pub still_allowed_by: Option<String>,
}

/// The rules of `ep` and, for each, whether `others` still allow that traffic for the same
/// workloads.
pub fn kept_after_delete<'a>(
    ep: &EgressPoint,
    others: impl IntoIterator<Item = &'a EgressPoint> + Clone,
) -> Vec<Kept> {
    let others: Vec<&EgressPoint> = others.into_iter().filter(|o| o.name() != ep.name()).collect();
    let who = match ep.applies_to() {
        AppliesTo::Workload(w) => w,
        // A workload no EgressPoint names sees exactly the Space-wide rules: those are what
        // keep a Space-wide rule's traffic flowing for every workload.
        AppliesTo::Space => {
            WorkloadRef { api_group: String::new(), kind: String::new(), name: String::new() }
        }
    };
    rules_of(ep)
        .into_iter()
        .map(|rule| {
            let protocol: Protocol = rule.protocol;
            let still_allowed_by =
                reachability(others.iter().copied(), &who, &rule.host, rule.port, protocol)
                    .ok()
                    .and_then(|r| r.allowed_by.first().map(|by| by.egress_point.clone()));
            Kept { rule, still_allowed_by }
        })
        .collect()
}

#[cfg(test)]
mod delete_tests {
    use super::*;

    #[test]
    fn a_rule_covered_by_a_space_wide_tcp_rule_keeps_flowing() {
        let gone = EgressPoint::new("payments")
            .with_source_ref("Deployment", "apps", "checkout")
            .with_target(&["api.stripe.com", "api.paypal.com"], 443, "HTTPS");
        let shared = EgressPoint::new("shared").with_target(&["api.stripe.com"], 443, "TCP");
        let impacts = kept_after_delete(&gone, [&gone, &shared]);
        assert_eq!(impacts.len(), 2);
        assert_eq!(impacts[0].still_allowed_by.as_deref(), Some("shared"));
        assert_eq!(impacts[1].still_allowed_by, None);
    }

    #[test]
    fn a_space_wide_rule_is_not_kept_by_a_workload_rule() {
        let gone = EgressPoint::new("apis").with_target(&["api.github.com"], 443, "HTTPS");
        let narrow = EgressPoint::new("narrow")
            .with_source_ref("Deployment", "apps", "web")
            .with_target(&["api.github.com"], 443, "HTTPS");
        let impacts = kept_after_delete(&gone, [&narrow]);
        assert_eq!(impacts[0].still_allowed_by, None);
    }
}
