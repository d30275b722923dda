//! Rules about targets, one at a time and against each other inside one EgressPoint:
//! `targets`, `host`, `not-off-cluster`, `host-case`, `port`, `protocol`, `ip-protocol`, `ip-single-port`,
//! `host-port-protocols`, `duplicate`, `server-first`, `scheme-port`, `tcp-covers`.

use super::Entry;
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::host::{self, HostKind};
use crate::model::{EgressPoint, Protocol, Target};
use crate::path;
use rustc_hash::FxHashMap as HashMap;
use std::collections::hash_map::Entry as MapEntry;
use std::net::IpAddr;

/// Well-known protocols where the server speaks first, so a TLS rule (which waits for a
/// client hello) blocks them. The reference page: "In these cases, you must use the TCP
/// protocol even if the endpoint supports TLS." Ports with direct TLS (465, 993, 995) are
/// not listed: there the client does speak first.
const SERVER_FIRST_PORTS: &[(u16, &str)] = &[
    (21, "FTP"),
    (22, "SSH"),
    (25, "SMTP"),
    (110, "POP3"),
    (143, "IMAP"),
    (587, "SMTP submission"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
];

/// Checks each target and returns the entries whose host, port and protocol are all valid.
pub(crate) fn check_targets<'a>(ep: &'a EgressPoint, out: &mut Vec<Diagnostic>) -> Vec<Entry<'a>> {
    let targets = &ep.spec.targets;
    if targets.is_empty() {
        out.push(
            Diagnostic::error(
                Code::Targets,
                "spec.targets",
                "an EgressPoint needs at least one target",
            )
            .with_hint("add a target: hosts, port.number and port.protocol"),
        );
    }
    let mut entries = Vec::with_capacity(targets.iter().map(|t| t.hosts.len()).sum());
    for (i, target) in targets.iter().enumerate() {
        let port = check_port(i, target, out);
        let protocol = check_protocol(i, target, out);
        if target.hosts.is_empty() {
            out.push(
                Diagnostic::error(
                    Code::Targets,
                    format!("{}.hosts", path::target(i)),
                    format!("target {} has no hosts", i + 1),
                )
                .with_hint("add the host name or IP address to reach, or remove the target"),
            );
        }
        for (j, h) in target.hosts.iter().enumerate() {
            let kind = match host::classify(h) {
                Ok(kind) => kind,
                Err(problem) => {
                    let mut diagnostic =
                        Diagnostic::error(Code::Host, path::host(i, j), problem.message);
                    diagnostic.hint = problem.hint;
                    if let Some((bare, written_port)) = problem.replacement {
                        let label = match written_port {
                            Some(p) => format!("use {bare} and port {p}"),
                            None => format!("use {bare}"),
                        };
                        let mut fix = Fix::set(label, path::host(i, j), bare);
                        if let Some(p) = written_port {
                            fix = fix.and_set(path::port_number(i), p);
                        }
                        diagnostic = diagnostic.with_fix(fix);
                    }
                    out.push(diagnostic);
                    continue;
                }
            };
            if let Some(reason) = host::not_off_cluster(h, kind) {
                out.push(
                    Diagnostic::warning(
                        Code::NotOffCluster,
                        path::host(i, j),
                        format!(
                            "{h} is {reason}; an EgressPoint opens access to targets outside the cluster, and this is not one"
                        ),
                    )
                    .with_hint("remove this host: nothing outside the cluster answers at it"),
                );
            }
            if kind == HostKind::Name && h.bytes().any(|b| b.is_ascii_uppercase()) {
                let lower = h.to_ascii_lowercase();
                out.push(
                    Diagnostic::warning(
                        Code::HostCase,
                        path::host(i, j),
                        format!("{h} has uppercase letters: hosts match case-insensitively, so {lower} is the same host"),
                    )
                    .with_hint(lower.clone())
                    .with_fix(Fix::set(format!("use {lower}"), path::host(i, j), lower)),
                );
            }
            if let (HostKind::Ip(_), Some(p)) = (kind, protocol)
                && p != Protocol::Tcp
            {
                out.push(
                    Diagnostic::error(
                        Code::IpProtocol,
                        path::host(i, j),
                        format!(
                            "{h} is an IP address: IP hosts can only use protocol TCP, not {p}"
                        ),
                    )
                    .with_hint(ip_protocol_hint(i, p, port))
                    .with_fix(Fix::set(
                        "use TCP",
                        path::protocol(i),
                        Protocol::Tcp.as_str(),
                    )),
                );
            }
            if let (Some(port), Some(protocol)) = (port, protocol) {
                let key = host::host_key(h, kind);
                entries.push(Entry {
                    target: i,
                    host_index: j,
                    host: h,
                    key,
                    kind,
                    port,
                    protocol,
                });
            }
        }
        if let (Some(port), Some(protocol)) = (port, protocol) {
            check_port_protocol(i, port, protocol, out);
        }
    }
    entries
}

