//! The edges an independent reading of the reference page found, each with the sentence
//! or decision behind it.

mod common;

use common::{egress, only, with_code};
use egress_rules::{
    Code, EgressPoint, Severity, SpaceContext, SpaceIndex, check_text, validate,
    validate_in_space_as,
};

const HEAD: &str = "apiVersion: networking.tanzu.vmware.com/v1alpha1\nkind: EgressPoint\n";

fn unnamed(prefix: &str) -> EgressPoint {
    let mut ep = egress("");
    ep.metadata.name = None;
    ep.metadata.generate_name = Some(prefix.into());
    ep
}

#[test]
fn two_generate_name_objects_of_one_space_are_compared_with_each_other() {
    // "The same host and port cannot be exposed on multiple different protocols." Two
    // objects without a name yet are two objects, not one being replaced.
    let a = unnamed("a-").with_target(&["db.example.com"], 5432, "TCP");
    let b = unnamed("b-").with_target(&["db.example.com"], 5432, "TLS");
    let mut index = SpaceIndex::new();
    index.insert_as("document 1", &a);
    index.insert_as("document 2", &b);
    let space = SpaceContext { index: &index, workloads: None };
    let d = only(&validate_in_space_as(&b, "document 2", space), Code::HostPortProtocols);
    assert!(d.message.contains("EgressPoint \"a-…\""), "{}", d.message);
    // Checked against the index as itself, it is not its own conflict.
    assert!(with_code(&validate_in_space_as(&a, "document 1", space), Code::Duplicate).is_empty());
}

#[test]
fn a_wrongly_typed_field_is_reported_once() {
    // One document, one list of diagnostics: the type error, not also "has no port number".
    let text = format!(
        "{HEAD}metadata: {{name: web}}\nspec:\n  targets:\n  - hosts: [a.example.com]\n    port: {{number: \"https\", protocol: HTTPS}}\n"
    );
    let diagnostics = check_text(&text, None).unwrap().diagnostics;
    let at_port: Vec<_> =
        diagnostics.iter().filter(|d| d.path == "spec.targets[0].port.number").collect();
    assert_eq!(at_port.len(), 1, "{diagnostics:#?}");
}

#[test]
fn yaml_is_read_as_kubectl_reads_it_and_the_difference_is_said() {
    // kubectl converts YAML with sigs.k8s.io/yaml (YAML 1.1): 0443 is octal, yes a boolean.
    let text = format!(
        "{HEAD}metadata: {{name: web}}\nspec:\n  targets:\n  - hosts: [yes]\n    port: {{number: 0443, protocol: TCP}}\n"
    );
    let checked = check_text(&text, None).unwrap();
    assert_eq!(checked.egress_point.spec.targets[0].port.number, Some(291));
    let notes = with_code(&checked.diagnostics, Code::YamlReading);
    assert_eq!(notes.len(), 2, "{:#?}", checked.diagnostics);
    let octal = notes.iter().find(|d| d.path == "spec.targets[0].port.number").unwrap();
    assert_eq!(
        octal.message,
        "0443 is read as the octal number 291 by kubectl (YAML 1.1), not 443"
    );
    assert!(
        notes
            .iter()
            .any(|d| d.path == "spec.targets[0].hosts[0]" && d.message.contains("boolean true"))
    );
    // The boolean is then a wrong type, as the API server would say.
    assert!(
        checked.diagnostics.iter().any(|d| d.path == "spec.targets[0].hosts[0]" && d.is_error())
    );
}

#[test]
fn merge_keys_are_read_as_kubectl_reads_them() {
    // `<<: *anchor` is YAML 1.1's merge key, which kubectl honours: no unknown field "<<".
    let text = format!(
        "{HEAD}metadata: {{name: web}}\nspec:\n  targets:\n  - hosts: [a.example.com]\n    port: &https {{number: 443, protocol: HTTPS}}\n  - hosts: [b.example.com]\n    port:\n      <<: *https\n      number: 8443\n"
    );
    let checked = check_text(&text, None).unwrap();
    assert!(
        with_code(&checked.diagnostics, Code::UnknownField).is_empty(),
        "{:#?}",
        checked.diagnostics
    );
    let port = &checked.egress_point.spec.targets[1].port;
    assert_eq!((port.number, port.protocol.as_str()), (Some(8443), "HTTPS"));
}

