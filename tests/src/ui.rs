//! Helpers for driving the app in Chromium: waiting for text, keyboard navigation, and the
//! axe-core accessibility check.

use anyhow::{Context, Result, bail};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::time::Duration;

/// Polls `probe` every 50 ms for up to 10 s until it returns `Some`.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..200 {
        if let Some(found) = probe().await {
            return Ok(found);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("timed out after 10 s waiting for {what}")
}

/// The element at `css`, once it exists.
pub async fn element(client: &Client, css: &str) -> Result<Element> {
    match eventually(css, || async { client.find(Locator::Css(css)).await.ok() }).await {
        Ok(found) => Ok(found),
        Err(e) => bail!("{e}{}", fatal(client).await),
    }
}

/// Waits until the text at `css` satisfies `accept`; returns it.
pub async fn wait_text(
    client: &Client,
    css: &str,
    accept: impl Fn(&str) -> bool,
) -> Result<String> {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(found) = client.find(Locator::Css(css)).await {
            last = found.text().await.unwrap_or_default();
            if accept(&last) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("{css} never showed the expected text; last seen: {last:?}{}", fatal(client).await)
}

/// The app's own crash banner, if it stopped because of a bug (as an error suffix).
pub async fn fatal(client: &Client) -> String {
    let text = client
        .execute(
            "const b = document.getElementById('fatal'); return b ? b.textContent : ''",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    if text.is_empty() { text } else { format!(" — the app crashed: {text}") }
}

/// Waits until the page's path is `path`.
pub async fn wait_path(client: &Client, path: &str) -> Result<()> {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(url) = client.current_url().await {
            last = url.path().to_owned();
            if last == path {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the page never went to {path}; it is at {last}{}", fatal(client).await)
}

/// Waits until `script` (a function body returning a boolean) returns true; `what` says in
/// the failure what was awaited.
pub async fn wait_true(client: &Client, script: &str, what: &str) -> Result<()> {
    for _ in 0..200 {
        if client.execute(script, vec![]).await?.as_bool() == Some(true) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!(
        "{what} never happened (focus is on #{}){}",
        focused_id(client).await?,
        fatal(client).await
    )
}

/// Waits until the element `selector` is enabled: a disabled button is skipped by Tab, and
/// the form enables Save only once its checks have run, later on a loaded machine.
pub async fn wait_enabled(client: &Client, selector: &str) -> Result<()> {
    let script = "const e = document.querySelector(arguments[0]); return !!e && !e.disabled;";
    for _ in 0..200 {
        if client.execute(script, vec![selector.into()]).await?.as_bool() == Some(true) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("{selector} never became enabled{}", fatal(client).await)
}

/// `document.activeElement.id`.
pub async fn focused_id(client: &Client) -> Result<String> {
    let id = client
        .execute("return document.activeElement ? document.activeElement.id : ''", vec![])
        .await?;
    Ok(id.as_str().unwrap_or_default().to_owned())
}

/// Presses Tab until the element with `id` has the focus (at most `limit` presses).
pub async fn tab_to(client: &Client, id: &str, limit: usize) -> Result<()> {
    for _ in 0..limit {
        if focused_id(client).await? == id {
            return Ok(());
        }
        client.active_element().await?.send_keys(&Key::Tab.to_string()).await?;
    }
    bail!("{limit} presses of Tab never reached #{id} (focus is on #{})", focused_id(client).await?)
}

/// Types into whatever has the focus.
pub async fn type_keys(client: &Client, text: &str) -> Result<()> {
    client.active_element().await?.send_keys(text).await?;
    Ok(())
}

/// Runs axe-core on the page; returns the serious and critical violations, one line each.
pub async fn axe_violations(client: &Client) -> Result<Vec<String>> {
    let path = std::env::var("EGRESS_AXE_JS")
        .context("EGRESS_AXE_JS is not set: run the tests with `cargo xtask test`")?;
    let source = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    client.execute(&format!("{source}\n;return true;"), vec![]).await?;
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']})
                .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))))
                .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));",
            vec![],
        )
        .await?;
    let violations = result.as_array().cloned().unwrap_or_default();
    Ok(violations
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v: &Value| format!("{} ({}): {} at {}", v["id"], v["impact"], v["help"], v["nodes"]))
        .collect())
}
