//! The REST API of `egress-console serve`, the app's only way to Kubernetes. Every failure
//! becomes a [`Problem`] with words a person can act on.

mod events;

pub use events::{FeedStatus, SpaceFeed, StoredEgressPoint};

use egress_rules::{Diagnostic, Reachability, WorkloadRef};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One Space as `GET /api/v1/spaces` lists it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SpaceInfo {
    /// The Space's name (the route segment).
    pub name: String,
    /// Where it comes from: embedded, kubeconfig, in-cluster, tanzu.
    pub source: String,
    /// Its namespace.
    #[serde(default)]
    pub namespace: String,
    /// False when its API server cannot be reached or the caller may not use it.
    pub reachable: bool,
    /// Why it is not reachable.
    #[serde(default)]
    pub error: Option<String>,
}

/// `GET /api/v1/spaces/{space}/egresspoints`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EgressPointList {
    /// The list's resourceVersion.
    #[serde(default)]
    pub resource_version: String,
    /// The EgressPoints as the API server returned them.
    pub items: Vec<Value>,
}

/// A failed request: the server's RFC 9457 problem, or what went wrong on the way.
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
pub struct Problem {
    /// HTTP status; 0 when the server could not be reached at all.
    #[serde(default)]
    pub status: u16,
    /// Short title.
    #[serde(default)]
    pub title: String,
    /// What happened, in words.
    #[serde(default)]
    pub detail: String,
    /// The rules' diagnostics of a 422.
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
    /// The object as it is now, on a 409.
    #[serde(default)]
    pub current: Option<Value>,
}

impl Problem {
    fn network(error: impl std::fmt::Display) -> Self {
        Problem {
            title: "Egress Console is not reachable".into(),
            detail: format!(
                "The request did not reach the server ({error}). Check that `egress-console serve` is still running, then retry."
            ),
            ..Problem::default()
        }
    }

    /// The browser itself refused something.
    pub fn browser(detail: String) -> Self {
        Problem { title: "The browser refused".into(), detail, ..Problem::default() }
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

/// The REST path of a Space: `/api/v1/spaces/{space}` with the name escaped.
pub fn space_path(space: &str) -> String {
    format!("/api/v1/spaces/{}", escape(space))
}

/// Percent-escapes a path segment or query value.
pub fn escape(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

async fn finish<T: DeserializeOwned>(
    response: Result<Response, gloo_net::Error>,
) -> Result<T, Problem> {
    let response = response.map_err(Problem::network)?;
    let status = response.status();
    if status == 401 {
        redirect_to_sign_in();
    }
    if response.ok() {
        let text = response.text().await.map_err(Problem::network)?;
        let text = if text.is_empty() { "null" } else { &text };
        return serde_json::from_str(text).map_err(|e| Problem {
            status,
            title: "Unexpected answer".into(),
            detail: format!("The server's answer could not be read: {e}."),
            ..Problem::default()
        });
    }
    let text = response.text().await.unwrap_or_default();
    let mut problem: Problem = serde_json::from_str(&text).unwrap_or_else(|_| Problem {
        title: response.status_text(),
        detail: text.chars().take(300).collect(),
        ..Problem::default()
    });
    problem.status = status;
    Err(problem)
}

/// Token mode answers 401 without a session: send the user to sign in, then back here.
fn redirect_to_sign_in() {
    if let Some(window) = web_sys::window() {
        let location = window.location();
        let here = location.pathname().unwrap_or_default();
        let _ = location.set_href(&format!("/sign-in?next={}", escape(&here)));
    }
}

/// GET a JSON document.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Problem> {
    finish(Request::get(path).header("Accept", "application/json").send().await).await
}

fn with_body(builder: RequestBuilder, body: &Value) -> Result<Request, Problem> {
    builder.header("Accept", "application/json").json(body).map_err(|e| Problem {
        title: "Could not send".into(),
        detail: e.to_string(),
        ..Problem::default()
    })
}

/// POST a JSON body.
pub async fn post(path: &str, body: &Value) -> Result<Value, Problem> {
    finish(with_body(Request::post(path), body)?.send().await).await
}

/// PUT a JSON body.
pub async fn put(path: &str, body: &Value) -> Result<Value, Problem> {
    finish(with_body(Request::put(path), body)?.send().await).await
}

/// DELETE.
pub async fn delete(path: &str) -> Result<Value, Problem> {
    finish(Request::delete(path).header("Accept", "application/json").send().await).await
}

/// The Spaces the user can use.
pub async fn spaces() -> Result<Vec<SpaceInfo>, Problem> {
    get("/api/v1/spaces").await
}

/// The EgressPoints of a Space.
pub async fn egress_points(space: &str) -> Result<EgressPointList, Problem> {
    get(&format!("{}/egresspoints", space_path(space))).await
}

/// The workloads of a Space that `sourceRef` can name.
pub async fn workloads(space: &str) -> Result<Vec<WorkloadRef>, Problem> {
    get(&format!("{}/workloads", space_path(space))).await
}

/// `Kind/name`: how the REST API's `workload=` parameter and the UI's pickers name a workload.
pub fn workload_key(kind: &str, name: &str) -> String {
    format!("{kind}/{name}")
}

/// Can `workload` reach host:port over protocol?
pub async fn reachability(
    space: &str,
    workload: &WorkloadRef,
    host: &str,
    port: &str,
    protocol: &str,
) -> Result<Reachability, Problem> {
    let workload = workload_key(&workload.kind, &workload.name);
    get(&format!(
        "{}/reachability?workload={}&host={}&port={}&protocol={}",
        space_path(space),
        escape(&workload),
        escape(host),
        escape(port),
        escape(protocol)
    ))
    .await
}
