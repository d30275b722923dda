//! The watch cache behind the REST API: what Kubernetes stores shows in every read once the
//! watch delivers it, a write through the console is seen by the very next read, the answers
//! equal those made without a cache, and caches are per caller and go when idle.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use egress_console::api::AppState;
use egress_console::cache::SpaceCaches;
use egress_console::serve::{AllowedHosts, router};
use egress_console::spaces::{AuthMode, Catalog};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, PostParams};
use serde_json::{Value, json};
use std::time::Duration;

fn kube_client(env: &Env) -> kube::Client {
    let config = kube::Config::new(format!("http://{}", env.addr).parse().unwrap());
    kube::Client::try_from(config).unwrap()
}

fn resource(group: &str, kind: &str, plural: &str, version: &str) -> ApiResource {
    ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: if group.is_empty() { version.into() } else { format!("{group}/{version}") },
        kind: kind.into(),
        plural: plural.into(),
    }
}

fn egress_points(client: &kube::Client) -> Api<DynamicObject> {
    let r = resource("networking.tanzu.vmware.com", "EgressPoint", "egresspoints", "v1alpha1");
    Api::namespaced_with(client.clone(), "team-a", &r)
}

fn hosts_in_rules(rules: &Value) -> Vec<String> {
    rules["rules"].as_array().unwrap().iter().map(|r| r["host"].as_str().unwrap().into()).collect()
}

/// Polls `uri` until `done` holds for its answer (the watch is asynchronous).
async fn eventually(app: &axum::Router, uri: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let (status, body, _) = call(app, get(uri)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if done(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{uri} never showed the change");
}

#[tokio::test]
async fn changes_made_by_another_client_show_in_rules_lists_and_workloads() {
    let env = env().await;
    let (status, rules, _) = call(&env.app, get("/api/v1/spaces/a/rules")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(hosts_in_rules(&rules).is_empty());

    // kubectl's part, played by kube-rs straight against the Space API.
    let client = kube_client(&env);
    let object: DynamicObject =
        serde_json::from_value(egress("outside", "api.example.com", 443, "HTTPS")).unwrap();
    egress_points(&client).create(&PostParams::default(), &object).await.unwrap();
    let deployments = Api::namespaced_with(
        client.clone(),
        "team-a",
        &resource("apps", "Deployment", "deployments", "v1"),
    );
    let deployment: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}
    }))
    .unwrap();
    deployments.create(&PostParams::default(), &deployment).await.unwrap();

    eventually(&env.app, "/api/v1/spaces/a/rules", |r| hosts_in_rules(r) == ["api.example.com"])
        .await;
    eventually(&env.app, EGPS, |l| l["items"].as_array().unwrap().len() == 1).await;
    eventually(&env.app, "/api/v1/spaces/a/workloads", |w| {
        w.as_array().unwrap().iter().any(|w| w["name"] == "web")
    })
    .await;
    let (_, reach, _) = call(&env.app, get("/api/v1/spaces/a/reachability?workload=Deployment/web&host=api.example.com&port=443&protocol=HTTPS")).await;
    assert_eq!(reach["allowed"], true, "{reach}");

    egress_points(&client).delete("outside", &DeleteParams::default()).await.unwrap();
    eventually(&env.app, "/api/v1/spaces/a/rules", |r| hosts_in_rules(r).is_empty()).await;
    let (_, list, _) = call(&env.app, get(EGPS)).await;
    assert_eq!(list["items"], json!([]), "the list agrees with the rules");
}

