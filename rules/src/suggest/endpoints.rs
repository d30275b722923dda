//! Endpoints in configuration strings: URLs, connection strings and `host:port` pairs, each
//! with the port and protocol an EgressPoint needs (the reference page's rules: HTTP and
//! HTTPS for http(s) URLs, TCP for server-first protocols even when the string asks for TLS,
//! TLS for TLS-first ones, TCP for IP hosts), or the reason it needs none. Credentials are
//! never kept: only host, port and protocol leave this module, and [`redacted`] is the only
//! form of the string shown.

use crate::host::{self, HostKind};
use crate::model::Protocol;

/// What one string holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// An off-cluster endpoint.
    Endpoint {
        /// Host as written (lowercase), without credentials.
        host: String,
        /// Port (the scheme's default when none is written).
        port: u16,
        /// The protocol an EgressPoint needs for it.
        protocol: Protocol,
        /// What it was read as ("PostgreSQL URL", "host:port").
        shape: &'static str,
    },
    /// Not something an EgressPoint can or needs to allow, and why.
    Skipped {
        /// The host (or the string's shape, without credentials).
        what: String,
        /// Why.
        reason: String,
    },
}

/// A scheme: its default port, the protocol, and its name in words.
fn scheme(name: &str) -> Option<(u16, Protocol, &'static str)> {
    use Protocol::{Http, Https, Tcp, Tls};
    Some(match name {
        "http" | "ws" => (80, Http, "HTTP URL"),
        "https" | "wss" => (443, Https, "HTTPS URL"),
        // Server-first protocols: TCP, even when the string asks for TLS (STARTTLS, sslmode).
        "postgres" | "postgresql" => (5432, Tcp, "PostgreSQL URL"),
        "mysql" | "mariadb" => (3306, Tcp, "MySQL URL"),
        "smtp" => (25, Tcp, "SMTP URL"),
        "ftp" => (21, Tcp, "FTP URL"),
        "ssh" | "sftp" => (22, Tcp, "SSH URL"),
        "imap" => (143, Tcp, "IMAP URL"),
        "pop3" => (110, Tcp, "POP3 URL"),
        // Client-first plain protocols: TCP.
        "mongodb" => (27017, Tcp, "MongoDB URL"),
        "redis" => (6379, Tcp, "Redis URL"),
        "amqp" => (5672, Tcp, "AMQP URL"),
        "kafka" => (9092, Tcp, "Kafka URL"),
        "nats" => (4222, Tcp, "NATS URL"),
        "ldap" => (389, Tcp, "LDAP URL"),
        "memcached" => (11211, Tcp, "Memcached URL"),
        "sqlserver" => (1433, Tcp, "SQL Server URL"),
        "tcp" => (0, Tcp, "TCP address"),
        // TLS from the first byte: the client speaks first, TLS applies.
        "rediss" => (6379, Tls, "Redis TLS URL"),
        "amqps" => (5671, Tls, "AMQP TLS URL"),
        "smtps" => (465, Tls, "SMTP TLS URL"),
        "ldaps" => (636, Tls, "LDAP TLS URL"),
        "imaps" => (993, Tls, "IMAP TLS URL"),
        "pop3s" => (995, Tls, "POP3 TLS URL"),
        "tls" => (0, Tls, "TLS address"),
        _ => return None,
    })
}

/// The protocol of a `host:port` written without a scheme, by its port.
fn protocol_of_port(port: u16) -> Protocol {
    match port {
        443 | 8443 => Protocol::Https,
        80 | 8080 => Protocol::Http,
        _ => Protocol::Tcp,
    }
}

/// Keys of `key=value` strings whose value is a secret.
const SECRET_KEYS: [&str; 7] =
    ["password=", "pwd=", "pass=", "secret=", "token=", "apikey=", "api_key="];

/// The string without credentials: `postgres://***@db.example.com/orders`, and every
/// `Password=…` (and the like) of a key=value string as `Password=***`.
pub fn redacted(text: &str) -> String {
    let mut out = text.to_owned();
    if let Some((scheme, rest)) = text.split_once("://") {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            out = format!("{scheme}://***@{}", &rest[at + 1..]);
        }
    }
    for key in SECRET_KEYS {
        let mut from = 0;
        // Lowercasing ASCII keeps every byte offset.
        while let Some(found) = out.to_ascii_lowercase()[from..].find(key) {
            let value = from + found + key.len();
            let end = out[value..].find([';', '&', ' ']).map_or(out.len(), |e| value + e);
            out.replace_range(value..end, "***");
            from = value + 3;
        }
    }
    out
}

/// Every endpoint in `text` (a URL, a JDBC URL, a list of `host:port`, a `Host=…;Port=…`
/// string), or why there is none worth allowing. Empty when the text names no endpoint.
pub fn endpoints_in(text: &str) -> Vec<Found> {
    let text = text.trim().trim_matches(['"', '\'']);
    if text.is_empty() || text.len() > 4096 {
        return Vec::new();
    }
    let text = text.strip_prefix("jdbc:").unwrap_or(text);
    if let Some(found) = key_values(text) {
        return found;
    }
    if let Some((name, rest)) = text.split_once("://") {
        let name = name.to_ascii_lowercase();
        if name == "mongodb+srv" {
            let host = authority(rest).0.rsplit('@').next().unwrap_or("").to_owned();
            return vec![Found::Skipped {
                what: host,
                reason: "mongodb+srv finds its servers through DNS SRV records: the hosts and ports cannot be pinned; list the cluster's hosts (port 27017) by hand".into(),
            }];
        }
        if name == "s3" {
            return vec![endpoint("s3.amazonaws.com", 443, Protocol::Https, "S3 bucket URL")];
        }
        let Some((default_port, protocol, shape)) = scheme(&name) else {
            return Vec::new();
        };
        let (authority, _) = authority(rest);
        // Credentials before the last '@' are dropped here, never read further.
        let hosts = authority.rsplit('@').next().unwrap_or("");
        // SQL Server JDBC: `sqlserver://host:1433;databaseName=…`.
        let hosts = hosts.split(';').next().unwrap_or("");
        return hosts
            .split(',')
            .filter(|h| !h.is_empty())
            .map(|h| host_port(h, default_port, Some(protocol), shape))
            .collect();
    }
    // A list of host:port (Kafka bootstrap servers, memcached pools, …).
    if text.contains(':') && !text.contains(' ') {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        if parts.iter().all(|p| looks_like_host_port(p)) {
            return parts.into_iter().map(|p| host_port(p, 0, None, "host:port")).collect();
        }
    }
    Vec::new()
}

