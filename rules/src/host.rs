//! What a target host may be: a DNS hostname (RFC 1123) or an IPv4/IPv6 literal, written bare.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A host that passed [`classify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostKind {
    /// A DNS hostname.
    Name,
    /// An IP address literal.
    Ip(IpAddr),
}

/// Why a host is not acceptable, and the bare host to write instead when one can be seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostProblem {
    /// What is wrong, for a person.
    pub message: String,
    /// The fix.
    pub hint: Option<String>,
    /// The fix as data: the bare host, and the port written with it (for `port.number`).
    pub replacement: Option<(String, Option<u16>)>,
}

impl HostProblem {
    fn new(message: String, hint: Option<String>) -> Self {
        HostProblem { message, hint, replacement: None }
    }

    fn replaced_by(mut self, host: String, port: Option<u16>) -> Self {
        if !host.is_empty() {
            self.replacement = Some((host, port));
        }
        self
    }
}

/// Longest DNS name (RFC 1123 §2.1, RFC 1035 §2.3.4).
const MAX_NAME: usize = 253;
/// Longest DNS label.
const MAX_LABEL: usize = 63;

/// Decides whether `host` is a bare DNS hostname or IP address.
pub fn classify(host: &str) -> Result<HostKind, HostProblem> {
    // Nearly every host is a plain DNS name: one pass over its bytes settles it. Anything
    // else takes the slow path, which explains what is wrong.
    if is_plain_dns_name(host.as_bytes()) {
        return Ok(HostKind::Name);
    }
    if host.is_empty() {
        return Err(HostProblem::new(
            "the host is empty".into(),
            Some("write a host name such as www.example.com, or an IP address".into()),
        ));
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Ok(HostKind::Ip(IpAddr::V4(ip)));
    }
    if let Ok(ip) = host.parse::<Ipv6Addr>() {
        return Ok(HostKind::Ip(IpAddr::V6(ip)));
    }
    if let Some(problem) = cidr_or_zone(host) {
        return Err(problem);
    }
    if host.trim() != host {
        return Err(HostProblem::new(
            format!("\"{host}\" has spaces around it"),
            Some(host.trim().to_owned()),
        ));
    }
    if let Some(problem) = url_parts(host) {
        return Err(problem);
    }
    if host.contains('*') {
        return Err(HostProblem::new(
            format!("{host} is a wildcard: EgressPoint hosts are single names"),
            Some("list each host name you need, for example api.example.com".into()),
        ));
    }
    check_dns_name(host).map(|()| HostKind::Name)
}

/// One pass: labels of 1–63 letters, digits and inner '-', total ≤ 253, last label not
/// all digits. Accepts exactly what the slow path below accepts as a name.
fn is_plain_dns_name(host: &[u8]) -> bool {
    if host.is_empty() || host.len() > MAX_NAME {
        return false;
    }
    let (mut label_len, mut label_numeric, mut previous) = (0usize, true, b'.');
    for &b in host {
        match b {
            b'.' => {
                if label_len == 0 || previous == b'-' {
                    return false;
                }
                label_len = 0;
                label_numeric = true;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => {
                if label_len == 0 && b == b'-' {
                    return false;
                }
                label_len += 1;
                if label_len > MAX_LABEL {
                    return false;
                }
                label_numeric &= b.is_ascii_digit();
            }
            _ => return false,
        }
        previous = b;
    }
    label_len > 0 && previous != b'-' && !label_numeric
}

/// The key under which two spellings of one host compare equal: hosts match
/// case-insensitively, and `::0:1` is `::1`.
pub fn host_key(host: &str, kind: HostKind) -> Cow<'_, str> {
    match kind {
        HostKind::Ip(ip) => Cow::Owned(ip.to_string()),
        HostKind::Name if host.bytes().any(|b| b.is_ascii_uppercase()) => {
            Cow::Owned(host.to_ascii_lowercase())
        }
        HostKind::Name => Cow::Borrowed(host),
    }
}

/// `10.0.0.0/24` (a range) and `fe80::1%eth0` (an address with a zone): both look like IP
/// addresses and would otherwise get a message about DNS names.
fn cidr_or_zone(host: &str) -> Option<HostProblem> {
    if let Some((address, bits)) = host.split_once('/')
        && address.parse::<IpAddr>().is_ok()
        && !bits.is_empty()
        && bits.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(HostProblem::new(
            format!("{host} is a CIDR range: an EgressPoint host is one address, not a range"),
            Some(format!("list each address you need (for example {address}), or use a DNS name")),
        ));
    }
    if let Some((address, zone)) = host.split_once('%')
        && address.parse::<Ipv6Addr>().is_ok()
    {
        return Some(HostProblem::new(
            format!(
                "{host} has an IPv6 zone (%{zone}): a zone names a network interface of one machine and has no meaning for egress"
            ),
            Some(address.to_owned()),
        ));
    }
    None
}