#[tokio::test]
async fn a_write_through_the_console_is_seen_by_the_next_read_and_the_next_check() {
    let env = env().await;
    // The cache exists (and is synced) before the writes, so they go through it.
    assert_eq!(call(&env.app, get("/api/v1/spaces/a/rules")).await.0, StatusCode::OK);
    for i in 0..20 {
        let name = format!("ep-{i}");
        let body = egress(&name, &format!("h{i}.example.com"), 443, "HTTPS");
        let (status, created, _) = call(&env.app, send_json("POST", EGPS, &body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        // No waiting: the very next reads show it.
        let (_, rules, _) = call(&env.app, get("/api/v1/spaces/a/rules")).await;
        assert!(hosts_in_rules(&rules).contains(&format!("h{i}.example.com")), "{rules}");
        let (_, list, _) = call(&env.app, get(EGPS)).await;
        assert_eq!(list["items"].as_array().unwrap().len(), i + 1);
        assert!(!list.to_string().contains("managedFields"), "answers carry no managedFields");
    }
    // The Space-wide check before a write sees the previous write at once: the same host
    // and port with another protocol is refused, naming the EgressPoint that has it.
    let clash = egress("clash", "h19.example.com", 443, "TLS");
    let (status, problem, _) = call(&env.app, send_json("POST", EGPS, &clash)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("ep-19"), "{problem}");
    // Stored: nothing of the refused write.
    let stored = egress_points(&kube_client(&env)).get_opt("clash").await.unwrap();
    assert!(stored.is_none());

    let (status, _, _) =
        call(&env.app, Request::delete(format!("{EGPS}/ep-0")).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let (_, rules, _) = call(&env.app, get("/api/v1/spaces/a/rules")).await;
    assert!(!hosts_in_rules(&rules).contains(&"h0.example.com".to_owned()), "{rules}");
}

#[tokio::test]
async fn answers_from_the_cache_equal_answers_made_without_it() {
    let env = env().await;
    let catalog = Catalog::new(None, vec![space("a", &format!("http://{}", env.addr), "team-a")]);
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html>").unwrap();
    let direct = router(
        AppState {
            site_dir: site.path().to_owned(),
            catalog,
            caches: SpaceCaches::disabled(),
            auth: AuthMode::Local,
        },
        AllowedHosts::any(),
    );
    for (name, host, port, protocol) in [
        ("web", "api.example.com", 443, "HTTPS"),
        ("db", "db.example.com", 5432, "TCP"),
        ("org", "www.example.org", 443, "HTTPS"),
    ] {
        let (status, _, _) =
            call(&env.app, send_json("POST", EGPS, &egress(name, host, port, protocol))).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let clash = egress("other", "api.example.com", 443, "TLS");
    for uri in [
        "/api/v1/spaces/a/rules",
        EGPS,
        "/api/v1/spaces/a/workloads",
        "/api/v1/spaces/a/reachability?workload=Deployment/x&host=db.example.com&port=5432&protocol=TCP",
        "/api/v1/spaces/a/reachability?workload=Deployment/x&host=www.example.org&port=443&protocol=HTTPS",
    ] {
        let cached = call(&env.app, get(uri)).await;
        let asked = call(&direct, get(uri)).await;
        assert_eq!((cached.0, &cached.1), (asked.0, &asked.1), "{uri}");
    }
    // Browsers accept gzip: /rules is then sent as the cache keeps it, compressed.
    let request = Request::get("/api/v1/spaces/a/rules")
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(env.app.clone(), request).await.unwrap();
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    let gzip = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gzip[..]), &mut text).unwrap();
    let asked = call(&direct, get("/api/v1/spaces/a/rules")).await.1;
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), asked);
    let validate = "/api/v1/validate?space=a";
    let cached = call(&env.app, send_json("POST", validate, &clash)).await;
    let asked = call(&direct, send_json("POST", validate, &clash)).await;
    assert_eq!(cached.1, asked.1);
    assert_eq!(cached.1["valid"], false, "{}", cached.1);
}