/// `user:pass@host:port,host2/path?query` → (`user:pass@host:port,host2`, rest).
fn authority(rest: &str) -> (&str, &str) {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    (&rest[..end], &rest[end..])
}

fn looks_like_host_port(text: &str) -> bool {
    let (host, port) = match text.strip_prefix('[') {
        Some(rest) => match rest.split_once("]:") {
            Some(parts) => parts,
            None => return false,
        },
        None => match text.rsplit_once(':') {
            Some(parts) => parts,
            None => return false,
        },
    };
    !host.is_empty()
        && port.parse::<u16>().is_ok_and(|p| p > 0)
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && (host.contains('.')
            || host.contains(':')
            || host.chars().any(|c| c.is_ascii_alphabetic()))
}

/// `Host=db;Port=5432;…` (Npgsql, ADO.NET) and `Server=tcp:host,1433;…` (SQL Server).
fn key_values(text: &str) -> Option<Vec<Found>> {
    if !text.contains('=') || !text.contains(';') {
        return None;
    }
    let mut host = None;
    let mut port = None;
    for pair in text.split(';') {
        let Some((key, value)) = pair.split_once('=') else { continue };
        match key.trim().to_ascii_lowercase().as_str() {
            "host" | "server" | "data source" | "address" | "addr" | "hostname" => {
                let value = value.trim().strip_prefix("tcp:").unwrap_or(value.trim());
                // SQL Server writes `host,port`.
                match value.split_once(',') {
                    Some((h, p)) => {
                        host = Some(h.trim().to_owned());
                        port = p.trim().parse::<u16>().ok();
                    }
                    None => host = Some(value.to_owned()),
                }
            }
            "port" => port = value.trim().parse::<u16>().ok(),
            _ => {}
        }
    }
    let host = host?;
    let is_sql_server = text.to_ascii_lowercase().contains("initial catalog")
        || text.to_ascii_lowercase().starts_with("server=");
    let default = if is_sql_server { 1433 } else { 5432 };
    let shape = if is_sql_server {
        "SQL Server connection string"
    } else {
        "Host=…;Port=… connection string"
    };
    let with_port = format!("{host}:{}", port.unwrap_or(default));
    Some(vec![host_port(&with_port, default, Some(Protocol::Tcp), shape)])
}

fn endpoint(host: &str, port: u16, protocol: Protocol, shape: &'static str) -> Found {
    Found::Endpoint { host: host.to_ascii_lowercase(), port, protocol, shape }
}

/// One `host[:port]` of a URL or list, judged.
fn host_port(
    text: &str,
    default_port: u16,
    protocol: Option<Protocol>,
    shape: &'static str,
) -> Found {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, after)) => (ip, after.strip_prefix(':')),
            None => (rest, None),
        }
    } else {
        match text.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h, Some(p)),
            _ => (text, None),
        }
    };
    let port = match port {
        Some(p) => match p.parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => {
                return Found::Skipped {
                    what: host.to_owned(),
                    reason: format!("\"{p}\" is not a port"),
                };
            }
        },
        None if default_port > 0 => default_port,
        None => {
            return Found::Skipped {
                what: host.to_owned(),
                reason: "no port is written and the scheme has no default".into(),
            };
        }
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let kind = match host::classify(&host) {
        Ok(kind) => kind,
        Err(problem) => return Found::Skipped { what: host, reason: problem.message },
    };
    if let Some(why) = in_cluster(&host, kind) {
        return Found::Skipped { what: host, reason: why };
    }
    let protocol = match kind {
        // The reference page: IP hosts only on TCP.
        HostKind::Ip(_) => Protocol::Tcp,
        HostKind::Name => protocol.unwrap_or_else(|| protocol_of_port(port)),
    };
    Found::Endpoint { host, port, protocol, shape }
}

/// Why a host needs no EgressPoint: in-cluster names, loopback, link-local and the cloud
/// metadata names.
fn in_cluster(host: &str, kind: HostKind) -> Option<String> {
    if let Some(why) = host::not_off_cluster(host, kind) {
        return Some(format!("{why}: not off-cluster, no EgressPoint applies"));
    }
    if kind != HostKind::Name {
        return None;
    }
    if host.ends_with(".svc")
        || host.ends_with(".svc.cluster.local")
        || host.ends_with(".cluster.local")
    {
        return Some(
            "an in-cluster Service name: traffic inside the cluster needs no EgressPoint".into(),
        );
    }
    if host == "metadata.google.internal" || host == "metadata" {
        return Some("the cloud metadata server: not an off-cluster target".into());
    }
    if !host.contains('.') {
        return Some("a name without a domain: an in-cluster Service (or a local name), not an off-cluster host".into());
    }
    None
}
