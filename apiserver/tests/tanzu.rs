//! The Tanzu Platform URL layout: a Space's own endpoint shows its objects in `default`.

mod common;

use common::*;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams, PostParams};
use kube::{Client, Config};
use std::net::SocketAddr;

/// Serves the API on a loopback port so a client can use a base URL with a path.
async fn serve(api: &egress_apiserver::SpaceApi) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = api.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

#[tokio::test]
async fn a_space_endpoint_shows_the_space_as_namespace_default() {
    let f = fixture();
    f.api.ensure_namespace("storefront").unwrap();
    let addr = serve(&f.api).await;
    let url = format!("http://{addr}/org/acme/project/shop/space/storefront");
    let client = Client::try_from(Config::new(url.parse().unwrap())).unwrap();

    let created = egress_points(&client, "default")
        .create(&PostParams::default(), &egress_point("web", "api.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    assert_eq!(created.metadata.namespace.as_deref(), Some("default"));
    // Stored in the Space's namespace, seen there through the plain API.
    let direct = egress_points(&f.client, "storefront").get("web").await.unwrap();
    assert_eq!(direct.metadata.namespace.as_deref(), Some("storefront"));
    let listed = egress_points(&client, "default").list(&ListParams::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].metadata.namespace.as_deref(), Some("default"));

    let namespaces: Api<Namespace> = Api::all(client.clone());
    let names: Vec<_> = namespaces
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    assert_eq!(names, ["default"]);
    assert!(
        status(egress_points(&client, "other").list(&ListParams::default()).await.unwrap_err())
            .is_not_found()
    );
}
