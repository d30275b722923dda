//! The REST API of `egress-console serve`, the app's only way to Kubernetes. Every failure
//! becomes a [`Problem`] with words a person can act on.

mod events;

pub use events::{FeedStatus, SpaceFeed, StoredEgressPoint};

use egress_rules::{Reachability, WorkloadRef};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use egress_api::{EgressPointList, Problem, SpaceInfo, workload_key};

/// The request never reached the server (or its answer never reached the page).
fn network_problem(error: impl std::fmt::Display) -> Problem {
    Problem {
        title: "Egress Console is not reachable".into(),
        detail: format!(
            "The request did not reach the server ({error}). Check that `egress-console serve` is still running, then retry."
        ),
        ..Problem::default()
    }
}

/// The browser itself refused something.
pub fn browser_problem(detail: String) -> Problem {
    Problem { title: "The browser refused".into(), detail, ..Problem::default() }
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
    let response = response.map_err(network_problem)?;
    let status = response.status();
    if status == 401 {
        redirect_to_sign_in();
    }
    if response.ok() {
        let text = response.text().await.map_err(network_problem)?;
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

/// Who the user is.
pub async fn whoami() -> Result<egress_api::Whoami, Problem> {
    get("/api/v1/whoami").await
}

/// What the user may do in a Space.
pub async fn access(space: &str) -> Result<egress_api::Access, Problem> {
    get(&format!("{}/access", space_path(space))).await
}

/// The EgressPoints of a Space.
pub async fn egress_points(space: &str) -> Result<EgressPointList, Problem> {
    get(&format!("{}/egresspoints", space_path(space))).await
}

/// The workloads of a Space that `sourceRef` can name.
pub async fn workloads(space: &str) -> Result<Vec<WorkloadRef>, Problem> {
    get(&format!("{}/workloads", space_path(space))).await
}

/// What a workload's configuration says it will connect to, and how each stands.
pub async fn suggestions(
    space: &str,
    workload: &WorkloadRef,
) -> Result<egress_api::SuggestionsReport, Problem> {
    get(&format!(
        "{}/workloads/{}/{}/suggestions",
        space_path(space),
        escape(&workload.kind),
        escape(&workload.name)
    ))
    .await
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
