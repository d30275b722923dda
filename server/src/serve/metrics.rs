//! Prometheus `/metrics` (OpenMetrics text, by the `prometheus-client` crate): requests by
//! route and status with their latency, and the latency of the Kubernetes calls that
//! `spaces::latency` records.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Instant;

/// (route template, HTTP status) as labels.
type RouteStatus = [(&'static str, String); 2];

/// Upper bounds of the request latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// The registry and the request metrics; cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RouteStatus, Counter>,
    durations: Family<RouteStatus, Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        let requests = Family::<RouteStatus, Counter>::default();
        let durations = Family::<RouteStatus, Histogram>::new_with_constructor(
            (|| Histogram::new(BUCKETS)) as fn() -> Histogram,
        );
        let mut registry = Registry::default();
        registry.register(
            "egress_console_http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "egress_console_http_request_duration_seconds",
            "Time spent answering HTTP requests, by route and status",
            durations.clone(),
        );
        crate::spaces::latency::register(&mut registry);
        Metrics { registry: Arc::new(registry), requests, durations }
    }
}

impl Metrics {
    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// Counts every request under its route template (`/api/v1/spaces/{space}/rules`), so the
/// label set stays small whatever the paths.
pub async fn count(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "ui".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [("route", route), ("status", response.status().as_u16().to_string())];
    metrics.requests.get_or_create(&labels).inc();
    metrics.durations.get_or_create(&labels).observe(started.elapsed().as_secs_f64());
    response
}

/// GET /metrics.
pub async fn metrics_get(State(metrics): State<Metrics>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(),
    )
}
