//! Watches: kube-runtime's watcher, resume from a resourceVersion, 410 when too old,
//! bookmarks and streaming lists.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use futures_util::StreamExt;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::watcher;
use serde_json::{Value, json};
use std::time::Duration;
use tower::ServiceExt;

#[tokio::test]
async fn a_watch_sees_creates_updates_and_deletes_in_order() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    let start = api
        .create(&PostParams::default(), &egress_point("first", "a.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let version = start.metadata.resource_version.unwrap();
    let mut stream =
        api.watch(&WatchParams::default().timeout(10), &version).await.unwrap().boxed();
    api.create(&PostParams::default(), &egress_point("web", "b.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    api.patch(
        "web",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"x": "y"}}})),
    )
    .await
    .unwrap();
    api.delete("web", &DeleteParams::default()).await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let event = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen.push(match event {
            WatchEvent::Added(o) => format!("ADDED {}", o.metadata.name.unwrap()),
            WatchEvent::Modified(o) => format!("MODIFIED {}", o.metadata.name.unwrap()),
            WatchEvent::Deleted(o) => format!("DELETED {}", o.metadata.name.unwrap()),
            other => format!("{other:?}"),
        });
    }
    assert_eq!(seen, ["ADDED web", "MODIFIED web", "DELETED web"]);
}

#[tokio::test]
async fn kube_runtime_watcher_lists_then_follows() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    api.create(&PostParams::default(), &egress_point("before", "a.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let mut events = watcher(api.clone(), watcher::Config::default()).boxed();
    let mut names = Vec::new();
    let creator = {
        let api = api.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            api.create(
                &PostParams::default(),
                &egress_point("after", "b.example.com", 443, "HTTPS"),
            )
            .await
            .unwrap();
        })
    };
    while !names.contains(&"after".to_owned()) {
        let event = tokio::time::timeout(Duration::from_secs(5), events.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        match event {
            watcher::Event::InitApply(o) | watcher::Event::Apply(o) => {
                names.push(o.metadata.name.unwrap())
            }
            _ => {}
        }
    }
    creator.await.unwrap();
    assert_eq!(names, ["before", "after"]);
}

async fn first_lines(api: &egress_apiserver::SpaceApi, uri: &str, count: usize) -> Vec<Value> {
    let response =
        api.router().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let mut body = response.into_body().into_data_stream();
    let mut buffer = Vec::new();
    let mut lines = Vec::new();
    while lines.len() < count {
        let chunk = tokio::time::timeout(Duration::from_secs(5), body.next()).await.unwrap();
        let Some(chunk) = chunk else { break };
        buffer.extend_from_slice(&chunk.unwrap());
        while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buffer.drain(..=end).collect();
            lines.push(serde_json::from_slice(&line).unwrap());
        }
    }
    lines
}

#[tokio::test]
async fn a_watch_from_a_version_older_than_kept_gets_an_in_band_410() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    api.create(&PostParams::default(), &egress_point("a", "a.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    // A fresh store keeps everything since it opened; a reopened one keeps nothing older.
    drop((api, f.client, f.api));
    let reopened = reopen(f.dir.path()).await;
    let lines =
        first_lines(&reopened, &format!("{EGP_PATH}?watch=true&resourceVersion=1"), 1).await;
    assert_eq!(lines[0]["type"], "ERROR");
    assert_eq!(lines[0]["object"]["code"], 410);
    assert_eq!(lines[0]["object"]["reason"], "Expired");
}

#[tokio::test]
async fn bookmarks_and_streaming_lists_are_sent_on_request() {
    let f = fixture();
    egress_points(&f.client, "default")
        .create(&PostParams::default(), &egress_point("a", "a.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let uri = format!(
        "{EGP_PATH}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
    );
    let lines = first_lines(&f.api, &uri, 3).await;
    assert_eq!(lines[0]["type"], "ADDED");
    assert_eq!(lines[1]["type"], "BOOKMARK");
    assert_eq!(lines[1]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"], "true");
    assert_eq!(lines[2]["type"], "BOOKMARK", "a periodic bookmark follows");
}

#[tokio::test]
async fn a_watch_ends_after_timeout_seconds_and_filters_by_label() {
    let f = fixture();
    let api = egress_points(&f.client, "default");
    let uri = format!("{EGP_PATH}?watch=true&timeoutSeconds=1&labelSelector=team%3Da");
    let reader = {
        let router = f.api.clone();
        let uri = uri.clone();
        tokio::spawn(async move {
            let response = router
                .router()
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let started = std::time::Instant::now();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            (started.elapsed(), String::from_utf8(bytes.to_vec()).unwrap())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut labelled = egress_point("mine", "a.example.com", 443, "HTTPS");
    labelled.metadata.labels = Some([("team".to_owned(), "a".to_owned())].into());
    api.create(&PostParams::default(), &labelled).await.unwrap();
    api.create(&PostParams::default(), &egress_point("other", "b.example.com", 443, "HTTPS"))
        .await
        .unwrap();
    let (elapsed, body) =
        tokio::time::timeout(Duration::from_secs(5), reader).await.unwrap().unwrap();
    assert!(elapsed < Duration::from_secs(3), "the watch should end after timeoutSeconds");
    let names: Vec<String> = body
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["object"]["metadata"]["name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(names, ["mine"]);
}

#[tokio::test]
async fn a_watch_from_a_version_not_reached_yet_fails_like_kube_apiserver() {
    // kube-apiserver: 504 Timeout, "Too large resource version", cause
    // ResourceVersionTooLarge; waiting for ever would hang the client.
    let f = fixture();
    let api = egress_points(&f.client, "default");
    let error = match api.watch(&WatchParams::default().timeout(10), "999999").await {
        Err(kube::Error::Api(status)) => status,
        Err(other) => panic!("expected a Status, got {other:?}"),
        Ok(_) => panic!("the watch of a future version was accepted"),
    };
    assert_eq!(error.code, 504, "{error:?}");
    assert!(error.message.contains("Too large resource version: 999999"), "{}", error.message);
}
