//! Who is asking: in token mode, the bearer token from `Authorization` or the sign-in
//! cookie; in local mode, nobody in particular (the server's own credentials are used).

use axum::http::header;
use axum::http::request::Parts;

/// The name of the HttpOnly cookie that holds the token after sign-in.
pub const TOKEN_COOKIE: &str = "egress_token";

/// `--auth`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    /// Use the kubeconfig's (or the embedded API's) credentials; for a user's own machine.
    #[default]
    Local,
    /// Every Kubernetes call carries the caller's own bearer token; for running in a
    /// cluster behind an authenticating proxy.
    Token,
}

/// The caller of one request.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    /// The bearer token (token mode only).
    pub token: Option<String>,
}

impl Caller {
    /// A non-reversible key for per-caller caches (never the token itself): SHA-256, so
    /// no second token can be made to share a caller's cached answers (a 64-bit hash
    /// could be matched).
    pub fn fingerprint(&self) -> String {
        match &self.token {
            None => "local".into(),
            Some(token) => {
                let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
                digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
            }
        }
    }

    /// True for a caller with a token of its own (token mode).
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }
}

/// The token of a request: `Authorization: Bearer …`, else the sign-in cookie.
pub fn token_of(parts: &Parts) -> Option<String> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    bearer.filter(|t| !t.is_empty()).or_else(|| {
        parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(
            |cookies| {
                cookies.split(';').find_map(|c| {
                    c.trim().strip_prefix(&format!("{TOKEN_COOKIE}=")).map(str::to_owned)
                })
            },
        )
    })
}
