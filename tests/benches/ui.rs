//! Browser figures for `cargo xtask bench`, measured in headless Chromium against real
//! `egress-console apiserver` and `serve` processes: page load → interactive for the rules
//! of a 5,000-rule Space and for the create form, and keystroke → inline message in a form
//! of 200 targets (timed inside the page, from the input event to the message in the DOM).
#![allow(missing_docs)]

use anyhow::{Context, Result, ensure};
use egress_e2e::Browser;
use egress_e2e::bench::{fill, listed_only, percentile, resource, start, write_figures};
use egress_e2e::ui::element;
use kube::api::{Api, DynamicObject};
use kube::{Client, Config};
use serde_json::json;

/// Waits, inside the page, until the live feed is up and an element matches the selector;
/// returns `performance.now()` then: milliseconds since the navigation started. (No `eval`:
/// the page's CSP forbids it.)
const UNTIL_READY: &str =
    "const [selector, done] = [arguments[0], arguments[arguments.length - 1]];
    const ready = () => document.getElementById('feed-status')?.textContent === 'Live'
        && !!document.querySelector(selector);
    const check = () => ready() ? done(performance.now()) : requestAnimationFrame(check);
    check();";

/// Types alternately an IP (HTTPS makes that an `ip-protocol` error) and a name into the
/// last host of the form; each sample is input event → the message shown or gone.
const KEYSTROKES: &str = "const done = arguments[arguments.length - 1];
    const inputs = document.querySelectorAll('input.host');
    const input = inputs[inputs.length - 1];
    const list = document.getElementById(input.id + '-diagnostics');
    const samples = [];
    let i = 0;
    const one = () => {
      const wantError = i % 2 === 0;
      input.value = wantError ? `11.22.${i}.44` : `host-${i}.example.com`;
      const started = performance.now();
      const shown = () => !!list.querySelector('[data-code=\"ip-protocol\"]') === wantError;
      const finish = () => { samples.push(performance.now() - started); i += 1;
        if (i < 60) { setTimeout(one, 30); } else { done(samples); } };
      input.dispatchEvent(new Event('input', {bubbles: true}));
      if (shown()) { finish(); return; }
      const observer = new MutationObserver(() => { if (shown()) { observer.disconnect(); finish(); } });
      observer.observe(list, {childList: true, subtree: true, characterData: true});
    };
    one();";

/// Types a new host into the create form's first host, alternately; each sample is input
/// event → the "If you save:" line naming that host (the impact of the edit against the
/// whole Space, computed in the page).
const IMPACT_KEYSTROKES: &str = "const done = arguments[arguments.length - 1];
    const input = document.querySelector('input.host');
    const line = document.getElementById('impact');
    const samples = [];
    let i = 0;
    const one = () => {
      const host = `impact-${i}.example.com`;
      input.value = host;
      const started = performance.now();
      const shown = () => line.textContent.includes(host);
      const finish = () => { samples.push(performance.now() - started); i += 1;
        if (i < 40) { setTimeout(one, 30); } else { done(samples); } };
      input.dispatchEvent(new Event('input', {bubbles: true}));
      if (shown()) { finish(); return; }
      const observer = new MutationObserver(() => { if (shown()) { observer.disconnect(); finish(); } });
      observer.observe(line, {childList: true, subtree: true, characterData: true});
    };
    one();";

fn form_yaml(targets: usize) -> String {
    let mut yaml = String::from(
        "apiVersion: networking.tanzu.vmware.com/v1alpha1\nkind: EgressPoint\nmetadata:\n  name: big-form\nspec:\n  targets:\n",
    );
    for i in 0..targets {
        yaml.push_str(&format!(
            "  - hosts: [svc-{i}.form.example.com]\n    port: {{number: 443, protocol: HTTPS}}\n"
        ));
    }
    yaml
}

/// chromedriver's network emulation (`POST /session/{id}/chromium/network_conditions`):
/// 1.6 Mbit/s each way and 150 ms of latency, a slow mobile link.
#[derive(Debug)]
struct SlowNetwork;

impl fantoccini::wd::WebDriverCompatibleCommand for SlowNetwork {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/chromium/network_conditions", session.unwrap_or("")))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let conditions = json!({"network_conditions": {"offline": false, "latency": 150,
            "download_throughput": 200_000, "upload_throughput": 200_000}});
        (http::Method::POST, Some(conditions.to_string()))
    }
}

/// Page load → interactive of the rules page of a demo Space, in a fresh browser (nothing
/// cached) on [`SlowNetwork`]; and the bytes of wasm and JS it transferred.
async fn first_load_slow(site: &str, dir: &std::path::Path) -> Result<(f64, f64)> {
    let data = dir.join("demo").display().to_string();
    let (_console, url) = start(
        &["serve", "--listen", "127.0.0.1:0", "--site-dir", site, "--data-dir", &data],
        "Egress Console is at ",
    )
    .await?;
    let browser = Browser::start().await?;
    let outcome = async {
        browser.client.issue_cmd(SlowNetwork).await?;
        let ms = load_ms(&browser, &format!("{url}/spaces/storefront"), "#rules tbody tr").await?;
        let bytes = browser
            .client
            .execute(
                "return performance.getEntriesByType('resource')
                    .filter(e => /\\.(wasm|js)$/.test(e.name))
                    .reduce((sum, e) => sum + e.transferSize, 0);",
                vec![],
            )
            .await?;
        Ok((ms, bytes.as_f64().unwrap_or(0.0) / 1000.0))
    }
    .await;
    browser.close().await?;
    outcome
}

