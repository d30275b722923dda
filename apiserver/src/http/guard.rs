//! The request guard: DNS rebinding (unknown `Host`), cross-site writes (another `Origin`,
//! `Sec-Fetch-Site: cross-site`, a content type an HTML form can send), and bodies announced
//! larger than the limit, refused before the body is read or any handler runs.

use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use std::net::SocketAddr;

/// The `Host` values a server answers to.
#[derive(Clone, Debug)]
pub struct AllowedHosts(Vec<String>);

impl AllowedHosts {
    /// The listen address, its loopback names, and `--allowed-host` values.
    pub fn new(addr: SocketAddr, extra: &[String]) -> AllowedHosts {
        let port = addr.port();
        let mut hosts = vec![
            addr.to_string(),
            format!("localhost:{port}"),
            format!("127.0.0.1:{port}"),
            format!("[::1]:{port}"),
        ];
        hosts.extend(extra.iter().map(|h| h.to_ascii_lowercase()));
        AllowedHosts(hosts)
    }

    /// Any Host (tests that call a router directly; servers behind authentication).
    pub fn any() -> AllowedHosts {
        AllowedHosts(Vec::new())
    }

    /// True when `host` (`name:port`) is one of them.
    pub fn allows(&self, host: &str) -> bool {
        self.0.is_empty() || self.0.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// Why a request was refused, for each server to answer in its own error format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// 400, 403, 413, 415 or 421.
    pub status: StatusCode,
    /// A short title (`Unknown host`).
    pub title: &'static str,
    /// What was wrong and what to do about it.
    pub detail: String,
}

impl Refusal {
    fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Refusal {
        Refusal { status, title, detail: detail.into() }
    }
}

/// What a server accepts.
#[derive(Clone, Debug)]
pub struct Guard {
    /// `Host` values (and write `Origin`s) accepted.
    pub hosts: AllowedHosts,
    /// Refuse writes a page on another site could make (other `Origin`, cross-site fetch
    /// metadata, form content types). Off for a server that authenticates with bearer
    /// tokens, which browsers do not send by themselves.
    pub same_origin_writes: bool,
    /// Largest body; a bigger `Content-Length` is refused at once.
    pub body_limit: usize,
    /// Paths where the server's own HTML form posts (`application/x-www-form-urlencoded`).
    pub form_paths: &'static [&'static str],
}

/// Media types a write may carry: JSON and YAML, including Kubernetes' patch types
/// (`application/merge-patch+json`, `application/apply-patch+yaml`, …).
/// True when a browser sent the request: browsers name where a write comes from.
fn from_browser(headers: &HeaderMap) -> bool {
    headers.contains_key(header::ORIGIN) || headers.contains_key("sec-fetch-site")
}

fn is_api_media_type(media: &str) -> bool {
    let media = media.to_ascii_lowercase();
    // Protobuf is what kubectl sends for built-in kinds; like JSON, no HTML form can send
    // it, and fetch() can only after a CORS preflight this server never grants.
    matches!(
        media.as_str(),
        "application/json"
            | "application/yaml"
            | "text/yaml"
            | "application/vnd.kubernetes.protobuf"
    ) || (media.starts_with("application/")
        && (media.ends_with("+json") || media.ends_with("+yaml")))
}

