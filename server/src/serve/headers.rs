//! Security headers on every response.

use axum::Router;
use axum::http::{HeaderName, header};

/// The UI loads only its own scripts, styles and wasm; nothing may frame it.
/// `wasm-unsafe-eval` is what lets `WebAssembly.instantiate` run under a CSP.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
form-action 'self'; object-src 'none'";

const HEADERS: [(HeaderName, &str); 4] = [
    (header::CONTENT_SECURITY_POLICY, CSP),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    // `same-origin`, not `no-referrer`: with `no-referrer` Chromium sends `Origin: null` on
    // same-site form posts, which the cross-origin write check must refuse (sign-in broke).
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// `router` with CSP, nosniff, no cross-site referrer and no framing on every response.
pub fn with_security_headers(router: Router) -> Router {
    egress_apiserver::http::headers::with_headers(router, &HEADERS)
}
