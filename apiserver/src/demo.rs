//! Demo data: believable Spaces, workloads and EgressPoints built from the reference page's
//! examples, so a first look at the UI is not an empty page. Created through the API itself,
//! so every object passes the same admission as a user's.

use crate::SpaceApi;
use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use tower::ServiceExt;

const EGP: &str = "networking.tanzu.vmware.com/v1alpha1";

fn deployment(name: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": format!("registry.example.com/{name}:1.4.2")}]}}}})
}

/// checkout's configuration names what it connects to (`egress-console suggest` and the
/// workload page read it): a Stripe URL, a PostgreSQL DSN and a Redis TLS URL from its
/// ConfigMap, an in-cluster Service (skipped), and a key from a Secret (never read).
fn checkout() -> Value {
    let mut object = deployment("checkout");
    object["spec"]["template"]["spec"]["containers"][0]["env"] = json!([
        {"name": "STRIPE_API", "value": "https://api.stripe.com/v1"},
        {"name": "ORDERS_SERVICE", "value": "http://orders.storefront.svc.cluster.local:8080"},
        {"name": "STRIPE_KEY", "valueFrom": {"secretKeyRef": {"name": "stripe", "key": "api-key"}}},
    ]);
    object["spec"]["template"]["spec"]["containers"][0]["envFrom"] =
        json!([{"configMapRef": {"name": "checkout-config"}}]);
    object
}

fn checkout_config() -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "checkout-config"},
    "data": {
        "DATABASE_URL": "postgresql://checkout@orders-db.example.com:5432/orders?sslmode=require",
        "CACHE_URL": "rediss://cache.example.com:6379",
        "LOG_LEVEL": "info"
    }})
}

fn container_app(name: &str) -> Value {
    json!({"apiVersion": "apps.tanzu.vmware.com/v1", "kind": "ContainerApp", "metadata": {"name": name},
        "spec": {"image": format!("registry.example.com/{name}:2.0.0"), "contact": {"team": "platform"}}})
}

fn egress(name: &str, source: Option<(&str, &str, &str)>, targets: Value) -> Value {
    let mut spec = json!({"targets": targets});
    if let Some((kind, group, workload)) = source {
        spec["sourceRef"] = json!({"apiGroup": group, "kind": kind, "name": workload});
    }
    json!({"apiVersion": EGP, "kind": "EgressPoint", "metadata": {"name": name}, "spec": spec})
}

fn target(hosts: &[&str], port: u16, protocol: &str) -> Value {
    json!({"hosts": hosts, "port": {"number": port, "protocol": protocol}})
}

/// The demo Spaces and what is in them.
fn objects() -> Vec<(&'static str, Value)> {
    vec![
        ("storefront", container_app("my-app")),
        ("storefront", checkout_config()),
        ("storefront", checkout()),
        ("storefront", deployment("search")),
        (
            "storefront",
            egress(
                "example-egress",
                Some(("ContainerApp", "apps.tanzu.vmware.com", "my-app")),
                json!([target(&["www.example.com"], 80, "HTTP")]),
            ),
        ),
        (
            "storefront",
            egress(
                "payment-gateway",
                Some(("Deployment", "apps", "checkout")),
                json!([target(&["api.stripe.com", "api.paypal.com"], 443, "HTTPS")]),
            ),
        ),
        (
            "storefront",
            egress(
                "shared-apis",
                None,
                json!([
                    target(&["api.github.com"], 443, "HTTPS"),
                    target(&["smtp.sendgrid.net"], 587, "TCP")
                ]),
            ),
        ),
        (
            "storefront",
            egress(
                "orders-db",
                Some(("Deployment", "apps", "checkout")),
                json!([target(&["11.22.33.44"], 5432, "TCP")]),
            ),
        ),
        ("data-platform", deployment("ingest")),
        ("data-platform", container_app("reports")),
        (
            "data-platform",
            egress(
                "warehouse",
                Some(("Deployment", "apps", "ingest")),
                json!([
                    target(&["warehouse.example.com"], 5439, "TCP"),
                    target(&["mysql.example.com"], 3306, "TCP")
                ]),
            ),
        ),
        (
            "data-platform",
            egress(
                "object-storage",
                None,
                json!([target(&["s3.amazonaws.com", "storage.googleapis.com"], 443, "HTTPS")]),
            ),
        ),
        (
            "data-platform",
            egress(
                "kafka",
                Some(("ContainerApp", "apps.tanzu.vmware.com", "reports")),
                json!([target(&["kafka.example.com"], 9093, "TLS")]),
            ),
        ),
        ("sandbox", deployment("playground")),
    ]
}

/// Creates every demo object that does not exist yet; returns how many were created.
pub async fn seed(api: &SpaceApi) -> crate::Result<usize> {
    // Seeded as the server itself: demo data does not depend on who may write.
    let router = api.loopback().router();
    let mut created = 0;
    for (namespace, _) in objects() {
        api.ensure_namespace(namespace)?;
    }
    for (namespace, object) in objects() {
        let api_version = object["apiVersion"].as_str().unwrap_or("");
        let plural = match object["kind"].as_str() {
            Some("Deployment") => "deployments",
            Some("ContainerApp") => "containerapps",
            Some("ConfigMap") => "configmaps",
            _ => "egresspoints",
        };
        let prefix = if api_version == "v1" { "/api" } else { "/apis" };
        let uri = format!("{prefix}/{api_version}/namespaces/{namespace}/{plural}");
        let request = Request::post(uri)
            .header("content-type", "application/json")
            .body(Body::from(object.to_string()))
            .map_err(|e| crate::Error::Storage(e.to_string()))?;
        let response = router
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| crate::Error::Storage(e.to_string()))?;
        match response.status().as_u16() {
            201 => created += 1,
            409 => {} // already there
            code => {
                return Err(crate::Error::Storage(format!(
                    "seeding {namespace}/{} failed with {code}",
                    object["metadata"]["name"]
                )));
            }
        }
    }
    Ok(created)
}