impl Guard {
    /// Checks one request's head.
    pub fn check(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Result<(), Refusal> {
        let path = uri.path();
        let mut hosts = headers.get_all(header::HOST).iter();
        let host = match (hosts.next(), hosts.next()) {
            (Some(host), None) => host.to_str().unwrap_or(""),
            // HTTP/2 names the host in the `:authority` pseudo-header, which hyper puts in
            // the URI instead of a Host header.
            (None, _) if uri.authority().is_some() => uri.authority().map_or("", |a| a.as_str()),
            // In-process callers (tests, the console's own client of the embedded API)
            // send no Host; only a server that checks names needs one.
            (None, _) if self.hosts.0.is_empty() => "",
            (None, _) => {
                return Err(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "No Host",
                    "the request has no Host header; HTTP/1.1 requires one",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "Two Hosts",
                    "the request has more than one Host header",
                ));
            }
        };
        if !self.hosts.allows(host) {
            return Err(Refusal::new(
                StatusCode::MISDIRECTED_REQUEST,
                "Unknown host",
                format!(
                    "this server does not answer to Host \"{host}\"; start it with \
                     --allowed-host {host} if that name is yours"
                ),
            ));
        }
        let announced = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if announced.is_some_and(|length| length > self.body_limit as u64) {
            return Err(Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Body too large",
                format!("request bodies are limited to {} bytes", self.body_limit),
            ));
        }
        let is_write = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if is_write && self.same_origin_writes {
            self.check_write_origin(headers)?;
            let has_body = announced.is_some_and(|length| length > 0)
                || headers.contains_key(header::TRANSFER_ENCODING);
            let media = headers
                .get(header::CONTENT_TYPE)
                .map(|v| v.to_str().unwrap_or("?").split(';').next().unwrap_or("").trim());
            let form = self.form_paths.contains(&path)
                && media
                    .is_some_and(|m| m.eq_ignore_ascii_case("application/x-www-form-urlencoded"));
            match media {
                Some(m) if !is_api_media_type(m) && !form => {
                    return Err(Refusal::new(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "Unsupported media type",
                        format!(
                            "writes take application/json, application/yaml or (for built-in kinds) application/vnd.kubernetes.protobuf, not {m}"
                        ),
                    ));
                }
                // A body without a type is JSON to kube-apiserver, and Python's `kubernetes`
                // client sends creates so; a browser's write (it names its Origin or
                // Sec-Fetch-Site) gets no such benefit of the doubt.
                None if has_body && from_browser(headers) => {
                    return Err(Refusal::new(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "Unsupported media type",
                        "a write with a body needs Content-Type: application/json or application/yaml",
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A browser names the page that makes a request in `Origin` (and, when it leaves that
    /// out, says where the request comes from in `Sec-Fetch-Site`).
    fn check_write_origin(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("?");
            let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
            if origin_host.is_empty() || !self.hosts.allows(origin_host.trim_end_matches('/')) {
                return Err(Refusal::new(
                    StatusCode::FORBIDDEN,
                    "Cross-origin write",
                    format!("writes from origin {origin} are not accepted"),
                ));
            }
            return Ok(());
        }
        match headers.get("sec-fetch-site").map(|v| v.to_str().unwrap_or("?")) {
            None | Some("same-origin" | "none") => Ok(()),
            Some(site) => Err(Refusal::new(
                StatusCode::FORBIDDEN,
                "Cross-origin write",
                format!("writes from another site (Sec-Fetch-Site: {site}) are not accepted"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn guard() -> Guard {
        Guard {
            hosts: AllowedHosts::new("127.0.0.1:8080".parse().unwrap(), &[]),
            same_origin_writes: true,
            body_limit: 1024,
            form_paths: &["/auth/session"],
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn status(method: Method, path: &str, pairs: &[(&'static str, &'static str)]) -> u16 {
        match guard().check(&method, &path.parse().expect("a path"), &headers(pairs)) {
            Ok(()) => 200,
            Err(refusal) => refusal.status.as_u16(),
        }
    }

    #[test]
    fn host_must_be_there_once_and_be_ours() {
        assert_eq!(status(Method::GET, "/", &[("host", "localhost:8080")]), 200);
        assert_eq!(status(Method::GET, "/", &[]), 400);
        assert_eq!(status(Method::GET, "/", &[("host", "localhost:8080"), ("host", "x")]), 400);
        assert_eq!(status(Method::GET, "/", &[("host", "evil.example")]), 421);
        // HTTP/2: the host is the URI's authority (`:authority`), checked the same way.
        assert_eq!(status(Method::GET, "https://localhost:8080/", &[]), 200);
        assert_eq!(status(Method::GET, "https://evil.example/", &[]), 421);
    }

    #[test]
    fn writes_a_page_on_another_site_could_make_are_refused() {
        let ours = ("host", "127.0.0.1:8080");
        let json = ("content-type", "application/json");
        assert_eq!(
            status(Method::POST, "/a", &[ours, json, ("origin", "http://127.0.0.1:8080")]),
            200
        );
        assert_eq!(
            status(Method::POST, "/a", &[ours, json, ("origin", "http://evil.example")]),
            403
        );
        assert_eq!(status(Method::POST, "/a", &[ours, json, ("origin", "null")]), 403);
        assert_eq!(status(Method::DELETE, "/a", &[ours, ("sec-fetch-site", "cross-site")]), 403);
        assert_eq!(status(Method::DELETE, "/a", &[ours, ("sec-fetch-site", "same-site")]), 403);
        assert_eq!(status(Method::DELETE, "/a", &[ours, ("sec-fetch-site", "same-origin")]), 200);
        assert_eq!(status(Method::POST, "/a", &[ours, ("content-type", "text/plain")]), 415);
        let form = ("content-type", "application/x-www-form-urlencoded");
        assert_eq!(status(Method::POST, "/a", &[ours, form]), 415);
        assert_eq!(status(Method::POST, "/auth/session", &[ours, form]), 200);
        // No type: JSON for a client that is not a browser, refused from a browser page.
        assert_eq!(status(Method::POST, "/a", &[ours, ("content-length", "5")]), 200);
        let same_origin = ("sec-fetch-site", "same-origin");
        assert_eq!(status(Method::POST, "/a", &[ours, same_origin, ("content-length", "5")]), 415);
        let patch = ("content-type", "application/apply-patch+yaml; charset=utf-8");
        assert_eq!(status(Method::PATCH, "/a", &[ours, patch]), 200);
    }

    #[test]
    fn a_body_announced_over_the_limit_is_refused_before_it_is_read() {
        let ours = ("host", "127.0.0.1:8080");
        let json = ("content-type", "application/json");
        assert_eq!(
            status(Method::POST, "/a", &[ours, json, ("content-length", "2147483648")]),
            413
        );
        assert_eq!(status(Method::POST, "/a", &[ours, json, ("content-length", "1024")]), 200);
    }
}
