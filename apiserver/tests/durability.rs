//! What was acknowledged survives a restart, and resourceVersions keep increasing.

mod common;

use common::*;
use kube::Client;
use kube::api::{ListParams, PostParams};

#[tokio::test]
async fn objects_and_resource_versions_survive_a_restart() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    let mut last = 0u64;
    for i in 0..20 {
        let created = api
            .create(
                &PostParams::default(),
                &egress_point(&format!("ep-{i}"), &format!("h{i}.example.com"), 443, "HTTPS"),
            )
            .await
            .unwrap();
        last = created.metadata.resource_version.unwrap().parse().unwrap();
    }
    drop((api, f.client, f.api));
    let reopened = reopen(f.dir.path()).await;
    let api = egress_points(&Client::new(reopened.router(), "default"), "default");
    let list = api.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 20);
    let next = api
        .create(&PostParams::default(), &egress_point("after", "x.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let version: u64 = next.metadata.resource_version.unwrap().parse().unwrap();
    assert!(version > last, "{version} after {last}");
}
