//! Kubernetes REST semantics through an unmodified kube-rs client.

mod common;

use common::*;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, Preconditions};
use kube::discovery::Discovery;
use serde_json::json;

#[tokio::test]
async fn discovery_finds_egresspoints_deployments_and_containerapps() {
    let f = fixture();
    let discovery = Discovery::new(f.client.clone()).run().await.unwrap();
    let mut found = Vec::new();
    for group in discovery.groups() {
        for (resource, _) in group.recommended_resources() {
            found.push(format!("{}.{}", resource.plural, resource.group));
        }
    }
    found.sort();
    // kube-rs finds every kind through discovery, the built-in ones stored as sent too, and
    // each once (several kinds share the `apps` group).
    let expected = [
        "configmaps.",
        "containerapps.apps.tanzu.vmware.com",
        "cronjobs.batch",
        "daemonsets.apps",
        "deployments.apps",
        "egresspoints.networking.tanzu.vmware.com",
        "endpoints.",
        "events.",
        "events.events.k8s.io",
        "ingresses.networking.k8s.io",
        "jobs.batch",
        "namespaces.",
        "persistentvolumeclaims.",
        "persistentvolumes.",
        "pods.",
        "replicasets.apps",
        "replicationcontrollers.",
        "secrets.",
        "selfsubjectaccessreviews.authorization.k8s.io",
        "selfsubjectreviews.authentication.k8s.io",
        "selfsubjectrulesreviews.authorization.k8s.io",
        "serviceaccounts.",
        "services.",
        "statefulsets.apps",
    ];
    assert_eq!(found, expected);
}

#[tokio::test]
async fn an_egress_point_is_created_read_listed_replaced_and_deleted() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    let created = api
        .create(&PostParams::default(), &egress_point("web", "api.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let meta = &created.metadata;
    assert!(meta.uid.is_some() && meta.creation_timestamp.is_some());
    assert_eq!(meta.generation, Some(1));
    assert_eq!(meta.namespace.as_deref(), Some("default"));

    let read = api.get("web").await.unwrap();
    assert_eq!(read.metadata.resource_version, meta.resource_version);
    assert_eq!(api.list(&ListParams::default()).await.unwrap().items.len(), 1);

    let mut changed = read.clone();
    changed.data["spec"]["targets"][0]["port"]["number"] = json!(8443);
    let replaced = api.replace("web", &PostParams::default(), &changed).await.unwrap();
    assert_eq!(replaced.metadata.generation, Some(2));
    assert_eq!(replaced.metadata.uid, meta.uid);
    assert_ne!(replaced.metadata.resource_version, meta.resource_version);

    let deleted = api.delete("web", &DeleteParams::default()).await.unwrap();
    assert!(deleted.left().is_some(), "the deleted object is returned");
    assert!(status(api.get("web").await.unwrap_err()).is_not_found());
}

#[tokio::test]
async fn a_stale_resource_version_is_a_409_conflict_and_nothing_is_overwritten() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    let first = api
        .create(&PostParams::default(), &egress_point("web", "a.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let mut mine = first.clone();
    let mut theirs = first.clone();
    theirs.data["spec"]["targets"][0]["hosts"] = json!(["b.example.com"]);
    api.replace("web", &PostParams::default(), &theirs).await.unwrap();
    mine.data["spec"]["targets"][0]["hosts"] = json!(["c.example.com"]);
    let error = status(api.replace("web", &PostParams::default(), &mine).await.unwrap_err());
    assert!(error.is_conflict(), "{error:?}");
    assert_eq!(
        api.get("web").await.unwrap().data["spec"]["targets"][0]["hosts"],
        json!(["b.example.com"])
    );
}

#[tokio::test]
async fn a_replace_without_resource_version_is_422() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    api.create(&PostParams::default(), &egress_point("web", "a.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let error = status(
        api.replace(
            "web",
            &PostParams::default(),
            &egress_point("web", "a.example.com", 443, "TCP"),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(error.code, 422);
    assert_eq!(error.details.unwrap().causes[0].field, "metadata.resourceVersion");
}

#[tokio::test]
async fn creating_an_existing_name_is_already_exists() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    let ep = egress_point("web", "a.example.com", 443, "HTTPS");
    api.create(&PostParams::default(), &ep).await.unwrap();
    assert!(status(api.create(&PostParams::default(), &ep).await.unwrap_err()).is_already_exists());
}

#[tokio::test]
async fn generate_name_gets_a_random_suffix() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    let mut ep = egress_point("", "a.example.com", 443, "HTTPS");
    ep.metadata.name = None;
    ep.metadata.generate_name = Some("egress-".into());
    let created = api.create(&PostParams::default(), &ep).await.unwrap();
    let name = created.metadata.name.unwrap();
    assert!(name.starts_with("egress-") && name.len() == "egress-".len() + 5, "{name}");
}

#[tokio::test]
async fn merge_json_and_apply_patches_work_and_strategic_merge_is_415_on_egresspoints() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    api.create(&PostParams::default(), &egress_point("web", "a.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let merged = api
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"team": "a"}}})),
        )
        .await
        .unwrap();
    assert_eq!(merged.metadata.labels.unwrap()["team"], "a");
    let ops: json_patch::Patch = serde_json::from_value(json!([
        {"op": "replace", "path": "/spec/targets/0/port/number", "value": 8443}
    ]))
    .unwrap();
    let patched = api.patch("web", &PatchParams::default(), &Patch::Json::<()>(ops)).await.unwrap();
    assert_eq!(patched.data["spec"]["targets"][0]["port"]["number"], 8443);
    let applied = api
        .patch(
            "fresh",
            &PatchParams::apply("test"),
            &Patch::Apply(egress_point("fresh", "b.example.com", 80, "HTTP")),
        )
        .await
        .unwrap();
    assert_eq!(applied.metadata.generation, Some(1));
    let error = status(
        api.patch(
            "web",
            &PatchParams::default(),
            &Patch::Strategic(json!({"metadata": {"labels": {"x": "y"}}})),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(error.code, 415);
}

#[tokio::test]
async fn lists_page_with_limit_and_continue_and_filter_by_labels_and_name() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    for i in 0..5 {
        let mut ep = egress_point(&format!("ep-{i}"), &format!("h{i}.example.com"), 443, "HTTPS");
        ep.metadata.labels =
            Some([("tier".to_owned(), if i % 2 == 0 { "even" } else { "odd" }.to_owned())].into());
        api.create(&PostParams::default(), &ep).await.unwrap();
    }
    let first = api.list(&ListParams::default().limit(2)).await.unwrap();
    assert_eq!(first.items.len(), 2);
    let token = first.metadata.continue_.clone().expect("continue token");
    let rest = api.list(&ListParams::default().limit(10).continue_token(&token)).await.unwrap();
    let names: Vec<_> = rest.items.iter().map(|o| o.metadata.name.clone().unwrap()).collect();
    assert_eq!(names, ["ep-2", "ep-3", "ep-4"]);
    assert!(rest.metadata.continue_.is_none());
    assert_eq!(
        api.list(&ListParams::default().labels("tier in (odd)")).await.unwrap().items.len(),
        2
    );
    assert_eq!(
        api.list(&ListParams::default().labels("tier notin (odd)")).await.unwrap().items.len(),
        3
    );
    assert_eq!(
        api.list(&ListParams::default().fields("metadata.name=ep-3")).await.unwrap().items.len(),
        1
    );
    let error = status(api.list(&ListParams::default().fields("spec.x=1")).await.unwrap_err());
    assert_eq!(error.code, 400);
}

