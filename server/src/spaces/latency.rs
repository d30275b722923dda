//! A tower layer on every Kubernetes client that records how long each call takes, in the
//! `egress_console_kubernetes_request_duration_seconds` histogram that `/metrics` shows.
//! It lives here, below both the catalog and the HTTP layer, because every client of every
//! Space feeds it.

use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};
use std::time::Instant;
use tower::{Layer, Service};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Every Kubernetes call of the process.
static KUBERNETES_CALLS: LazyLock<Histogram> = LazyLock::new(|| Histogram::new(BUCKETS));

/// Adds the Kubernetes call histogram to a registry.
pub fn register(registry: &mut Registry) {
    registry.register(
        "egress_console_kubernetes_request_duration_seconds",
        "Latency of calls to the Kubernetes APIs of the Spaces",
        KUBERNETES_CALLS.clone(),
    );
}

/// Wraps a client's service with timing.
#[derive(Clone, Copy, Debug, Default)]
pub struct LatencyLayer;

impl<S> Layer<S> for LatencyLayer {
    type Service = Latency<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Latency { inner }
    }
}

/// The timed service.
#[derive(Clone, Debug)]
pub struct Latency<S> {
    inner: S,
}

impl<S, R> Service<R> for Latency<S>
where
    S: Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let started = Instant::now();
        let future = self.inner.call(request);
        Box::pin(async move {
            let result = future.await;
            KUBERNETES_CALLS.observe(started.elapsed().as_secs_f64());
            result
        })
    }
}
