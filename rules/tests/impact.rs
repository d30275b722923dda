//! The impact engine: what a change does to each workload's access.

use egress_rules::impact::{AccessIndex, Grant, Subject, impact, impact_of_change};
use egress_rules::{AppliesTo, EgressPoint, Protocol, Rule, WorkloadRef, flatten, host};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn space() -> impl Strategy<Value = Vec<EgressPoint>> {
    let host = prop_oneof![Just("a.example.com"), Just("b.example.com"), Just("11.22.33.44")];
    let protocol = prop_oneof![Just("HTTP"), Just("HTTPS"), Just("TCP"), Just("TLS")];
    let port = prop_oneof![Just(443u16), Just(80u16), Just(5432u16)];
    let who = prop::option::of(prop_oneof![Just("checkout"), Just("search")]);
    let ep = (prop::collection::vec((host, port, protocol), 1..4), who);
    prop::collection::vec(ep, 0..5).prop_map(|eps| {
        eps.into_iter()
            .enumerate()
            .map(|(i, (targets, who))| {
                let mut ep = EgressPoint::new(format!("ep-{i}"));
                if let Some(w) = who {
                    ep = ep.with_source_ref("Deployment", "apps", w);
                }
                for (host, port, protocol) in targets {
                    ep = ep.with_target(&[host], i64::from(port), protocol);
                }
                ep
            })
            .collect()
    })
}

fn workloads() -> Vec<WorkloadRef> {
    vec![WorkloadRef::deployment("checkout"), WorkloadRef::deployment("search")]
}

/// The engine's meaning, written the slow way: every subject's whole access before and
/// after, compared.
fn by_brute_force(
    before: &[EgressPoint],
    after: &[EgressPoint],
) -> Vec<(Subject, Vec<Grant>, Vec<Grant>)> {
    let permitted = |p: Protocol| match p {
        Protocol::Tcp => vec![Protocol::Tcp, Protocol::Http, Protocol::Https, Protocol::Tls],
        other => vec![other],
    };
    let access = |rules: &[Rule], subject: &Subject| -> BTreeSet<Grant> {
        rules
            .iter()
            .filter(|r| match (&r.applies_to, subject) {
                (AppliesTo::Space, _) => true,
                (AppliesTo::Workload(w), Subject::Workload(s)) => w == s,
                _ => false,
            })
            .filter_map(|r| {
                let kind = host::classify(&r.host).ok()?;
                let key = host::host_key(&r.host, kind).into_owned();
                Some(permitted(r.protocol).into_iter().map(move |protocol| Grant {
                    host: key.clone(),
                    port: r.port,
                    protocol,
                }))
            })
            .flatten()
            .collect()
    };
    let (old, new) = (flatten(before), flatten(after));
    let mut subjects: BTreeSet<Subject> = workloads().into_iter().map(Subject::Workload).collect();
    for r in old.iter().chain(&new) {
        if let AppliesTo::Workload(w) = &r.applies_to {
            subjects.insert(Subject::Workload(w.clone()));
        }
    }
    subjects.insert(Subject::OtherWorkloads);
    subjects
        .into_iter()
        .filter_map(|s| {
            let (was, now) = (access(&old, &s), access(&new, &s));
            let gains: Vec<Grant> = now.difference(&was).cloned().collect();
            let loses: Vec<Grant> = was.difference(&now).cloned().collect();
            (!gains.is_empty() || !loses.is_empty()).then_some((s, gains, loses))
        })
        .collect()
}

