//! Local-mode protections: requests must name this server in `Host` (DNS rebinding), and
//! writes from a browser must come from its own origin.

use crate::api::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// The `Host` values this server answers to.
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

    /// Any Host (tests that call the router directly).
    pub fn any() -> AllowedHosts {
        AllowedHosts(Vec::new())
    }

    fn allows(&self, host: &str) -> bool {
        self.0.is_empty() || self.0.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// Rejects unknown `Host` headers and cross-origin writes.
pub async fn check(
    State(allowed): State<Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_owned);
    if let Some(host) = &host
        && !allowed.allows(host)
    {
        return ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            "Unknown host",
            format!("this server does not answer to Host \"{host}\"; start it with --allowed-host {host} if that name is yours"),
        )
        .into_response();
    }
    let is_write = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if is_write
        && let Some(origin) = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok())
    {
        let origin_host = origin.split("://").nth(1).unwrap_or("").trim_end_matches('/');
        if !allowed.allows(origin_host) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "Cross-origin write",
                format!("writes from origin {origin} are not accepted"),
            )
            .into_response();
        }
    }
    next.run(request).await
}
