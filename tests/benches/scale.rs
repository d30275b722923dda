//! Scale figures for `cargo xtask bench` (issue 17), each with the old path beside it:
//! - the embedded default (`serve --data-dir`): 1,000 REST creates from 20 concurrent
//!   clients, then `GET /rules` of that Space from 20 concurrent clients; once with the
//!   watch cache and once with `--no-watch-cache` (every request asks the Space API);
//! - 100 Spaces × 1,000 EgressPoints on a separate `apiserver` process, the console
//!   watching every one (`serve --kubeconfig --namespace-selector`): `GET /api/v1/spaces`
//!   and the console's resident memory;
//! - 500 SSE viewers of one Space: a write reaches all of them (p99) and the memory.
#![allow(missing_docs)]

use anyhow::{Context, Result};
use egress_e2e::bench::{
    egress_point, listed_only, percentile, resident_mb, resource, start, write_figures,
};
use kube::api::{Api, DynamicObject, PostParams};
use kube::{Client, Config};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 20;

/// GETs `path` with `client` and returns the body, failing on a non-2xx answer.
async fn get(client: &Client, path: &str) -> Result<String> {
    Ok(client.request_text(http::Request::get(path).body(Vec::new())?).await?)
}

/// Runs `per_client` requests on each of 20 concurrent clients; each request's latency (ms)
/// and the requests per second overall.
async fn concurrently<F, Fut>(per_client: usize, request: F) -> Result<(Vec<f64>, f64)>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<()>> + Send,
{
    let request = Arc::new(request);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::with_capacity(per_client);
            for i in 0..per_client {
                let t = Instant::now();
                request(c * per_client + i).await?;
                samples.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, anyhow::Error>(samples)
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await??);
    }
    let rate = samples.len() as f64 / started.elapsed().as_secs_f64();
    Ok((samples, rate))
}

/// Creates then reads rules on the embedded default; (creates/s, create p99, rules p50, rules p99).
async fn embedded(dir: &Path, site: &Path, cached: bool) -> Result<[f64; 4]> {
    let data = dir.join(if cached { "embedded-cached" } else { "embedded-direct" });
    let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--site-dir"];
    let site = site.display().to_string();
    let data = data.display().to_string();
    args.extend([site.as_str(), "--data-dir", data.as_str()]);
    if !cached {
        args.push("--no-watch-cache");
    }
    let (_console, url) = start(&args, "Egress Console is at ").await?;
    let rest = Client::try_from(Config::new(url.parse()?))?;
    let spaces: Value = serde_json::from_str(&get(&rest, "/api/v1/spaces").await?)?;
    let space = spaces[0]["name"].as_str().context("no demo Space")?.to_owned();
    let egps = format!("/api/v1/spaces/{space}/egresspoints");
    let rules = format!("/api/v1/spaces/{space}/rules");
    get(&rest, &rules).await?;
    eprintln!("scale bench: 1,000 REST creates, {CLIENTS} clients (cache: {cached})");
    let (client, path) = (rest.clone(), egps.clone());
    let (mut creates, rate) = concurrently(1000 / CLIENTS, move |i| {
        let (client, path) = (client.clone(), path.clone());
        async move {
            let body = serde_json::to_vec(&egress_point(i))?;
            let request =
                http::Request::post(&path).header("content-type", "application/json").body(body)?;
            client.request_text(request).await?;
            Ok(())
        }
    })
    .await?;
    let listed: Value = serde_json::from_str(&get(&rest, &rules).await?)?;
    anyhow::ensure!(listed["rules"].as_array().map_or(0, Vec::len) >= 3000, "rules missing");
    eprintln!("scale bench: GET /rules of 1,000 EgressPoints, {CLIENTS} clients (cache: {cached})");
    let (client, path) = (rest.clone(), rules.clone());
    let (mut reads, _) = concurrently(25, move |_| {
        let (client, path) = (client.clone(), path.clone());
        async move {
            anyhow::ensure!(get(&client, &path).await?.len() > 100_000, "short rules");
            Ok(())
        }
    })
    .await?;
    Ok([
        rate,
        percentile(&mut creates, 0.99),
        percentile(&mut reads, 0.5),
        percentile(&mut reads, 0.99),
    ])
}

