//! Admission of EgressPoints is the egress-rules crate: 422 with field paths, Space-wide
//! conflicts, warnings as `Warning` headers, unknown fields per fieldValidation.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use kube::api::PostParams;
use serde_json::json;

#[tokio::test]
async fn an_ip_host_with_https_is_refused_with_the_field_path_as_cause() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    let error = status(
        api.create(&PostParams::default(), &egress_point("db", "11.22.33.44", 443, "HTTPS"))
            .await
            .unwrap_err(),
    );
    assert!(error.is_invalid(), "{error:?}");
    let causes = error.details.unwrap().causes;
    assert_eq!(causes[0].field, "spec.targets[0].hosts[0]");
    assert!(
        causes[0].message.contains("IP hosts can only use protocol TCP"),
        "{}",
        causes[0].message
    );
    assert!(
        error.message.contains("EgressPoint.networking.tanzu.vmware.com \"db\" is invalid"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn a_host_port_already_on_another_protocol_in_the_namespace_is_refused() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    api.create(&PostParams::default(), &egress_point("db-tcp", "db.example.com", 5432, "TCP"))
        .await
        .unwrap();
    let error = status(
        api.create(&PostParams::default(), &egress_point("db-tls", "db.example.com", 5432, "TLS"))
            .await
            .unwrap_err(),
    );
    assert!(error.is_invalid());
    assert!(
        error.message.contains("by EgressPoint \\\"db-tcp\\\"")
            || error.message.contains("by EgressPoint \"db-tcp\""),
        "{}",
        error.message
    );
    // Another namespace is another Space: no conflict there.
    let f2 = &f;
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}});
    let (response, _) = raw(&f2.api, post_json("/api/v1/namespaces", &ns)).await;
    assert_eq!(response.status(), 201);
    egress_points(&f.client, "other")
        .create(&PostParams::default(), &egress_point("db-tls", "db.example.com", 5432, "TLS"))
        .await
        .unwrap();
}

#[tokio::test]
async fn rule_warnings_come_back_as_warning_headers() {
    let f = fixture();
    let body = json!({"apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint",
        "metadata": {"name": "mail"}, "spec": {"targets": [{"hosts": ["smtp.example.com"], "port": {"number": 25, "protocol": "TLS"}}]}});
    let (response, object) = raw(&f.api, post_json(EGP_PATH, &body)).await;
    assert_eq!(response.status(), 201, "{object}");
    let warning = response.headers()["warning"].to_str().unwrap();
    assert!(
        warning.starts_with("299 - \"spec.targets[0].port.protocol: port 25 is SMTP"),
        "{warning}"
    );
}

#[tokio::test]
async fn unknown_fields_are_refused_when_strict_and_pruned_with_a_warning_otherwise() {
    let f = fixture();
    let body = json!({"apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint",
        "metadata": {"name": "typo"}, "spec": {"target": [], "targets": [{"hosts": ["a.example.com"], "port": {"number": 443, "protocol": "HTTPS"}}]}});
    let (response, status) =
        raw(&f.api, post_json(&format!("{EGP_PATH}?fieldValidation=Strict"), &body)).await;
    assert_eq!(response.status(), 400);
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("strict decoding error: unknown field \"spec.target\""),
        "{status}"
    );
    let (response, object) = raw(&f.api, post_json(EGP_PATH, &body)).await;
    assert_eq!(response.status(), 201);
    assert!(
        response.headers()["warning"]
            .to_str()
            .unwrap()
            .contains("unknown field \\\"spec.target\\\"")
    );
    assert!(object["spec"].get("target").is_none(), "pruned: {object}");
}

#[tokio::test]
async fn a_sourceref_to_a_missing_workload_is_a_warning_not_an_error() {
    let f = fixture();
    let body = json!({"apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint",
        "metadata": {"name": "w"}, "spec": {"sourceRef": {"apiGroup": "apps", "kind": "Deployment", "name": "ghost"},
        "targets": [{"hosts": ["a.example.com"], "port": {"number": 443, "protocol": "HTTPS"}}]}});
    let (response, _) = raw(&f.api, post_json(EGP_PATH, &body)).await;
    assert_eq!(response.status(), 201);
    assert!(response.headers()["warning"].to_str().unwrap().contains("workload-missing"));
}

#[tokio::test]
async fn bad_names_wrong_kinds_and_bodies_are_clear_errors() {
    let f = fixture();
    let (response, status) = raw(&f.api, post_json(EGP_PATH, &json!({"apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint", "metadata": {"name": "Bad_Name"}, "spec": {"targets": []}}))).await;
    assert_eq!(response.status(), 422);
    assert_eq!(status["details"]["causes"][0]["field"], "metadata.name");
    let (response, status) = raw(
        &f.api,
        post_json(
            EGP_PATH,
            &json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}}),
        ),
    )
    .await;
    assert_eq!(response.status(), 400, "{status}");
    let request = Request::post(EGP_PATH)
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let (response, status) = raw(&f.api, request).await;
    assert_eq!(response.status(), 400);
    assert!(status["message"].as_str().unwrap().contains("could not be decoded"));
    let huge = Request::post(EGP_PATH)
        .body(Body::from(vec![b' '; egress_apiserver::BODY_LIMIT + 1]))
        .unwrap();
    let (response, status) = raw(&f.api, huge).await;
    assert_eq!((response.status().as_u16(), status["kind"].as_str()), (413, Some("Status")));
}

#[tokio::test]
async fn kubectl_get_receives_a_table_with_egress_columns() {
    let f = fixture();
    egress_points(&f.client, "default")
        .create(&PostParams::default(), &egress_point("web", "api.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let request = Request::get(EGP_PATH)
        .header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
        .body(Body::empty())
        .unwrap();
    let (_, table) = raw(&f.api, request).await;
    assert_eq!(table["kind"], "Table");
    let columns: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["Name", "Hosts", "Ports", "Protocols", "Applies-To", "Age"]);
    assert_eq!(
        table["rows"][0]["cells"].as_array().unwrap()[..5],
        [json!("web"), json!("api.example.com"), json!("443"), json!("HTTPS"), json!("Space")]
    );
    assert_eq!(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
}

#[tokio::test]
async fn field_validation_ignore_prunes_silently() {
    let f = fixture();
    let body = json!({"apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint",
        "metadata": {"name": "quiet"}, "spec": {"extra": 1, "targets": [{"hosts": ["a.example.com"], "port": {"number": 443, "protocol": "HTTPS"}}]}});
    let (response, object) =
        raw(&f.api, post_json(&format!("{EGP_PATH}?fieldValidation=Ignore"), &body)).await;
    assert_eq!(response.status(), 201);
    assert!(response.headers().get("warning").is_none());
    assert!(object["spec"].get("extra").is_none());
    let (response, _) =
        raw(&f.api, post_json(&format!("{EGP_PATH}?fieldValidation=Loud"), &body)).await;
    assert_eq!(response.status(), 400);
}
