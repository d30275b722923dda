//! The UI in a real headless Chromium, against `egress-console serve`.

use anyhow::{Result, ensure};
use egress_e2e::{Browser, Server};
use fantoccini::{Client, Locator};
use std::time::Duration;

/// Waits until the page's text at `css` satisfies `accept`; returns it.
async fn wait_for_text(
    client: &Client,
    css: &str,
    accept: impl Fn(&str) -> bool,
) -> Result<String> {
    let mut text = String::new();
    for _ in 0..100 {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            text = element.text().await.unwrap_or_default();
            if accept(&text) {
                return Ok(text);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("{css} never showed the expected text; last seen: {text:?}")
}

async fn ip_host_steps(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    client.goto(&server.url).await?;
    let host = client.wait().for_element(Locator::Css("input#host")).await?;
    // Every input has a visible label.
    for id in ["name", "host", "port", "protocol"] {
        let label = client.find(Locator::Css(&format!("label[for={id}]"))).await?;
        ensure!(!label.text().await?.is_empty(), "the {id} field has no visible label");
    }
    host.send_keys("11.22.33.44").await?;
    let message = wait_for_text(client, "#host-diagnostics", |t| t.contains("IP address")).await?;
    ensure!(message.contains("IP hosts can only use protocol TCP"), "{message}");
    let code = client.find(Locator::Css("#host-diagnostics li")).await?.attr("data-code").await?;
    ensure!(code.as_deref() == Some("ip-protocol"), "code was {code:?}");
    let described = host.attr("aria-describedby").await?;
    ensure!(described.as_deref() == Some("host-diagnostics"), "{described:?}");
    ensure!(host.attr("aria-invalid").await?.as_deref() == Some("true"));
    browser.screenshot("target-check-ip-https").await?;

    client.find(Locator::Css("select#protocol")).await?.select_by_value("TCP").await?;
    wait_for_text(client, "#verdict", |t| t.contains("is a valid target")).await?;
    let host_messages = client.find(Locator::Css("#host-diagnostics")).await?.text().await?;
    ensure!(host_messages.is_empty(), "still shown after switching to TCP: {host_messages}");
    let yaml = client.find(Locator::Css("#yaml")).await?.text().await?;
    ensure!(yaml.contains("protocol: TCP") && yaml.contains("- 11.22.33.44"), "{yaml}");
    browser.screenshot("target-check-valid").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ip_host_with_https_shows_the_ip_protocol_message_next_to_the_host() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start().await?;
    let outcome = ip_host_steps(&browser.client, &server, &browser).await;
    // Always end the session, so that a failure does not leave Chromium running.
    browser.close().await?;
    outcome
}

async fn url_host_steps(client: &Client, server: &Server) -> Result<()> {
    client.goto(&format!("{}/spaces/default", server.url)).await?;
    let host = client.wait().for_element(Locator::Css("input#host")).await?;
    host.send_keys("https://api.example.com/v1").await?;
    let text = wait_for_text(client, "#host-diagnostics", |t| t.contains("is a URL")).await?;
    ensure!(text.contains("Fix: api.example.com"), "{text}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_url_typed_as_host_is_answered_with_the_bare_host_on_any_app_route() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start().await?;
    let outcome = url_host_steps(&browser.client, &server).await;
    browser.close().await?;
    outcome
}
