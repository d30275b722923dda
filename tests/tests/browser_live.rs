//! The UI against a Space changed by someone else: a kubectl apply appears live in the
//! rules table, and a stale edit meets the 409 path without losing the user's edit.

use anyhow::{Result, ensure};
use egress_e2e::ui::{element, wait_path, wait_text};
use egress_e2e::{Browser, Server, SpaceApiProcess, TempDir, kubectl};
use fantoccini::Client;
use fantoccini::key::Key;

fn manifest(port: u16) -> String {
    named("from-kubectl", port)
}

fn named(name: &str, port: u16) -> String {
    format!(
        "apiVersion: networking.tanzu.vmware.com/v1alpha1
kind: EgressPoint
metadata:
  name: {name}
  labels: {{team: payments}}
spec:
  targets:
  - hosts: [api.example.com]
    port: {{number: {port}, protocol: HTTPS}}
"
    )
}

fn kubectl_apply(kubeconfig: &std::path::Path, yaml: &str) -> Result<()> {
    let mut apply = std::process::Command::new(kubectl())
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["apply", "-f", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()?;
    std::io::Write::write_all(&mut apply.stdin.take().expect("stdin"), yaml.as_bytes())?;
    ensure!(apply.wait()?.success(), "kubectl apply failed");
    Ok(())
}

fn kubectl_get(kubeconfig: &std::path::Path, name: &str) -> Result<serde_json::Value> {
    let out = std::process::Command::new(kubectl())
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["get", "egresspoint", name, "-o", "json"])
        .output()?;
    ensure!(out.status.success(), "kubectl get failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// Two database targets, as in the report: target 1 on `port1`, target 2 on `host2`.
fn two_targets(port1: u16, host2: &str) -> String {
    format!(
        "apiVersion: networking.tanzu.vmware.com/v1alpha1
kind: EgressPoint
metadata:
  name: databases
  labels: {{team: payments}}
spec:
  targets:
  - hosts: [db1.example.com]
    port: {{number: {port1}, protocol: TCP}}
  - hosts: [{host2}]
    port: {{number: 5432, protocol: TCP}}
"
    )
}

/// Opens the edit form of `databases`, lets kubectl change it meanwhile, makes `edit` in
/// the form and saves: the 409 path.
async fn edit_meanwhile(
    client: &Client,
    space: &str,
    api: &SpaceApiProcess,
    theirs: &str,
    edit: (&str, &str),
) -> Result<()> {
    client.goto(&format!("{space}/egresspoints/databases/edit")).await?;
    element(client, "input.host").await?;
    wait_text(client, "#feed-status", |t| t == "Live").await?;
    kubectl_apply(&api.kubeconfig, theirs)?;
    let input = element(client, edit.0).await?;
    input.send_keys(&(Key::Control + "a")).await?;
    input.send_keys(edit.1).await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    element(client, "#save").await?.click().await?;
    wait_text(client, "#conflict", |t| t.contains("changed this EgressPoint")).await?;
    element(client, "#reapply").await?.click().await?;
    Ok(())
}

async fn three_way_merge(client: &Client, space: &str, api: &SpaceApiProcess) -> Result<()> {
    kubectl_apply(&api.kubeconfig, &two_targets(5433, "db2.example.com"))?;
    // They change target 1's port while I change only target 2's host: both stay.
    let second_host = "fieldset.target[data-target='1'] input.host";
    let theirs = two_targets(6543, "db2.example.com");
    edit_meanwhile(client, space, api, &theirs, (second_host, "db3.example.com")).await?;
    wait_path(client, "/spaces/egress-console/egresspoints/databases").await?;
    let stored = kubectl_get(&api.kubeconfig, "databases")?;
    let targets = &stored["spec"]["targets"];
    ensure!(targets[0]["port"]["number"] == 6543, "their change was undone: {stored}");
    ensure!(targets[1]["hosts"][0] == "db3.example.com", "my change was lost: {stored}");
    ensure!(stored["metadata"]["labels"]["team"] == "payments", "{stored}");

    // Both change target 1's port: I am asked, and my choice is what is stored.
    let theirs = two_targets(7000, "db3.example.com");
    let first_port = "fieldset.target[data-target='0'] input.port";
    edit_meanwhile(client, space, api, &theirs, (first_port, "7100")).await?;
    let clash = wait_text(client, "#clashes fieldset", |t| t.contains("Target 1 port")).await?;
    ensure!(clash.contains("Theirs: 7000") && clash.contains("Mine: 7100"), "{clash}");
    element(client, "#clashes input[value='mine']").await?.click().await?;
    element(client, "#resolve").await?.click().await?;
    wait_path(client, "/spaces/egress-console/egresspoints/databases").await?;
    let stored = kubectl_get(&api.kubeconfig, "databases")?;
    let targets = &stored["spec"]["targets"];
    ensure!(targets[0]["port"]["number"] == 7100, "my choice was not stored: {stored}");
    ensure!(targets[1]["hosts"][0] == "db3.example.com", "{stored}");
    Ok(())
}

async fn live_and_conflict(
    client: &Client,
    server: &Server,
    browser: &Browser,
    api: &SpaceApiProcess,
) -> Result<()> {
    let space = format!("{}/spaces/egress-console", server.url);
    client.goto(&space).await?;
    wait_text(client, "#feed-status", |t| t == "Live").await?;
    kubectl_apply(&api.kubeconfig, &manifest(443))?;
    // It appears without a reload, highlighted.
    let row = element(client, "tr[data-egresspoint='from-kubectl']").await?;
    ensure!(
        row.attr("class").await?.unwrap_or_default().contains("changed"),
        "the new row is not highlighted"
    );
    browser.screenshot("rules-live-update").await?;

    // A hidden tab closes its stream (browsers allow six connections per server); shown
    // again, it reconnects and what changed meanwhile appears, highlighted.
    let set_hidden =
        "Object.defineProperty(document, 'hidden', {value: arguments[0], configurable: true});
        document.dispatchEvent(new Event('visibilitychange', {bubbles: true}));";
    client.execute(set_hidden, vec![true.into()]).await?;
    wait_text(client, "#feed-status", |t| t.starts_with("Paused")).await?;
    kubectl_apply(&api.kubeconfig, &named("while-hidden", 443))?;
    client.execute(set_hidden, vec![false.into()]).await?;
    let row = element(client, "tr[data-egresspoint='while-hidden']").await?;
    ensure!(row.attr("class").await?.unwrap_or_default().contains("changed"), "not highlighted");
    wait_text(client, "#feed-status", |t| t == "Live").await?;

    // Open the edit form, then someone else changes the EgressPoint.
    client.goto(&format!("{space}/egresspoints/from-kubectl/edit")).await?;
    let host = element(client, "input.host").await?;
    wait_text(client, "#feed-status", |t| t == "Live").await?;
    kubectl_apply(&api.kubeconfig, &manifest(8443))?;
    host.send_keys(&(Key::Control + "a")).await?;
    host.send_keys("api2.example.com").await?;
    // Wait until the form has seen the other change, so Save starts with a dry-run.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    element(client, "#save").await?.click().await?;
    let conflict =
        wait_text(client, "#conflict", |t| t.contains("changed this EgressPoint")).await?;
    ensure!(conflict.contains("8443"), "their version is not shown: {conflict}");
    // Both changes in access terms, against the version both started from.
    let theirs = element(client, "#conflict-theirs").await?.text().await?;
    let mine = element(client, "#conflict-mine").await?.text().await?;
    // (while-hidden still allows api.example.com:443, so nobody loses it.)
    ensure!(
        theirs.contains("every workload gains api.example.com:8443 HTTPS; loses nothing")
            && mine.contains("every workload gains api2.example.com:443 HTTPS; loses nothing"),
        "theirs: {theirs}; mine: {mine}"
    );
    let kept = element(client, "input.host").await?.prop("value").await?;
    ensure!(kept.as_deref() == Some("api2.example.com"), "the edit was lost: {kept:?}");
    browser.screenshot("form-conflict").await?;

    // Apply my changes: their version (labels, resourceVersion, their new port) with the
    // one field I changed.
    element(client, "#reapply").await?.click().await?;
    wait_path(client, "/spaces/egress-console/egresspoints/from-kubectl").await?;
    let yaml = wait_text(client, "#ep-yaml", |t| t.contains("api2.example.com")).await?;
    ensure!(yaml.contains("team: payments"), "their label was lost:\n{yaml}");
    ensure!(yaml.contains("number: 8443"), "their port change was undone:\n{yaml}");
    three_way_merge(client, &space, api).await
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_changes_appear_live_and_a_stale_edit_meets_the_conflict_path() -> Result<()> {
    let dir = TempDir::new("ui-live")?;
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    let kubeconfig = api.kubeconfig.display().to_string();
    let server = Server::start_with(&["--kubeconfig", &kubeconfig]).await?;
    let browser = Browser::start().await?;
    let outcome = live_and_conflict(&browser.client, &server, &browser, &api).await;
    let outcome = browser.finish("live_and_conflict", outcome).await;
    api.kill().await?;
    outcome
}

async fn sign_in_and_return(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    // The Space API writes one kubeconfig context per user of its token file.
    client.goto(&format!("{}/spaces/egress-console-alice", server.url)).await?;
    // No session: the app sends the user to sign in, remembering where they were.
    wait_path(client, "/sign-in").await?;
    let url = client.current_url().await?;
    ensure!(url.query() == Some("next=%2Fspaces%2Fegress-console-alice"), "{url}");
    element(client, "#token").await?.send_keys("alice-token").await?;
    browser.screenshot("sign-in").await?;
    element(client, "button[type=submit]").await?.click().await?;
    wait_path(client, "/spaces/egress-console-alice").await?;
    wait_text(client, "#feed-status", |t| t == "Live").await?;
    element(client, "#empty-space").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn token_mode_sends_the_user_to_sign_in_and_back() -> Result<()> {
    let dir = TempDir::new("ui-token")?;
    let tokens = dir.0.join("tokens.csv");
    std::fs::write(&tokens, "alice-token,alice,1\n")?;
    let data = dir.0.join("data");
    std::fs::create_dir_all(&data)?;
    let api = SpaceApiProcess::start(&data, &["--token-auth-file", &tokens.display().to_string()])
        .await?;
    let kubeconfig = api.kubeconfig.display().to_string();
    let server = Server::start_with(&["--kubeconfig", &kubeconfig, "--auth", "token"]).await?;
    let browser = Browser::start().await?;
    let outcome = sign_in_and_return(&browser.client, &server, &browser).await;
    let outcome = browser.finish("sign_in_and_return", outcome).await;
    api.kill().await?;
    outcome
}
