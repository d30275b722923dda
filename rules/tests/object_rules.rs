//! Rules about the object: kind, unknown fields, name, sourceRef, workload-missing.

mod common;

use common::{assert_clean, egress, only};
use egress_rules::{
    Code, Severity, SpaceContext, SpaceIndex, WorkloadRef, check_text, validate, validate_in_space,
};

/// The reference page's own example, filled in.
const REFERENCE_EXAMPLE: &str = "\
apiVersion: networking.tanzu.vmware.com/v1alpha1
kind: EgressPoint
metadata:
  name: example-egress
spec:
  sourceRef:
    apiGroup: apps.tanzu.vmware.com
    kind: ContainerApp
    name: my-app
  targets:
  - hosts:
    - www.example.com
    port:
      number: 80
      protocol: HTTP
";

#[test]
fn the_reference_pages_example_is_valid() {
    // "The resource is defined as follows: apiVersion: networking.tanzu.vmware.com/v1alpha1
    // kind: EgressPoint …"
    let checked = check_text(REFERENCE_EXAMPLE, None).unwrap();
    assert_clean(&checked.diagnostics);
}

#[test]
fn a_wrong_api_version_or_kind_is_rejected_with_the_right_spelling_as_hint() {
    // "apiVersion: networking.tanzu.vmware.com/v1alpha1 kind: EgressPoint"
    let text = REFERENCE_EXAMPLE
        .replace("v1alpha1", "v1")
        .replace("kind: EgressPoint", "kind: Egresspoint");
    let diagnostics = check_text(&text, None).unwrap().diagnostics;
    let kinds: Vec<_> = diagnostics.iter().filter(|d| d.code == Code::Kind).collect();
    assert_eq!(kinds.len(), 2, "{diagnostics:#?}");
    assert_eq!(kinds[0].path, "apiVersion");
    assert_eq!(kinds[0].hint.as_deref(), Some("apiVersion: networking.tanzu.vmware.com/v1alpha1"));
    assert_eq!(kinds[1].path, "kind");
    assert!(kinds[1].message.contains("case-sensitive"));
}

#[test]
fn a_misspelled_field_is_an_unknown_field_error_not_silently_dropped() {
    // kubectl's fieldValidation=Strict: "targets" typed as "target" must not pass as empty.
    let text = REFERENCE_EXAMPLE.replace("  targets:", "  target:");
    let diagnostics = check_text(&text, None).unwrap().diagnostics;
    let unknown = only(&diagnostics, Code::UnknownField);
    assert_eq!(unknown.path, "spec.target");
    assert_eq!(unknown.hint.as_deref(), Some("did you mean \"targets\"?"));
    // And the missing targets are reported too.
    assert_eq!(only(&diagnostics, Code::Targets).path, "spec.targets");
}

#[test]
fn a_name_that_is_not_a_dns_subdomain_is_rejected_with_a_valid_suggestion() {
    // EGRESSPOINT-NAME: "The name you want for your EgressPoint resource."
    let d = only(
        &validate(&egress("Example_Egress").with_target(&["a.com"], 443, "HTTPS")),
        Code::Name,
    );
    assert_eq!(d.path, "metadata.name");
    assert_eq!(d.hint.as_deref(), Some("example-egress"));
}

#[test]
fn a_missing_name_is_rejected_unless_generate_name_is_given() {
    let mut ep = egress("").with_target(&["a.com"], 443, "HTTPS");
    assert_eq!(only(&validate(&ep), Code::Name).message, "the EgressPoint has no name");
    ep.metadata.generate_name = Some("egress-".into());
    assert_clean(&validate(&ep));
    ep.metadata.generate_name = Some("Egress_".into());
    assert_eq!(only(&validate(&ep), Code::Name).path, "metadata.generateName");
}

#[test]
fn source_ref_accepts_only_container_app_and_deployment() {
    // "The only supported values for kind.apiGroup are ContainerApp.apps.tanzu.vmware.com and
    // Deployment.apps."
    let target = |ep: egress_rules::EgressPoint| ep.with_target(&["a.com"], 443, "HTTPS");
    for (kind, group) in [("ContainerApp", "apps.tanzu.vmware.com"), ("Deployment", "apps")] {
        assert_clean(&validate(&target(egress("x").with_source_ref(kind, group, "my-app"))));
    }
    let d = only(
        &validate(&target(egress("x").with_source_ref("StatefulSet", "apps", "db"))),
        Code::SourceRef,
    );
    assert_eq!(d.path, "spec.sourceRef.kind");
    let d = only(
        &validate(&target(egress("x").with_source_ref("Deployment", "apps.tanzu.vmware.com", "a"))),
        Code::SourceRef,
    );
    assert_eq!(
        (d.path.as_str(), d.hint.as_deref()),
        ("spec.sourceRef.apiGroup", Some("apiGroup: apps"))
    );
    let d = only(
        &validate(&target(egress("x").with_source_ref("deployment", "apps", "a"))),
        Code::SourceRef,
    );
    assert!(d.hint.as_deref().unwrap().starts_with("kind: Deployment"));
}

