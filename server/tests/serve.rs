//! The HTTP routes of `serve`, through the router with no socket.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use egress_console::api::AppState;
use egress_console::serve::{AllowedHosts, BODY_LIMIT, router};
use egress_console::spaces::{AuthMode, Catalog};
use serde_json::Value;
use tower::ServiceExt;

fn app() -> (axum::Router, tempfile::TempDir) {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html><title>Egress Console</title>")
        .unwrap();
    let state = AppState {
        site_dir: site.path().to_owned(),
        catalog: Catalog::new(None, Vec::new()),
        caches: Default::default(),
        auth: AuthMode::Local,
    };
    (router(state, AllowedHosts::any()), site)
}

async fn send(request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let (app, _site) = app();
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, headers, body.to_vec())
}

fn post(body: impl Into<Body>) -> Request<Body> {
    Request::post("/api/v1/validate")
        .header(header::CONTENT_TYPE, "application/yaml")
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn healthz_answers_ok() {
    let (status, _, body) = send(Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, b"ok".as_slice()));
}

#[tokio::test]
async fn app_routes_fall_back_to_the_ui_with_security_headers() {
    let (status, headers, body) =
        send(Request::get("/spaces/default/egresspoints/new").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("Egress Console"));
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{csp}");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
}

#[tokio::test]
async fn validate_reports_the_diagnostics_of_a_posted_egress_point() {
    let yaml = "apiVersion: networking.tanzu.vmware.com/v1alpha1\nkind: EgressPoint\nmetadata: {name: db}\n\
                spec:\n  targets:\n  - hosts: [11.22.33.44]\n    port: {number: 443, protocol: HTTPS}\n";
    let (status, _, body) = send(post(yaml)).await;
    assert_eq!(status, StatusCode::OK);
    let report: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["diagnostics"][0]["code"], "ip-protocol");
    assert_eq!(report["diagnostics"][0]["path"], "spec.targets[0].hosts[0]");
}

#[tokio::test]
async fn validate_answers_unreadable_yaml_with_a_problem_naming_the_line() {
    let (status, headers, body) = send(post("spec: [\n")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["diagnostics"][0]["code"], "syntax");
    assert!(problem["detail"].as_str().unwrap().contains("line"));
}

#[tokio::test]
async fn a_body_over_1_mib_is_refused_with_413() {
    let (status, headers, _) = send(post(vec![b'a'; 2 * BODY_LIMIT])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
}

#[tokio::test]
async fn the_openapi_document_describes_every_rest_path() {
    let (status, _, body) =
        send(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/spaces", "get"),
        ("/api/v1/spaces/{space}/egresspoints", "get"),
        ("/api/v1/spaces/{space}/egresspoints", "post"),
        ("/api/v1/spaces/{space}/egresspoints/{name}", "get"),
        ("/api/v1/spaces/{space}/egresspoints/{name}", "put"),
        ("/api/v1/spaces/{space}/egresspoints/{name}", "delete"),
        ("/api/v1/spaces/{space}/rules", "get"),
        ("/api/v1/spaces/{space}/workloads", "get"),
        ("/api/v1/spaces/{space}/reachability", "get"),
        ("/api/v1/spaces/{space}/events", "get"),
        ("/api/v1/validate", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is missing"
        );
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in ["ApiError", "Diagnostic", "Rule", "Reachability", "SpaceInfo", "WorkloadRef"] {
        assert!(
            schemas.contains_key(schema),
            "schema {schema} is missing: {:?}",
            schemas.keys().collect::<Vec<_>>()
        );
    }
}
