//! The REST API against the embedded Space API over TCP: the same kube-rs path as a real
//! cluster.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use egress_api::events::EventName;
use egress_apiserver::{Options, SpaceApi};
use egress_console::api::AppState;
use egress_console::serve::{AllowedHosts, router};
use egress_console::spaces::{AuthMode, Catalog};
use serde_json::{Value, json};
use std::net::SocketAddr;
use tower::ServiceExt;

mod common;

use common::*;

#[tokio::test]
async fn spaces_report_reachability_as_data() {
    let env = env().await;
    let (status, spaces, _) = call(&env.app, get("/api/v1/spaces")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(spaces[0]["name"], "a");
    assert_eq!(spaces[0]["reachable"], true);
    assert_eq!(spaces[1]["reachable"], false);
    assert!(spaces[1]["error"].as_str().unwrap().contains("cannot be reached"), "{spaces}");
}

#[tokio::test]
async fn an_egress_point_is_created_listed_read_as_yaml_and_deleted() {
    let env = env().await;
    let (status, created, _) =
        call(&env.app, send_json("POST", EGPS, &egress("web", "api.example.com", 443, "HTTPS")))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["metadata"]["namespace"], "team-a");
    // Kubernetes records the console as the writer (kubectl --show-managed-fields says so);
    // the console's own answers leave managedFields out.
    let stored = env
        .api
        .router()
        .oneshot(
            Request::get(
                "/apis/networking.tanzu.vmware.com/v1alpha1/namespaces/team-a/egresspoints/web",
            )
            .body(Body::empty())
            .unwrap(),
        )
        .await
        .unwrap();
    let stored: Value = serde_json::from_slice(
        &axum::body::to_bytes(stored.into_body(), usize::MAX).await.unwrap(),
    )
    .unwrap();
    assert_eq!(stored["metadata"]["managedFields"][0]["manager"], "egress-console", "{stored:#}");
    assert_eq!(stored["metadata"]["managedFields"][0]["operation"], "Update");
    assert!(created["metadata"].get("managedFields").is_none(), "{created}");
    let (_, list, _) = call(&env.app, get(EGPS)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(list["resourceVersion"].as_str().is_some());
    let request = Request::get(format!("{EGPS}/web"))
        .header(header::ACCEPT, "application/yaml")
        .body(Body::empty())
        .unwrap();
    let (status, yaml, headers) = call(&env.app, request).await;
    assert_eq!(
        (status, headers[header::CONTENT_TYPE].to_str().unwrap()),
        (StatusCode::OK, "application/yaml")
    );
    let yaml = yaml.as_str().unwrap();
    assert!(
        yaml.contains("- api.example.com")
            && !yaml.contains("uid:")
            && !yaml.contains("resourceVersion"),
        "{yaml}"
    );
    let (status, _, _) =
        call(&env.app, Request::delete(format!("{EGPS}/web")).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem, headers) = call(&env.app, get(&format!("{EGPS}/web"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(problem["status"], 404);
}

#[tokio::test]
async fn yaml_bodies_are_accepted() {
    let env = env().await;
    let yaml = "apiVersion: networking.tanzu.vmware.com/v1alpha1\nkind: EgressPoint\nmetadata: {name: from-yaml}\nspec:\n  targets:\n  - hosts: [y.example.com]\n    port: {number: 443, protocol: HTTPS}\n";
    let request = Request::post(EGPS)
        .header("content-type", "application/yaml")
        .body(Body::from(yaml))
        .unwrap();
    let (status, body, _) = call(&env.app, request).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn yaml_is_read_as_kubectl_reads_it_and_validate_says_where_that_differs() {
    // `name: y` is the boolean true to kubectl (YAML 1.1), so the platform would refuse it.
    let env = env().await;
    let yaml = "apiVersion: networking.tanzu.vmware.com/v1alpha1\nkind: EgressPoint\nmetadata: {name: y}\nspec:\n  targets:\n  - hosts: [y.example.com]\n    port: {number: 0443, protocol: TCP}\nstatus: {}\n";
    let request = Request::post("/api/v1/validate")
        .header("content-type", "application/yaml")
        .body(Body::from(yaml))
        .unwrap();
    let (status, report, _) = call(&env.app, request).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["valid"], false, "{report}");
    let codes: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["path"].as_str().unwrap()))
        .collect();
    for expected in [
        ("name", "metadata.name"),
        ("yaml-reading", "metadata.name"),
        ("yaml-reading", "spec.targets[0].port.number"),
        ("status", "status"),
    ] {
        assert!(codes.contains(&expected), "{expected:?} missing from {codes:?}");
    }
}

#[tokio::test]
async fn an_invalid_egress_point_is_a_422_with_field_paths_and_never_reaches_kubernetes() {
    let env = env().await;
    let (status, problem, headers) =
        call(&env.app, send_json("POST", EGPS, &egress("db", "11.22.33.44", 443, "HTTPS"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(problem["diagnostics"][0]["code"], "ip-protocol");
    assert_eq!(problem["diagnostics"][0]["path"], "spec.targets[0].hosts[0]");
    let (_, list, _) = call(&env.app, get(EGPS)).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    // Space-wide: another EgressPoint already has this host+port on TCP.
    call(&env.app, send_json("POST", EGPS, &egress("db-tcp", "db.example.com", 9093, "TCP"))).await;
    let (status, problem, _) =
        call(&env.app, send_json("POST", EGPS, &egress("db-tls", "db.example.com", 9093, "TLS")))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["diagnostics"][0]["code"], "host-port-protocols");
}

#[tokio::test]
async fn two_editors_of_one_egress_point_the_second_gets_409_and_nothing_is_overwritten() {
    let env = env().await;
    let (_, created, _) =
        call(&env.app, send_json("POST", EGPS, &egress("web", "a.example.com", 443, "HTTPS")))
            .await;
    let mut first = created.clone();
    let mut second = created.clone();
    first["spec"]["targets"][0]["hosts"] = json!(["b.example.com"]);
    second["spec"]["targets"][0]["hosts"] = json!(["c.example.com"]);
    let (status, _, _) = call(&env.app, send_json("PUT", &format!("{EGPS}/web"), &first)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem, _) =
        call(&env.app, send_json("PUT", &format!("{EGPS}/web"), &second)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["current"]["spec"]["targets"][0]["hosts"], json!(["b.example.com"]));
    let (_, now, _) = call(&env.app, get(&format!("{EGPS}/web"))).await;
    assert_eq!(now["spec"]["targets"][0]["hosts"], json!(["b.example.com"]));
    let mut unversioned = egress("web", "d.example.com", 443, "HTTPS");
    unversioned["metadata"]["resourceVersion"] = Value::Null;
    let (status, problem, _) =
        call(&env.app, send_json("PUT", &format!("{EGPS}/web"), &unversioned)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["diagnostics"][0]["path"], "metadata.resourceVersion");
}

#[tokio::test]
async fn rules_workloads_reachability_and_validate_read_the_space() {
    let env = env().await;
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {}});
    let (status, _, _) = call(
        &env.api.router(),
        send_json("POST", "/apis/apps/v1/namespaces/team-a/deployments", &deployment),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    call(&env.app, send_json("POST", EGPS, &egress("db", "db.example.com", 5432, "TCP"))).await;
    let (_, rules, _) = call(&env.app, get("/api/v1/spaces/a/rules")).await;
    assert_eq!(
        rules["rules"][0],
        json!({"host": "db.example.com", "port": 5432, "protocol": "TCP", "appliesTo": "space", "egressPoint": "db"})
    );
    let (_, workloads, _) = call(&env.app, get("/api/v1/spaces/a/workloads")).await;
    assert_eq!(workloads, json!([{"apiGroup": "apps", "kind": "Deployment", "name": "web"}]));
    let (_, reach, _) = call(&env.app, get("/api/v1/spaces/a/reachability?workload=Deployment/web&host=db.example.com&port=5432&protocol=TLS")).await;
    assert_eq!(reach["allowed"], true);
    assert_eq!(reach["allowedBy"][0]["egressPoint"], "db");
    let (status, _, _) = call(
        &env.app,
        get("/api/v1/spaces/a/reachability?workload=Pod/x&host=a&port=1&protocol=TCP"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, report, _) = call(
        &env.app,
        send_json(
            "POST",
            "/api/v1/validate?space=a",
            &egress("other", "db.example.com", 5432, "HTTPS"),
        ),
    )
    .await;
    assert_eq!(report["valid"], false);
    assert_eq!(report["diagnostics"][0]["code"], "host-port-protocols");
}

#[tokio::test]
async fn an_unknown_space_is_404() {
    let env = env().await;
    let (status, problem, _) = call(&env.app, get("/api/v1/spaces/nope/egresspoints")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(problem["detail"].as_str().unwrap().contains("no Space \"nope\""));
}

#[tokio::test]
async fn a_stopped_space_api_is_502_and_the_console_recovers_when_it_returns() {
    let env = env().await;
    env.server.abort();
    let _ = env.server.await;
    let (status, problem, _) = call(&env.app, get(EGPS)).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("cannot be reached"));
    let (_addr, _server) = serve_space_api(&env.api, &env.addr.to_string()).await;
    let (status, _, _) = call(&env.app, get(EGPS)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_hosts_and_cross_origin_writes_are_refused() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html>").unwrap();
    let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
    let app = router(
        AppState {
            site_dir: site.path().to_owned(),
            catalog: Catalog::new(None, Vec::new()),
            caches: Default::default(),
            auth: AuthMode::Local,
        },
        AllowedHosts::new(addr, &[]),
    );
    let request = Request::get("/healthz")
        .header(header::HOST, "evil.example.com")
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&app, request).await.0, StatusCode::MISDIRECTED_REQUEST);
    let request = Request::get("/healthz")
        .header(header::HOST, "localhost:8080")
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&app, request).await.0, StatusCode::OK);
    let request = Request::post("/api/v1/validate")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://evil.example.com")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(call(&app, request).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_sse_client_gets_a_snapshot_then_changes_and_the_idle_watch_stops_after_it_leaves() {
    let data = tempfile::tempdir().unwrap();
    let api = SpaceApi::open(data.path(), Options::default()).unwrap();
    api.ensure_namespace("team-a").unwrap();
    let (addr, _server) = serve_space_api(&api, "127.0.0.1:0").await;
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html>").unwrap();
    let catalog = Catalog::new(None, vec![space("a", &format!("http://{addr}"), "team-a")]);
    let hub = egress_console::cache::SpaceCaches::default();
    let app = router(
        AppState {
            site_dir: site.path().to_owned(),
            catalog,
            caches: hub.clone(),
            auth: AuthMode::Local,
        },
        AllowedHosts::any(),
    );
    call(&app, send_json("POST", EGPS, &egress("before", "a.example.com", 443, "HTTPS"))).await;

    let response = app.clone().oneshot(get("/api/v1/spaces/a/events")).await.unwrap();
    assert_eq!(response.headers()[header::CONTENT_TYPE], "text/event-stream");
    let mut body = response.into_body().into_data_stream();
    let first = sse_events(&mut body, 1).await;
    assert_eq!(first[0].0, EventName::Snapshot.as_str());
    // The watcher lists asynchronously: the object is in the snapshot or arrives as ADDED.
    let mut seen: Vec<String> = first[0].1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(hub.active(), 1);
    call(&app, send_json("POST", EGPS, &egress("after", "b.example.com", 443, "HTTPS"))).await;
    while !seen.contains(&"after".to_owned()) {
        let (name, data) = sse_events(&mut body, 1).await.remove(0);
        assert_eq!(name, EventName::Change.as_str());
        seen.push(data["object"]["metadata"]["name"].as_str().unwrap().to_owned());
    }
    assert!(seen.contains(&"before".to_owned()), "{seen:?}");
    // While a client follows the Space, its cache is kept however idle.
    hub.evict(std::time::Duration::ZERO);
    assert_eq!(hub.active(), 1, "followed caches stay");
    drop(body);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    hub.evict(std::time::Duration::ZERO);
    assert_eq!(hub.active(), 0, "nobody listens and it is idle: the watch stops");
}

#[tokio::test]
async fn readyz_needs_a_reachable_space_and_metrics_count_requests_by_route() {
    let env = env().await;
    let (status, _, _) = call(&env.app, get("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    call(&env.app, get("/api/v1/spaces/a/rules")).await;
    let (_, text, headers) = call(&env.app, get("/metrics")).await;
    assert!(
        headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/openmetrics-text")
    );
    assert!(text.as_str().unwrap().ends_with("# EOF\n"), "a complete OpenMetrics exposition");
    let text = text.as_str().unwrap();
    assert!(text.contains("egress_console_http_requests_total{route=\"/api/v1/spaces/{space}/rules\",status=\"200\"} 1"), "{text}");
    let calls: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("egress_console_kubernetes_request_duration_seconds_count "))
        .expect("Kubernetes call latency")
        .parse()
        .unwrap();
    assert!(calls > 0, "{text}");

    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html>").unwrap();
    let down = Catalog::new(None, vec![space("down", "http://127.0.0.1:9", "x")]);
    let app = router(
        AppState {
            site_dir: site.path().to_owned(),
            catalog: down,
            caches: Default::default(),
            auth: AuthMode::Local,
        },
        AllowedHosts::any(),
    );
    let (status, problem, _) = call(&app, get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
}

#[tokio::test]
async fn in_token_mode_a_user_allowed_in_space_a_gets_403_in_space_b_and_401_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let api = space_api_with_alice_in_team_a(dir.path(), "alice-token,alice,1\n");
    api.ensure_namespace("team-b").unwrap();
    let (addr, _server) = serve_space_api(&api, "127.0.0.1:0").await;
    let url = format!("http://{addr}");
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html>").unwrap();
    let catalog = Catalog::new(None, vec![space("a", &url, "team-a"), space("b", &url, "team-b")]);
    let app = router(
        AppState {
            site_dir: site.path().to_owned(),
            catalog,
            caches: Default::default(),
            auth: AuthMode::Token,
        },
        AllowedHosts::any(),
    );
    let as_alice = |method: &str, uri: &str, body: Option<&Value>| {
        let builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, "Bearer alice-token")
            .header("content-type", "application/json");
        builder.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap()
    };

    let (status, problem, _) = call(&app, get("/api/v1/spaces/a/egresspoints")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    assert_eq!(call(&app, get("/api/v1/spaces")).await.0, StatusCode::UNAUTHORIZED);

    let (status, created, _) = call(
        &app,
        as_alice(
            "POST",
            "/api/v1/spaces/a/egresspoints",
            Some(&egress("web", "a.example.com", 443, "HTTPS")),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    for (method, uri) in [
        ("GET", "/api/v1/spaces/b/egresspoints"),
        ("GET", "/api/v1/spaces/b/egresspoints/web"),
        ("DELETE", "/api/v1/spaces/b/egresspoints/web"),
        ("GET", "/api/v1/spaces/b/rules"),
        ("GET", "/api/v1/spaces/b/workloads"),
        ("GET", "/api/v1/spaces/b/events"),
        (
            "GET",
            "/api/v1/spaces/b/reachability?workload=Deployment/x&host=a.example.com&port=443&protocol=HTTPS",
        ),
    ] {
        let (status, problem, _) = call(&app, as_alice(method, uri, None)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri}: {problem}");
    }
    let (status, problem, _) = call(
        &app,
        as_alice(
            "POST",
            "/api/v1/spaces/b/egresspoints",
            Some(&egress("x", "b.example.com", 443, "HTTPS")),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    // Space b answers (403): it is reachable, and what alice may do there says the rest.
    let (_, spaces, _) = call(&app, as_alice("GET", "/api/v1/spaces", None)).await;
    assert_eq!(
        (spaces[0]["reachable"].as_bool(), spaces[1]["reachable"].as_bool()),
        (Some(true), Some(true))
    );
    let (status, access, _) = call(&app, as_alice("GET", "/api/v1/spaces/b/access", None)).await;
    assert_eq!(status, StatusCode::OK, "{access}");
    assert_eq!((access["list"].as_bool(), access["create"].as_bool()), (Some(false), Some(false)));
    let (_, access, _) = call(&app, as_alice("GET", "/api/v1/spaces/a/access", None)).await;
    assert_eq!(access["create"], true, "{access}");

    // The sign-in cookie works like the header, and is HttpOnly and SameSite=Strict.
    let form = Request::post("/auth/session")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("token=alice-token"))
        .unwrap();
    let (status, _, headers) = call(&app, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let request = Request::get("/api/v1/spaces/a/egresspoints")
        .header(header::COOKIE, pair)
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&app, request).await.0, StatusCode::OK);
}

#[tokio::test]
async fn names_no_object_can_have_are_404_not_a_gateway_error() {
    let env = env().await;
    for uri in [
        "/api/v1/spaces/%C2%AD%18%02/egresspoints/search",
        "/api/v1/spaces/a/egresspoints/Bad%20Name",
        "/api/v1/spaces/a/egresspoints/%26%13a%F1%AA%AA%BE",
    ] {
        let (status, problem, _) = call(&env.app, get(uri)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {problem}");
    }
    let (status, _, _) =
        call(&env.app, send_json("POST", "/api/v1/validate?space=", &json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn local_mode_may_do_everything_as_the_anonymous_user() {
    let env = env().await;
    let (status, access, _) = call(&env.app, get("/api/v1/spaces/a/access")).await;
    assert_eq!(status, StatusCode::OK, "{access}");
    for verb in ["list", "watch", "get", "create", "update", "patch", "delete", "readDeployments"] {
        assert_eq!(access[verb], true, "{verb}: {access}");
    }
    let (status, who, _) = call(&env.app, get("/api/v1/whoami")).await;
    assert_eq!(status, StatusCode::OK, "{who}");
    assert_eq!(who["username"], "system:anonymous");
    let (status, _, _) = call(&env.app, get("/api/v1/spaces/no-such/access")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
