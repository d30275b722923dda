//! A tower layer on every Kubernetes client that records how long each call takes, for the
//! `egress_console_kubernetes_request_duration_seconds` histogram of `/metrics`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;
use tower::{Layer, Service};

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
            crate::serve::metrics::record_kubernetes_call(started.elapsed().as_secs_f64());
            result
        })
    }
}
