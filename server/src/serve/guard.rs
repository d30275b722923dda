//! The shared request guard (`egress_apiserver::http::guard`) in the console's error format:
//! requests must name this server in `Host` (DNS rebinding), writes must come from its own
//! pages, in JSON or YAML (or the sign-in form), and bodies announced over the limit are
//! refused before they are read.

use crate::api::error::ApiError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use egress_apiserver::http::{AllowedHosts, Guard};
use std::sync::Arc;

/// Where the sign-in page's HTML form posts.
const FORM_PATHS: &[&str] = &["/auth/session", "/auth/sign-out"];

/// The console's guard: the allowed hosts, same-origin writes, the body limit.
pub fn guard(hosts: AllowedHosts) -> Arc<Guard> {
    Arc::new(Guard {
        hosts,
        same_origin_writes: true,
        body_limit: super::BODY_LIMIT,
        form_paths: FORM_PATHS,
    })
}

/// Runs the guard before anything else.
pub async fn check(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    match guard.check(request.method(), request.uri(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => {
            ApiError::new(refusal.status, refusal.title, refusal.detail).into_response()
        }
    }
}