#[tokio::test]
async fn caches_are_per_caller_and_idle_ones_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let api = space_api_with_alice_in_team_a(dir.path(), "alice-token,alice,1\nbob-token,bob,2\n");
    let (addr, _server) = serve_space_api(&api, "127.0.0.1:0").await;
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html>").unwrap();
    let caches = SpaceCaches::default();
    let app = router(
        AppState {
            site_dir: site.path().to_owned(),
            catalog: Catalog::new(None, vec![space("a", &format!("http://{addr}"), "team-a")]),
            caches: caches.clone(),
            auth: AuthMode::Token,
        },
        AllowedHosts::any(),
    );
    let as_user = |token: &str, method: &str, uri: &str, body: Option<&Value>| {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .unwrap()
    };
    let body = egress("web", "a.example.com", 443, "HTTPS");
    let (status, _, _) = call(&app, as_user("alice-token", "POST", EGPS, Some(&body))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, rules, _) =
        call(&app, as_user("alice-token", "GET", "/api/v1/spaces/a/rules", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hosts_in_rules(&rules), ["a.example.com"]);
    // Bob may not read team-a: alice's cache never answers him.
    for uri in ["/api/v1/spaces/a/rules", EGPS, "/api/v1/spaces/a/workloads"] {
        let (status, problem, _) = call(&app, as_user("bob-token", "GET", uri, None)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri}: {problem}");
        assert!(!problem.to_string().contains("a.example.com"), "{problem}");
    }
    // A made-up token is refused by Kubernetes (401): no caller but alice started a cache.
    let (status, _, _) =
        call(&app, as_user("made-up", "GET", "/api/v1/spaces/a/rules", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(caches.active(), 1, "only a caller Kubernetes answered starts watchers");
    caches.evict(Duration::from_secs(3600));
    assert_eq!(caches.active(), 1, "alice's cache stays while used");
    caches.evict(Duration::ZERO);
    assert_eq!(caches.active(), 0, "idle caches go, and their watchers with them");
    // A later read starts a fresh cache and answers the same.
    let (_, again, _) =
        call(&app, as_user("alice-token", "GET", "/api/v1/spaces/a/rules", None)).await;
    assert_eq!(hosts_in_rules(&again), ["a.example.com"]);
}

#[tokio::test]
async fn one_stream_follows_several_spaces_each_event_naming_its_space() {
    let env = env().await;
    env.api.ensure_namespace("team-b").unwrap();
    let url = format!("http://{}", env.addr);
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html>").unwrap();
    let app = router(
        AppState {
            site_dir: site.path().to_owned(),
            catalog: Catalog::new(
                None,
                vec![space("a", &url, "team-a"), space("b", &url, "team-b")],
            ),
            caches: SpaceCaches::default(),
            auth: AuthMode::Local,
        },
        AllowedHosts::any(),
    );
    let body = egress("in-a", "a.example.com", 443, "HTTPS");
    assert_eq!(call(&app, send_json("POST", EGPS, &body)).await.0, StatusCode::CREATED);

    let response =
        tower::ServiceExt::oneshot(app.clone(), get("/api/v1/events?spaces=b,a")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = response.into_body().into_data_stream();
    let mut snapshots = sse_events(&mut stream, 2).await;
    snapshots.sort_by(|x, y| x.1["space"].as_str().cmp(&y.1["space"].as_str()));
    assert_eq!(snapshots[0].0, "snapshot");
    assert_eq!(snapshots[0].1["space"], "a");
    assert_eq!(snapshots[0].1["items"][0]["metadata"]["name"], "in-a");
    assert_eq!(snapshots[1].1["space"], "b");
    assert_eq!(snapshots[1].1["items"], json!([]));

    let body = egress("in-b", "b.example.com", 443, "HTTPS");
    let uri = "/api/v1/spaces/b/egresspoints";
    assert_eq!(call(&app, send_json("POST", uri, &body)).await.0, StatusCode::CREATED);
    let (name, change) = sse_events(&mut stream, 1).await.remove(0);
    assert_eq!(name, "change");
    assert_eq!(change["space"], "b");
    assert_eq!(change["type"], "ADDED");
    assert_eq!(change["object"]["metadata"]["name"], "in-b");

    let too_many: Vec<String> = (0..33).map(|i| format!("s{i}")).collect();
    let too_many = format!("/api/v1/events?spaces={}", too_many.join(","));
    for (uri, status) in [
        ("/api/v1/events?spaces=", StatusCode::BAD_REQUEST),
        (too_many.as_str(), StatusCode::BAD_REQUEST),
        ("/api/v1/events?spaces=a,nope", StatusCode::NOT_FOUND),
    ] {
        let (got, problem, _) = call(&app, get(uri)).await;
        assert_eq!(got, status, "{uri}: {problem}");
    }
}

#[tokio::test]
async fn two_replicas_over_one_kubernetes_api_give_the_same_answers() {
    let env = env().await;
    let url = format!("http://{}", env.addr);
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html>").unwrap();
    // A second console with its own caches, as another pod would be.
    let other = router(
        AppState {
            site_dir: site.path().to_owned(),
            catalog: Catalog::new(None, vec![space("a", &url, "team-a")]),
            caches: SpaceCaches::default(),
            auth: AuthMode::Local,
        },
        AllowedHosts::any(),
    );
    for app in [&env.app, &other] {
        assert_eq!(call(app, get("/api/v1/spaces/a/rules")).await.0, StatusCode::OK);
    }
    let body = egress("one", "one.example.com", 443, "HTTPS");
    assert_eq!(call(&env.app, send_json("POST", EGPS, &body)).await.0, StatusCode::CREATED);
    let seen =
        eventually(&other, "/api/v1/spaces/a/rules", |r| !hosts_in_rules(r).is_empty()).await;
    assert_eq!(seen, call(&env.app, get("/api/v1/spaces/a/rules")).await.1);
    // An edit through the other replica, from the version the first one answered with.
    let (_, mut object, _) = call(&env.app, get(&format!("{EGPS}/one"))).await;
    object["spec"]["targets"][0]["hosts"] = json!(["two.example.com"]);
    let (status, _, _) = call(&other, send_json("PUT", &format!("{EGPS}/one"), &object)).await;
    assert_eq!(status, StatusCode::OK);
    eventually(&env.app, "/api/v1/spaces/a/rules", |r| hosts_in_rules(r) == ["two.example.com"])
        .await;
    // The stale version is refused by either replica: Kubernetes decides, not a cache.
    let (status, _, _) = call(&env.app, send_json("PUT", &format!("{EGPS}/one"), &object)).await;
    assert_eq!(status, StatusCode::CONFLICT);
}