/// Why a valid host is not an off-cluster target, if it is not: the reference page says an
/// EgressPoint opens access to targets outside the cluster. Loopback, link-local (which
/// holds the cloud metadata address) and unspecified addresses are never that; private
/// ranges are (on-premises databases), so they are not listed here.
pub fn not_off_cluster(host: &str, kind: HostKind) -> Option<&'static str> {
    match kind {
        HostKind::Name => {
            let name = host.trim_end_matches('.').to_ascii_lowercase();
            (name == "localhost" || name.ends_with(".localhost"))
                .then_some("a loopback name (RFC 6761): it is the workload's own machine")
        }
        HostKind::Ip(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some() => {
            let v4 = v6.to_ipv4_mapped().map(IpAddr::V4)?;
            not_off_cluster(host, HostKind::Ip(v4))
        }
        HostKind::Ip(ip) if ip.is_unspecified() => {
            Some("the unspecified address: it names no machine to connect to")
        }
        HostKind::Ip(ip) if ip.is_loopback() => {
            Some("a loopback address: it is the workload's own machine")
        }
        HostKind::Ip(IpAddr::V4(v4)) if v4.is_link_local() => Some(
            "a link-local address (169.254.0.0/16, where clouds serve instance metadata and credentials)",
        ),
        HostKind::Ip(IpAddr::V6(v6)) if (v6.segments()[0] & 0xffc0) == 0xfe80 => {
            Some("a link-local address (fe80::/10): it reaches only the node's own network link")
        }
        HostKind::Ip(_) => None,
    }
}

/// Catches URLs and `host:port`, which people paste from browsers and connection strings.
fn url_parts(host: &str) -> Option<HostProblem> {
    if let Some((scheme, rest)) = host.split_once("://") {
        let bare = bare_host(rest);
        let port = authority_port(rest);
        return Some(
            HostProblem::new(
                format!(
                    "{host} is a URL: a host is written without the scheme \"{scheme}://\", a path or a port"
                ),
                Some(bare.clone()),
            )
            .replaced_by(bare, port),
        );
    }
    if let Some((before, _)) = host.split_once('/') {
        let bare = bare_host(before);
        return Some(
            HostProblem::new(
                format!("{host} has a path: a host is only the name, without \"/…\""),
                Some(bare.clone()),
            )
            .replaced_by(bare, authority_port(before)),
        );
    }
    if let Some(inner) = host.strip_prefix('[') {
        let (address, port) = inner.split_once(']').unwrap_or((inner, ""));
        let port = port.trim_start_matches(':');
        let hint = if port.is_empty() {
            address.to_owned()
        } else {
            format!("{address} (and put {port} in port.number)")
        };
        return Some(
            HostProblem::new(
                format!("{host} uses brackets: write the IPv6 address without [ ] or a port"),
                Some(hint),
            )
            .replaced_by(address.to_owned(), port.parse().ok()),
        );
    }
    if let Some((name, port)) = host.rsplit_once(':')
        && !name.contains(':')
    {
        let number = port.parse::<u16>().ok().filter(|p| *p > 0);
        return Some(
            HostProblem::new(
                format!("{host} includes a port: put the port in port.number, not in the host"),
                Some(if port.chars().all(|c| c.is_ascii_digit()) && !port.is_empty() {
                    format!("{name} (and put {port} in port.number)")
                } else {
                    name.to_owned()
                }),
            )
            .replaced_by(name.to_owned(), number),
        );
    }
    None
}

/// The port of `user@host:port/path?query`, when one is written.
fn authority_port(rest: &str) -> Option<u16> {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let after_host = match authority.strip_prefix('[') {
        Some(inner) => inner.split_once(']').map_or("", |(_, rest)| rest),
        None => authority.split_once(':').map_or("", |(_, port)| port),
    };
    after_host.trim_start_matches(':').parse().ok().filter(|p: &u16| *p > 0)
}

/// `user@host:port/path?query` → `host`.
fn bare_host(rest: &str) -> String {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(inner) = authority.strip_prefix('[') {
        return inner.split(']').next().unwrap_or(inner).to_owned();
    }
    authority.split(':').next().unwrap_or(authority).to_owned()
}

