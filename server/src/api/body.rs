//! Request bodies in JSON or YAML, and responses in JSON or (when asked) YAML.

use super::error::ApiError;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// A parsed body: JSON, or YAML with `Content-Type: application/yaml`.
pub struct Body {
    /// The document, as kubectl would send it.
    pub value: Value,
    /// YAML values kubectl reads differently from how they look (`yaml-reading`).
    pub notes: Vec<egress_rules::Diagnostic>,
}

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Body too large",
                    format!("request bodies are limited to {} bytes", crate::serve::BODY_LIMIT),
                )
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "Unreadable body", rejection.body_text())
            }
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, "Unreadable body", "the body is not UTF-8 text")
        })?;
        if text.trim().is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "Empty body",
                "send the EgressPoint as JSON or YAML",
            ));
        }
        // egress-rules reads JSON with a JSON parser and everything else as YAML, so the
        // Content-Type only needs to be right in spirit. Parsing is CPU work in proportion
        // to the body: in the bounded pool, not on the async workers.
        let text = text.to_owned();
        let read = egress_apiserver::http::cpu::run(move || egress_rules::read_text(&text))
            .await
            .map_err(|e| ApiError::unreadable(&e))?;
        Ok(Body { value: read.value, notes: read.notes })
    }
}

/// True when the client asked for YAML.
pub fn wants_yaml(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/yaml") || a.contains("text/yaml"))
}

/// `value` as JSON, or as YAML without server-set fields (what kubectl would apply).
pub fn reply(status: StatusCode, value: &Value, headers: &HeaderMap) -> Response {
    if !wants_yaml(headers) {
        return (status, axum::Json(value)).into_response();
    }
    let applied = egress_rules::as_written(value);
    let mut response = (status, egress_rules::yaml::to_yaml(&applied)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/yaml"));
    response
}
