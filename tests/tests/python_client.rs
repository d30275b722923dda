//! The embedded Space API through the official Python `kubernetes` client (pinned and
//! installed by `cargo xtask test`): dynamic discovery, CRUD with a 409 and a 422, strategic,
//! merge and JSON patches, `/scale`, server-side apply conflicts, watch resume, and 410 for a
//! watch from a resourceVersion the server no longer keeps (after a restart). The script
//! (`tests/python/conformance.py`) checks the stored object after each step.

use anyhow::{Context, Result, ensure};
use egress_e2e::{SpaceApiProcess, TempDir};
use std::path::Path;
use std::process::Command;

fn python(args: &[&str]) -> Result<String> {
    let path = std::env::var("EGRESS_PYTHONPATH")
        .context("EGRESS_PYTHONPATH is not set: run the tests with `cargo xtask test`")?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/conformance.py");
    let out = Command::new("python3").arg(script).args(args).env("PYTHONPATH", path).output()?;
    let said =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    ensure!(out.status.success(), "conformance.py {}:\n{said}", args.join(" "));
    Ok(said)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_python_kubernetes_client_works_against_the_space_api() -> Result<()> {
    let dir = TempDir::new("python-client")?;
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    let said = python(&["scenarios", &api.kubeconfig.display().to_string()])?;
    let version = said
        .lines()
        .find_map(|l| l.strip_prefix("resourceVersion "))
        .context("no resourceVersion printed")?
        .trim()
        .to_owned();
    api.kill().await?;
    // Restarted, the server keeps no events from before: a watch from then is 410.
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    python(&["expired", &api.kubeconfig.display().to_string(), &version])?;
    api.kill().await
}
