//! Checking expectations against a Space's EgressPoints, with the EgressPoint responsible
//! for every failure (or the words "no EgressPoint allows it", and what comes close).

use super::{Expectation, HostPattern, Traffic, Who};
use crate::egress::{Rule, rules_of};
use crate::host;
use crate::model::{AppliesTo, EgressPoint, Protocol};
use serde::Serialize;

/// The result of one expectation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The statement.
    pub expectation: Expectation,
    /// True when it holds.
    pub passed: bool,
    /// The rules that allow the traffic: for a failed `notReach`, the ones responsible; for a
    /// passed `reach`, the ones it relies on.
    pub allowed_by: Vec<Rule>,
    /// Why, in words: "allowed by payments (api.paypal.com:443 HTTPS, checkout (Deployment))"
    /// or "no EgressPoint allows it; stripe allows api.stripe.com:443 on TLS only".
    pub because: String,
}

impl Outcome {
    /// `PASS`/`FAIL` and the statement, then why.
    pub fn line(&self) -> String {
        let verdict = if self.passed { "pass" } else { "FAIL" };
        let mut line = format!("{verdict}: {}: {}", self.expectation, self.because);
        if let (false, Some(why)) = (self.passed, &self.expectation.why) {
            line.push_str(&format!(" (expected because: {why})"));
        }
        line
    }
}

/// The key of a rule's host, None for a host the rules refuse (it allows nothing).
fn key_of(rule: &Rule) -> Option<String> {
    host::classify(&rule.host).ok().map(|kind| host::host_key(&rule.host, kind).into_owned())
}

fn host_matches(pattern: &HostPattern, key: &str) -> bool {
    match pattern {
        HostPattern::Any => true,
        HostPattern::Exact(want) => want == key,
        HostPattern::Under(domain) => {
            key.len() > domain.len() + 1
                && key.ends_with(domain.as_str())
                && key.as_bytes()[key.len() - domain.len() - 1] == b'.'
        }
    }
}

fn protocol_matches(rule: Protocol, wanted: Option<Protocol>) -> bool {
    match wanted {
        Some(p) => rule.permits(p),
        None => true,
    }
}

/// Whether `rule` lets the expectation's workload(s) through. `reach` for every workload
/// needs a rule for every workload; `notReach` for every workload is broken by any rule.
fn applies(rule: &Rule, who: &Who, reach: bool) -> bool {
    match (who, reach) {
        (Who::Any, true) => rule.applies_to == AppliesTo::Space,
        (Who::Any, false) => true,
        (Who::Workload(w), _) => rule.applies_to.includes(w),
    }
}

fn allows(rule: &Rule, key: &str, traffic: &Traffic) -> bool {
    host_matches(&traffic.host, key)
        && traffic.port.is_none_or(|p| p == rule.port)
        && protocol_matches(rule.protocol, traffic.protocol)
}

fn described(rule: &Rule) -> String {
    format!(
        "{} ({}:{} {}, {})",
        rule.egress_point,
        rule.host,
        rule.port,
        rule.protocol,
        whom(&rule.applies_to)
    )
}

/// Whom a rule is for, mid-sentence: "every workload" or "checkout (Deployment)".
fn whom(applies_to: &AppliesTo) -> String {
    match applies_to {
        AppliesTo::Space => "every workload".to_owned(),
        AppliesTo::Workload(w) => w.label(),
    }
}

/// Checks every expectation against `egress_points` (one Space's).
pub fn check(expectations: &[Expectation], egress_points: &[EgressPoint]) -> Vec<Outcome> {
    let rules: Vec<(Rule, Option<String>)> = egress_points
        .iter()
        .flat_map(rules_of)
        .map(|r| {
            let key = key_of(&r);
            (r, key)
        })
        .collect();
    expectations.iter().map(|e| one(e, &rules)).collect()
}

fn one(expectation: &Expectation, rules: &[(Rule, Option<String>)]) -> Outcome {
    let traffic = &expectation.traffic;
    let allowed_by: Vec<Rule> = rules
        .iter()
        .filter(|(rule, key)| {
            key.as_deref().is_some_and(|k| allows(rule, k, traffic))
                && applies(rule, &expectation.who, expectation.reach)
        })
        .map(|(rule, _)| rule.clone())
        .collect();
    let allowed = !allowed_by.is_empty();
    let passed = allowed == expectation.reach;
    let because = if allowed {
        let names: Vec<String> = allowed_by.iter().map(described).collect();
        format!("allowed by {}", names.join("; "))
    } else {
        let mut text = "no EgressPoint allows it".to_owned();
        if expectation.reach {
            let near = near_misses(expectation, rules);
            if !near.is_empty() {
                text.push_str("; ");
                text.push_str(&near.join("; "));
            }
        }
        text
    };
    Outcome { expectation: expectation.clone(), passed, allowed_by, because }
}

/// What comes close to a `reach` that fails: the host+port on another protocol, the host on
/// another port, or the traffic allowed only for other workloads.
fn near_misses(expectation: &Expectation, rules: &[(Rule, Option<String>)]) -> Vec<String> {
    let traffic = &expectation.traffic;
    let mut out = Vec::new();
    for (rule, key) in rules {
        let Some(key) = key.as_deref() else { continue };
        if !host_matches(&traffic.host, key) || out.len() >= 3 {
            continue;
        }
        let for_them = applies(rule, &expectation.who, true);
        let same_port = traffic.port.is_none_or(|p| p == rule.port);
        let note = if for_them && same_port {
            let wanted = traffic.protocol.map_or("", |p| p.as_str());
            format!(
                "{} allows {}:{} on {} only, which does not permit {wanted}",
                rule.egress_point, rule.host, rule.port, rule.protocol
            )
        } else if for_them {
            format!("{} allows {} on port {} instead", rule.egress_point, rule.host, rule.port)
        } else if allows(rule, key, traffic) {
            format!("{} allows it, but only for {}", rule.egress_point, whom(&rule.applies_to))
        } else {
            continue;
        };
        if !out.contains(&note) {
            out.push(note);
        }
    }
    out
}

/// What a change does to expectations that hold or not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Held before the change, fail after it.
    pub broken: Vec<Outcome>,
    /// Failed before the change, hold after it.
    pub fixed: Vec<Outcome>,
}

/// The expectations a change from `before` to `after` (a Space's EgressPoints) breaks and
/// fixes: what the form warns about before a save.
pub fn compare(
    expectations: &[Expectation],
    before: &[EgressPoint],
    after: &[EgressPoint],
) -> Change {
    let (was, now) = (check(expectations, before), check(expectations, after));
    let mut change = Change::default();
    for (was, now) in was.into_iter().zip(now) {
        match (was.passed, now.passed) {
            (true, false) => change.broken.push(now),
            (false, true) => change.fixed.push(now),
            _ => {}
        }
    }
    change
}
