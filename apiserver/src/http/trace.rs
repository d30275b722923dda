//! Request spans with a request id, the method and the path: never the query string,
//! which may carry a `?token=`.

use axum::http::Request;
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, TraceLayer};

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

/// Names each request's span.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> tracing::Span {
        let id = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
        tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
    }
}

/// tower-http's trace layer with [`RequestSpan`].
pub fn layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan> {
    TraceLayer::new_for_http().make_span_with(RequestSpan)
}
