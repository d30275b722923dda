//! Token authentication and ABAC authorization: one user's token cannot reach another
//! user's Space.

mod common;

use common::*;
use egress_apiserver::auth::Auth;
use egress_apiserver::{Options, SpaceApi};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams, PostParams};
use kube::client::ConfigExt;
use kube::config::AuthInfo;
use kube::{Client, Config};
use serde_json::json;

const TOKENS: &str = "alice-token,alice,1001,\"team-a\"\nbob-token,bob,1002\n";
const POLICIES: &str = r#"{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"group": "team-a", "namespace": "team-a", "resource": "*", "apiGroup": "*"}}
{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"user": "bob", "namespace": "team-b", "resource": "*", "apiGroup": "*", "readonly": true}}
"#;

fn secured() -> (SpaceApi, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tokens.csv"), TOKENS).unwrap();
    std::fs::write(dir.path().join("policy.jsonl"), POLICIES).unwrap();
    let auth = Auth::from_files(
        Some(&dir.path().join("tokens.csv")),
        Some(&dir.path().join("policy.jsonl")),
    )
    .unwrap();
    let api = SpaceApi::open(&dir.path().join("data"), Options { auth, ..options() }).unwrap();
    for ns in ["team-a", "team-b"] {
        api.ensure_namespace(ns).unwrap();
    }
    (api, dir)
}

/// A kube-rs client with a bearer token, going through kube's own auth layer.
fn client_as(api: &SpaceApi, token: Option<&str>) -> Client {
    let mut config = Config::new("http://127.0.0.1:1".parse().unwrap());
    config.auth_info = AuthInfo { token: token.map(|t| t.to_owned().into()), ..Default::default() };
    let service = tower::ServiceBuilder::new().option_layer(config.auth_layer().unwrap()).service(
        tower::ServiceExt::<axum::http::Request<kube::client::Body>>::map_err(
            api.router(),
            |never: std::convert::Infallible| -> tower::BoxError { match never {} },
        ),
    );
    Client::new(service, "team-a")
}

#[tokio::test]
async fn a_user_allowed_in_one_space_gets_403_in_another_and_401_without_a_token() {
    let (api, _dir) = secured();
    let alice = client_as(&api, Some("alice-token"));
    egress_points(&alice, "team-a")
        .create(&PostParams::default(), &egress_point("web", "a.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let error =
        status(egress_points(&alice, "team-b").list(&ListParams::default()).await.unwrap_err());
    assert!(error.is_forbidden(), "{error:?}");
    assert_eq!(
        error.message,
        "egresspoints.networking.tanzu.vmware.com is forbidden: User \"alice\" cannot list resource \"egresspoints\" in API group \"networking.tanzu.vmware.com\" in the namespace \"team-b\""
    );
    let anonymous = client_as(&api, None);
    let error =
        status(egress_points(&anonymous, "team-a").list(&ListParams::default()).await.unwrap_err());
    assert_eq!((error.code, error.reason.as_str()), (401, "Unauthorized"));
    let stranger = client_as(&api, Some("wrong-token"));
    assert_eq!(status(egress_points(&stranger, "team-a").get("web").await.unwrap_err()).code, 401);
}

#[tokio::test]
async fn readonly_policies_allow_reads_only() {
    let (api, _dir) = secured();
    let bob = client_as(&api, Some("bob-token"));
    let egps = egress_points(&bob, "team-b");
    assert!(egps.list(&ListParams::default()).await.is_ok());
    let error = status(
        egps.create(&PostParams::default(), &egress_point("x", "a.example.com", 443, "HTTPS"))
            .await
            .unwrap_err(),
    );
    assert!(error.is_forbidden());
    assert!(error.message.contains("cannot create resource"), "{}", error.message);
}

#[tokio::test]
async fn users_who_may_not_list_namespaces_can_still_read_their_own() {
    let (api, _dir) = secured();
    let alice = client_as(&api, Some("alice-token"));
    let namespaces: Api<Namespace> = Api::all(alice);
    assert!(status(namespaces.list(&ListParams::default()).await.unwrap_err()).is_forbidden());
    assert_eq!(namespaces.get("team-a").await.unwrap().metadata.name.as_deref(), Some("team-a"));
    assert!(status(namespaces.get("team-b").await.unwrap_err()).is_forbidden());
    let _ = json!(null);
}

#[test]
fn malformed_auth_files_are_refused_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens.csv");
    std::fs::write(&tokens, "good,alice,1\nbad-line\n").unwrap();
    let error = Auth::from_files(Some(&tokens), None).unwrap_err().to_string();
    assert!(error.contains("line 2") && error.contains("token,user,uid"), "{error}");
    let policy = dir.path().join("policy.jsonl");
    std::fs::write(&policy, "{not json}\n").unwrap();
    let error = Auth::from_files(None, Some(&policy)).unwrap_err().to_string();
    assert!(error.contains("line 1"), "{error}");
}

/// A self review answers only POST, and says plainly what is wrong with a body it cannot
/// read; with auth off everyone may do everything.
#[tokio::test]
async fn self_reviews_refuse_other_verbs_and_unreadable_bodies() {
    use axum::body::Body;
    use axum::http::Request;
    let f = fixture();
    let path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    let (response, status) = raw(&f.api, Request::get(path).body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), 405, "{status}");
    let garbage = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let (response, status) = raw(&f.api, garbage).await;
    assert_eq!(response.status(), 400, "{status}");
    assert!(status["message"].as_str().unwrap().contains("could not be decoded"), "{status}");
    let protobuf = Request::post(path)
        .header("content-type", "application/vnd.kubernetes.protobuf")
        .body(Body::from(&b"k8s\0\xff\xff"[..]))
        .unwrap();
    let (response, _) = raw(&f.api, protobuf).await;
    assert_eq!(response.status(), 400);
    let review = json!({"spec": {"resourceAttributes": {"namespace": "default", "verb": "delete",
        "group": "networking.tanzu.vmware.com", "resource": "egresspoints"}}});
    let (response, answer) = raw(&f.api, post_json(path, &review)).await;
    assert_eq!(response.status(), 201);
    assert_eq!(answer["status"]["allowed"], true, "{answer}");
    assert_eq!(answer["kind"], "SelfSubjectAccessReview");
}
