//! Hostile inputs and a raw HTTP/1.1 client that sends exactly the bytes a test gives it
//! (no Host added, no body fixed up), for the hardening tests and `cargo xtask bench`.

use anyhow::{Context, Result, bail};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Size the hostile bodies are padded to: just under the console's 1 MiB body limit.
pub const BODY_SIZE: usize = 1_000_000;

/// The YAML bodies that once cost far more than their size, each about [`BODY_SIZE`].
pub fn hostile_yaml() -> Vec<(&'static str, String)> {
    vec![
        ("long key over many values", long_key_over_many_values()),
        ("alias bomb used as a key", laughs("? *a9\n: 1\n")),
        ("billion laughs", laughs("laughs: *a9\n")),
        ("deep nesting", format!("{}{}", "[".repeat(BODY_SIZE / 2), "]".repeat(BODY_SIZE / 2))),
    ]
}

/// Within every limit, and as costly as that allows: a key of the longest length accepted
/// over a list of about 500,000 values, which is read (not refused). A copy of the path per
/// value made this half a gigabyte.
pub fn largest_accepted_yaml() -> String {
    key_over_many_values(egress_rules::yaml::MAX_KEY_BYTES)
}

/// `? kkk…: [1, 1, …]`: a path copied per value made this 1 GB at 90 KB.
fn long_key_over_many_values() -> String {
    key_over_many_values(50_000)
}

fn key_over_many_values(key: usize) -> String {
    let head = format!("? {}\n: [", "k".repeat(key));
    let items = (BODY_SIZE - head.len()) / 2;
    format!("{head}{}1]\n", "1,".repeat(items - 1))
}

/// Ten levels of ten aliases each, then `tail`, padded with a comment to the body size.
fn laughs(tail: &str) -> String {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    text.push_str(tail);
    let pad = BODY_SIZE.saturating_sub(text.len() + 3);
    text.push_str(&format!("# {}\n", "p".repeat(pad)));
    text
}

/// A response as read off the socket.
#[derive(Debug)]
pub struct RawResponse {
    /// Status code.
    pub status: u16,
    /// The head, lowercased.
    pub head: String,
    /// The body (chunked bodies are not decoded).
    pub body: String,
}

/// Sends `bytes` on a new connection and reads until the server closes it (or 60 s).
pub async fn send(addr: &str, bytes: &[u8]) -> Result<RawResponse> {
    let mut stream =
        TcpStream::connect(addr).await.with_context(|| format!("connecting to {addr}"))?;
    stream.write_all(bytes).await?;
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut response))
        .await
        .context("no answer within 60 s")??;
    parse(&response)
}

/// Parses a response's status line, head and body.
pub fn parse(response: &[u8]) -> Result<RawResponse> {
    let text = String::from_utf8_lossy(response);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        bail!("no HTTP response: {:?}", text.chars().take(200).collect::<String>())
    };
    let status = head.split_whitespace().nth(1).context("no status")?.parse()?;
    Ok(RawResponse { status, head: head.to_ascii_lowercase(), body: body.to_owned() })
}

/// A request with `Connection: close`, the given extra header lines (each ending in
/// `\r\n`) and body.
pub fn request(method: &str, path: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Peak resident memory (VmHWM) and resident memory now (VmRSS) of a process, in MB.
pub fn memory_mb(pid: u32) -> Result<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> Result<f64> {
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .with_context(|| format!("no {name}"))?
            .parse()?;
        Ok(kb / 1024.0)
    };
    Ok((field("VmHWM:")?, field("VmRSS:")?))
}

/// CPU time (user + system) a process has used, in milliseconds.
pub fn cpu_ms(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').context("odd /proc stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    // Linux reports in USER_HZ, 100 on every architecture Rust supports here.
    Ok(ticks * 10.0)
}

/// Resets a process's peak resident memory (VmHWM) to its current size, so that the next
/// reading is the peak of what happens from now on. False where the kernel refuses.
pub fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}
