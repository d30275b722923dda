//! Rules about targets inside one EgressPoint.

mod common;

use common::{assert_clean, egress, only, with_code};
use egress_rules::{Code, Severity, validate};

#[test]
fn an_egress_point_without_targets_is_rejected() {
    // "targets: - hosts: - HOST"
    assert_eq!(only(&validate(&egress("x")), Code::Targets).path, "spec.targets");
}

#[test]
fn a_target_without_hosts_is_rejected() {
    let d = only(&validate(&egress("x").with_target(&[], 443, "HTTPS")), Code::Targets);
    assert_eq!(d.path, "spec.targets[0].hosts");
}

#[test]
fn hosts_are_dns_names_or_ip_addresses() {
    // HOST: "The hostname or IP address of the off-cluster target you want to access —
    // www.example.com or 11.22.33.44"
    assert_clean(&validate(&egress("x").with_target(&["www.example.com"], 443, "HTTPS")));
    assert_clean(&validate(&egress("x").with_target(&["11.22.33.44"], 5432, "TCP")));
    let d = only(&validate(&egress("x").with_target(&["not a host"], 443, "HTTPS")), Code::Host);
    assert_eq!(d.path, "spec.targets[0].hosts[0]");
}

#[test]
fn a_url_as_host_is_rejected_with_the_bare_host_as_hint() {
    let ep = egress("x").with_target(&["a.com", "https://api.example.com/v1"], 443, "HTTPS");
    let d = only(&validate(&ep), Code::Host);
    assert_eq!(d.path, "spec.targets[0].hosts[1]");
    assert_eq!(d.hint.as_deref(), Some("api.example.com"));
}

#[test]
fn ports_are_between_1_and_65535() {
    // TARGET-PORT: "The port that the target is listening on — 80"
    for bad in [0, -1, 65536] {
        let d = only(&validate(&egress("x").with_target(&["a.com"], bad, "HTTPS")), Code::Port);
        assert_eq!(d.path, "spec.targets[0].port.number");
    }
    assert_clean(&validate(&egress("x").with_target(&["a.com"], 65535, "TCP")));
}

#[test]
fn protocols_are_exactly_http_https_tcp_or_tls() {
    // TARGET-PROTOCOL: "Supported values: HTTP , HTTPS , TCP , TLS"
    let d = only(&validate(&egress("x").with_target(&["a.com"], 443, "https")), Code::Protocol);
    assert_eq!(
        (d.path.as_str(), d.hint.as_deref()),
        ("spec.targets[0].port.protocol", Some("HTTPS"))
    );
    let d = only(&validate(&egress("x").with_target(&["a.com"], 53, "UDP")), Code::Protocol);
    assert!(d.message.contains("not supported"));
}

#[test]
fn an_ip_host_with_https_is_rejected() {
    // "IP address hosts can only be exposed on TCP protocol."
    let d =
        only(&validate(&egress("x").with_target(&["11.22.33.44"], 443, "HTTPS")), Code::IpProtocol);
    assert_eq!(d.path, "spec.targets[0].hosts[0]");
    assert_eq!(
        d.message,
        "11.22.33.44 is an IP address: IP hosts can only use protocol TCP, not HTTPS"
    );
    assert!(d.hint.unwrap().contains("spec.targets[0].port.protocol to TCP"));
    let ipv6 = validate(&egress("x").with_target(&["2001:db8::1"], 443, "TLS"));
    assert_eq!(only(&ipv6, Code::IpProtocol).severity, Severity::Error);
}

#[test]
fn an_ip_host_on_two_ports_is_rejected() {
    // "Single IP · Single port · Single protocol: TCP only" — no IP row with several ports.
    let ep = egress("x").with_target(&["11.22.33.44"], 5432, "TCP").with_target(
        &["11.22.33.44"],
        6432,
        "TCP",
    );
    let d = only(&validate(&ep), Code::IpSinglePort);
    assert_eq!(d.path, "spec.targets[1].hosts[0]");
    assert!(d.message.contains("spec.targets[0].hosts[0]"));
}

