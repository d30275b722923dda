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