async fn load_ms(browser: &Browser, url: &str, ready: &str) -> Result<f64> {
    browser.client.goto(url).await?;
    let at = browser.client.execute_async(UNTIL_READY, vec![ready.into()]).await?;
    at.as_f64().context("no time from the page")
}

#[tokio::main]
async fn main() -> Result<()> {
    if listed_only() {
        return Ok(());
    }
    let site = std::env::var("EGRESS_CONSOLE_SITE_DIR")
        .context("EGRESS_CONSOLE_SITE_DIR (run through cargo xtask bench)")?;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data").display().to_string();
    let (_apiserver, api_addr) = start(
        &["apiserver", "--listen", "127.0.0.1:0", "--data-dir", &data],
        "Space API is at http://",
    )
    .await?;
    let kube_client = Client::try_from(Config::new(format!("http://{api_addr}").parse()?))?;
    let direct: Api<DynamicObject> = Api::namespaced_with(kube_client, "default", &resource());
    eprintln!("ui bench: a Space of 5,000 EgressPoints");
    fill(&direct, 0, 5000).await?;
    let kubeconfig = dir.path().join("data/kubeconfig").display().to_string();
    let (_console, url) = start(
        &["serve", "--listen", "127.0.0.1:0", "--site-dir", &site, "--kubeconfig", &kubeconfig],
        "Egress Console is at ",
    )
    .await?;
    let browser = Browser::start().await?;
    let outcome = measure(&browser, &url).await;
    let outcome = match outcome {
        Ok(mut figures) => {
            eprintln!("ui bench: the impact line in a Space of 10,000 EgressPoints");
            fill(&direct, 5000, 10_000).await?;
            let impact = impact_keystrokes(&browser, &url).await;
            impact.map(|p50| {
                figures["keystroke_impact_10000_p50_ms"] = p50.into();
                figures
            })
        }
        Err(e) => Err(e),
    };
    browser.close().await?;
    let mut figures = outcome?;
    eprintln!("ui bench: first load of the rules page on a 1.6 Mbit/s, 150 ms link");
    let (slow_ms, transferred_kb) = first_load_slow(&site, dir.path()).await?;
    figures["first_load_slow_network_ms"] = slow_ms.into();
    figures["first_load_wasm_js_transferred_kb"] = transferred_kb.into();
    write_figures(&figures)
}

/// The median time from a keystroke to the impact line, in the create form of a Space of
/// 10,000 EgressPoints.
async fn impact_keystrokes(browser: &Browser, url: &str) -> Result<f64> {
    let form = format!("{url}/spaces/egress-console/egresspoints/new");
    load_ms(browser, &form, "input.host").await?;
    let client = &browser.client;
    let samples = client.execute_async(IMPACT_KEYSTROKES, vec![]).await?;
    let mut samples: Vec<f64> =
        samples.as_array().context("no samples")?.iter().filter_map(|v| v.as_f64()).collect();
    ensure!(samples.len() == 40, "{} samples", samples.len());
    Ok(percentile(&mut samples, 0.5))
}

async fn measure(browser: &Browser, url: &str) -> Result<serde_json::Value> {
    let space = format!("{url}/spaces/egress-console");
    // The first load warms the server's watch; then the median of five loads.
    let rules_ready = "#rules tbody tr";
    load_ms(browser, &space, rules_ready).await?;
    let mut rules = Vec::new();
    let mut form = Vec::new();
    for _ in 0..5 {
        rules.push(load_ms(browser, &space, rules_ready).await?);
        form.push(load_ms(browser, &format!("{space}/egresspoints/new"), "input.host").await?);
    }
    eprintln!("ui bench: a form of 200 targets");
    let client = &browser.client;
    element(client, "#paste summary").await?.click().await?;
    let textarea = element(client, "#yaml-input").await?;
    client
        .execute(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
            vec![serde_json::to_value(&textarea)?, form_yaml(200).into()],
        )
        .await?;
    element(client, "#yaml-load").await?.click().await?;
    let count =
        client.execute("return document.querySelectorAll('input.host').length", vec![]).await?;
    ensure!(count.as_u64() == Some(200), "the form has {count} hosts, not 200");
    let samples = client.execute_async(KEYSTROKES, vec![]).await?;
    let mut keystrokes: Vec<f64> =
        samples.as_array().context("no samples")?.iter().filter_map(|v| v.as_f64()).collect();
    ensure!(keystrokes.len() == 60, "{} samples", keystrokes.len());
    Ok(json!({
        "rules_5000_interactive_ms": percentile(&mut rules, 0.5),
        "form_interactive_ms": percentile(&mut form, 0.5),
        "keystroke_200_targets_p50_ms": percentile(&mut keystrokes, 0.5),
        "keystroke_200_targets_p95_ms": percentile(&mut keystrokes, 0.95),
    }))
}
