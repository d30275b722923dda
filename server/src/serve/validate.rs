//! `POST /api/v1/validate`: the diagnostics of a posted EgressPoint (JSON or YAML).

use axum::Json;
use axum::http::StatusCode;
use egress_rules::{Code, Diagnostic, check_text, has_errors};
use serde::Serialize;

/// The validation report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// False when any diagnostic is an error.
    pub valid: bool,
    /// Everything the rules found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks the body with `egress-rules`. A body that is not YAML/JSON is reported as a
/// `syntax` diagnostic with its line, so callers handle one shape.
pub async fn validate(body: String) -> (StatusCode, Json<Report>) {
    let diagnostics = match check_text(&body, None) {
        Ok(checked) => checked.diagnostics,
        Err(error) => vec![Diagnostic::error(
            Code::Syntax,
            "",
            format!("the body is not YAML or JSON: {error}"),
        )],
    };
    (StatusCode::OK, Json(Report { valid: !has_errors(&diagnostics), diagnostics }))
}
