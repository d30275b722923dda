//! Shared pieces of the process-level benches (`cargo xtask bench`): EgressPoint fixtures,
//! filling a Space through kube-rs, starting the binary, reading resident memory.

use anyhow::{Context, Result};
use kube::api::{Api, ApiResource, DynamicObject, PostParams};
use serde_json::json;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The kube-rs resource of EgressPoints.
pub fn resource() -> ApiResource {
    ApiResource {
        group: "networking.tanzu.vmware.com".into(),
        version: "v1alpha1".into(),
        api_version: "networking.tanzu.vmware.com/v1alpha1".into(),
        kind: "EgressPoint".into(),
        plural: "egresspoints".into(),
    }
}

/// EgressPoint number `i`: two targets, three hosts.
pub fn egress_point(i: usize) -> DynamicObject {
    let mut object = DynamicObject::new(&format!("ep-{i:05}"), &resource());
    object.data = json!({"spec": {"targets": [
        {"hosts": [format!("api-{i}.example.com"), format!("cdn-{i}.example.com")], "port": {"number": 443, "protocol": "HTTPS"}},
        {"hosts": [format!("db-{i}.example.com")], "port": {"number": 5432, "protocol": "TCP"}}
    ]}});
    object
}

/// Creates EgressPoints `from..to` with 8 writers; returns creates per second.
pub async fn fill(api: &Api<DynamicObject>, from: usize, to: usize) -> Result<f64> {
    let started = std::time::Instant::now();
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
    Ok((to - from) as f64 / started.elapsed().as_secs_f64())
}

/// Starts `egress-console` (`EGRESS_CONSOLE_BIN`) and returns it with the address printed
/// after `prefix`.
pub async fn start(args: &[&str], prefix: &str) -> Result<(Child, String)> {
    let binary = std::env::var("EGRESS_CONSOLE_BIN")
        .context("EGRESS_CONSOLE_BIN (run through cargo xtask bench)")?;
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

/// Resident memory of a child process, in MB.
pub fn resident_mb(child: &Child) -> Result<f64> {
    let pid = child.id().context("no pid")?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .context("no VmRSS")?
        .parse()?;
    Ok(kb / 1024.0)
}

/// The p-quantile (0..=1) of some samples.
pub fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

/// Writes the figures where `cargo xtask bench` reads them (`EGRESS_BENCH_OUT`).
pub fn write_figures(figures: &serde_json::Value) -> Result<()> {
    let out = std::env::var("EGRESS_BENCH_OUT")
        .context("EGRESS_BENCH_OUT (run through cargo xtask bench)")?;
    std::fs::write(out, serde_json::to_string_pretty(figures)?)?;
    Ok(())
}

/// True when cargo runs the bench binary as a test (`cargo test --benches`): nothing to do.
pub fn listed_only() -> bool {
    std::env::args().any(|a| a == "--list" || a == "--test")
}
