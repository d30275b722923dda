//! Space API figures for `cargo xtask bench`: durable creates per second, list of 5,000
//! EgressPoints through kube-rs (p50, p99), resident memory with 10,000 stored, measured on a
//! real `egress-console apiserver` process over TCP.
#![allow(missing_docs)]

use anyhow::Result;
use egress_e2e::bench::{
    fill, listed_only, percentile, resident_mb, resource, start, write_figures,
};
use kube::api::{Api, DynamicObject, ListParams};
use kube::{Client, Config};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<()> {
    if listed_only() {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let data = dir.path().display().to_string();
    let (server, addr) = start(
        &["apiserver", "--listen", "127.0.0.1:0", "--data-dir", &data],
        "Space API is at http://",
    )
    .await?;
    let client = Client::try_from(Config::new(format!("http://{addr}").parse()?))?;
    let api: Api<DynamicObject> = Api::namespaced_with(client, "default", &resource());

    eprintln!("space-api bench: 5,000 durable creates (8 writers)");
    let creates_per_second = fill(&api, 0, 5000).await?;
    eprintln!("space-api bench: 50 lists of 5,000");
    let mut list_ms = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let list = api.list(&ListParams::default()).await?;
        list_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(list.items.len() == 5000, "listed {}", list.items.len());
    }
    eprintln!("space-api bench: up to 10,000 EgressPoints");
    fill(&api, 5000, 10_000).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    write_figures(&json!({
        "creates_per_second": creates_per_second,
        "list_5000_p50_ms": percentile(&mut list_ms, 0.5),
        "list_5000_p99_ms": percentile(&mut list_ms, 0.99),
        "rss_10000_mb": resident_mb(&server)?,
    }))
}
