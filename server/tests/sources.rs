//! Space sources: a Tanzu Platform project, kubeconfig contexts with a namespace selector,
//! the TOML file, all against the embedded Space API over TCP.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use egress_apiserver::{Options, SpaceApi};
use egress_console::api::AppState;
use egress_console::serve::sources::{KubeconfigSource, SourcesConfig, TanzuSource, catalog};
use egress_console::serve::{AllowedHosts, router};
use egress_console::spaces::AuthMode;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn space_api() -> (SpaceApi, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let api = SpaceApi::open(dir.path(), Options::default()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = api.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (api, format!("http://{addr}"), dir)
}

async fn call(app: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn app(config: &SourcesConfig) -> (axum::Router, tempfile::TempDir) {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html>").unwrap();
    let catalog = catalog(config).await.unwrap();
    let state = AppState {
        site_dir: site.path().to_owned(),
        catalog,
        caches: Default::default(),
        auth: AuthMode::Local,
    };
    (router(state, AllowedHosts::any()), site)
}

#[tokio::test]
async fn a_tanzu_project_offers_one_space_per_space_endpoint_in_namespace_default() {
    let (api, url, _dir) = space_api().await;
    api.ensure_namespace("storefront").unwrap();
    let config = SourcesConfig {
        tanzu: Some(TanzuSource {
            project: format!("{url}/org/acme/project/shop"),
            spaces: vec!["storefront".into()],
            token_file: None,
        }),
        ..SourcesConfig::default()
    };
    let (app, _site) = app(&config).await;
    let (_, spaces) = call(&app, Request::get("/api/v1/spaces").body(Body::empty()).unwrap()).await;
    assert_eq!(
        spaces,
        json!([{"name": "storefront", "source": "tanzu", "namespace": "default", "reachable": true}])
    );
    let egp = json!({"apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint", "metadata": {"name": "web"},
        "spec": {"targets": [{"hosts": ["api.example.com"], "port": {"number": 443, "protocol": "HTTPS"}}]}});
    let request = Request::post("/api/v1/spaces/storefront/egresspoints")
        .header("content-type", "application/json")
        .body(Body::from(egp.to_string()))
        .unwrap();
    let (status, created) = call(&app, request).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["metadata"]["namespace"], "default");
    // Through the plain API, it is in the Space's namespace.
    let direct = Request::get(
        "/apis/networking.tanzu.vmware.com/v1alpha1/namespaces/storefront/egresspoints/web",
    )
    .body(Body::empty())
    .unwrap();
    assert_eq!(call(&api.router(), direct).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_namespace_selector_offers_the_matching_namespaces_of_a_kubeconfig_cluster() {
    let (api, url, dir) = space_api().await;
    for (name, team) in [("a-one", "a"), ("a-two", "a"), ("b-one", "b")] {
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {"team": team}}});
        let request = Request::post("/api/v1/namespaces")
            .header("content-type", "application/json")
            .body(Body::from(ns.to_string()))
            .unwrap();
        assert_eq!(call(&api.router(), request).await.0, StatusCode::CREATED);
    }
    let kubeconfig = dir.path().join("kubeconfig");
    egress_console::space_api::write_kubeconfig(&kubeconfig, &url, &[], None).unwrap();
    let config = SourcesConfig {
        kubeconfig: vec![KubeconfigSource {
            path: Some(kubeconfig),
            contexts: vec![],
            namespace_selector: Some("team=a".into()),
        }],
        ..SourcesConfig::default()
    };
    let (app, _site) = app(&config).await;
    let (_, spaces) = call(&app, Request::get("/api/v1/spaces").body(Body::empty()).unwrap()).await;
    let names: Vec<&str> =
        spaces.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a-one", "a-two"]);
    assert_eq!(
        call(&app, Request::get("/api/v1/spaces/b-one/rules").body(Body::empty()).unwrap()).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&app, Request::get("/api/v1/spaces/a-two/rules").body(Body::empty()).unwrap()).await.0,
        StatusCode::OK
    );
}

#[test]
fn the_sources_file_is_toml_and_unknown_keys_are_refused() {
    let config: SourcesConfig = toml::from_str(
        "embedded = true\n[[kubeconfig]]\npath = \"/k\"\ncontexts = [\"dev\"]\n[tanzu]\nproject = \"https://t/org/o/project/p\"\nspaces = [\"s\"]\n",
    )
    .unwrap();
    assert!(config.embedded);
    assert_eq!(config.kubeconfig[0].contexts, ["dev"]);
    assert_eq!(config.tanzu.unwrap().spaces, ["s"]);
    let error = toml::from_str::<SourcesConfig>("kubeconfigs = []\n").unwrap_err().to_string();
    assert!(error.contains("unknown field"), "{error}");
}
