//! Security headers for API responses (JSON, YAML, never HTML): nothing may sniff, frame
//! or cache them, as kube-apiserver sends `nosniff` and `no-cache, private`.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

const HEADERS: [(HeaderName, &str); 5] = [
    (header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::CACHE_CONTROL, "no-cache, private"),
];

/// `router` with the API headers on every response that does not set them itself.
pub fn with_api_headers(router: Router) -> Router {
    with_headers(router, &HEADERS)
}

/// `router` with `headers` on every response that does not set them itself.
pub fn with_headers(router: Router, headers: &[(HeaderName, &'static str)]) -> Router {
    headers.iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(
            name.clone(),
            HeaderValue::from_static(value),
        ))
    })
}
