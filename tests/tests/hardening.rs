//! An attacker's inputs against the real binaries (`serve`, `apiserver`, `lint`): every
//! hostile body gets a clear 4xx at a memory cost bounded by its size, health checks are
//! answered while they are parsed, slow and idle connections are closed, and the
//! standalone Space API refuses what a web page on another site could send.

use anyhow::{Result, ensure};
use egress_e2e::TempDir;
use egress_e2e::attack::{self, BODY_SIZE, hostile_yaml, memory_mb, request, send};
use egress_e2e::bench::start;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Child;

const EGP: &str = "/apis/networking.tanzu.vmware.com/v1alpha1/namespaces/default/egresspoints";
/// The issue's goal for one hostile body: at most this much more resident memory.
const MEMORY_GOAL_MB: f64 = 64.0;

async fn serve(dir: &TempDir) -> Result<(Child, String)> {
    let site = std::env::var("EGRESS_CONSOLE_SITE_DIR")?;
    let data = dir.0.to_string_lossy().into_owned();
    let args = ["serve", "--listen", "127.0.0.1:0", "--site-dir", &site, "--data-dir", &data];
    start(&args, "Egress Console is at http://").await
}

async fn apiserver(dir: &TempDir) -> Result<(Child, String)> {
    let data = dir.0.to_string_lossy().into_owned();
    start(&["apiserver", "--listen", "127.0.0.1:0", "--data-dir", &data], "Space API is at http://")
        .await
}

fn yaml_post(addr: &str, path: &str, body: &str) -> Vec<u8> {
    request("POST", path, &format!("Host: {addr}\r\nContent-Type: application/yaml\r\n"), body)
}

