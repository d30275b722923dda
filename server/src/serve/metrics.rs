//! Prometheus `/metrics`: requests by route and status, and their latency.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// (route template, HTTP status).
type RouteStatus = (String, u16);
/// (requests, seconds spent).
type Totals = (u64, f64);

/// Counters kept in memory; cheap to clone.
#[derive(Clone, Default)]
pub struct Metrics {
    requests: Arc<Mutex<BTreeMap<RouteStatus, Totals>>>,
}

impl Metrics {
    /// The text exposition format.
    pub fn render(&self) -> String {
        let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        out.push_str(
            "# HELP egress_console_http_requests_total HTTP requests by route and status.\n",
        );
        out.push_str("# TYPE egress_console_http_requests_total counter\n");
        for ((route, status), (count, _)) in requests.iter() {
            let _ = writeln!(
                out,
                "egress_console_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        out.push_str("# HELP egress_console_http_request_seconds_sum Time spent answering, by route and status.\n");
        out.push_str("# TYPE egress_console_http_request_seconds_sum counter\n");
        for ((route, status), (_, seconds)) in requests.iter() {
            let _ = writeln!(
                out,
                "egress_console_http_request_seconds_sum{{route=\"{route}\",status=\"{status}\"}} {seconds:.6}"
            );
        }
        render_kubernetes_calls(&mut out);
        out
    }
}

/// Upper bounds of the Kubernetes call latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Kubernetes calls: per-bucket counts, total count, total seconds. Process-wide, because
/// every client of every Space feeds it.
static KUBERNETES_CALLS: Mutex<([u64; BUCKETS.len()], u64, f64)> =
    Mutex::new(([0; BUCKETS.len()], 0, 0.0));

/// Records one Kubernetes call.
pub fn record_kubernetes_call(seconds: f64) {
    let mut calls = KUBERNETES_CALLS.lock().unwrap_or_else(|e| e.into_inner());
    for (i, bound) in BUCKETS.iter().enumerate() {
        if seconds <= *bound {
            calls.0[i] += 1;
        }
    }
    calls.1 += 1;
    calls.2 += seconds;
}

fn render_kubernetes_calls(out: &mut String) {
    let calls = KUBERNETES_CALLS.lock().unwrap_or_else(|e| e.into_inner());
    let name = "egress_console_kubernetes_request_duration_seconds";
    let _ = writeln!(out, "# HELP {name} Latency of calls to the Kubernetes APIs of the Spaces.");
    let _ = writeln!(out, "# TYPE {name} histogram");
    for (bound, count) in BUCKETS.iter().zip(calls.0) {
        let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {count}");
    }
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", calls.1);
    let _ = writeln!(out, "{name}_sum {:.6}", calls.2);
    let _ = writeln!(out, "{name}_count {}", calls.1);
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
    let elapsed = started.elapsed().as_secs_f64();
    let mut requests = metrics.requests.lock().unwrap_or_else(|e| e.into_inner());
    let entry = requests.entry((route, response.status().as_u16())).or_default();
    entry.0 += 1;
    entry.1 += elapsed;
    response
}

/// GET /metrics.
pub async fn metrics_get(State(metrics): State<Metrics>) -> impl IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics.render())
}
