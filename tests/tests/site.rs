//! The UI's files as the server sends them: the wasm compressed for browsers that accept
//! brotli or gzip (precompressed by `cargo xtask build`), plain for those that do not.

use anyhow::{Context, Result, ensure};
use egress_e2e::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// GET `path`; returns the response head (lowercase) and the body's length.
async fn get(server: &Server, path: &str, accept: &str) -> Result<(String, usize)> {
    let host = server.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).await?;
    let encoding =
        if accept.is_empty() { String::new() } else { format!("Accept-Encoding: {accept}\r\n") };
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{encoding}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").context("no HTTP response")?;
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    Ok((head, response.len() - split - 4))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wasm_is_sent_compressed_to_browsers_that_accept_it() -> Result<()> {
    let server = Server::start().await?;
    let path = "/pkg/egress_frontend_bg.wasm";
    let (plain_head, plain) = get(&server, path, "").await?;
    ensure!(plain_head.starts_with("http/1.1 200"), "{plain_head}");
    ensure!(!plain_head.contains("content-encoding"), "{plain_head}");
    let (head, zipped) = get(&server, path, "gzip").await?;
    ensure!(head.contains("content-encoding: gzip"), "{head}");
    ensure!(head.contains("content-type: application/wasm"), "{head}");
    ensure!(zipped * 2 < plain, "gzip {zipped} bytes vs {plain} plain");
    // Brotli, what browsers ask for first, is smaller still.
    let (head, brotli) = get(&server, path, "gzip, deflate, br").await?;
    ensure!(head.contains("content-encoding: br"), "{head}");
    ensure!(head.contains("content-type: application/wasm"), "{head}");
    ensure!(brotli < zipped, "brotli {brotli} bytes vs gzip {zipped}");
    Ok(())
}
