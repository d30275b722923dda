//! `application/problem+json` (RFC 9457), as the server sends every failure, with the
//! rules' diagnostics (422) and the current object (409).

use egress_rules::Diagnostic;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A failed request, in words a person can act on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Short summary.
    #[serde(default)]
    pub title: String,
    /// HTTP status; 0 when the request never reached the server.
    #[serde(default)]
    pub status: u16,
    /// What happened and what to do.
    #[serde(default)]
    pub detail: String,
    /// Field-level findings (422), empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
    /// The object as it is now (409), so a client can show what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub current: Option<Box<Value>>,
}

impl Problem {
    /// A problem with a status, a title and a detail; the type URI is made from the title.
    pub fn new(status: u16, title: &str, detail: impl Into<String>) -> Self {
        let slug = title.to_ascii_lowercase().replace(' ', "-");
        Problem {
            kind: format!("https://egress-console.dev/problems/{slug}"),
            title: title.to_owned(),
            status,
            detail: detail.into(),
            diagnostics: Vec::new(),
            current: None,
        }
    }

    /// The title of a 404 for a Space the caller has not got.
    pub const UNKNOWN_SPACE: &'static str = "Unknown Space";

    /// True for a 404 about the Space itself (not an object in it), by its problem type.
    pub fn is_unknown_space(&self) -> bool {
        self.status == 404 && self.kind == Problem::new(404, Self::UNKNOWN_SPACE, "").kind
    }

    /// What the user can do about it, by status.
    pub fn advice(&self) -> &'static str {
        match self.status {
            0 => "Start the server again, then retry.",
            401 => "Sign in again.",
            403 => "Ask an administrator of this Space for access, or pick another Space.",
            404 => "It may have been deleted; go back to the Space to see what exists now.",
            409 => {
                "Someone changed it after you opened it: review their change, then reapply yours."
            }
            413 => "The request is too large: split the EgressPoint into smaller ones.",
            422 => "Fix the fields marked below, then save again.",
            502..=504 => "The Space's Kubernetes API did not answer: retry in a moment.",
            _ => "Retry; if it persists, the server log has the details.",
        }
    }

    /// One line: the detail, or the title when there is no detail.
    pub fn summary(&self) -> String {
        if self.detail.is_empty() { self.title.clone() } else { self.detail.clone() }
    }
}
