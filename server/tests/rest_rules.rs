//! The REST API's rule endpoints that read a whole Space: the impact of a change, and the
//! egress a workload's configuration suggests.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};
use tower::ServiceExt;

#[tokio::test]
async fn impact_says_what_applying_and_deleting_would_change_and_stores_nothing() {
    let env = env().await;
    let web = egress("web", "api.example.com", 443, "HTTPS");
    let (status, _, _) = call(&env.app, send_json("POST", EGPS, &web)).await;
    assert_eq!(status, StatusCode::CREATED);
    // Replacing HTTPS by TCP gains HTTP, TCP and TLS there, and loses nothing.
    let tcp = egress("web", "api.example.com", 443, "TCP");
    let (status, report, _) =
        call(&env.app, send_json("POST", "/api/v1/spaces/a/impact", &tcp)).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        report["lines"],
        json!(["every workload gains api.example.com:443 HTTP/TCP/TLS; loses nothing"])
    );
    assert_eq!(report["egressPoints"][0]["valid"], true, "{report}");
    // Deleting it loses HTTPS; an empty List applies nothing.
    let empty = json!({"apiVersion": "v1", "kind": "List", "items": []});
    let (_, report, _) =
        call(&env.app, send_json("POST", "/api/v1/spaces/a/impact?delete=web", &empty)).await;
    assert_eq!(
        report["lines"],
        json!(["every workload gains nothing; loses api.example.com:443 HTTPS"])
    );
    // Nothing was stored: the Space still has the HTTPS rule.
    let (_, stored, _) = call(&env.app, get(&format!("{EGPS}/web"))).await;
    assert_eq!(stored["spec"]["targets"][0]["port"]["protocol"], "HTTPS");
}

#[tokio::test]
async fn suggestions_read_a_workloads_configuration_and_say_how_each_endpoint_stands() {
    let env = env().await;
    let space_api = |method: &str, uri: &str, body: Value| {
        env.api.router().oneshot(send_json(method, uri, &body))
    };
    let created = space_api(
        "POST",
        "/api/v1/namespaces/team-a/configmaps",
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
            "data": {"DATABASE_URL": "postgres://app:hunter2@db.example.com/orders"}}),
    )
    .await
    .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = space_api(
        "POST",
        "/apis/apps/v1/namespaces/team-a/deployments",
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "web:1",
                    "env": [{"name": "API", "value": "https://api.example.com/v2"},
                            {"name": "KEY", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
                    "envFrom": [{"configMapRef": {"name": "cfg"}}]}]}}}}),
    )
    .await
    .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let (status, _, _) =
        call(&env.app, send_json("POST", EGPS, &egress("api", "api.example.com", 443, "HTTPS")))
            .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, report, _) =
        call(&env.app, get("/api/v1/spaces/a/workloads/Deployment/web/suggestions")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let found: Vec<String> = report["reading"]["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}:{}/{}",
                s["host"].as_str().unwrap(),
                s["port"],
                s["protocol"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(found, ["api.example.com:443/HTTPS", "db.example.com:5432/TCP"]);
    assert_eq!(report["standings"][0], json!({"state": "allowed", "by": ["api"]}));
    assert_eq!(report["standings"][1], json!({"state": "new"}));
    assert_eq!(report["reading"]["notRead"][0]["origin"]["from"], "env KEY");
    assert_eq!(report["egressPoint"]["spec"]["sourceRef"]["name"], "web");
    assert!(!report.to_string().contains("hunter2"), "a credential leaked: {report}");
    let (status, _, _) =
        call(&env.app, get("/api/v1/spaces/a/workloads/Deployment/nope/suggestions")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) =
        call(&env.app, get("/api/v1/spaces/a/workloads/Pod/web/suggestions")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