#[test]
fn generate_name_is_checked_as_the_api_server_checks_it() {
    // kube-apiserver: NameIsDNSSubdomain(maskTrailingDash(generateName)); a long prefix is
    // cut to 58 characters when the name is made, not refused.
    assert!(with_code(&validate(&unnamed(&"a".repeat(250))), Code::Name).is_empty());
    assert!(with_code(&validate(&unnamed("egress-")), Code::Name).is_empty());
    let d = only(&validate(&unnamed("egress.")), Code::Name);
    assert_eq!(d.path, "metadata.generateName");
}

#[test]
fn ranges_and_zones_get_messages_about_what_they_are() {
    let ep = egress("x").with_target(&["10.0.0.0/24", "fe80::1%eth0"], 5432, "TCP");
    let diagnostics = validate(&ep);
    let hosts = with_code(&diagnostics, Code::Host);
    assert!(hosts[0].message.contains("CIDR range"), "{}", hosts[0].message);
    assert_eq!(
        hosts[0].hint.as_deref(),
        Some("list each address you need (for example 10.0.0.0), or use a DNS name")
    );
    assert!(hosts[1].message.contains("IPv6 zone"), "{}", hosts[1].message);
    assert_eq!(hosts[1].hint.as_deref(), Some("fe80::1"));
}

#[test]
fn an_unclosed_bracket_is_reported_where_it_opens() {
    let text = format!(
        "{HEAD}metadata: {{name: web}}\nspec:\n  targets:\n  - hosts: [a.example.com\n    port: {{number: 443, protocol: HTTPS}}\n"
    );
    let error = check_text(&text, None).unwrap_err();
    assert_eq!((error.line, error.column), (6, 12), "{error}");
    assert!(error.message.starts_with("this [ is not closed with ]"), "{error}");
}

#[test]
fn targets_that_are_not_off_cluster_are_warned_about() {
    // Decided: the reference page says an EgressPoint opens access to an off-cluster
    // target; loopback, link-local and unspecified addresses are none. Private ranges are.
    for host in [
        "0.0.0.0",
        "::",
        "127.0.0.1",
        "127.9.9.9",
        "::1",
        "169.254.169.254",
        "fe80::1",
        "::ffff:127.0.0.1",
        "localhost",
    ] {
        let ep = egress("x").with_target(&[host], 5432, "TCP");
        let d = only(&validate(&ep), Code::NotOffCluster);
        assert_eq!(d.severity, Severity::Warning, "{host}");
    }
    for host in ["10.1.2.3", "192.168.1.10", "172.16.0.5", "fd00::1", "db.example.com"] {
        let ep = egress("x").with_target(&[host], 5432, "TCP");
        assert!(with_code(&validate(&ep), Code::NotOffCluster).is_empty(), "{host}");
    }
}

#[test]
fn a_namespace_must_be_a_dns_label() {
    // Decided: metadata.namespace, when given, is a DNS-1123 label.
    let mut ep = egress("x").with_target(&["a.example.com"], 443, "HTTPS");
    ep.metadata.namespace = Some("Team.A".into());
    let d = only(&validate(&ep), Code::Namespace);
    assert_eq!((d.path.as_str(), d.severity), ("metadata.namespace", Severity::Error));
    ep.metadata.namespace = Some("team-a".into());
    assert!(with_code(&validate(&ep), Code::Namespace).is_empty());
}

#[test]
fn a_status_in_a_manifest_is_ignored_with_an_info() {
    // Decided: a top-level status is written by the platform, not by users.
    let text = format!(
        "{HEAD}metadata: {{name: web}}\nspec:\n  targets:\n  - hosts: [a.example.com]\n    port: {{number: 443, protocol: HTTPS}}\nstatus: {{conditions: []}}\n"
    );
    let d = only(&check_text(&text, None).unwrap().diagnostics, Code::Status);
    assert_eq!((d.path.as_str(), d.severity), ("status", Severity::Info));
}
