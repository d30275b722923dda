//! schemathesis fuzzes the REST API from its own OpenAPI document: no request may end in a
//! server error. (`/events` is left out: an SSE stream never ends, so a fuzzer waits on it.)

use anyhow::{Result, ensure};
use egress_e2e::Server;

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_no_server_error_in_the_rest_api() -> Result<()> {
    let schemathesis =
        std::env::var("EGRESS_SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".into());
    let server = Server::start().await?;
    let output = tokio::process::Command::new(&schemathesis)
        .args(["run", &format!("{}/api/v1/openapi.json", server.url), "--url", &server.url])
        .args(["--checks", "not_a_server_error", "--phases", "fuzzing", "--max-examples", "20"])
        .args(["--exclude-path-regex", "events$", "--seed", "42", "--request-timeout", "10"])
        .env("NO_COLOR", "1")
        .output()
        .await?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    ensure!(output.status.success(), "schemathesis found problems:\n{text}");
    Ok(())
}
