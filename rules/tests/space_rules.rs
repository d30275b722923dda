//! Space-wide rules, the effective egress of a workload and reachability.

mod common;

use common::{assert_clean, egress, only};
use egress_rules::{
    AppliesTo, Code, EgressPoint, Protocol, Severity, SpaceContext, SpaceIndex, WorkloadRef,
    effective_egress, flatten, reachability, validate_in_space,
};

fn check(ep: &EgressPoint, space: &[EgressPoint]) -> Vec<egress_rules::Diagnostic> {
    let index = SpaceIndex::build(space);
    validate_in_space(ep, SpaceContext { index: &index, workloads: None })
}

#[test]
fn a_host_port_on_another_protocol_elsewhere_in_the_space_is_rejected_naming_it() {
    // "The same host and port cannot be exposed on multiple different protocols." — across
    // every EgressPoint of the Space, whatever their sourceRef.
    let existing = egress("db-tcp").with_source_ref("Deployment", "apps", "worker").with_target(
        &["db.example.com"],
        443,
        "TCP",
    );
    let ep = egress("web").with_target(&["DB.example.com"], 443, "HTTPS");
    let d = only(&check(&ep, &[existing]), Code::HostPortProtocols);
    assert_eq!(d.path, "spec.targets[0].hosts[0]");
    assert!(d.message.contains("by EgressPoint \"db-tcp\""), "{}", d.message);
}

#[test]
fn an_ip_on_another_port_elsewhere_in_the_space_is_rejected() {
    let existing = egress("a").with_target(&["11.22.33.44"], 5432, "TCP");
    let ep = egress("b").with_target(&["11.22.33.44"], 6432, "TCP");
    let d = only(&check(&ep, &[existing]), Code::IpSinglePort);
    assert!(d.message.contains("\"a\""));
}

#[test]
fn a_rule_already_allowed_for_the_whole_space_is_a_duplicate_naming_the_egress_point() {
    let existing = egress("shared").with_target(&["api.example.com"], 443, "HTTPS");
    let ep = egress("mine").with_source_ref("Deployment", "apps", "web").with_target(
        &["api.example.com"],
        443,
        "HTTPS",
    );
    let d = only(&check(&ep, &[existing]), Code::Duplicate);
    assert_eq!(d.severity, Severity::Warning);
    assert!(d.message.contains("\"shared\" (for every workload)"), "{}", d.message);
}

#[test]
fn the_same_rule_for_two_different_workloads_is_not_a_duplicate() {
    let existing = egress("for-api").with_source_ref("Deployment", "apps", "api").with_target(
        &["api.example.com"],
        443,
        "HTTPS",
    );
    let ep = egress("for-web").with_source_ref("Deployment", "apps", "web").with_target(
        &["api.example.com"],
        443,
        "HTTPS",
    );
    assert_clean(&check(&ep, &[existing]));
}

#[test]
fn replacing_an_egress_point_does_not_conflict_with_its_old_version() {
    let old = egress("web").with_target(&["a.com"], 443, "HTTPS");
    let new = egress("web").with_target(&["a.com"], 443, "TCP");
    assert_clean(&check(&new, &[old]));
}

#[test]
fn the_index_forgets_removed_egress_points() {
    let mut index =
        SpaceIndex::build(&[egress("a").with_target(&["a.com", "b.com"], 443, "HTTPS")]);
    assert_eq!(index.len(), 2);
    index.insert(&egress("a").with_target(&["a.com"], 443, "HTTPS"));
    assert_eq!(index.len(), 1);
    index.remove("a");
    assert!(index.is_empty());
}

fn space() -> Vec<EgressPoint> {
    vec![
        egress("everyone").with_target(&["api.example.com"], 443, "HTTPS"),
        egress("web-db").with_source_ref("Deployment", "apps", "web").with_target(
            &["db.example.com"],
            5432,
            "TCP",
        ),
        egress("worker-only")
            .with_source_ref("ContainerApp", "apps.tanzu.vmware.com", "worker")
            .with_target(&["queue.example.com"], 5671, "TLS"),
    ]
}

#[test]
fn a_workload_gets_the_space_wide_rules_plus_its_own() {
    // "The workload continues to have access to anything defined in any EgressPoints that
    // apply to the entire Space."
    let web = WorkloadRef::deployment("web");
    let hosts: Vec<_> = effective_egress(&space(), &web).into_iter().map(|r| r.host).collect();
    assert_eq!(hosts, ["api.example.com", "db.example.com"]);
    assert_eq!(flatten(&space()).len(), 3);
    assert_eq!(flatten(&space())[1].applies_to, AppliesTo::Workload(web));
}

#[test]
fn tcp_rules_let_https_and_tls_through_but_not_the_other_way_round() {
    // "When using the protocol TCP, requests on higher-level protocols like HTTP, HTTPS, and
    // TLS are also permitted"
    let web = WorkloadRef::deployment("web");
    let r = reachability(&space(), &web, "DB.example.com", 5432, Protocol::Tls).unwrap();
    assert!(r.allowed);
    assert_eq!(r.allowed_by[0].egress_point, "web-db");
    let r = reachability(&space(), &web, "api.example.com", 443, Protocol::Tcp).unwrap();
    assert!(!r.allowed, "an HTTPS rule does not permit raw TCP");
}

#[test]
fn a_workload_cannot_use_another_workloads_rules() {
    let web = WorkloadRef::deployment("web");
    let r = reachability(&space(), &web, "queue.example.com", 5671, Protocol::Tls).unwrap();
    assert!(!r.allowed);
    assert!(reachability(&space(), &web, "https://x", 443, Protocol::Https).is_err());
}