fn check_port(i: usize, target: &Target, out: &mut Vec<Diagnostic>) -> Option<u16> {
    let at = path::port_number(i);
    match target.port.number {
        None => {
            out.push(
                Diagnostic::error(Code::Port, at, format!("target {} has no port number", i + 1))
                    .with_hint("set port.number to the port the target listens on, 1–65535"),
            );
            None
        }
        Some(n) => match u16::try_from(n) {
            Ok(port) if port > 0 => Some(port),
            _ => {
                out.push(
                    Diagnostic::error(
                        Code::Port,
                        at,
                        format!("{n} is not a port: port numbers are 1–65535"),
                    )
                    .with_hint("use the port the target listens on, for example 443"),
                );
                None
            }
        },
    }
}

fn check_protocol(i: usize, target: &Target, out: &mut Vec<Diagnostic>) -> Option<Protocol> {
    let written = target.port.protocol.as_str();
    if let Some(protocol) = Protocol::parse(written) {
        return Some(protocol);
    }
    let at = path::protocol(i);
    let supported = "HTTP, HTTPS, TCP or TLS";
    let diagnostic = if written.is_empty() {
        Diagnostic::error(Code::Protocol, at, format!("target {} has no protocol", i + 1))
            .with_hint(format!("set port.protocol to {supported}"))
    } else if let Some(p) = Protocol::parse(&written.trim().to_ascii_uppercase()) {
        Diagnostic::error(
            Code::Protocol,
            at.clone(),
            format!("\"{written}\" is not a protocol: protocols are written exactly {supported}"),
        )
        .with_hint(p.as_str())
        .with_fix(Fix::set(format!("use {p}"), at, p.as_str()))
    } else {
        let hint = match written.to_ascii_uppercase().as_str() {
            "UDP" => "UDP is not supported; for a TCP service use TCP".to_owned(),
            "GRPC" | "HTTP2" | "H2" | "WS" => "use HTTPS (or HTTP without TLS)".to_owned(),
            "WSS" => "use HTTPS".to_owned(),
            "SSL" => "use TLS".to_owned(),
            _ => format!("use one of {supported}"),
        };
        Diagnostic::error(
            Code::Protocol,
            at,
            format!("\"{written}\" is not supported: the protocol must be {supported}"),
        )
        .with_hint(hint)
    };
    out.push(diagnostic);
    None
}

/// `server-first`, `scheme-port` and `tcp-covers`: advice about a port and protocol pair.
fn check_port_protocol(i: usize, port: u16, protocol: Protocol, out: &mut Vec<Diagnostic>) {
    let at = path::protocol(i);
    match protocol {
        Protocol::Tls => {
            if let Some((_, name)) = SERVER_FIRST_PORTS.iter().find(|(p, _)| *p == port) {
                out.push(
                    Diagnostic::warning(
                        Code::ServerFirst,
                        at.clone(),
                        format!(
                            "port {port} is {name}, where the server speaks first: a TLS rule blocks the connection before TLS is negotiated"
                        ),
                    )
                    .with_hint("use TCP for server-first protocols, even when they support TLS")
                    .with_fix(Fix::set("use TCP", at, Protocol::Tcp.as_str())),
                );
            }
        }
        Protocol::Http if port == 443 => out.push(
            Diagnostic::warning(
                Code::SchemePort,
                at.clone(),
                "HTTP on port 443: 443 is the HTTPS port",
            )
            .with_hint("HTTPS")
            .with_fix(Fix::set("use HTTPS", at, Protocol::Https.as_str())),
        ),
        Protocol::Https if port == 80 => out.push(
            Diagnostic::warning(
                Code::SchemePort,
                at.clone(),
                "HTTPS on port 80: 80 is the plain HTTP port",
            )
            .with_hint("HTTP, or port 443")
            .with_fix(Fix::set("use HTTP", at, Protocol::Http.as_str())),
        ),
        Protocol::Tcp => out.push(Diagnostic::info(
            Code::TcpCovers,
            at,
            format!("TCP also permits HTTP, HTTPS and TLS to these hosts on port {port}"),
        )),
        _ => {}
    }
}

