//! The console's Server-Sent Events show a change made with kubectl elsewhere.

use anyhow::{Context, Result, ensure};
use egress_api::events::{ChangeKind, ChangeMessage, EventName};
use egress_e2e::{Server, SpaceApiProcess, TempDir, kubectl};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const MANIFEST: &str = "apiVersion: networking.tanzu.vmware.com/v1alpha1
kind: EgressPoint
metadata:
  name: from-kubectl
spec:
  targets:
  - hosts: [api.example.com]
    port: {number: 443, protocol: HTTPS}
";

#[tokio::test(flavor = "multi_thread")]
async fn an_sse_client_sees_a_kubectl_apply() -> Result<()> {
    let dir = TempDir::new("sse-kubectl")?;
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    let kubeconfig = api.kubeconfig.display().to_string();
    let console = Server::start_with(&["--kubeconfig", &kubeconfig]).await?;
    let host = console.url.trim_start_matches("http://").to_owned();

    let mut stream = TcpStream::connect(&host).await?;
    let request = format!(
        "GET /api/v1/spaces/egress-console/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut lines = BufReader::new(stream).lines();
    // Wait for the snapshot, so the watch is running before the change is made.
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await? {
            if line.strip_prefix("event: ") == Some(EventName::Snapshot.as_str()) {
                return Ok(());
            }
        }
        anyhow::bail!("the stream ended before the snapshot")
    })
    .await
    .context("no snapshot within 10 s")??;

    let mut apply = std::process::Command::new(kubectl())
        .arg("--kubeconfig")
        .arg(&api.kubeconfig)
        .args(["apply", "-f", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()?;
    std::io::Write::write_all(&mut apply.stdin.take().unwrap(), MANIFEST.as_bytes())?;
    ensure!(apply.wait()?.success(), "kubectl apply failed");

    let change = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await? {
            if line.starts_with("data:") && line.contains("from-kubectl") {
                return Ok(line);
            }
        }
        anyhow::bail!("the stream ended")
    })
    .await
    .context("the change did not arrive within 10 s")??;
    let message: ChangeMessage = serde_json::from_str(change.trim_start_matches("data:").trim())?;
    ensure!(message.kind == ChangeKind::Added, "{change}");
    api.kill().await
}
