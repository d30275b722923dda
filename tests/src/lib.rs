//! Harness for tests that cross processes: the `egress-console` binary and a real headless
//! Chromium driven through chromedriver.
//!
//! `cargo xtask test` sets `EGRESS_CONSOLE_BIN` (the built binary) and
//! `EGRESS_CONSOLE_SITE_DIR` (the built UI).

pub mod attack;
pub mod bench;
pub mod http;
pub mod ui;

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A free loopback port (bound, then released).
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Where tests put screenshots for a person to look at.
pub fn output_dir() -> PathBuf {
    let dir = std::env::var_os("EGRESS_TEST_OUTPUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("egress-console-test-output"));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// `egress-console serve` on a free loopback port, over an embedded Space API in a
/// temporary data directory; killed on drop.
pub struct Server {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    _child: Child,
    _data: TempDir,
}

impl Server {
    /// Starts the binary named by `EGRESS_CONSOLE_BIN` and waits for its URL line.
    pub async fn start() -> Result<Server> {
        Self::start_with(&[]).await
    }

    /// The same, with more `serve` arguments (`--kubeconfig PATH`, …).
    pub async fn start_with(extra: &[&str]) -> Result<Server> {
        let binary = std::env::var("EGRESS_CONSOLE_BIN")
            .context("EGRESS_CONSOLE_BIN is not set: run the tests with `cargo xtask test`")?;
        let site = std::env::var("EGRESS_CONSOLE_SITE_DIR")
            .context("EGRESS_CONSOLE_SITE_DIR is not set: run the tests with `cargo xtask test`")?;
        let data = TempDir::new("egress-serve-data")?;
        let mut child = Command::new(binary)
            .args(["serve", "--listen", "127.0.0.1:0", "--site-dir", &site, "--data-dir"])
            .arg(&data.0)
            .args(extra)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting egress-console serve")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(url) = line.strip_prefix("Egress Console is at ") {
                    return Ok(url.trim_end_matches('/').to_owned());
                }
            }
            bail!("egress-console serve exited before printing its URL")
        })
        .await
        .context("egress-console serve did not print its URL within 30 s")??;
        Ok(Server { url, _child: child, _data: data })
    }
}

/// `egress-console apiserver` on a free loopback port with its own data directory; killed
/// (SIGKILL) on drop or by [`SpaceApiProcess::kill`].
pub struct SpaceApiProcess {
    /// `127.0.0.1:PORT`
    pub addr: String,
    /// The kubeconfig it wrote.
    pub kubeconfig: PathBuf,
    child: Child,
}

impl SpaceApiProcess {
    /// Starts `egress-console apiserver --data-dir DIR` (plus `extra` flags) and waits until
    /// it serves.
    pub async fn start(data_dir: &std::path::Path, extra: &[&str]) -> Result<SpaceApiProcess> {
        let binary = std::env::var("EGRESS_CONSOLE_BIN")
            .context("EGRESS_CONSOLE_BIN is not set: run the tests with `cargo xtask test`")?;
        let mut child = Command::new(binary)
            .args(["apiserver", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting egress-console apiserver")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await? {
                let rest = line
                    .strip_prefix("Space API is at http://")
                    .or_else(|| line.strip_prefix("Space API is at https://"));
                if let Some(rest) = rest {
                    return Ok(rest.split_whitespace().next().unwrap_or("").to_owned());
                }
            }
            bail!("egress-console apiserver exited before printing its address")
        })
        .await
        .context("egress-console apiserver did not start within 30 s")??;
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(SpaceApiProcess { addr, kubeconfig: data_dir.join("kubeconfig"), child })
    }

    /// SIGKILL, and wait for the process to be gone.
    pub async fn kill(mut self) -> Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }
}

/// Runs kubectl with a kubeconfig, extra environment and standard input; waits for it.
pub fn run_kubectl(
    kubeconfig: &std::path::Path,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Result<std::process::Output> {
    use std::io::Write;
    let mut child = std::process::Command::new(kubectl())
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let mut input = child.stdin.take().context("no stdin")?;
    // kubectl may exit before it reads its input (an error): a broken pipe is not a failure.
    let _ = input.write_all(stdin.unwrap_or("").as_bytes());
    drop(input);
    Ok(child.wait_with_output()?)
}

/// The kubectl to test with: `EGRESS_KUBECTL` (set by `cargo xtask test`), else `kubectl`.
pub fn kubectl() -> String {
    std::env::var("EGRESS_KUBECTL").unwrap_or_else(|_| "kubectl".to_owned())
}

/// Headless Chromium through chromedriver; call [`Browser::close`] at the end of a test.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    _driver: Child,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a session with a fresh profile.
    pub async fn start() -> Result<Browser> {
        Self::start_with(&[]).await
    }

    /// The same, with more Chromium flags (e.g. a dark colour scheme).
    pub async fn start_with(extra: &[&str]) -> Result<Browser> {
        let port = free_port()?;
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting chromedriver (apt-get install chromium-driver)")?;
        let profile = TempDir::new("egress-chromium")?;
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-crash-reporter",
            "--window-size=1280,900",
            &format!("--user-data-dir={}", profile.0.display()),
        ];
        let args: Vec<&str> = args.iter().copied().chain(extra.iter().copied()).collect();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": "/usr/bin/chromium", "args": args }),
        );
        let webdriver = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        for _ in 0..50 {
            // chromedriver speaks plain HTTP on loopback: no TLS stack needed.
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
            {
                Ok(client) => return Ok(Browser { client, _driver: driver, _profile: profile }),
                Err(e) => last_error = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!("cannot open a Chromium session: {last_error:?}")
    }

    /// Saves a PNG of the page under the test output directory.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let path = output_dir().join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// Ends the session after a test's steps, with a screenshot `failed-{name}` first when
    /// they failed; returns their outcome.
    pub async fn finish(self, name: &str, outcome: Result<()>) -> Result<()> {
        if outcome.is_err() {
            let _ = self.screenshot(&format!("failed-{name}")).await;
        }
        self.close().await?;
        outcome
    }

    /// Ends the session (Chromium exits).
    pub async fn close(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new empty directory under the system temp dir.
    pub fn new(prefix: &str) -> Result<TempDir> {
        let dir = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos()
        ));
        std::fs::create_dir_all(&dir)?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