/// Fills `namespaces` with `each` EgressPoints through 8 writers.
async fn fill_spaces(client: &Client, namespaces: &[String], each: usize) -> Result<()> {
    let namespaces = Arc::new(namespaces.to_vec());
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (client, namespaces) = (client.clone(), namespaces.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = w;
            while n < namespaces.len() * each {
                let api: Api<DynamicObject> =
                    Api::namespaced_with(client.clone(), &namespaces[n / each], &resource());
                api.create(&PostParams::default(), &egress_point(n % each)).await?;
                n += 8;
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    if listed_only() {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site)?;
    std::fs::write(site.join("index.html"), "<!doctype html>")?;
    let mut figures = serde_json::Map::new();
    // Developers measuring one part: EGRESS_BENCH_SCALE_DATA keeps the 100 filled Spaces
    // between runs, EGRESS_BENCH_SCALE_ONLY=spaces skips the other parts.
    let only_spaces = std::env::var("EGRESS_BENCH_SCALE_ONLY").is_ok_and(|v| v == "spaces");
    for cached in [true, false].into_iter().filter(|_| !only_spaces) {
        let [rate, create_p99, rules_p50, rules_p99] = embedded(dir.path(), &site, cached).await?;
        let suffix = if cached { "" } else { "_no_cache" };
        figures.insert(format!("rest_creates_per_s{suffix}"), json!(rate));
        figures.insert(format!("rest_create_p99_ms{suffix}"), json!(create_p99));
        figures.insert(format!("rules_1000_20_clients_p50_ms{suffix}"), json!(rules_p50));
        figures.insert(format!("rules_1000_20_clients_p99_ms{suffix}"), json!(rules_p99));
    }

    let data = std::env::var_os("EGRESS_BENCH_SCALE_DATA")
        .map_or_else(|| dir.path().join("cluster"), std::path::PathBuf::from);
    let filled = data.join("kubeconfig").exists();
    let data_arg = data.display().to_string();
    let (_apiserver, api_addr) = start(
        &["apiserver", "--listen", "127.0.0.1:0", "--data-dir", &data_arg],
        "Space API is at http://",
    )
    .await?;
    let client = Client::try_from(Config::new(format!("http://{api_addr}").parse()?))?;
    let namespaces: Vec<String> = (0..100).map(|i| format!("space-{i:03}")).collect();
    let ns_api: Api<DynamicObject> = Api::all_with(client.clone(), &namespace_resource());
    for name in namespaces.iter().filter(|_| !filled) {
        let ns: DynamicObject =
            serde_json::from_value(json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"bench": "scale"}}}))?;
        ns_api.create(&PostParams::default(), &ns).await?;
    }
    eprintln!("scale bench: 100 Spaces × 1,000 EgressPoints");
    let filling = Instant::now();
    if !filled {
        fill_spaces(&client, &namespaces, 1000).await?;
    }
    eprintln!("scale bench: filled in {:.0} s", filling.elapsed().as_secs_f64());
    let kubeconfig = data.join("kubeconfig").display().to_string();
    let site_arg = site.display().to_string();
    for cached in [true, false] {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--site-dir", &site_arg];
        args.extend(["--kubeconfig", &kubeconfig, "--namespace-selector", "bench=scale"]);
        if !cached {
            args.push("--no-watch-cache");
        }
        let (console, url) = start(&args, "Egress Console is at ").await?;
        let rest = Client::try_from(Config::new(url.parse()?))?;
        let spaces: Value = serde_json::from_str(&get(&rest, "/api/v1/spaces").await?)?;
        anyhow::ensure!(spaces.as_array().map_or(0, Vec::len) == 100, "not 100 Spaces");
        if cached {
            eprintln!("scale bench: watching all 100 Spaces");
            for name in &namespaces {
                get(&rest, &format!("/api/v1/spaces/{name}/rules")).await?;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            figures.insert("rss_100_spaces_watched_mb".into(), json!(resident_mb(&console)?));
        }
        let mut samples = Vec::new();
        for _ in 0..40 {
            let t = Instant::now();
            get(&rest, "/api/v1/spaces").await?;
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
            // Over 10 s, so the uncached path's 5 s reachability answers expire too.
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let key = if cached { "spaces_100_p50_ms" } else { "spaces_100_p50_ms_no_cache" };
        figures.insert(key.into(), json!(percentile(&mut samples, 0.5)));
    }

    if only_spaces {
        return write_figures(&Value::Object(figures));
    }
    eprintln!("scale bench: 500 SSE viewers of one Space");
    let args =
        ["serve", "--listen", "127.0.0.1:0", "--site-dir", &site_arg, "--kubeconfig", &kubeconfig];
    let (console, url) = start(&args, "Egress Console is at ").await?;
    let rest = Client::try_from(Config::new(url.parse()?))?;
    let spaces: Value = serde_json::from_str(&get(&rest, "/api/v1/spaces").await?)?;
    let space = spaces[0]["name"].as_str().context("no Space")?.to_owned();
    let namespace = spaces[0]["namespace"].as_str().context("no namespace")?.to_owned();
    let direct: Api<DynamicObject> = Api::namespaced_with(client.clone(), &namespace, &resource());
    let (p99, rss) = viewers(&rest, &space, &direct, 500, &console).await?;
    figures.insert("sse_500_viewers_p99_ms".into(), json!(p99));
    figures.insert("rss_500_viewers_mb".into(), json!(rss));
    write_figures(&Value::Object(figures))
}

/// Opens `count` SSE streams, then makes 5 writes; the p99 over every viewer and write of
/// write → event, and the console's memory while they listen.
async fn viewers(
    rest: &Client,
    space: &str,
    direct: &Api<DynamicObject>,
    count: usize,
    console: &tokio::process::Child,
) -> Result<(f64, f64)> {
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel::<(usize, String)>();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut tasks = Vec::new();
    for v in 0..count {
        let stream = rest
            .request_stream(
                http::Request::get(format!("/api/v1/spaces/{space}/events")).body(Vec::new())?,
            )
            .await?;
        let (seen_tx, ready_tx) = (seen_tx.clone(), ready_tx.clone());
        tasks.push(tokio::spawn(async move {
            let mut lines = futures_util::AsyncBufReadExt::lines(stream);
            while let Some(Ok(line)) = futures_util::StreamExt::next(&mut lines).await {
                if line.starts_with("event: snapshot") || line.starts_with("event:snapshot") {
                    let _ = ready_tx.send(());
                }
                if let Some(at) = line.find("\"name\":\"viewers-") {
                    let name = line[at + 8..].split('"').next().unwrap_or("").to_owned();
                    let _ = seen_tx.send((v, name));
                }
            }
        }));
    }
    for _ in 0..count {
        tokio::time::timeout(Duration::from_secs(60), ready_rx.recv()).await?.context("ready")?;
    }
    let mut samples = Vec::new();
    for w in 0..5 {
        let name = format!("viewers-{w}");
        let mut object = egress_point(500_000 + w);
        object.metadata.name = Some(name.clone());
        let started = Instant::now();
        direct.create(&PostParams::default(), &object).await?;
        let mut reached = 0;
        while reached < count {
            let (_, seen) = tokio::time::timeout(Duration::from_secs(30), seen_rx.recv())
                .await?
                .context("viewers ended")?;
            if seen == name {
                reached += 1;
                samples.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    let rss = resident_mb(console)?;
    for task in &tasks {
        task.abort();
    }
    Ok((percentile(&mut samples, 0.99), rss))
}

fn namespace_resource() -> kube::api::ApiResource {
    kube::api::ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "Namespace".into(),
        plural: "namespaces".into(),
    }
}
