//! From a workload's page to a saved EgressPoint, in Chromium: the demo checkout
//! Deployment's env and ConfigMap name a Stripe URL (already allowed), a PostgreSQL DSN and a
//! Redis TLS URL (new), an in-cluster Service (skipped) and a Secret (not read); "Create
//! EgressPoint from these" opens the form filled, and Save stores exactly that.

use anyhow::{Result, ensure};
use egress_e2e::ui::{element, wait_path, wait_text, wait_true};
use egress_e2e::{Browser, Server};
use fantoccini::Client;

async fn from_configuration(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    client.goto(&format!("{}/spaces/storefront/workloads/Deployment/checkout", server.url)).await?;
    let table =
        wait_text(client, "#suggestions-table", |t| t.contains("cache.example.com")).await?;
    ensure!(
        table.contains("api.stripe.com:443 HTTPS") && table.contains("allowed by payment-gateway"),
        "{table}"
    );
    ensure!(
        table.contains("orders-db.example.com:5432 TCP")
            && table.contains("ConfigMap checkout-config key DATABASE_URL"),
        "{table}"
    );
    ensure!(table.contains("cache.example.com:6379 TLS") && table.contains("new"), "{table}");
    let skipped = element(client, "#suggestions-skipped").await?.text().await?;
    ensure!(
        skipped.contains("orders.storefront.svc.cluster.local") && skipped.contains("in-cluster"),
        "{skipped}"
    );
    let not_read = element(client, "#suggestions-not-read").await?.text().await?;
    ensure!(
        not_read.contains("env STRIPE_KEY") && not_read.contains("Secret stripe"),
        "{not_read}"
    );
    client.execute("document.querySelector('#suggestions').scrollIntoView();", vec![]).await?;
    browser.screenshot("workload-suggestions").await?;

    element(client, "#suggestions-create").await?.click().await?;
    wait_path(client, "/spaces/storefront/egresspoints/new").await?;
    // `?.`: the form's code loads on demand, so the address can change a moment before the
    // form shows.
    wait_true(
        client,
        "return document.querySelector('#name')?.value === 'checkout-egress';",
        "the name filled",
    )
    .await?;
    wait_true(
        client,
        "return document.querySelector('#source-ref')?.value === 'Deployment/checkout';",
        "the workload chosen",
    )
    .await?;
    let impact = wait_text(client, "#impact", |t| t.contains("orders-db.example.com")).await?;
    ensure!(impact.contains("checkout (Deployment) gains"), "{impact}");
    browser.screenshot("workload-suggestions-form").await?;
    wait_true(client, "return !document.querySelector('#save').disabled;", "Save enabled").await?;
    element(client, "#save").await?.click().await?;
    wait_path(client, "/spaces/storefront/egresspoints/checkout-egress").await?;

    // What is stored is the proposal.
    let addr = server.url.trim_start_matches("http://");
    let (status, body) = egress_e2e::http::request(
        addr,
        "GET",
        "/api/v1/spaces/storefront/egresspoints/checkout-egress",
        None,
    )
    .await?;
    ensure!(status == 200, "{status} {body}");
    let stored: serde_json::Value = serde_json::from_str(&body)?;
    let targets: Vec<String> = stored["spec"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{}:{}/{}",
                t["hosts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(","),
                t["port"]["number"],
                t["port"]["protocol"].as_str().unwrap()
            )
        })
        .collect();
    ensure!(
        targets
            == [
                "api.stripe.com:443/HTTPS",
                "orders-db.example.com:5432/TCP",
                "cache.example.com:6379/TLS"
            ],
        "{targets:?}"
    );
    ensure!(stored["spec"]["sourceRef"]["name"] == "checkout", "{stored}");
    // Back on the workload page, every line is allowed now.
    client.goto(&format!("{}/spaces/storefront/workloads/Deployment/checkout", server.url)).await?;
    wait_text(client, "#suggestions-table", |t| {
        t.contains("allowed by checkout-egress") && !t.contains("new")
    })
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workloads_configuration_becomes_a_saved_egress_point() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start().await?;
    let outcome = from_configuration(&browser.client, &server, &browser).await;
    browser.finish("from_configuration", outcome).await
}
