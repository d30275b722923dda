//! The Expectations tab of a Space in Chromium: a pasted file is checked line by line,
//! mistakes are said with their line, results follow the Space live (a write through the
//! REST API flips a line), the text survives a reload, and the form warns before a save
//! that would break an expectation.

use anyhow::{Result, ensure};
use egress_e2e::ui::{element, wait_text, wait_true};
use egress_e2e::{Browser, Server};
use fantoccini::Client;
use fantoccini::key::Key;

const EXPECTATIONS: &str = "kind: EgressExpectations
expect:
  - workload: Deployment/checkout
    reach: [api.stripe.com:443/HTTPS, orders-db.internal:5432/TCP]
    notReach: [api.paypal.com:443/HTTPS]
    why: PayPal is being retired
  - workload: any
    notReach: [\"*:25/TCP\"]
";

/// The verdicts of the results table, in order ("Holds"/"Fails").
async fn verdicts(client: &Client) -> Result<Vec<String>> {
    let value = client
        .execute(
            "return [...document.querySelectorAll('#expectations-results tbody tr')].map(r => r.dataset.passed);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(value)?)
}

async fn replace_text(client: &Client, text: &str) -> Result<()> {
    let input = element(client, "#expectations-input").await?;
    input.send_keys(&(Key::Control + "a")).await?;
    input.send_keys(&Key::Delete.to_string()).await?;
    input.send_keys(text).await?;
    Ok(())
}

async fn expectations(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    client.goto(&format!("{}/spaces/storefront", server.url)).await?;
    element(client, "nav.tabs a[href='/spaces/storefront/expectations']").await?.click().await?;
    wait_text(client, "#expect-title", |t| t.contains("storefront")).await?;
    replace_text(client, EXPECTATIONS).await?;
    wait_text(client, "#expectations-summary", |t| t == "2 of 4 expectations hold").await?;
    ensure!(
        verdicts(client).await? == ["true", "false", "false", "true"],
        "{:?}",
        verdicts(client).await?
    );
    let table = element(client, "#expectations-results").await?.text().await?;
    ensure!(
        table.contains("allowed by payment-gateway (api.paypal.com:443 HTTPS, checkout (Deployment)) (expected because: PayPal is being retired)"),
        "{table}"
    );
    ensure!(table.contains("no EgressPoint allows it"), "{table}");
    browser.screenshot("expectations").await?;

    // A mistake: nothing is checked, and the line is named.
    replace_text(client, &EXPECTATIONS.replace("Deployment/checkout", "checkout")).await?;
    let errors = wait_text(client, "#expectations-errors", |t| t.contains("Line 3")).await?;
    ensure!(errors.contains("write Deployment/checkout"), "{errors}");
    browser.screenshot("expectations-mistake").await?;
    replace_text(client, EXPECTATIONS).await?;
    wait_text(client, "#expectations-summary", |t| t == "2 of 4 expectations hold").await?;

    // Someone allows the database: the line holds, live.
    let addr = server.url.trim_start_matches("http://");
    let body = serde_json::json!({
        "apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint",
        "metadata": {"name": "orders-db-internal"},
        "spec": {"sourceRef": {"apiGroup": "apps", "kind": "Deployment", "name": "checkout"},
                 "targets": [{"hosts": ["orders-db.internal"], "port": {"number": 5432, "protocol": "TCP"}}]}
    })
    .to_string();
    let (status, answer) = egress_e2e::http::request(
        addr,
        "POST",
        "/api/v1/spaces/storefront/egresspoints",
        Some(&body),
    )
    .await?;
    ensure!(status == 201, "{status} {answer}");
    wait_text(client, "#expectations-summary", |t| t == "3 of 4 expectations hold").await?;
    ensure!(verdicts(client).await? == ["true", "true", "false", "true"]);

    // Kept in this browser: a reload shows the same.
    client.refresh().await?;
    wait_text(client, "#expectations-summary", |t| t == "3 of 4 expectations hold").await?;

    // Cleared, then uploaded as a file: the same checks.
    element(client, "#expectations-clear").await?.click().await?;
    wait_true(
        client,
        "return document.querySelector('#expectations-summary') === null;",
        "the results to go",
    )
    .await?;
    let file = std::env::temp_dir().join(format!("expectations-{}.yaml", std::process::id()));
    std::fs::write(&file, EXPECTATIONS)?;
    element(client, "#expectations-file").await?.send_keys(&file.display().to_string()).await?;
    wait_text(client, "#expectations-summary", |t| t == "3 of 4 expectations hold").await?;
    let _ = std::fs::remove_file(&file);

    // The form warns before a save that would open port 25.
    client.goto(&format!("{}/spaces/storefront/egresspoints/new", server.url)).await?;
    element(client, "#name").await?.send_keys("mail-relay").await?;
    element(client, "input.host").await?.send_keys("smtp.example.com").await?;
    let port = element(client, "input.port").await?;
    port.send_keys(&(Key::Control + "a")).await?;
    port.send_keys("25").await?;
    element(client, "select.protocol").await?.select_by_value("TCP").await?;
    let warning = wait_text(client, "#expect-warning", |t| t.contains("*:25/TCP")).await?;
    ensure!(warning.contains("Saving would break 1 expectation of this Space"), "{warning}");
    ensure!(
        warning.contains("allowed by mail-relay (smtp.example.com:25 TCP, every workload)"),
        "{warning}"
    );
    client
        .execute(
            "document.querySelector('#expect-warning').scrollIntoView({block: 'center'});",
            vec![],
        )
        .await?;
    browser.screenshot("expectations-form-warning").await?;
    // Choosing another port takes the warning away.
    port.send_keys(&(Key::Control + "a")).await?;
    port.send_keys("587").await?;
    wait_true(
        client,
        "return document.querySelector('#expect-warning') === null;",
        "the warning to go",
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn expectations_are_checked_live_and_the_form_warns_before_breaking_one() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start().await?;
    let outcome = expectations(&browser.client, &server, &browser).await;
    browser.finish("expectations", outcome).await
}
