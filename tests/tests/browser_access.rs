//! Access in the browser, in token mode against a Space API with a token file and an ABAC
//! policy: a user who may only read Space A sees New, Edit, Delete and Save disabled with the
//! reason in words; a user who may edit A creates and deletes; a user with no access to
//! Space B is told so in words.

use anyhow::{Result, ensure};
use egress_e2e::ui::{element, wait_path, wait_text, wait_true};
use egress_e2e::{Browser, Server, SpaceApiProcess, TempDir, run_kubectl};
use fantoccini::{Client, Locator};

const TOKENS: &str =
    "reader-token,reader,1\neditor-token,editor,2,\"editors\"\nnarrow-token,narrow,3\n";
const POLICY: &str = r#"{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"reader","namespace":"storefront","resource":"*","apiGroup":"*","readonly":true}}
{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"group":"editors","namespace":"storefront","resource":"*","apiGroup":"*"}}
{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"narrow","namespace":"storefront","resource":"egresspoints","apiGroup":"*"}}
"#;

async fn sign_in(client: &Client, server: &Server, token: &str) -> Result<()> {
    client.goto(&format!("{}/spaces/storefront", server.url)).await?;
    wait_path(client, "/sign-in").await?;
    element(client, "#token").await?.send_keys(token).await?;
    element(client, "button[type=submit]").await?.click().await?;
    wait_path(client, "/spaces/storefront").await?;
    Ok(())
}

async fn reader_sees_why(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    sign_in(client, server, "reader-token").await?;
    wait_text(client, "#whoami", |t| t.contains("reader")).await?;
    element(client, "#rules tbody tr").await?;
    let note = "You may read EgressPoints in storefront but not create, change or delete them.";
    wait_text(client, "#access-note", |t| t == note).await?;
    ensure!(
        element(client, "#new-egresspoint").await?.attr("disabled").await?.is_some(),
        "New is not disabled for a reader"
    );
    let edit = element(client, "#rules tbody tr .row-actions button").await?;
    ensure!(edit.attr("disabled").await?.is_some(), "a row's Edit is enabled for a reader");
    let why = edit.attr("title").await?.unwrap_or_default();
    ensure!(why == "You may read EgressPoints in storefront but not change them.", "{why}");
    browser.screenshot("access-read-only-rules").await?;
    // The form itself cannot be submitted.
    client.goto(&format!("{}/spaces/storefront/egresspoints/new", server.url)).await?;
    element(client, "#name").await?.send_keys("from-reader").await?;
    element(client, "input.host").await?.send_keys("api.example.com").await?;
    let reason = "You may read EgressPoints in storefront but not create them.";
    wait_text(client, "#save-refused", |t| t == reason).await?;
    ensure!(element(client, "#save").await?.attr("disabled").await?.is_some(), "Save is enabled");
    browser.screenshot("access-read-only-form").await?;
    // The Spaces page says it per Space, and a Space without access is said in words.
    client.goto(&server.url).await?;
    wait_text(client, "#spaces", |t| t.contains("read only") && t.contains("no access")).await?;
    client.goto(&format!("{}/spaces/sandbox", server.url)).await?;
    let notice = wait_text(client, ".notice.error", |t| t.contains("Forbidden")).await?;
    ensure!(notice.contains("Ask an administrator"), "{notice}");
    Ok(())
}

async fn editor_creates_and_deletes(
    client: &Client,
    server: &Server,
    browser: &Browser,
) -> Result<()> {
    sign_in(client, server, "editor-token").await?;
    element(client, "a#new-egresspoint").await?.click().await?;
    wait_path(client, "/spaces/storefront/egresspoints/new").await?;
    element(client, "#name").await?.send_keys("from-editor").await?;
    element(client, "input.host").await?.send_keys("files.example.com").await?;
    wait_true(client, "return !document.querySelector('#save').disabled;", "Save enabled").await?;
    ensure!(
        client.find_all(Locator::Css("#save-refused")).await?.is_empty(),
        "a refusal for an editor"
    );
    element(client, "#save").await?.click().await?;
    wait_path(client, "/spaces/storefront/egresspoints/from-editor").await?;
    element(client, "#delete").await?.click().await?;
    element(client, "#delete-confirm").await?.click().await?;
    wait_path(client, "/spaces/storefront").await?;
    wait_text(client, "#flash", |t| t.contains("Deleted EgressPoint from-editor.")).await?;
    browser.screenshot("access-editor").await?;
    Ok(())
}

async fn workloads_typed_when_unreadable(
    client: &Client,
    server: &Server,
    browser: &Browser,
) -> Result<()> {
    sign_in(client, server, "narrow-token").await?;
    client.goto(&format!("{}/spaces/storefront/egresspoints/new", server.url)).await?;
    // May write EgressPoints but not read workloads: the picker says why and takes a name.
    let help =
        wait_text(client, "#source-ref-help", |t| t.contains("may not read the workloads")).await?;
    ensure!(help.contains("Deployment/NAME"), "{help}");
    element(client, "input#source-ref").await?.send_keys("Deployment/checkout").await?;
    element(client, "#name").await?.send_keys("typed-workload").await?;
    element(client, "input.host").await?.send_keys("typed.example.com").await?;
    browser.screenshot("access-typed-workload").await?;
    wait_true(client, "return !document.querySelector('#save').disabled;", "Save enabled").await?;
    element(client, "#save").await?.click().await?;
    wait_path(client, "/spaces/storefront/egresspoints/typed-workload").await?;
    wait_text(client, "#applies-to", |t| t.contains("checkout (Deployment)")).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn buttons_match_what_each_user_may_do() -> Result<()> {
    let dir = TempDir::new("ui-access")?;
    std::fs::write(dir.0.join("tokens.csv"), TOKENS)?;
    std::fs::write(dir.0.join("policy.jsonl"), POLICY)?;
    let data = dir.0.join("data");
    std::fs::create_dir_all(&data)?;
    let (tokens, policy) = (dir.0.join("tokens.csv"), dir.0.join("policy.jsonl"));
    let api = SpaceApiProcess::start(
        &data,
        &[
            "--demo",
            "--token-auth-file",
            &tokens.display().to_string(),
            "--authorization-policy-file",
            &policy.display().to_string(),
        ],
    )
    .await?;
    // Two Spaces, as contexts with their namespaces; in token mode the caller's own token
    // replaces the context's credentials.
    for space in ["storefront", "sandbox"] {
        let out = run_kubectl(
            &api.kubeconfig,
            &[
                "config",
                "set-context",
                space,
                "--cluster=egress-console",
                "--user=egress-console-reader",
                &format!("--namespace={space}"),
            ],
            None,
            &[],
        )?;
        ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let kubeconfig = api.kubeconfig.display().to_string();
    let server = Server::start_with(&[
        "--kubeconfig",
        &kubeconfig,
        "--context",
        "storefront",
        "--context",
        "sandbox",
        "--auth",
        "token",
    ])
    .await?;
    let reader = Browser::start().await?;
    let outcome = reader_sees_why(&reader.client, &server, &reader).await;
    reader.finish("reader_sees_why", outcome).await?;
    let editor = Browser::start().await?;
    let outcome = editor_creates_and_deletes(&editor.client, &server, &editor).await;
    editor.finish("editor_creates_and_deletes", outcome).await?;
    let narrow = Browser::start().await?;
    let outcome = workloads_typed_when_unreadable(&narrow.client, &server, &narrow).await;
    narrow.finish("workloads_typed_when_unreadable", outcome).await?;
    api.kill().await
}