proptest! {
    #[test]
    fn the_indexed_engine_agrees_with_brute_force(a in space(), b in space()) {
        let fast: Vec<(Subject, Vec<Grant>, Vec<Grant>)> = impact(&a, &b, &workloads())
            .subjects
            .into_iter()
            .map(|s| (s.subject, s.gains, s.loses))
            .collect();
        prop_assert_eq!(fast, by_brute_force(&a, &b));
    }

    #[test]
    fn one_edit_against_an_index_is_the_same_as_comparing_whole_spaces(a in space(), b in space(), which in 0usize..5) {
        // Replace (or add) one EgressPoint of `a` by one of `b`.
        let Some(mine) = b.first().cloned() else { return Ok(()) };
        let mine = EgressPoint { metadata: a.get(which).map(|e| e.metadata.clone()).unwrap_or_else(|| mine.metadata.clone()), ..mine };
        let replaced: Vec<&EgressPoint> = a.iter().filter(|e| e.name() == mine.name()).collect();
        let mut after: Vec<EgressPoint> = a.iter().filter(|e| e.name() != mine.name()).cloned().collect();
        after.push(mine.clone());
        let index = AccessIndex::build(&a);
        let edit = impact_of_change(&index, &replaced, std::slice::from_ref(&mine), &workloads());
        let whole = impact(&a, &after, &workloads());
        prop_assert_eq!(edit.subjects, whole.subjects);
        prop_assert_eq!(edit.considered, whole.considered);
    }

    #[test]
    fn no_change_has_no_impact(a in space()) {
        prop_assert!(impact(&a, &a, &workloads()).is_empty());
    }

    #[test]
    fn a_change_and_its_reverse_are_mirror_images(a in space(), b in space()) {
        let forward = impact(&a, &b, &workloads());
        let back = impact(&b, &a, &workloads());
        prop_assert_eq!(forward.subjects.len(), back.subjects.len());
        for (f, r) in forward.subjects.iter().zip(&back.subjects) {
            prop_assert_eq!(&f.subject, &r.subject);
            prop_assert_eq!(&f.gains, &r.loses);
            prop_assert_eq!(&f.loses, &r.gains);
        }
    }
}

#[test]
fn https_replaced_by_tcp_gains_http_tls_and_tcp_and_loses_nothing() {
    let before = [EgressPoint::new("api").with_target(&["api.stripe.com"], 443, "HTTPS")];
    let after = [EgressPoint::new("api").with_target(&["api.stripe.com"], 443, "TCP")];
    let change = impact(&before, &after, &workloads());
    // Every workload gets the rules for every workload: each gains the same.
    assert_eq!(change.subjects.len(), 3);
    for s in &change.subjects {
        let protocols: Vec<Protocol> = s.gains.iter().map(|g| g.protocol).collect();
        assert_eq!(protocols, [Protocol::Http, Protocol::Tcp, Protocol::Tls], "{s:?}");
        assert!(s.loses.is_empty());
    }
    assert_eq!(
        change.lines(),
        ["every workload gains api.stripe.com:443 HTTP/TCP/TLS; loses nothing"]
    );
}

#[test]
fn a_rule_another_egress_point_already_allows_has_no_effect() {
    let shared = EgressPoint::new("shared").with_target(&["api.stripe.com"], 443, "TCP");
    let mine = EgressPoint::new("payments")
        .with_source_ref("Deployment", "apps", "checkout")
        .with_target(&["api.stripe.com"], 443, "HTTPS");
    let change = impact(std::slice::from_ref(&shared), &[shared.clone(), mine], &workloads());
    assert!(change.is_empty(), "{change:?}");
    assert_eq!(change.no_effect.len(), 1);
    assert_eq!(change.no_effect[0].egress_point, "payments");
}

#[test]
fn a_workload_rule_changes_only_that_workload() {
    let mine = EgressPoint::new("payments")
        .with_source_ref("Deployment", "apps", "checkout")
        .with_target(&["API.Stripe.com"], 443, "HTTPS");
    let change = impact(&[], &[mine], &workloads());
    assert_eq!(change.subjects.len(), 1, "{change:?}");
    assert_eq!(change.subjects[0].subject, Subject::Workload(WorkloadRef::deployment("checkout")));
    assert_eq!(
        change.subjects[0].gains,
        [Grant { host: "api.stripe.com".into(), port: 443, protocol: Protocol::Https }]
    );
}
