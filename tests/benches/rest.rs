//! REST figures for `cargo xtask bench`: list of 5,000 EgressPoints through the console
//! (p50, p99) against a direct kube-rs list of the same Space, write → SSE event latency,
//! and the console's resident memory idle and while watching 10,000 EgressPoints, measured
//! on real `egress-console apiserver` and `egress-console serve --kubeconfig` processes.
#![allow(missing_docs)]

use anyhow::{Context, Result};
use egress_e2e::bench::{
    egress_point, fill, listed_only, percentile, resident_mb, resource, start, write_figures,
};
use kube::api::{Api, DynamicObject, ListParams, PostParams};
use kube::{Client, Config};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

async fn time_ms<F: std::future::Future<Output = Result<()>>>(
    f: impl Fn() -> F,
    runs: usize,
) -> Result<Vec<f64>> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f().await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(samples)
}

#[tokio::main]
async fn main() -> Result<()> {
    if listed_only() {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site)?;
    std::fs::write(site.join("index.html"), "<!doctype html>")?;
    let (_apiserver, api_addr) = start(
        &["apiserver", "--listen", "127.0.0.1:0", "--data-dir", &path(&data)],
        "Space API is at http://",
    )
    .await?;
    let kube_client = Client::try_from(Config::new(format!("http://{api_addr}").parse()?))?;
    let direct: Api<DynamicObject> = Api::namespaced_with(kube_client, "default", &resource());
    eprintln!("rest bench: 5,000 EgressPoints");
    fill(&direct, 0, 5000).await?;

    let kubeconfig = path(&data.join("kubeconfig"));
    let (console, console_url) = start(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--site-dir",
            &path(&site),
            "--kubeconfig",
            &kubeconfig,
        ],
        "Egress Console is at ",
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle_mb = resident_mb(&console)?;
    // kube's client speaks plain HTTP to any path: a convenient client for the REST API too.
    let rest = Client::try_from(Config::new(console_url.parse()?))?;
    let space = "egress-console";
    let list_path = format!("/api/v1/spaces/{space}/egresspoints");
    eprintln!("rest bench: 30 REST lists and 30 direct kube-rs lists");
    let rest_get = || async {
        let text = rest.request_text(http::Request::get(&list_path).body(Vec::new())?).await?;
        anyhow::ensure!(text.len() > 1_000_000, "short list: {}", &text[..text.len().min(200)]);
        Ok(())
    };
    // The first list of a Space starts the console's watch of it and waits for its first
    // list: measured once, apart; the figures are the lists that follow.
    let first_ms = time_ms(rest_get, 1).await?[0];
    let mut rest_ms = time_ms(rest_get, 30).await?;
    let direct_list = || async {
        direct.list(&ListParams::default()).await?;
        Ok(())
    };
    let mut direct_ms = time_ms(direct_list, 30).await?;

    eprintln!("rest bench: write → SSE event, 20 samples");
    let events = rest
        .request_stream(
            http::Request::get(format!("/api/v1/spaces/{space}/events")).body(Vec::new())?,
        )
        .await?;
    let mut lines = futures_util::AsyncBufReadExt::lines(events);
    let mut sse_ms = Vec::new();
    for i in 0..20 {
        let name = format!("sse-{i}");
        let started = Instant::now();
        let mut object = egress_point(90_000 + i);
        object.metadata.name = Some(name.clone());
        direct.create(&PostParams::default(), &object).await?;
        loop {
            let next = futures_util::StreamExt::next(&mut lines);
            let line = tokio::time::timeout(Duration::from_secs(10), next)
                .await?
                .context("SSE ended")??;
            if line.starts_with("data:") && line.contains(&format!("\"name\":\"{name}\"")) {
                break;
            }
        }
        sse_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    eprintln!("rest bench: up to 10,000 EgressPoints, watched");
    fill(&direct, 5000, 10_000).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let watching_mb = resident_mb(&console)?;
    let (rest_p50, direct_p50) = (percentile(&mut rest_ms, 0.5), percentile(&mut direct_ms, 0.5));
    let figures = json!({
        "rest_list_5000_p50_ms": rest_p50,
        "rest_list_5000_p99_ms": percentile(&mut rest_ms, 0.99),
        "rest_to_direct_ratio": rest_p50 / direct_p50,
        "rest_list_5000_first_ms": first_ms,
        "write_to_sse_p50_ms": percentile(&mut sse_ms, 0.5),
        "rss_idle_mb": idle_mb,
        "rss_watching_10000_mb": watching_mb,
    });
    write_figures(&figures)
}

fn path(p: &Path) -> String {
    p.display().to_string()
}
