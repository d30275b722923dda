//! `egress-console suggest` as a user runs it: manifests in, EgressPoints out, ready for
//! `kubectl apply`; Secrets never read, credentials never printed.

use std::process::Command;

const MANIFESTS: &str = "apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data:
  DATABASE_URL: postgresql://app:hunter2@orders-db.example.com:5432/orders?sslmode=require
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: checkout}
spec:
  template:
    spec:
      containers:
      - name: app
        image: checkout:1
        env:
        - {name: STRIPE_URL, value: https://api.stripe.com/v1}
        - {name: ORDERS, value: 'http://orders.shop.svc.cluster.local:8080'}
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: stripe, key: token}}
        envFrom:
        - configMapRef: {name: app-config}
";

#[test]
fn workload_manifests_become_an_egress_point_that_lint_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    std::fs::write(&file, MANIFESTS).unwrap();
    let bin = env!("CARGO_BIN_EXE_egress-console");
    let out = Command::new(bin).args(["suggest"]).arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("# checkout (Deployment) in default: 2 endpoint(s)"), "{text}");
    assert!(text.contains("#   orders-db.example.com:5432 TCP (PostgreSQL URL) from container app, ConfigMap app-config key DATABASE_URL"), "{text}");
    assert!(text.contains("# skipped orders.shop.svc.cluster.local from container app, env ORDERS: an in-cluster Service name"), "{text}");
    assert!(
        text.contains("# not read: container app, env TOKEN: from Secret stripe (key token)"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "a credential was printed:\n{text}");
    assert!(text.contains("name: checkout-egress") && text.contains("- api.stripe.com"), "{text}");
    // What it prints is an EgressPoint the rules accept.
    let proposed = dir.path().join("proposed.yaml");
    std::fs::write(&proposed, &text).unwrap();
    let lint = Command::new(bin).arg("lint").arg(&proposed).output().unwrap();
    assert_eq!(lint.status.code(), Some(0), "{}", String::from_utf8_lossy(&lint.stdout));

    let out = Command::new(bin).args(["suggest", "--format", "json"]).arg(&file).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["workload"]["name"], "checkout");
    assert_eq!(json[0]["suggestions"].as_array().unwrap().len(), 2);
    assert_eq!(json[0]["notRead"][0]["origin"]["from"], "env TOKEN");
    assert_eq!(json[0]["egressPoint"]["spec"]["sourceRef"]["name"], "checkout");

    let out = Command::new(bin).args(["suggest", "/no/such/file.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn with_a_live_space_each_endpoint_says_whether_it_is_allowed_already() {
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let api =
            egress_apiserver::SpaceApi::open(&data, egress_apiserver::Options::default()).unwrap();
        let body = serde_json::json!({"apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint",
            "metadata": {"name": "stripe"},
            "spec": {"sourceRef": {"apiGroup": "apps", "kind": "Deployment", "name": "checkout"},
                     "targets": [{"hosts": ["api.stripe.com"], "port": {"number": 443, "protocol": "HTTPS"}}]}});
        let request = axum::http::Request::post(
            "/apis/networking.tanzu.vmware.com/v1alpha1/namespaces/default/egresspoints",
        )
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
        assert_eq!(api.router().oneshot(request).await.unwrap().status(), 201);
    }
    let file = dir.path().join("app.yaml");
    std::fs::write(&file, MANIFESTS).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_egress-console"))
        .arg("suggest")
        .arg(&file)
        .args(["--space", "default", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("api.stripe.com:443 HTTPS (HTTPS URL) from container app, env STRIPE_URL — already allowed by stripe"), "{text}");
    assert!(text.contains("orders-db.example.com:5432 TCP (PostgreSQL URL) from container app, ConfigMap app-config key DATABASE_URL — new"), "{text}");
}
