//! `egress-console diff` as a user runs it: two sets of files, every format, exit statuses.

use std::path::Path;
use std::process::{Command, Output};

fn diff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_egress-console")).arg("diff").args(args).output().unwrap()
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn egress(name: &str, host: &str, port: u16, protocol: &str, workload: Option<&str>) -> String {
    let source = workload.map_or(String::new(), |w| {
        format!("  sourceRef: {{apiGroup: apps, kind: Deployment, name: {w}}}\n")
    });
    format!(
        "apiVersion: networking.tanzu.vmware.com/v1alpha1\nkind: EgressPoint\nmetadata:\n  name: {name}\nspec:\n{source}  targets:\n  - hosts: [{host}]\n    port: {{number: {port}, protocol: {protocol}}}\n"
    )
}

const CHECKOUT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: checkout}\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_change_an_addition_and_their_access_impact_are_reported_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old");
    write(
        &old,
        "db.yaml",
        &format!(
            "{}---\n{CHECKOUT}",
            egress("db", "db.example.com", 5432, "TLS", Some("checkout"))
        ),
    );
    write(&old, "shared.yaml", &egress("shared", "api.github.com", 443, "HTTPS", None));
    let new = dir.path().join("new");
    write(
        &new,
        "db.yaml",
        &format!(
            "{}---\n{CHECKOUT}",
            egress("db", "db.example.com", 5432, "TCP", Some("checkout"))
        ),
    );
    write(&new, "api.yaml", &egress("api", "api.stripe.com", 443, "HTTPS", Some("checkout")));
    let (new, old) = (new.display().to_string(), old.display().to_string());

    let out = diff(&[&new, "--against", &old]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("default/db: change"), "{report}");
    assert!(
        report.contains("-         protocol: TLS") && report.contains("+         protocol: TCP"),
        "{report}"
    );
    assert!(report.contains("default/api: create"), "{report}");
    assert!(
        report.contains("checkout (Deployment) gains api.stripe.com:443 HTTPS, db.example.com:5432 HTTP/HTTPS/TCP; loses nothing"),
        "{report}"
    );
    // Without --prune, what is only in the old files stays; with it, it goes.
    assert!(!report.contains("shared: delete"), "{report}");
    let pruned = text(&diff(&[&new, "--against", &old, "--prune"]));
    assert!(pruned.contains("default/shared: delete"), "{pruned}");
    assert!(pruned.contains("loses api.github.com:443 HTTPS"), "{pruned}");

    let json: serde_json::Value =
        serde_json::from_slice(&diff(&[&new, "--against", &old, "--format", "json"]).stdout)
            .unwrap();
    assert_eq!(json["changes"].as_array().unwrap().len(), 2, "{json}");
    let markdown = text(&diff(&[&new, "--against", &old, "--format", "markdown"]));
    assert!(
        markdown.contains("```diff") && markdown.contains("**Access in default**"),
        "{markdown}"
    );
}

#[test]
fn nothing_to_change_exits_0_and_an_error_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let same = write(dir.path(), "a.yaml", &egress("a", "a.example.com", 443, "HTTPS", None));
    let out = diff(&[&same, "--against", &same]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("No EgressPoint would change."));
    let bad = write(dir.path(), "bad.yaml", &egress("a", "11.22.33.44", 443, "HTTPS", None));
    let out = diff(&[&bad, "--against", &same]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("ip-protocol"), "{}", text(&out));
    let out = diff(&["/no/such/file.yaml", "--against", &same]);
    assert_eq!(out.status.code(), Some(2));
}

/// A Space API in `dir` with namespace `shop`: Deployment checkout, Space-wide `github`
/// (api.github.com:443 HTTPS) and `db` (db.example.com:5432 TLS for checkout).
async fn live_space(dir: &Path) -> egress_apiserver::SpaceApi {
    use tower::ServiceExt;
    let api = egress_apiserver::SpaceApi::open(dir, egress_apiserver::Options::default()).unwrap();
    api.ensure_namespace("shop").unwrap();
    let post = |path: &str, text: String| {
        let value = egress_rules::yaml::parse_one(&text).unwrap().value;
        axum::http::Request::post(path.to_owned())
            .header("content-type", "application/json")
            .body(axum::body::Body::from(value.to_string()))
            .unwrap()
    };
    let eps = "/apis/networking.tanzu.vmware.com/v1alpha1/namespaces/shop/egresspoints";
    for request in [
        post("/apis/apps/v1/namespaces/shop/deployments", format!("{CHECKOUT}spec: {{}}\n")),
        post(eps, egress("github", "api.github.com", 443, "HTTPS", None)),
        post(eps, egress("db", "db.example.com", 5432, "TLS", Some("checkout"))),
    ] {
        let response = api.router().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 201);
    }
    api
}