#[test]
fn one_host_and_port_on_two_protocols_is_rejected() {
    // "The same host and port cannot be exposed on multiple different protocols."
    let ep = egress("x").with_target(&["api.example.com"], 443, "HTTPS").with_target(
        &["API.example.com"],
        443,
        "TCP",
    );
    let d = only(&validate(&ep), Code::HostPortProtocols);
    assert_eq!(d.path, "spec.targets[1].hosts[0]");
    assert!(d.message.contains("already exposed on HTTPS at spec.targets[0].hosts[0]"));
}

#[test]
fn one_host_on_several_ports_is_valid() {
    // "Single host · Multiple ports" is a valid combination.
    let ep = egress("x").with_target(&["api.example.com"], 443, "HTTPS").with_target(
        &["api.example.com"],
        80,
        "HTTP",
    );
    assert_clean(&validate(&ep));
}

#[test]
fn valid_hosts_combine_into_a_valid_egress_point() {
    // "When combining entries for multiple hosts, if each individual host+port+protocol set is
    // valid, the aggregate of those hosts is also valid."
    let ep = egress("x")
        .with_target(&["a.example.com", "b.example.com"], 443, "HTTPS")
        .with_target(&["c.example.com"], 443, "TLS")
        .with_target(&["11.22.33.44"], 5432, "TCP");
    assert_clean(&validate(&ep));
}

#[test]
fn the_same_host_port_and_protocol_twice_is_a_duplicate_warning() {
    let ep = egress("x").with_target(&["a.com", "A.com"], 443, "HTTPS");
    let d = only(&validate(&ep), Code::Duplicate);
    assert_eq!((d.severity, d.path.as_str()), (Severity::Warning, "spec.targets[0].hosts[1]"));
}

#[test]
fn tls_on_a_server_first_port_is_a_warning() {
    // "some of these protocols might be server first … In these cases, you must use the TCP
    // protocol even if the endpoint supports TLS. For example, … mysql"
    let ep = egress("x").with_target(&["db.example.com"], 3306, "TLS");
    let d = only(&validate(&ep), Code::ServerFirst);
    assert_eq!((d.severity, d.path.as_str()), (Severity::Warning, "spec.targets[0].port.protocol"));
    assert!(d.message.contains("MySQL"));
    // Direct TLS ports (IMAPS 993) are client-first.
    assert!(
        with_code(&validate(&egress("x").with_target(&["m.com"], 993, "TLS")), Code::ServerFirst)
            .is_empty()
    );
}

#[test]
fn http_on_443_and_https_on_80_are_warnings() {
    let d = only(&validate(&egress("x").with_target(&["a.com"], 443, "HTTP")), Code::SchemePort);
    assert_eq!(d.hint.as_deref(), Some("HTTPS"));
    only(&validate(&egress("x").with_target(&["a.com"], 80, "HTTPS")), Code::SchemePort);
}

#[test]
fn uppercase_hosts_get_a_lowercase_hint() {
    let d = only(
        &validate(&egress("x").with_target(&["API.Example.com"], 443, "HTTPS")),
        Code::HostCase,
    );
    assert_eq!(d.hint.as_deref(), Some("api.example.com"));
}

#[test]
fn tcp_targets_explain_that_tcp_covers_the_higher_protocols() {
    // "When using the protocol TCP, requests on higher-level protocols like HTTP, HTTPS, and
    // TLS are also permitted because the TCP protocol is used underneath them."
    let d = only(
        &validate(&egress("x").with_target(&["db.example.com"], 5432, "TCP")),
        Code::TcpCovers,
    );
    assert_eq!((d.severity, d.path.as_str()), (Severity::Info, "spec.targets[0].port.protocol"));
}
