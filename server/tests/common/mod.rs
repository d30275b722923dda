//! The REST API's fixture: an embedded Space API over TCP and `serve`'s router over a
//! catalog of two Spaces (`a`, namespace team-a, and `down`, which never answers).
#![allow(dead_code, missing_docs)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use egress_apiserver::{Options, SpaceApi};
use egress_console::api::AppState;
use egress_console::serve::{AllowedHosts, router};
use egress_console::spaces::{AuthMode, Catalog, Connection, Source, SpaceSpec};
use serde_json::{Value, json};
use std::net::SocketAddr;
use tower::ServiceExt;

pub struct Env {
    pub api: SpaceApi,
    pub app: axum::Router,
    pub addr: SocketAddr,
    pub server: tokio::task::JoinHandle<()>,
    pub _dirs: (tempfile::TempDir, tempfile::TempDir),
}

pub async fn serve_space_api(
    api: &SpaceApi,
    addr: &str,
) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = api.router();
    (addr, tokio::spawn(async move { axum::serve(listener, router).await.unwrap() }))
}

pub fn space(name: &str, url: &str, namespace: &str) -> SpaceSpec {
    let connection = Connection::Config(Box::new(kube::Config::new(url.parse().unwrap())));
    SpaceSpec {
        name: name.into(),
        source: Source::Kubeconfig,
        namespace: namespace.into(),
        connection,
    }
}

pub async fn env() -> Env {
    let data = tempfile::tempdir().unwrap();
    let api = SpaceApi::open(data.path(), Options::default()).unwrap();
    api.ensure_namespace("team-a").unwrap();
    let (addr, server) = serve_space_api(&api, "127.0.0.1:0").await;
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html>").unwrap();
    let url = format!("http://{addr}");
    let catalog = Catalog::new(
        None,
        vec![space("a", &url, "team-a"), space("down", "http://127.0.0.1:9", "x")],
    );
    let app = router(
        AppState {
            site_dir: site.path().to_owned(),
            catalog,
            caches: Default::default(),
            auth: AuthMode::Local,
        },
        AllowedHosts::any(),
    );
    Env { api, app, addr, server, _dirs: (data, site) }
}

pub async fn call(
    app: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, value, headers)
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

pub fn send_json(method: &str, uri: &str, body: &Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

pub fn egress(name: &str, host: &str, port: u16, protocol: &str) -> Value {
    json!({"apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint", "metadata": {"name": name},
        "spec": {"targets": [{"hosts": [host], "port": {"number": port, "protocol": protocol}}]}})
}

pub const EGPS: &str = "/api/v1/spaces/a/egresspoints";

/// Reads SSE events (`event:` name and `data:` JSON) until `count` have arrived.
pub async fn sse_events(
    body: &mut axum::body::BodyDataStream,
    count: usize,
) -> Vec<(String, Value)> {
    use futures_util::StreamExt;
    let mut buffer = String::new();
    let mut events = Vec::new();
    while events.len() < count {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), body.next())
            .await
            .expect("an event within 5 s");
        buffer.push_str(&String::from_utf8_lossy(&chunk.unwrap().unwrap()));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let name = block
                .lines()
                .find_map(|l| l.strip_prefix("event: "))
                .unwrap_or("message")
                .to_owned();
            if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) {
                events.push((name, serde_json::from_str(data).unwrap()));
            }
        }
    }
    events
}

/// A Space API with token authentication (`tokens`: the CSV of `--token-auth-file`) whose
/// ABAC policy lets alice, and nobody else, do everything in namespace team-a.
pub fn space_api_with_alice_in_team_a(dir: &std::path::Path, tokens: &str) -> SpaceApi {
    use egress_apiserver::auth::Auth;
    std::fs::write(dir.join("tokens.csv"), tokens).unwrap();
    std::fs::write(
        dir.join("policy.jsonl"),
        r#"{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"user": "alice", "namespace": "team-a", "resource": "*", "apiGroup": "*"}}"#,
    )
    .unwrap();
    let auth =
        Auth::from_files(Some(&dir.join("tokens.csv")), Some(&dir.join("policy.jsonl"))).unwrap();
    let api = SpaceApi::open(&dir.join("data"), Options { auth, ..Options::default() }).unwrap();
    api.ensure_namespace("team-a").unwrap();
    api
}
