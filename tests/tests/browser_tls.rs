//! `serve --tls-cert --tls-key`: the UI over HTTPS and HTTP/2, so a browser carries the page,
//! the REST calls and the live feed over one connection; a kubectl apply still shows live.

use anyhow::{Result, ensure};
use egress_e2e::ui::{element, wait_path, wait_text};
use egress_e2e::{Browser, Server, SpaceApiProcess, TempDir, run_kubectl};

const MANIFEST: &str = "apiVersion: networking.tanzu.vmware.com/v1alpha1
kind: EgressPoint
metadata:
  name: over-http2
spec:
  targets:
  - hosts: [api.example.com]
    port: {number: 443, protocol: HTTPS}
";

#[tokio::test(flavor = "multi_thread")]
async fn the_ui_is_served_over_https_and_http2_and_stays_live() -> Result<()> {
    let dir = TempDir::new("tls")?;
    let made = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])?;
    let (cert, key) = (dir.0.join("console.crt"), dir.0.join("console.key"));
    std::fs::write(&cert, made.cert.pem())?;
    std::fs::write(&key, made.signing_key.serialize_pem())?;
    let api = SpaceApiProcess::start(&dir.0.join("data"), &[]).await?;
    let kubeconfig = api.kubeconfig.display().to_string();
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let server =
        Server::start_with(&["--kubeconfig", &kubeconfig, "--tls-cert", &cert, "--tls-key", &key])
            .await?;
    ensure!(server.url.starts_with("https://"), "printed {}", server.url);
    // The certificate is self-signed: the test browser is told to accept it.
    let browser = Browser::start_with(&["--ignore-certificate-errors"]).await?;
    let outcome = async {
        let client = &browser.client;
        client.goto(&format!("{}/spaces/egress-console", server.url)).await?;
        wait_text(client, "#feed-status", |t| t == "Live").await?;
        let protocols = client
            .execute(
                "return [performance.getEntriesByType('navigation')[0].nextHopProtocol]
                    .concat(performance.getEntriesByType('resource').map(e => e.nextHopProtocol));",
                vec![],
            )
            .await?;
        let protocols: Vec<String> = serde_json::from_value(protocols)?;
        ensure!(!protocols.is_empty() && protocols.iter().all(|p| p == "h2"), "{protocols:?}");
        let out = run_kubectl(&api.kubeconfig, &["apply", "-f", "-"], Some(MANIFEST), &[])?;
        ensure!(out.status.success(), "kubectl apply: {}", String::from_utf8_lossy(&out.stderr));
        element(client, "tr[data-egresspoint='over-http2']").await?;
        browser.screenshot("rules-over-http2").await?;
        Ok(())
    }
    .await;
    browser.finish("tls", outcome).await
}

/// How many live-feed streams the server has answered, by route, from `/metrics`.
async fn streams_opened(client: &fantoccini::Client) -> Result<(u64, u64)> {
    let text = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/metrics').then(r => r.text()).then(done);",
            vec![],
        )
        .await?;
    let count = |route: &str| {
        text.as_str()
            .unwrap_or("")
            .lines()
            .filter(|l| l.starts_with("egress_console_http_requests_total{") && l.contains(route))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum::<u64>()
    };
    Ok((count("route=\"/api/v1/events\""), count("route=\"/api/v1/spaces/{space}/events\"")))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tab_keeps_one_live_stream_while_moving_between_the_pages_of_a_space() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start().await?;
    let outcome = async {
        let client = &browser.client;
        let space = "/spaces/storefront";
        client.goto(&format!("{}{space}", server.url)).await?;
        wait_text(client, "#feed-status", |t| t == "Live").await?;
        for (tab, path) in [
            ("egresspoints", format!("{space}/egresspoints")),
            ("expectations", format!("{space}/expectations")),
            ("", space.to_owned()),
        ] {
            let link = if tab.is_empty() {
                format!("a.tab[href='{space}']")
            } else {
                format!("a.tab[href='{space}/{tab}']")
            };
            element(client, &link).await?.click().await?;
            wait_path(client, &path).await?;
        }
        wait_text(client, "#feed-status", |t| t == "Live").await?;
        // Three pages of the Space, one stream: no reconnect, no second snapshot.
        let (tab_streams, per_space_streams) = streams_opened(client).await?;
        ensure!(
            (tab_streams, per_space_streams) == (1, 0),
            "streams opened: {tab_streams} tab streams, {per_space_streams} per-Space streams"
        );
        Ok(())
    }
    .await;
    browser.finish("one-stream", outcome).await
}
