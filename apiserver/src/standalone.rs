//! The Space API as a server of its own (`egress-console apiserver`): the shared request
//! guard, security headers, a time limit for everything but watches, and request spans
//! without query strings. Inside `serve` the console reaches the Space API in-process and
//! none of this is in the way.

use crate::SpaceApi;
use crate::http::{AllowedHosts, Guard, Refusal};
use crate::status::StatusError;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;

/// Longest a request other than a watch may take, as kube-apiserver's default
/// `--request-timeout`.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

impl SpaceApi {
    /// The router of a standalone Space API listening where `hosts` say. With authentication
    /// off, anyone who can reach the port may write, so it answers only to its own names
    /// and refuses what a web page on another site could send; with bearer tokens (which
    /// browsers do not attach by themselves) any Host is accepted, as kube-apiserver does.
    pub fn standalone_router(&self, hosts: AllowedHosts) -> Router {
        let open = !self.options.auth.is_enabled();
        let guard = Arc::new(Guard {
            hosts: if open { hosts } else { AllowedHosts::any() },
            same_origin_writes: open,
            body_limit: crate::BODY_LIMIT,
            form_paths: &[],
        });
        let router = self
            .router()
            .layer(middleware::from_fn(limit_time))
            .layer(middleware::from_fn_with_state(guard, check));
        crate::http::headers::with_api_headers(router).layer(crate::http::trace::layer())
    }
}

async fn check(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    match guard.check(request.method(), request.uri(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refused(refusal).into_response(),
    }
}

/// A refusal as a `metav1.Status`, with kube-apiserver's reason for its code.
fn refused(refusal: Refusal) -> StatusError {
    let reason = match refusal.status {
        StatusCode::FORBIDDEN => "Forbidden",
        StatusCode::PAYLOAD_TOO_LARGE => "RequestEntityTooLarge",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "UnsupportedMediaType",
        _ => "BadRequest",
    };
    StatusError { code: refusal.status, reason, message: refusal.detail, details: None }
}

async fn limit_time(request: Request, next: Next) -> Response {
    let query = crate::request::Query::parse(request.uri().query());
    if query.flag("watch") {
        return next.run(request).await;
    }
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusError {
            code: StatusCode::GATEWAY_TIMEOUT,
            reason: "Timeout",
            message: format!(
                "the request did not complete within {} s (a body sent too slowly?)",
                REQUEST_TIMEOUT.as_secs()
            ),
            details: None,
        }
        .into_response(),
    }
}
