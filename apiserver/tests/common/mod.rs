//! Fixtures: a Space API in a temporary directory, a kube-rs client wired to its router
//! in-process, and raw requests for what kube-rs does not expose (headers, Tables).
#![allow(dead_code, missing_docs)]

use axum::body::Body;
use axum::http::{Request, Response};
use egress_apiserver::{Options, SpaceApi};
use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject};
use serde_json::{Value, json};
use std::time::Duration;
use tower::ServiceExt;

pub struct Fixture {
    pub api: SpaceApi,
    pub client: Client,
    pub dir: tempfile::TempDir,
}

pub fn options() -> Options {
    Options { bookmark_interval: Duration::from_millis(100), ..Options::default() }
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let api = SpaceApi::open(dir.path(), options()).unwrap();
    let client = Client::new(api.router(), "default");
    Fixture { api, client, dir }
}

pub fn egress_resource() -> ApiResource {
    ApiResource {
        group: "networking.tanzu.vmware.com".into(),
        version: "v1alpha1".into(),
        api_version: "networking.tanzu.vmware.com/v1alpha1".into(),
        kind: "EgressPoint".into(),
        plural: "egresspoints".into(),
    }
}

pub fn egress_points(client: &Client, namespace: &str) -> Api<DynamicObject> {
    Api::namespaced_with(client.clone(), namespace, &egress_resource())
}

/// An EgressPoint with one target.
pub fn egress_point(name: &str, host: &str, port: u16, protocol: &str) -> DynamicObject {
    let mut object = DynamicObject::new(name, &egress_resource());
    object.data = json!({"spec": {"targets": [{"hosts": [host], "port": {"number": port, "protocol": protocol}}]}});
    object
}

/// Sends a raw request to the router.
pub async fn raw(api: &SpaceApi, request: Request<Body>) -> (Response<()>, Value) {
    let response = api.router().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (Response::from_parts(parts, ()), value)
}

pub fn post_json(uri: &str, body: &Value) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

pub const EGP_PATH: &str =
    "/apis/networking.tanzu.vmware.com/v1alpha1/namespaces/default/egresspoints";

/// Unwraps a kube error into its Status.
pub fn status(error: kube::Error) -> kube::core::Status {
    match error {
        kube::Error::Api(status) => *status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Opens the store again once every handle of the old one is gone (kube-rs's client drops
/// its copy of the router on a background task, a moment after the client itself).
pub async fn reopen(dir: &std::path::Path) -> SpaceApi {
    for _ in 0..100 {
        if let Ok(api) = SpaceApi::open(dir, options()) {
            return api;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the store in {} is still open", dir.display());
}
