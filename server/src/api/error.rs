//! The REST API's one error type: `application/problem+json` (RFC 9457) with the
//! rules' diagnostics. 5xx details go to the log; the client gets words it can act on.

use crate::spaces::CatalogError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use egress_api::Problem;
use egress_rules::{Code, Diagnostic};

/// A failed REST request: the contract's [`Problem`] (RFC 9457 problem details plus the
/// rules' diagnostics), answered as `application/problem+json`.
#[derive(Debug, utoipa::ToSchema)]
pub struct ApiError(pub Problem);

impl std::ops::Deref for ApiError {
    type Target = Problem;

    fn deref(&self) -> &Problem {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut Problem {
        &mut self.0
    }
}

impl ApiError {
    /// A problem with a status, a title and a detail.
    pub fn new(status: StatusCode, title: &str, detail: impl Into<String>) -> Self {
        ApiError(Problem::new(status.as_u16(), title, detail))
    }

    /// 422 with the rules' diagnostics.
    pub fn invalid(diagnostics: Vec<Diagnostic>) -> Self {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid EgressPoint",
            format!("{errors} field(s) break EgressPoint rules; see diagnostics for each field"),
        );
        error.diagnostics = diagnostics;
        error
    }

    /// 400 for a body that is not YAML or JSON.
    pub fn unreadable(error: &egress_rules::SyntaxError) -> Self {
        let mut problem = Self::new(
            StatusCode::BAD_REQUEST,
            "Unreadable body",
            format!("the body is not YAML or JSON: {error}"),
        );
        problem.diagnostics = vec![Diagnostic::error(Code::Syntax, "", error.to_string())];
        problem
    }

    /// 401: no usable token.
    pub fn unauthorized(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", detail)
    }

    /// 404 for a Space that is not in the catalog.
    pub fn unknown_space(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            Problem::UNKNOWN_SPACE,
            format!("there is no Space \"{name}\"; GET /api/v1/spaces lists them"),
        )
    }

    /// Maps a Kubernetes client error by its Status reason, never by message text.
    pub fn from_kube(error: kube::Error, space: &str) -> Self {
        Self::from_kube_ref(&error, space)
    }

    /// [`ApiError::from_kube`] for an error that is shared (a cached reachability answer).
    pub fn from_kube_ref(error: &kube::Error, space: &str) -> Self {
        match error {
            kube::Error::Api(status) => {
                let code = StatusCode::from_u16(status.code).unwrap_or(StatusCode::BAD_GATEWAY);
                let mut problem = if status.is_not_found() {
                    Self::new(StatusCode::NOT_FOUND, "Not found", status.message.clone())
                } else if status.is_conflict() || status.is_already_exists() {
                    Self::new(StatusCode::CONFLICT, "Conflict", status.message.clone())
                } else if status.is_forbidden() {
                    Self::new(
                        StatusCode::FORBIDDEN,
                        "Forbidden",
                        format!("Space \"{space}\": {}", status.message),
                    )
                } else if code == StatusCode::UNAUTHORIZED {
                    Self::new(
                        code,
                        "Unauthorized",
                        format!("Space \"{space}\" did not accept the credentials"),
                    )
                } else if status.is_invalid() {
                    let causes =
                        status.details.as_ref().map(|d| d.causes.clone()).unwrap_or_default();
                    let diagnostics = causes
                        .into_iter()
                        .map(|c| Diagnostic::error(Code::Schema, c.field, c.message))
                        .collect();
                    let mut problem = Self::invalid(diagnostics);
                    problem.detail = status.message.clone();
                    problem
                } else if code.is_client_error() {
                    Self::new(code, "Rejected by Kubernetes", status.message.clone())
                } else {
                    tracing::warn!(space, %status.message, code = status.code, "Kubernetes API error");
                    Self::new(
                        StatusCode::BAD_GATEWAY,
                        "Kubernetes API error",
                        format!("the Kubernetes API of Space \"{space}\" failed ({})", status.code),
                    )
                };
                problem.status = problem.status.max(100);
                problem
            }
            kube::Error::HttpError(_) | kube::Error::BuildRequest(_) => Self::new(
                StatusCode::BAD_REQUEST,
                "Bad request",
                format!("the request for Space \"{space}\" cannot be made: {error}"),
            ),
            kube::Error::SerdeError(_) => {
                tracing::warn!(space, %error, "unexpected answer from Kubernetes");
                Self::new(
                    StatusCode::BAD_GATEWAY,
                    "Unexpected answer",
                    format!(
                        "the Kubernetes API of Space \"{space}\" answered with something unexpected"
                    ),
                )
            }
            other => {
                // Transport failures carry no Status: the API server was not reached.
                tracing::warn!(space, error = %other, "Kubernetes API unreachable");
                Self::new(
                    StatusCode::BAD_GATEWAY,
                    "Kubernetes API unreachable",
                    format!(
                        "the Kubernetes API of Space \"{space}\" cannot be reached; check that it is running"
                    ),
                )
            }
        }
    }
}

impl From<&CatalogError> for ApiError {
    fn from(error: &CatalogError) -> Self {
        match error {
            CatalogError::UnknownSpace(name) => Self::unknown_space(name),
            CatalogError::UnusableToken => Self::unauthorized(&error.to_string()),
            CatalogError::Client { .. } => {
                Self::new(StatusCode::BAD_GATEWAY, "Kubernetes client", error.to_string())
            }
            CatalogError::Kubernetes { space, source } => Self::from_kube_ref(source, space),
            CatalogError::Timeout { .. } => Self::new(
                StatusCode::GATEWAY_TIMEOUT,
                "Kubernetes API timed out",
                error.to_string(),
            ),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        Self::from(&error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.0)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        response
    }
}

/// The failures every request about one Space can answer with, for the OpenAPI document
/// (each endpoint lists its own others beside them).
pub struct SpaceErrors;

impl utoipa::IntoResponses for SpaceErrors {
    fn responses() -> std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
    > {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        [
            (401, "No token (token mode)"),
            (403, "Forbidden in this Space"),
            (404, "Unknown Space or object"),
            (502, "Kubernetes API unreachable"),
        ]
        .into_iter()
        .map(|(status, description)| {
            let problem = ContentBuilder::new().schema(Some(Ref::from_schema_name("ApiError")));
            let response = ResponseBuilder::new()
                .description(description)
                .content("application/problem+json", problem.build())
                .build();
            (status.to_string(), response.into())
        })
        .collect()
    }
}

/// The REST API's result type.
pub type ApiResult<T> = Result<T, ApiError>;