#[test]
fn source_ref_needs_api_group_kind_and_name() {
    // "sourceRef: #! Optional — apiGroup: …, kind: …, name: …"
    let ep =
        egress("x").with_source_ref("Deployment", "", "").with_target(&["a.com"], 443, "HTTPS");
    let paths: Vec<_> =
        validate(&ep).into_iter().filter(|d| d.code == Code::SourceRef).map(|d| d.path).collect();
    assert_eq!(paths, ["spec.sourceRef.apiGroup", "spec.sourceRef.name"]);
}

#[test]
fn source_ref_name_must_be_a_valid_object_name() {
    let ep = egress("x").with_source_ref("Deployment", "apps", "My App").with_target(
        &["a.com"],
        443,
        "HTTPS",
    );
    assert_eq!(only(&validate(&ep), Code::SourceRef).path, "spec.sourceRef.name");
}

#[test]
fn a_source_ref_to_a_workload_missing_from_the_space_is_a_warning() {
    // "If you provide that field, the egress rules defined in the EgressPoint resource only
    // apply to the workload you specify."
    let ep = egress("x").with_source_ref("Deployment", "apps", "web").with_target(
        &["a.com"],
        443,
        "HTTPS",
    );
    let index = SpaceIndex::new();
    let workloads = [WorkloadRef::container_app("web"), WorkloadRef::deployment("api")];
    let space = SpaceContext { index: &index, workloads: Some(&workloads) };
    let d = only(&validate_in_space(&ep, space), Code::WorkloadMissing);
    assert_eq!((d.severity, d.path.as_str()), (Severity::Warning, "spec.sourceRef.name"));
    assert!(d.hint.unwrap().contains("is a ContainerApp.apps.tanzu.vmware.com"));
    let workloads = [WorkloadRef::deployment("web")];
    assert_clean(&validate_in_space(
        &ep,
        SpaceContext { index: &index, workloads: Some(&workloads) },
    ));
    // Unknown workloads (lint, no Space) are not guessed at.
    assert_clean(&validate_in_space(&ep, SpaceContext { index: &index, workloads: None }));
}

#[test]
fn a_field_of_the_wrong_type_is_reported_once_not_also_as_missing() {
    let text = REFERENCE_EXAMPLE.replace("number: 80", "number: \"80\"");
    let diagnostics = check_text(&text, None).unwrap().diagnostics;
    let d = only(&diagnostics, Code::Port);
    assert_eq!(d.path, "spec.targets[0].port.number");
    assert_eq!(d.hint.as_deref(), Some("write 80 without quotes"));
}

#[test]
fn mechanical_fixes_are_data_that_make_the_problem_go_away() {
    use egress_rules::{check_value, yaml};
    let cases = [
        // (the EgressPoint, the code whose fix is applied)
        (
            "name: My_DB\n",
            "  - hosts: [db.example.com]\n    port: {number: 5432, protocol: TCP}\n",
            "name",
        ),
        (
            "name: a\n",
            "  - hosts: ['https://api.example.com:8443/v1']\n    port: {number: 443, protocol: HTTPS}\n",
            "host",
        ),
        (
            "name: a\n",
            "  - hosts: [API.example.com]\n    port: {number: 443, protocol: HTTPS}\n",
            "host-case",
        ),
        (
            "name: a\n",
            "  - hosts: [api.example.com]\n    port: {number: 443, protocol: https}\n",
            "protocol",
        ),
        (
            "name: a\n",
            "  - hosts: [db.example.com]\n    port: {number: 5432, protocol: TLS}\n",
            "server-first",
        ),
        (
            "name: a\n",
            "  - hosts: [11.22.33.44]\n    port: {number: 443, protocol: HTTPS}\n",
            "ip-protocol",
        ),
        (
            "name: a\n",
            "  - hosts: [api.example.com]\n    port: {number: 443, protocol: HTTP}\n",
            "scheme-port",
        ),
    ];
    for (metadata, targets, code) in cases {
        let text = format!(
            "apiVersion: networking.tanzu.vmware.com/v1alpha1\nkind: EgressPoint\nmetadata:\n  {metadata}spec:\n  targets:\n{targets}"
        );
        let mut value = yaml::parse_one(&text).unwrap().value;
        let before = check_value(&value, None).diagnostics;
        let fix = before
            .iter()
            .find(|d| d.code.as_str() == code)
            .and_then(|d| d.fix.clone())
            .unwrap_or_else(|| panic!("{code} has no fix: {before:?}"));
        assert!(fix.label.starts_with("use ") || fix.label.starts_with("rename to "), "{fix:?}");
        fix.apply(&mut value);
        let after = check_value(&value, None).diagnostics;
        assert!(after.iter().all(|d| d.code.as_str() != code), "{code} after its fix: {after:?}");
        assert!(!egress_rules::has_errors(&after), "{code}'s fix left errors: {after:?}");
    }
}

#[test]
fn an_ip_host_with_tls_on_a_server_first_port_is_not_told_to_keep_tls() {
    let ep = egress("a").with_target(&["11.22.33.44"], 5432, "TLS");
    let hint = only(&validate(&ep), Code::IpProtocol).hint.unwrap_or_default();
    assert!(!hint.contains("DNS name with TLS"), "{hint}");
    assert!(hint.contains("TCP"), "{hint}");
}
