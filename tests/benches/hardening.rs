//! Hardening figures for `cargo xtask bench`, on real `egress-console serve` and
//! `egress-console apiserver` processes: for each kind of hostile YAML body (about 1 MB),
//! the worst peak memory and CPU it costs either server; `/healthz` latency while four
//! such bodies are parsed; and a mixed read/write load of 50 clients through the REST API
//! (p50, p99, errors, memory growth), for `EGRESS_LOAD_SECONDS` (default 120).
#![allow(missing_docs)]

use anyhow::{Context, Result};
use egress_e2e::attack::{self, hostile_yaml, memory_mb, request, send};
use egress_e2e::bench::{listed_only, percentile, start, write_figures};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::process::Child;

const EGP: &str = "/apis/networking.tanzu.vmware.com/v1alpha1/namespaces/default/egresspoints";

fn yaml_post(addr: &str, path: &str, body: &str) -> Vec<u8> {
    request("POST", path, &format!("Host: {addr}\r\nContent-Type: application/yaml\r\n"), body)
}

/// (peak MB above the resident size before, CPU ms) of one body.
async fn cost(child: &Child, addr: &str, path: &str, body: &str) -> Result<(f64, f64)> {
    let pid = child.id().context("pid")?;
    attack::reset_peak(pid);
    let (_, before) = memory_mb(pid)?;
    let cpu = attack::cpu_ms(pid)?;
    let response = send(addr, &yaml_post(addr, path, body)).await?;
    anyhow::ensure!(
        (400..500).contains(&response.status),
        "{}: {}",
        response.status,
        response.body
    );
    let (peak, _) = memory_mb(pid)?;
    Ok((peak - before, attack::cpu_ms(pid)? - cpu))
}

