//! Space API figures for `cargo xtask bench`: durable creates per second, list of 5,000
//! EgressPoints through kube-rs (p50, p99), resident memory with 10,000 stored. It drives
//! a real `egress-console apiserver` process (path in `EGRESS_CONSOLE_BIN`) over TCP and
//! writes its figures as JSON to the path in `EGRESS_BENCH_OUT`.
#![allow(missing_docs)]

use anyhow::{Context, Result};
use kube::api::{Api, ApiResource, DynamicObject, ListParams, PostParams};
use kube::{Client, Config};
use serde_json::json;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};

fn resource() -> ApiResource {
    ApiResource {
        group: "networking.tanzu.vmware.com".into(),
        version: "v1alpha1".into(),
        api_version: "networking.tanzu.vmware.com/v1alpha1".into(),
        kind: "EgressPoint".into(),
        plural: "egresspoints".into(),
    }
}

fn egress_point(i: usize) -> DynamicObject {
    let mut object = DynamicObject::new(&format!("ep-{i:05}"), &resource());
    object.data = json!({"spec": {"targets": [
        {"hosts": [format!("api-{i}.example.com"), format!("cdn-{i}.example.com")], "port": {"number": 443, "protocol": "HTTPS"}},
        {"hosts": [format!("db-{i}.example.com")], "port": {"number": 5432, "protocol": "TCP"}}
    ]}});
    object
}

/// Creates EgressPoints `from..to` with `concurrency` writers; returns creates per second.
async fn fill(api: &Api<DynamicObject>, from: usize, to: usize, concurrency: usize) -> Result<f64> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = from + w;
            while i < to {
                api.create(&PostParams::default(), &egress_point(i)).await?;
                i += concurrency;
            }
            Ok::<_, kube::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok((to - from) as f64 / started.elapsed().as_secs_f64())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn resident_mb(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .context("no VmRSS")?
        .parse()?;
    Ok(kb / 1024.0)
}

#[tokio::main]
async fn main() -> Result<()> {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return Ok(()); // `cargo test --benches` lists or runs benches; this one is not a test.
    }
    let binary = std::env::var("EGRESS_CONSOLE_BIN")
        .context("EGRESS_CONSOLE_BIN (run through cargo xtask bench)")?;
    let out = std::env::var("EGRESS_BENCH_OUT")
        .context("EGRESS_BENCH_OUT (run through cargo xtask bench)")?;
    let dir = tempfile::tempdir()?;
    let mut child = tokio::process::Command::new(binary)
        .args(["apiserver", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().context("no pid")?;
    let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
    let addr = loop {
        let line = lines.next_line().await?.context("apiserver exited")?;
        if let Some(rest) = line.strip_prefix("Space API is at http://") {
            break rest.split_whitespace().next().unwrap_or("").to_owned();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let client = Client::try_from(Config::new(format!("http://{addr}").parse()?))?;
    let api: Api<DynamicObject> = Api::namespaced_with(client, "default", &resource());

    eprintln!("space-api bench: 5,000 durable creates (8 writers)");
    let creates_per_second = fill(&api, 0, 5000, 8).await?;
    eprintln!("space-api bench: 50 lists of 5,000");
    let mut list_ms = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let list = api.list(&ListParams::default()).await?;
        list_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(list.items.len(), 5000);
    }
    list_ms.sort_by(f64::total_cmp);
    eprintln!("space-api bench: up to 10,000 EgressPoints");
    fill(&api, 5000, 10_000, 8).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss = resident_mb(pid)?;
    let figures = json!({
        "creates_per_second": creates_per_second,
        "list_5000_p50_ms": percentile(&list_ms, 0.5),
        "list_5000_p99_ms": percentile(&list_ms, 0.99),
        "rss_10000_mb": rss,
    });
    std::fs::write(&out, serde_json::to_string_pretty(&figures)?)?;
    child.kill().await?;
    Ok(())
}