#[tokio::test]
async fn dry_run_creates_nothing() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    let created = api
        .create(
            &PostParams { dry_run: true, ..Default::default() },
            &egress_point("web", "a.example.com", 443, "HTTPS"),
        )
        .await
        .unwrap();
    assert!(created.metadata.uid.is_some());
    assert!(status(api.get("web").await.unwrap_err()).is_not_found());
}

#[tokio::test]
async fn delete_preconditions_are_checked() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    api.create(&PostParams::default(), &egress_point("web", "a.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let params = DeleteParams {
        preconditions: Some(Preconditions { uid: Some("other".into()), resource_version: None }),
        ..Default::default()
    };
    assert!(status(api.delete("web", &params).await.unwrap_err()).is_conflict());
    assert!(api.get("web").await.is_ok());
}

#[tokio::test]
async fn namespaces_are_spaces_and_deleting_one_deletes_its_objects() {
    let f = fixture();
    let namespaces: Api<Namespace> = Api::all(f.client.clone());
    let mut ns = Namespace::default();
    ns.metadata.name = Some("team-a".into());
    let created = namespaces.create(&PostParams::default(), &ns).await.unwrap();
    assert_eq!(created.status.unwrap().phase.as_deref(), Some("Active"));
    let deployments: Api<Deployment> = Api::namespaced(f.client.clone(), "team-a");
    let deployment: Deployment = serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}
    })).unwrap();
    deployments.create(&PostParams::default(), &deployment).await.unwrap();
    egress_points(&f.client, "team-a")
        .create(&PostParams::default(), &egress_point("web", "a.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    namespaces.delete("team-a", &DeleteParams::default()).await.unwrap();
    assert!(status(deployments.get("web").await.unwrap_err()).is_not_found());
    // Listing in a namespace that is gone is empty, as kube-apiserver answers it.
    let listed = egress_points(&f.client, "team-a").list(&ListParams::default()).await.unwrap();
    assert!(listed.items.is_empty(), "listing in a deleted namespace: {listed:?}");
}

#[tokio::test]
async fn objects_in_a_missing_namespace_cannot_be_created() {
    let f = fixture();
    let error = status(
        egress_points(&f.client, "nowhere")
            .create(&PostParams::default(), &egress_point("web", "a.example.com", 443, "HTTPS"))
            .await
            .unwrap_err(),
    );
    assert!(error.is_not_found());
    assert!(error.message.contains("namespaces \"nowhere\" not found"), "{}", error.message);
}

#[tokio::test]
async fn delete_with_dry_run_in_the_body_deletes_nothing() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    api.create(&PostParams::default(), &egress_point("web", "a.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    api.delete("web", &DeleteParams { dry_run: true, ..Default::default() }).await.unwrap();
    assert!(api.get("web").await.is_ok());
}

#[tokio::test]
async fn a_failed_json_patch_test_is_invalid_and_changes_nothing() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    api.create(&PostParams::default(), &egress_point("web", "a.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let ops: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/spec/targets/0/port/number", "value": 80},
        {"op": "replace", "path": "/spec/targets/0/port/number", "value": 8080}
    ]))
    .unwrap();
    let error = status(
        api.patch("web", &PatchParams::default(), &Patch::Json::<()>(ops)).await.unwrap_err(),
    );
    assert!(error.is_invalid(), "{error:?}");
    assert_eq!(api.get("web").await.unwrap().data["spec"]["targets"][0]["port"]["number"], 443);
}