#[tokio::test]
async fn against_a_live_space_changes_prunes_and_expectations_are_reported_and_nothing_is_written()
{
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(live_space(&data).await);
    let files = dir.path().join("files");
    // db moves from TLS to TCP; github is not in the files (pruned with --prune).
    write(&files, "db.yaml", &egress("db", "db.example.com", 5432, "TCP", Some("checkout")));
    let expect = write(
        dir.path(),
        "expect.yaml",
        "kind: EgressExpectations\nspace: shop\nexpect:\n- workload: Deployment/checkout\n  reach: [db.example.com:5432/TCP, api.github.com:443/HTTPS]\n  why: the release notes need GitHub\n",
    );
    let (files, data) = (files.display().to_string(), data.display().to_string());
    let base = ["--space", "shop", "--data-dir", data.as_str()];

    let args: Vec<&str> = [&[files.as_str()], &base[..], &["--expect", &expect]].concat();
    let out = diff(&args);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("shop/db: change"), "{report}");
    assert!(report.contains("-         protocol: TLS"), "{report}");
    assert!(report.contains("+         protocol: TCP"), "{report}");
    // Server-set fields are not part of the diff.
    assert!(!report.contains("resourceVersion") && !report.contains("uid"), "{report}");
    assert!(!report.contains("shop/github: delete"), "without --prune: {report}");
    assert!(
        report.contains("checkout (Deployment) gains db.example.com:5432 HTTP/HTTPS/TCP"),
        "{report}"
    );
    assert!(report.contains("Expectations after the change: 2 of 2 expectations hold"), "{report}");

    let args: Vec<&str> =
        [&[files.as_str()], &base[..], &["--prune", "--expect", &expect, "--format", "json"]]
            .concat();
    let out = diff(&args);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let actions: Vec<(&str, &str)> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["action"].as_str().unwrap()))
        .collect();
    assert_eq!(actions, [("db", "change"), ("github", "delete")]);
    let failed = &json["expectations"][1];
    assert_eq!(failed["passed"], false);
    assert_eq!(failed["line"], 5);
    assert_eq!(failed["because"], "no EgressPoint allows it");
    assert_eq!(failed["why"], "the release notes need GitHub");
    let access = json["access"]["shop"].to_string();
    assert!(access.contains("loses api.github.com:443 HTTPS"), "{access}");

    // Nothing was written: the live Space still has github, and db on TLS.
    let api =
        egress_apiserver::SpaceApi::open(Path::new(&data), egress_apiserver::Options::default())
            .unwrap();
    let listed = list_egresspoints(&api).await;
    assert_eq!(listed, [("db".to_owned(), "TLS".to_owned()), ("github".into(), "HTTPS".into())]);

    // While another egress-console holds the data, diff says how to reach it instead.
    let args: Vec<&str> = [&[files.as_str()], &base[..]].concat();
    let out = diff(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("in use by another running egress-console"), "{stderr}");
    drop(api);

    // The same files as the Space: nothing changes, exit 0.
    let same = dir.path().join("same");
    write(&same, "db.yaml", &egress("db", "db.example.com", 5432, "TLS", Some("checkout")));
    let same = same.display().to_string();
    let args: Vec<&str> = [&[same.as_str()], &base[..]].concat();
    let out = diff(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("No EgressPoint would change."));

    // An unknown Space, and a document in another namespace, are errors (2) in words.
    let out = diff(&[&same, "--space", "nope", "--data-dir", &data]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no Space \"nope\""));
    let other = write(
        dir.path(),
        "other.yaml",
        &egress("x", "x.example.com", 443, "HTTPS", None)
            .replace("  name: x\n", "  name: x\n  namespace: elsewhere\n"),
    );
    let out = diff(&[&other, "--space", "shop", "--data-dir", &data]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("names namespace \"elsewhere\", but Space \"shop\""), "{stderr}");
}

async fn list_egresspoints(api: &egress_apiserver::SpaceApi) -> Vec<(String, String)> {
    use tower::ServiceExt;
    let request = axum::http::Request::get(
        "/apis/networking.tanzu.vmware.com/v1alpha1/namespaces/shop/egresspoints",
    )
    .body(axum::body::Body::empty())
    .unwrap();
    let response = api.router().oneshot(request).await.unwrap();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let list: serde_json::Value = serde_json::from_slice(&body).unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let protocol = o["spec"]["targets"][0]["port"]["protocol"].as_str().unwrap();
            (o["metadata"]["name"].as_str().unwrap().to_owned(), protocol.to_owned())
        })
        .collect()
}

#[test]
fn against_files_an_expectation_that_fails_after_the_change_exits_1_even_when_nothing_else_does() {
    let dir = tempfile::tempdir().unwrap();
    let same = write(dir.path(), "a.yaml", &egress("mail", "smtp.example.com", 25, "TCP", None));
    let expect = write(
        dir.path(),
        "expect.yaml",
        "kind: EgressExpectations\nexpect:\n- workload: any\n  notReach: ['*:25']\n",
    );
    let out = diff(&[&same, "--against", &same, "--expect", &expect, "--format", "markdown"]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("- ❌ no workload can reach *:25 — allowed by mail (smtp.example.com:25 TCP, every workload)"),
        "{report}"
    );
    // A broken expectations file is an error (2) with its line.
    let broken = write(
        dir.path(),
        "broken.yaml",
        "kind: EgressExpectations\nexpect:\n- workload: any\n  reach: ['*:25']\n",
    );
    let out = diff(&[&same, "--against", &same, "--expect", &broken]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.yaml:4: \"*:25\": reach names one host"), "{stderr}");
}
