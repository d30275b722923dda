//! The manifests in deploy/: applied to the embedded Space API where it serves the kind
//! (Deployment), parsed and checked for the rest.

use egress_apiserver::{Options, SpaceApi};
use egress_rules::yaml::parse_stream;
use serde_json::Value;
use std::path::Path;
use tower::ServiceExt;

fn manifests() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let (documents, error) = parse_stream(&text);
        assert_eq!(error, None, "{}", path.display());
        for doc in documents.into_iter().filter(|d| !d.value.is_null()) {
            out.push((path.file_name().unwrap().to_string_lossy().into_owned(), doc.value));
        }
    }
    out
}

#[tokio::test]
async fn the_deployment_applies_to_the_space_api_and_runs_in_token_mode() {
    let dir = tempfile::tempdir().unwrap();
    let api = SpaceApi::open(dir.path(), Options::default()).unwrap();
    api.ensure_namespace("egress-console").unwrap();
    let deployment =
        manifests().into_iter().find(|(_, v)| v["kind"] == "Deployment").expect("a Deployment").1;
    let args: Vec<&str> = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(args.contains(&"--auth=token"), "{args:?}");
    // The arguments are ones the binary accepts.
    let mut argv = vec!["egress-console"];
    argv.extend(&args);
    <egress_console::cli::Cli as clap::Parser>::try_parse_from(argv)
        .expect("valid serve arguments");
    let request = axum::http::Request::post("/apis/apps/v1/namespaces/egress-console/deployments")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(deployment.to_string()))
        .unwrap();
    let response = api.router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 201);
}

#[test]
fn the_service_account_has_no_egress_rights_and_the_example_role_has_them() {
    let all = manifests();
    let kinds: Vec<&str> = all.iter().map(|(_, v)| v["kind"].as_str().unwrap()).collect();
    for kind in ["Deployment", "Service", "ServiceAccount", "Role", "RoleBinding"] {
        assert!(kinds.contains(&kind), "{kind} missing from deploy/: {kinds:?}");
    }
    let bindings_to_sa = all.iter().filter(|(_, v)| {
        v["kind"].as_str().is_some_and(|k| k.ends_with("Binding"))
            && v["subjects"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s["kind"] == "ServiceAccount"))
    });
    assert_eq!(
        bindings_to_sa.count(),
        0,
        "the console's ServiceAccount must not be bound to any role"
    );
    let role = &all.iter().find(|(_, v)| v["kind"] == "Role").unwrap().1;
    let egress_rule = role["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resources"][0] == "egresspoints")
        .unwrap();
    assert_eq!(egress_rule["apiGroups"][0], "networking.tanzu.vmware.com");
    let service = &all.iter().find(|(_, v)| v["kind"] == "Service").unwrap().1;
    assert_eq!(service["spec"]["selector"]["app.kubernetes.io/name"], "egress-console");
}
