//! PATCH bodies of every patch type against a stored EgressPoint and Deployment, through
//! the Space API's router in dry-run: never a panic or a 500, whatever the body.
#![no_main]

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tower::ServiceExt;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    _dir: std::path::PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("egress-fuzz-patch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let api = egress_apiserver::SpaceApi::open(&dir, Default::default()).expect("store");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(egress_apiserver::demo::seed(&api)).expect("demo data");
        Fixture { runtime, router: api.router(), _dir: dir }
    })
}

const TARGETS: [&str; 2] = [
    "/apis/networking.tanzu.vmware.com/v1alpha1/namespaces/storefront/egresspoints/example-egress",
    "/apis/apps/v1/namespaces/storefront/deployments/checkout",
];
const TYPES: [&str; 4] = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let fixture = fixture();
    let path = TARGETS[usize::from(selector & 1)];
    let content_type = TYPES[usize::from(selector >> 1) % TYPES.len()];
    let request = Request::patch(format!("{path}?dryRun=All&fieldManager=fuzz"))
        .header("content-type", content_type)
        .body(Body::from(body.to_vec()))
        .unwrap();
    let response = fixture.runtime.block_on(fixture.router.clone().oneshot(request)).unwrap();
    assert!(response.status().as_u16() < 500, "{} for {content_type}", response.status());
});
