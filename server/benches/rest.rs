//! REST figures for `cargo xtask bench`: list of 5,000 EgressPoints through the console
//! (p50, p99) against a direct kube-rs list of the same Space, write → SSE event latency,
//! and the console's resident memory idle and while watching 10,000 EgressPoints. Runs the
//! real `egress-console apiserver` and `egress-console serve --kubeconfig` processes
//! (binary in `EGRESS_CONSOLE_BIN`); writes JSON to `EGRESS_BENCH_OUT`.
#![allow(missing_docs)]

use anyhow::{Context, Result};
use kube::api::{Api, ApiResource, DynamicObject, ListParams, PostParams};
use kube::{Client, Config};
use serde_json::json;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

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

async fn fill(api: &Api<DynamicObject>, from: usize, to: usize) -> Result<()> {
    let mut tasks = Vec::new();
    for w in 0..8 {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = from + w;
            while i < to {
                api.create(&PostParams::default(), &egress_point(i)).await?;
                i += 8;
            }
            Ok::<_, kube::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// Starts the binary and returns it with the address from the line starting with `prefix`.
async fn start(binary: &str, args: &[&str], prefix: &str) -> Result<(Child, String)> {
    let mut child = Command::new(binary)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
    let addr = loop {
        let line = lines.next_line().await?.context("exited before printing its address")?;
        if let Some(rest) = line.strip_prefix(prefix) {
            break rest.split_whitespace().next().unwrap_or("").trim_end_matches('/').to_owned();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, addr))
}

fn resident_mb(child: &Child) -> Result<f64> {
    let pid = child.id().context("no pid")?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .context("VmRSS")?
        .parse()?;
    Ok(kb / 1024.0)
}

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

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
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return Ok(());
    }
    let binary = std::env::var("EGRESS_CONSOLE_BIN")
        .context("EGRESS_CONSOLE_BIN (run through cargo xtask bench)")?;
    let out = std::env::var("EGRESS_BENCH_OUT")
        .context("EGRESS_BENCH_OUT (run through cargo xtask bench)")?;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site)?;
    std::fs::write(site.join("index.html"), "<!doctype html>")?;
    let (_apiserver, api_addr) = start(
        &binary,
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
        &binary,
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
        "write_to_sse_p50_ms": percentile(&mut sse_ms, 0.5),
        "rss_idle_mb": idle_mb,
        "rss_watching_10000_mb": watching_mb,
    });
    std::fs::write(&out, serde_json::to_string_pretty(&figures)?)?;
    Ok(())
}

fn path(p: &Path) -> String {
    p.display().to_string()
}