/// Posts each hostile body to `path`, checking the answer and the memory it cost.
async fn hostile_bodies_cost_little(child: &Child, addr: &str, path: &str) -> Result<()> {
    let pid = child.id().expect("running");
    // Warm up the allocator and the code paths with a harmless body first.
    send(addr, &yaml_post(addr, path, "kind: EgressPoint\n")).await?;
    for (name, body) in hostile_yaml() {
        // Each body's own peak where the kernel can reset it; else the peak of all so far.
        attack::reset_peak(pid);
        let (_, before) = memory_mb(pid)?;
        let cpu = attack::cpu_ms(pid)?;
        let response = send(addr, &yaml_post(addr, path, &body)).await?;
        let (peak, _) = memory_mb(pid)?;
        let cpu = attack::cpu_ms(pid)? - cpu;
        println!(
            "{path}: {name}: {} , peak +{:.1} MB, {cpu:.0} ms CPU",
            response.status,
            peak - before
        );
        ensure!(
            (400..500).contains(&response.status),
            "{name}: expected a 4xx, got {}: {}",
            response.status,
            response.body
        );
        let says_why = ["limited to", "alias", "nested deeper", "keys are"]
            .iter()
            .any(|words| response.body.contains(words));
        ensure!(says_why, "{name}: the answer does not say why: {}", response.body);
        ensure!(
            peak - before <= MEMORY_GOAL_MB,
            "{name}: resident memory grew by {:.1} MB (goal ≤ {MEMORY_GOAL_MB})",
            peak - before
        );
    }
    // The largest body every limit accepts is read, and costs as little.
    attack::reset_peak(pid);
    let (_, before) = memory_mb(pid)?;
    let response = send(addr, &yaml_post(addr, path, &attack::largest_accepted_yaml())).await?;
    let (peak, _) = memory_mb(pid)?;
    println!("{path}: largest accepted: {}, peak +{:.1} MB", response.status, peak - before);
    ensure!(response.status < 500, "{}: {}", response.status, response.body);
    ensure!(peak - before <= MEMORY_GOAL_MB, "largest accepted body: +{:.1} MB", peak - before);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_yaml_gets_a_clear_4xx_at_a_cost_bounded_by_its_size() -> Result<()> {
    let (dir_a, dir_b) = (TempDir::new("hostile-serve")?, TempDir::new("hostile-api")?);
    let (console, console_addr) = serve(&dir_a).await?;
    hostile_bodies_cost_little(&console, &console_addr, "/api/v1/validate").await?;
    let (space_api, api_addr) = apiserver(&dir_b).await?;
    hostile_bodies_cost_little(&space_api, &api_addr, EGP).await?;
    // Nothing was stored by any of them.
    let list = send(&api_addr, &request("GET", EGP, &format!("Host: {api_addr}\r\n"), "")).await?;
    ensure!(list.status == 200 && list.body.contains("\"items\":[]"), "{list:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn health_checks_are_answered_while_hostile_bodies_are_parsed() -> Result<()> {
    let dir = TempDir::new("hostile-health")?;
    let (_console, addr) = serve(&dir).await?;
    let (_, body) = hostile_yaml().remove(0);
    let mut attackers = Vec::new();
    for _ in 0..4 {
        let (addr, body) = (addr.clone(), body.clone());
        attackers.push(tokio::spawn(async move {
            send(&addr, &yaml_post(&addr, "/api/v1/validate", &body)).await
        }));
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    let started = Instant::now();
    let health = send(&addr, &request("GET", "/healthz", &format!("Host: {addr}\r\n"), "")).await?;
    println!("/healthz while 4 hostile bodies are parsed: {:?}", started.elapsed());
    ensure!(health.status == 200 && health.body == "ok", "{health:?}");
    for attacker in attackers {
        let response = attacker.await??;
        ensure!(response.status == 400, "{response:?}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_standalone_space_api_refuses_what_a_web_page_on_another_site_could_send() -> Result<()>
{
    let dir = TempDir::new("csrf-api")?;
    let (_api, addr) = apiserver(&dir).await?;
    let ours = format!("Host: {addr}\r\n");
    let body = r#"{"apiVersion":"networking.tanzu.vmware.com/v1alpha1","kind":"EgressPoint","metadata":{"name":"exfil"},"spec":{"targets":[{"hosts":["exfil.evil.example"],"port":{"number":443,"protocol":"HTTPS"}}]}}"#;
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("DNS rebinding", request("GET", EGP, "Host: evil.example\r\n", ""), 421),
        ("no Host", request("GET", EGP, "", ""), 400),
        ("two Hosts", request("GET", EGP, &format!("{ours}{ours}"), ""), 400),
        (
            "text/plain from another origin",
            request(
                "POST",
                EGP,
                &format!("{ours}Origin: http://evil.example\r\nContent-Type: text/plain\r\n"),
                body,
            ),
            403,
        ),
        (
            "an HTML form",
            request(
                "POST",
                EGP,
                &format!("{ours}Content-Type: application/x-www-form-urlencoded\r\n"),
                body,
            ),
            415,
        ),
        (
            "a cross-site fetch without Origin",
            request(
                "POST",
                EGP,
                &format!("{ours}Sec-Fetch-Site: cross-site\r\nContent-Type: application/json\r\n"),
                body,
            ),
            403,
        ),
        (
            "a namespace from another origin",
            request(
                "POST",
                "/api/v1/namespaces",
                &format!("{ours}Origin: http://evil.example\r\nContent-Type: application/json\r\n"),
                r#"{"metadata":{"name":"evil"}}"#,
            ),
            403,
        ),
        (
            "duplicate JSON keys",
            request(
                "POST",
                EGP,
                &format!("{ours}Content-Type: application/json\r\n"),
                &body.replacen("\"kind\"", "\"kind\":\"x\",\"kind\"", 1),
            ),
            400,
        ),
    ];
    for (name, bytes, expected) in cases {
        let response = send(&addr, &bytes).await?;
        ensure!(response.status == expected, "{name}: {} {}", response.status, response.body);
        ensure!(
            response.body.contains("\"kind\":\"Status\""),
            "{name}: not a Status: {}",
            response.body
        );
    }
    // Read back: none of them wrote anything.
    let list = send(&addr, &request("GET", EGP, &ours, "")).await?;
    ensure!(list.status == 200 && list.body.contains("\"items\":[]"), "{list:?}");
    let namespaces = send(&addr, &request("GET", "/api/v1/namespaces", &ours, "")).await?;
    ensure!(!namespaces.body.contains("\"evil\""), "{}", namespaces.body);
    ensure!(list.head.contains("x-content-type-options: nosniff"), "{}", list.head);
    ensure!(list.head.contains("content-security-policy: default-src 'none'"), "{}", list.head);
    // The same write from its own origin, as JSON, is accepted and stored.
    let own = request(
        "POST",
        EGP,
        &format!("{ours}Origin: http://{addr}\r\nContent-Type: application/json\r\n"),
        body,
    );
    let created = send(&addr, &own).await?;
    ensure!(created.status == 201, "{created:?}");
    let stored = send(&addr, &request("GET", &format!("{EGP}/exfil"), &ours, "")).await?;
    ensure!(stored.status == 200 && stored.body.contains("exfil.evil.example"), "{stored:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_refuses_cross_site_writes_and_unknown_hosts_on_every_route() -> Result<()> {
    let dir = TempDir::new("csrf-console")?;
    let (_console, addr) = serve(&dir).await?;
    let ours = format!("Host: {addr}\r\n");
    let path = "/api/v1/spaces/storefront/egresspoints/example-egress";
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("metrics for another Host", request("GET", "/metrics", "Host: evil.example\r\n", ""), 421),
        ("no Host", request("GET", "/healthz", "", ""), 400),
        ("two Hosts", request("GET", "/healthz", &format!("{ours}{ours}"), ""), 400),
        (
            "cross-site delete",
            request("DELETE", path, &format!("{ours}Sec-Fetch-Site: cross-site\r\n"), ""),
            403,
        ),
        (
            "text/plain validate",
            request(
                "POST",
                "/api/v1/validate",
                &format!("{ours}Content-Type: text/plain\r\n"),
                "kind: EgressPoint",
            ),
            415,
        ),
    ];
    for (name, bytes, expected) in cases {
        let response = send(&addr, &bytes).await?;
        ensure!(response.status == expected, "{name}: {} {}", response.status, response.body);
    }
    // The EgressPoint the refused delete named is still there.
    let still = send(&addr, &request("GET", path, &ours, "")).await?;
    ensure!(still.status == 200, "{still:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn huge_announced_bodies_are_refused_at_once_and_slow_or_idle_connections_closed()
-> Result<()> {
    let (dir_a, dir_b) = (TempDir::new("slow-serve")?, TempDir::new("slow-api")?);
    let (_console, console) = serve(&dir_a).await?;
    let (_api, api) = apiserver(&dir_b).await?;
    let mut checks = Vec::new();
    for (addr, path) in [(console.clone(), "/api/v1/validate"), (api.clone(), EGP)] {
        // 2 GiB announced, 2 bytes sent: a 413 without waiting for the rest.
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n{{}}"
        );
        let mut stream = tokio::net::TcpStream::connect(&addr).await?;
        stream.write_all(head.as_bytes()).await?;
        let mut buffer = vec![0; 4096];
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer)).await??;
        let response = attack::parse(&buffer[..n])?;
        ensure!(response.status == 413, "{addr}: {response:?}");
        // Half a request line, then nothing; and a finished request, then nothing.
        for (what, bytes) in [
            ("slowloris", format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nX-A: ").into_bytes()),
            (
                "idle keep-alive",
                format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").into_bytes(),
            ),
        ] {
            let addr = addr.clone();
            checks.push(tokio::spawn(async move {
                let mut stream = tokio::net::TcpStream::connect(&addr).await?;
                stream.write_all(&bytes).await?;
                let mut sink = Vec::new();
                // The server must close it; 60 s is far beyond its limit.
                let read =
                    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut sink))
                        .await;
                ensure!(read.is_ok(), "{addr}: {what} connection still open after 60 s");
                Ok::<_, anyhow::Error>(())
            }));
        }
    }
    for check in checks {
        check.await??;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn lint_reads_hostile_files_at_a_cost_bounded_by_their_size() -> Result<()> {
    let dir = TempDir::new("hostile-lint")?;
    let binary = std::env::var("EGRESS_CONSOLE_BIN")?;
    for (i, (name, body)) in hostile_yaml().into_iter().enumerate() {
        let file = dir.0.join(format!("hostile-{i}.yaml"));
        std::fs::write(&file, &body)?;
        // Python reports the peak memory of the child it ran (ru_maxrss, KB).
        let script = "import resource, subprocess, sys\n\
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n\
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n\
print(r.stdout + r.stderr)";
        let output = std::process::Command::new("python3")
            .args(["-c", script, &binary, "lint"])
            .arg(&file)
            .output()?;
        let text = String::from_utf8_lossy(&output.stdout);
        let mut first = text.lines().next().unwrap_or("").split_whitespace();
        let code: i32 = first.next().unwrap_or("-1").parse()?;
        let peak_mb = first.next().unwrap_or("0").parse::<f64>()? / 1024.0;
        println!("lint {name}: exit {code}, peak {peak_mb:.1} MB");
        ensure!(code == 1, "{name}: lint exit {code}: {text}");
        ensure!(text.contains("error[syntax]"), "{name}: {text}");
        // lint holds the file itself as well as what it read.
        ensure!(
            peak_mb <= MEMORY_GOAL_MB + (BODY_SIZE as f64 / 1e6) * 4.0,
            "{name}: {peak_mb:.1} MB"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_space_api_log_never_carries_a_query_string() -> Result<()> {
    let dir = TempDir::new("log-redact")?;
    let binary = std::env::var("EGRESS_CONSOLE_BIN")?;
    let log = dir.0.join("stderr.log");
    let mut child = tokio::process::Command::new(binary)
        .args(["apiserver", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir.0)
        .env("RUST_LOG", "debug")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log)?)
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().expect("piped");
    let mut lines = tokio::io::BufReader::new(stdout);
    let mut first = String::new();
    tokio::io::AsyncBufReadExt::read_line(&mut lines, &mut first).await?;
    let addr = first
        .trim_start_matches("Space API is at http://")
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_owned();
    let response = send(
        &addr,
        &request("GET", &format!("{EGP}?token=s3cr3t-value"), &format!("Host: {addr}\r\n"), ""),
    )
    .await?;
    ensure!(response.status == 200, "{response:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    child.start_kill()?;
    let text = std::fs::read_to_string(&log)?;
    ensure!(text.contains(EGP), "the request is not logged at all: {text}");
    ensure!(!text.contains("s3cr3t-value"), "the token is in the log: {text}");
    Ok(())
}
