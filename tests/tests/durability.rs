//! kill -9 in the middle of a burst of writes loses no acknowledged write and leaves a
//! store that opens.

use anyhow::{Result, ensure};
use egress_e2e::http::request;
use egress_e2e::{SpaceApiProcess, TempDir};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;

const PATH: &str = "/apis/networking.tanzu.vmware.com/v1alpha1/namespaces/default/egresspoints";

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_a_burst_of_writes_loses_nothing_acknowledged() -> Result<()> {
    let dir = TempDir::new("kill-9")?;
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (addr, acknowledged, stop) = (api.addr.clone(), acknowledged.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..10_000 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let name = format!("w{w}-{i}");
                let body = json!({"apiVersion": "networking.tanzu.vmware.com/v1alpha1", "kind": "EgressPoint",
                    "metadata": {"name": name},
                    "spec": {"targets": [{"hosts": [format!("{name}.example.com")], "port": {"number": 443, "protocol": "HTTPS"}}]}});
                match request(&addr, "POST", PATH, Some(&body.to_string())).await {
                    Ok((201, _)) => acknowledged.lock().await.push(name),
                    _ => break, // the server is gone
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    api.kill().await?;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await?;
    }
    let acknowledged = acknowledged.lock().await.clone();
    ensure!(acknowledged.len() > 20, "too few writes before the kill: {}", acknowledged.len());

    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    let (code, body) = request(&api.addr, "GET", PATH, None).await?;
    ensure!(code == 200, "list after restart: {code} {body}");
    let list: Value = serde_json::from_str(&body)?;
    let stored: std::collections::HashSet<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["metadata"]["name"].as_str())
        .collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|n| !stored.contains(n.as_str())).collect();
    ensure!(
        lost.is_empty(),
        "{} acknowledged writes lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    eprintln!("{} acknowledged writes, {} stored after kill -9", acknowledged.len(), stored.len());
    api.kill().await
}