fn check_dns_name(host: &str) -> Result<(), HostProblem> {
    if let Some(stripped) = host.strip_suffix('.')
        && !stripped.is_empty()
        && !stripped.ends_with('.')
    {
        return Err(HostProblem::new(
            format!("{host} ends with a dot: write the name without the trailing dot"),
            Some(stripped.to_owned()),
        ));
    }
    if host.len() > MAX_NAME {
        return Err(HostProblem::new(
            format!("the host is {} characters long: DNS names are at most {MAX_NAME}", host.len()),
            None,
        ));
    }
    let mut all_numeric = true;
    let mut last_numeric = false;
    for label in host.split('.') {
        check_label(host, label)?;
        last_numeric = label.bytes().all(|b| b.is_ascii_digit());
        all_numeric &= last_numeric;
    }
    if all_numeric {
        return Err(HostProblem::new(
            format!(
                "{host} looks like an IPv4 address but is not one (four numbers 0–255, no leading zeros)"
            ),
            None,
        ));
    }
    if last_numeric {
        return Err(HostProblem::new(
            format!("{host} ends in a number: a DNS name's last label has letters"),
            None,
        ));
    }
    Ok(())
}

fn check_label(host: &str, label: &str) -> Result<(), HostProblem> {
    if label.is_empty() {
        return Err(HostProblem::new(
            format!("{host} has an empty label (\"..\" or a leading dot)"),
            Some(host.split('.').filter(|l| !l.is_empty()).collect::<Vec<_>>().join(".")),
        ));
    }
    if label.len() > MAX_LABEL {
        return Err(HostProblem::new(
            format!(
                "the label \"{}…\" of {host} is {} characters long: DNS labels are at most {MAX_LABEL}",
                label.chars().take(12).collect::<String>(),
                label.len()
            ),
            None,
        ));
    }
    if let Some(bad) = label.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
        let hint = (bad == '_').then(|| host.replace('_', "-"));
        return Err(HostProblem::new(
            format!(
                "{host} contains {}: a DNS name has only letters, digits, '-' and '.'",
                describe_char(bad)
            ),
            hint,
        ));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(HostProblem::new(
            format!(
                "the label \"{label}\" of {host} starts or ends with '-', which DNS does not allow"
            ),
            None,
        ));
    }
    Ok(())
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '_' => "'_' (underscore)".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("'{c}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_addresses_are_accepted() {
        for host in ["www.example.com", "localhost", "a-b.c0", "Example.COM", "xn--bcher-kva.de"] {
            assert_eq!(classify(host), Ok(HostKind::Name), "{host}");
        }
        assert!(matches!(classify("11.22.33.44"), Ok(HostKind::Ip(IpAddr::V4(_)))));
        assert!(matches!(classify("2001:db8::1"), Ok(HostKind::Ip(IpAddr::V6(_)))));
    }

    #[test]
    fn urls_and_ports_are_rejected_with_the_bare_host_as_hint() {
        let cases = [
            ("https://api.example.com/v1", "api.example.com"),
            ("http://user@api.example.com:8080", "api.example.com"),
            ("api.example.com/v1", "api.example.com"),
            ("api.example.com:8443", "api.example.com (and put 8443 in port.number)"),
            ("[2001:db8::1]:443", "2001:db8::1 (and put 443 in port.number)"),
            (" api.example.com", "api.example.com"),
            ("api.example.com.", "api.example.com"),
            ("my_host.example.com", "my-host.example.com"),
        ];
        for (host, hint) in cases {
            let problem = classify(host).expect_err(host);
            assert_eq!(problem.hint.as_deref(), Some(hint), "{host}: {}", problem.message);
        }
    }

    #[test]
    fn malformed_names_are_rejected() {
        let long_label = format!("{}.com", "a".repeat(64));
        let long_name = ["abcdefghi"; 26].join(".");
        for host in [
            "*.example.com",
            "-a.example.com",
            "a..b",
            "999.1.1.1",
            "011.022.033.044",
            "example.123",
            long_label.as_str(),
            long_name.as_str(),
            "ex ample.com",
        ] {
            assert!(classify(host).is_err(), "{host} should be rejected");
        }
    }

    #[test]
    fn the_fast_path_agrees_with_the_slow_path() {
        let long_label = format!("{}.com", "a".repeat(64));
        for host in [
            "a.com",
            "A-b.c0",
            "-a.com",
            "a-.com",
            "a..b",
            "1.2.3.4",
            "a.123",
            "",
            ".",
            "a.",
            "x_y.com",
            "a.b.c.d.e",
            long_label.as_str(),
            "::1",
            "host-1-2.example.com",
        ] {
            let slow_accepts = classify(host) == Ok(HostKind::Name);
            assert!(!is_plain_dns_name(host.as_bytes()) || slow_accepts, "{host}");
        }
    }

    #[test]
    fn host_keys_ignore_case_and_ipv6_spelling() {
        assert_eq!(host_key("API.Example.com", HostKind::Name), "api.example.com");
        let ip = classify("2001:DB8:0::1").unwrap();
        assert_eq!(host_key("2001:DB8:0::1", ip), "2001:db8::1");
    }
}