/// `host-port-protocols`, `duplicate` and `ip-single-port` among the targets of one
/// EgressPoint. The first occurrence wins; later ones are reported, naming the first.
pub(crate) fn check_within(entries: &[Entry<'_>], out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&str, u16), &Entry<'_>> = HashMap::default();
    seen.reserve(entries.len());
    let mut ip_ports: HashMap<IpAddr, &Entry<'_>> = HashMap::default();
    for entry in entries {
        let at = path::host(entry.target, entry.host_index);
        match seen.entry((entry.key.as_ref(), entry.port)) {
            MapEntry::Vacant(slot) => {
                slot.insert(entry);
            }
            MapEntry::Occupied(first) => {
                let first = *first.get();
                let first_at = path::host(first.target, first.host_index);
                out.push(if first.protocol == entry.protocol {
                    Diagnostic::warning(
                        Code::Duplicate,
                        at,
                        format!(
                            "{}:{} over {} is listed twice (also at {first_at})",
                            entry.host, entry.port, entry.protocol
                        ),
                    )
                    .with_hint("remove this host")
                } else {
                    Diagnostic::error(
                        Code::HostPortProtocols,
                        at,
                        format!(
                            "{}:{} is already exposed on {} at {first_at}: one host and port can use one protocol only",
                            entry.host, entry.port, first.protocol
                        ),
                    )
                    .with_hint(one_protocol_hint(entry.host, entry.port, entry.protocol, first.protocol))
                });
            }
        }
        if let HostKind::Ip(ip) = entry.kind {
            let first = *ip_ports.entry(ip).or_insert(entry);
            if first.port != entry.port {
                out.push(
                    Diagnostic::error(
                        Code::IpSinglePort,
                        path::host(entry.target, entry.host_index),
                        format!(
                            "{} is an IP address already allowed on port {} (at {}): an IP host can be exposed on a single port only",
                            entry.host,
                            first.port,
                            path::host(first.target, first.host_index)
                        ),
                    )
                    .with_hint("use a DNS name for the second port, or keep one port"),
                );
            }
        }
    }
}

/// The fix for a host+port on two protocols: this one is `mine`, the other `theirs`. TCP is
/// offered only where it resolves the clash (when this one is TCP already, the other must
/// change).
pub(super) fn one_protocol_hint(host: &str, port: u16, mine: Protocol, theirs: Protocol) -> String {
    if mine == Protocol::Tcp {
        format!(
            "choose one protocol for {host}:{port}: use {theirs} here as well, or make the other TCP (TCP also permits HTTP, HTTPS and TLS)"
        )
    } else {
        format!(
            "choose one protocol for {host}:{port}: use {theirs} here as well, or TCP in both places if several are needed (TCP also permits HTTP, HTTPS and TLS)"
        )
    }
}

/// The hint for an IP host with `protocol`: TCP, or a DNS name with that protocol unless
/// the port speaks first (where a TLS rule would not work either).
fn ip_protocol_hint(i: usize, protocol: Protocol, port: Option<u16>) -> String {
    let server_first = port.and_then(|p| SERVER_FIRST_PORTS.iter().find(|(sp, _)| *sp == p));
    match (protocol, server_first) {
        (Protocol::Tls, Some((port, name))) => format!(
            "set {} to TCP: port {port} is {name}, where the server speaks first, so TLS would not work with a DNS name either",
            path::protocol(i)
        ),
        _ => {
            format!("set {} to TCP, or use the host's DNS name with {protocol}", path::protocol(i))
        }
    }
}