#[tokio::test]
async fn a_patch_that_breaks_a_rule_is_refused() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    api.create(&PostParams::default(), &egress_point("db", "11.22.33.44", 5432, "TCP"))
        .await
        .unwrap();
    let patch = json!({"spec": {"targets": [{"hosts": ["11.22.33.44"], "port": {"number": 5432, "protocol": "TLS"}}]}});
    let error =
        status(api.patch("db", &PatchParams::default(), &Patch::Merge(patch)).await.unwrap_err());
    assert_eq!(error.details.unwrap().causes[0].field, "spec.targets[0].hosts[0]");
}

#[tokio::test]
async fn a_dry_run_or_a_write_that_changes_nothing_keeps_the_version_and_tells_no_watcher() {
    use futures_util::StreamExt;
    use kube::api::{WatchEvent, WatchParams};
    let f = fixture();
    let api = egress_points(&f.client, "default");
    let created = api
        .create(&PostParams::default(), &egress_point("web", "api.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let version = created.metadata.resource_version.clone().unwrap();
    let mut watch = api.watch(&WatchParams::default(), &version).await.unwrap().boxed();

    let dry = PostParams { dry_run: true, ..PostParams::default() };
    let mut changed = created.clone();
    changed.data["spec"]["targets"][0]["port"]["number"] = json!(8443);
    let answer = api.replace("web", &dry, &changed).await.unwrap();
    assert_eq!(answer.metadata.resource_version.as_deref(), Some(version.as_str()));
    assert_eq!(answer.data["spec"]["targets"][0]["port"]["number"], 8443);
    let stored = api.get("web").await.unwrap();
    assert_eq!(stored.metadata.resource_version.as_deref(), Some(version.as_str()));
    assert_eq!(stored.data["spec"]["targets"][0]["port"]["number"], 443);

    let same = api.replace("web", &PostParams::default(), &stored).await.unwrap();
    assert_eq!(same.metadata.resource_version.as_deref(), Some(version.as_str()));
    let spec = Patch::Merge(json!({"spec": stored.data["spec"]}));
    let patched = api.patch("web", &PatchParams::default(), &spec).await.unwrap();
    assert_eq!(patched.metadata.resource_version.as_deref(), Some(version.as_str()));

    let new = egress_point("new", "b.example.com", 443, "HTTPS");
    let answer = api.create(&dry, &new).await.unwrap();
    assert!(answer.metadata.resource_version.is_none_or(|v| v.is_empty()));
    assert!(api.get_opt("new").await.unwrap().is_none(), "a dry run stored it");

    // The first event a watcher gets is the first real change.
    changed.metadata.resource_version = Some(version.clone());
    changed.data["spec"]["targets"][0]["port"]["number"] = json!(9443);
    api.replace("web", &PostParams::default(), &changed).await.unwrap();
    let first = tokio::time::timeout(std::time::Duration::from_secs(5), watch.next())
        .await
        .expect("an event")
        .unwrap()
        .unwrap();
    match first {
        WatchEvent::Modified(object) => {
            assert_eq!(object.data["spec"]["targets"][0]["port"]["number"], 9443);
        }
        other => panic!("expected the real change first, got {other:?}"),
    }
}

#[tokio::test]
async fn namespaces_carry_their_name_label_and_new_objects_are_not_being_deleted() {
    let f = fixture();
    let namespaces: Api<Namespace> = Api::all(f.client.clone());
    let mut ns = Namespace::default();
    ns.metadata.name = Some("team-x".into());
    namespaces.create(&PostParams::default(), &ns).await.unwrap();
    let stored = namespaces.get("team-x").await.unwrap();
    let labels = stored.metadata.labels.unwrap_or_default();
    assert_eq!(labels.get("kubernetes.io/metadata.name").map(String::as_str), Some("team-x"));

    let mut object = egress_point("doomed", "c.example.com", 443, "HTTPS");
    object.metadata.deletion_timestamp =
        Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(Default::default()));
    let created = egress_points(&f.client, "default").create(&PostParams::default(), &object).await;
    let created = created.unwrap();
    assert!(created.metadata.deletion_timestamp.is_none(), "{:?}", created.metadata);
}

#[tokio::test]
async fn an_update_naming_another_uid_is_a_conflict() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    let created = api
        .create(&PostParams::default(), &egress_point("web", "api.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let mut other = created.clone();
    other.metadata.uid = Some("another-uid".into());
    other.data["spec"]["targets"][0]["port"]["number"] = json!(8443);
    let error = status(api.replace("web", &PostParams::default(), &other).await.unwrap_err());
    assert!(error.is_conflict(), "{error:?}");
    assert!(error.message.contains("Precondition failed: UID"), "{}", error.message);
    let stored = api.get("web").await.unwrap();
    assert_eq!(stored.data["spec"]["targets"][0]["port"]["number"], 443);
}

#[tokio::test]
async fn later_pages_show_the_list_as_of_the_first_page() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    for i in 0..4 {
        let ep = egress_point(&format!("ep-{i}"), &format!("h{i}.example.com"), 443, "HTTPS");
        api.create(&PostParams::default(), &ep).await.unwrap();
    }
    let first = api.list(&ListParams::default().limit(2)).await.unwrap();
    let version = first.metadata.resource_version.clone().unwrap();
    let token = first.metadata.continue_.clone().expect("continue token");
    // Meanwhile: ep-2 changes, ep-3 goes, ep-9 comes.
    let mut changed = api.get("ep-2").await.unwrap();
    changed.data["spec"]["targets"][0]["port"]["number"] = json!(8443);
    api.replace("ep-2", &PostParams::default(), &changed).await.unwrap();
    api.delete("ep-3", &DeleteParams::default()).await.unwrap();
    api.create(&PostParams::default(), &egress_point("ep-9", "h9.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let rest = api.list(&ListParams::default().limit(10).continue_token(&token)).await.unwrap();
    let seen: Vec<(String, i64)> = rest
        .items
        .iter()
        .map(|o| {
            (
                o.metadata.name.clone().unwrap(),
                o.data["spec"]["targets"][0]["port"]["number"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(seen, [("ep-2".to_owned(), 443), ("ep-3".to_owned(), 443)]);
    assert_eq!(rest.metadata.resource_version.as_deref(), Some(version.as_str()));
    // A new list sees the present.
    let now: Vec<String> = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .iter()
        .map(|o| o.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(now, ["ep-0", "ep-1", "ep-2", "ep-9"]);
}

#[tokio::test]
async fn a_continue_token_older_than_the_kept_events_is_410_after_a_change() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    for i in 0..3 {
        let ep = egress_point(&format!("ep-{i}"), &format!("h{i}.example.com"), 443, "HTTPS");
        api.create(&PostParams::default(), &ep).await.unwrap();
    }
    let token =
        api.list(&ListParams::default().limit(1)).await.unwrap().metadata.continue_.unwrap();
    // A change after the first page, then a restart: the store keeps no events from before
    // it, so that page's list can no longer be finished consistently.
    api.delete("ep-2", &DeleteParams::default()).await.unwrap();
    drop((api, f.client, f.api));
    let reopened = reopen(f.dir.path()).await;
    let api = egress_points(&kube::Client::new(reopened.router(), "default"), "default");
    let error = api.list(&ListParams::default().continue_token(&token)).await.unwrap_err();
    let kube::Error::Api(status) = error else { panic!("{error:?}") };
    assert_eq!(status.code, 410);
    assert!(status.message.contains("continue parameter is too old"), "{}", status.message);
}
