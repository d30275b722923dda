//! Security headers on every response.

use axum::http::{HeaderName, HeaderValue, header};
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_http::set_header::SetResponseHeaderLayer;

/// The UI loads only its own scripts, styles and wasm; nothing may frame it.
/// `wasm-unsafe-eval` is what lets `WebAssembly.instantiate` run under a CSP.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
form-action 'self'; object-src 'none'";

type Header = SetResponseHeaderLayer<HeaderValue>;

/// CSP, nosniff, no referrer, no framing.
pub fn security_headers()
-> ServiceBuilder<Stack<Header, Stack<Header, Stack<Header, Stack<Header, Identity>>>>> {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    ServiceBuilder::new()
        .layer(set(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
}
