//! The UI's files as the server sends them: the wasm compressed for browsers that accept
//! brotli or gzip (precompressed by `cargo xtask build`), plain for those that do not.

use anyhow::{Context, Result, ensure};
use egress_e2e::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// GET `path`; returns the response head (lowercase) and the body's length.
async fn get(server: &Server, path: &str, accept: &str) -> Result<(String, usize)> {
    let (head, body) = fetch(server, path, accept).await?;
    Ok((head, body.len()))
}

/// GET `path`; returns the response head (lowercase) and the body.
async fn fetch(server: &Server, path: &str, accept: &str) -> Result<(String, Vec<u8>)> {
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
    Ok((head, response[split + 4..].to_vec()))
}

/// The quoted `./NAME` strings (each once) in `text` that start with `prefix` and end with `suffix`.
fn names_in(text: &str, prefix: &str, suffix: &str) -> Vec<String> {
    text.split('"')
        .filter_map(|s| s.strip_prefix("./"))
        .filter(|s| s.starts_with(prefix) && s.ends_with(suffix) && !s.contains('/'))
        .map(str::to_owned)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
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

/// The pages other than the Spaces and the rules table load their code on demand: the main
/// module's JS imports the split loader, which names each page's modules. Every one is
/// served as wasm, compressed, and revalidated on each load (`no-cache`), so a browser never
/// runs a cached main module with the chunks of another build.
#[tokio::test(flavor = "multi_thread")]
async fn the_lazy_pages_modules_are_all_served() -> Result<()> {
    let server = Server::start().await?;
    let (head, js) = fetch(&server, "/pkg/egress_frontend.js", "").await?;
    ensure!(head.starts_with("http/1.1 200"), "{head}");
    ensure!(head.contains("cache-control: no-cache"), "{head}");
    let js = String::from_utf8(js)?;
    let loader = names_in(&js, "__wasm_split.", ".js");
    ensure!(loader.len() == 1, "the main JS imports no single split loader: {loader:?}");
    let (head, loader) = fetch(&server, &format!("/pkg/{}", loader[0]), "").await?;
    ensure!(head.starts_with("http/1.1 200"), "{head}");
    ensure!(head.contains("javascript"), "{head}");
    let loader = String::from_utf8(loader)?;
    let pages = names_in(&loader, "split_", ".wasm");
    let shared = names_in(&loader, "chunk_", ".wasm");
    // One module per lazy route (lazy.rs in the frontend has six).
    ensure!(pages.len() == 6, "{pages:?}");
    for name in pages.iter().chain(&shared) {
        let (head, body) = fetch(&server, &format!("/pkg/{name}"), "gzip, deflate, br").await?;
        ensure!(head.starts_with("http/1.1 200"), "{name}: {head}");
        ensure!(head.contains("content-type: application/wasm"), "{name}: {head}");
        ensure!(head.contains("content-encoding: br"), "{name}: {head}");
        ensure!(head.contains("cache-control: no-cache"), "{name}: {head}");
        ensure!(!body.is_empty(), "{name} is empty");
    }
    Ok(())
}