#[tokio::main]
async fn main() -> Result<()> {
    if listed_only() {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let site = std::env::var("EGRESS_CONSOLE_SITE_DIR")?;
    let data = dir.path().join("serve").to_string_lossy().into_owned();
    let api_data = dir.path().join("api").to_string_lossy().into_owned();
    let (console, console_addr) = start(
        &["serve", "--listen", "127.0.0.1:0", "--site-dir", &site, "--data-dir", &data],
        "Egress Console is at http://",
    )
    .await?;
    let (space_api, api_addr) = start(
        &["apiserver", "--listen", "127.0.0.1:0", "--data-dir", &api_data],
        "Space API is at http://",
    )
    .await?;
    let mut figures = Map::new();
    let bodies = hostile_yaml();
    for (i, (name, body)) in bodies.iter().enumerate() {
        let mut worst = (0.0f64, 0.0f64);
        for _ in 0..3 {
            for (child, addr, path) in [
                (&console, console_addr.as_str(), "/api/v1/validate"),
                (&space_api, api_addr.as_str(), EGP),
            ] {
                let (mb, ms) = cost(child, addr, path, body).await?;
                worst = (worst.0.max(mb), worst.1.max(ms));
            }
        }
        eprintln!("hardening bench: {name}: +{:.1} MB, {:.0} ms CPU", worst.0, worst.1);
        figures.insert(format!("hostile_{i}_rss_mb"), json!(worst.0));
        figures.insert(format!("hostile_{i}_cpu_ms"), json!(worst.1));
    }

    // /healthz while four of the costliest bodies are parsed at once.
    let mut health = Vec::new();
    for _ in 0..5 {
        let attackers: Vec<_> = (0..4)
            .map(|_| {
                let (addr, body) = (console_addr.clone(), bodies[0].1.clone());
                tokio::spawn(async move {
                    send(&addr, &yaml_post(&addr, "/api/v1/validate", &body)).await
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(10)).await;
        let started = Instant::now();
        let answer = send(
            &console_addr,
            &request("GET", "/healthz", &format!("Host: {console_addr}\r\n"), ""),
        )
        .await?;
        anyhow::ensure!(answer.status == 200, "{answer:?}");
        health.push(started.elapsed().as_secs_f64() * 1000.0);
        for attacker in attackers {
            attacker.await??;
        }
    }
    figures.insert(
        "healthz_under_attack_max_ms".into(),
        json!(health.iter().cloned().fold(0.0, f64::max)),
    );

    let seconds: u64 =
        std::env::var("EGRESS_LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(120);
    let load = mixed_load(&console, &console_addr, Duration::from_secs(seconds)).await?;
    for (key, value) in load {
        figures.insert(key.into(), json!(value));
    }
    write_figures(&Value::Object(figures))
}

/// 50 clients for `duration`: each reads the rules, the list or one EgressPoint, and every
/// fifth request creates, replaces or deletes one of its own, through the REST API.
async fn mixed_load(
    console: &Child,
    addr: &str,
    duration: Duration,
) -> Result<Vec<(&'static str, f64)>> {
    let pid = console.id().context("pid")?;
    let space = "/api/v1/spaces/storefront";
    // Warm up, then take the idle resident size.
    for _ in 0..50 {
        egress_e2e::http::request(addr, "GET", &format!("{space}/rules"), None).await?;
    }
    let (_, rss_start) = memory_mb(pid)?;
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for client in 0..50 {
        let (addr, stop, errors) = (addr.to_owned(), stop.clone(), errors.clone());
        clients.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut step = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let name = format!("load-{client}-{}", step / 5 % 4);
                let (method, path, body) = match step % 5 {
                    0 => ("GET", format!("{space}/rules"), None),
                    1 => ("GET", format!("{space}/egresspoints"), None),
                    2 => ("GET", format!("{space}/egresspoints/example-egress"), None),
                    3 => ("DELETE", format!("{space}/egresspoints/{name}"), None),
                    _ => {
                        let ep = json!({"apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint",
                            "metadata": {"name": name},
                            "spec": {"targets": [{"hosts": [format!("{name}.example.com")], "port": {"number": 443, "protocol": "HTTPS"}}]}});
                        ("POST", format!("{space}/egresspoints"), Some(ep.to_string()))
                    }
                };
                let started = Instant::now();
                let outcome = egress_e2e::http::request(&addr, method, &path, body.as_deref()).await;
                samples.push(started.elapsed().as_secs_f64() * 1000.0);
                // A delete of one not created yet is a 404: expected, not an error.
                match outcome {
                    Ok((code, _)) if code < 400 || (method == "DELETE" && code == 404) => {}
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                step += 1;
            }
            samples
        }));
    }
    // Growth is measured from the end of the first quarter, once 50 clients' connections,
    // buffers and allocator arenas are in use: what grows after that would be a leak.
    tokio::time::sleep(duration / 4).await;
    let (_, rss_warm) = memory_mb(pid)?;
    tokio::time::sleep(duration - duration / 4).await;
    stop.store(true, Ordering::Relaxed);
    let mut samples = Vec::new();
    for client in clients {
        samples.extend(client.await?);
    }
    let (_, rss_end) = memory_mb(pid)?;
    let requests = samples.len() as f64;
    eprintln!(
        "hardening bench: mixed load: {requests} requests in {} s, {} errors, RSS {rss_start:.1} MB idle, {rss_warm:.1} MB after a quarter, {rss_end:.1} MB at the end",
        duration.as_secs(),
        errors.load(Ordering::Relaxed)
    );
    Ok(vec![
        ("load_p50_ms", percentile(&mut samples, 0.5)),
        ("load_p99_ms", percentile(&mut samples, 0.99)),
        ("load_errors", errors.load(Ordering::Relaxed) as f64),
        ("load_requests_per_second", requests / duration.as_secs_f64()),
        ("load_rss_growth_pct", (rss_end - rss_warm) / rss_warm * 100.0),
        ("load_rss_idle_to_warm_mb", rss_warm - rss_start),
    ])
}
