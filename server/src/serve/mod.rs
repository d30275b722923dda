//! `egress-console serve`: the web UI and the REST API, over the Spaces of the catalog.

mod guard;
mod headers;
pub mod metrics;
pub mod sources;

use crate::api::{self, AppState};
use crate::cli::ServeArgs;
use crate::{Error, Result};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use std::path::{Path, PathBuf};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeader;

pub use egress_apiserver::http::AllowedHosts;

/// Largest request body accepted (DESIGN.md: 1 MiB → 413).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Every route: `/healthz`, `/metrics`, the REST API, then the UI, whose client-side routes
/// all fall back to `index.html`. The guard is outermost: nothing runs for a request it
/// refuses.
pub fn router(state: AppState, allowed: AllowedHosts) -> Router {
    let index = state.site_dir.join("index.html");
    // `cargo xtask build` writes `.br` and `.gz` files beside the big ones: sent to browsers
    // that accept brotli or gzip, without compressing per request. `no-cache`: the browser
    // asks again (a 304 when unchanged) on every load, so after a new build it never runs
    // a cached `pkg/egress_frontend.js` with a new main module, or the other way round.
    let site = ServeDir::new(&state.site_dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(ServeFile::new(index));
    let site = SetResponseHeader::if_not_present(
        site,
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    let metrics = metrics::Metrics::default();
    let routes = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route_service("/sign-in", ServeFile::new(state.site_dir.join("sign-in.html")))
        .merge(api::routes())
        .fallback_service(site)
        // Everything above answers within 30 s; the streams merged below last as long as
        // their client listens.
        .layer(axum::middleware::from_fn(limit_time))
        .merge(api::streams())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(metrics.clone(), metrics::count))
        .with_state(state)
        .merge(Router::new().route("/metrics", get(metrics::metrics_get)).with_state(metrics))
        .layer(axum::middleware::from_fn_with_state(guard::guard(allowed), guard::check));
    headers::with_security_headers(routes).layer(egress_apiserver::http::trace::layer())
}

/// Per-request time limit (504 problem), layered on every route but the streams.
async fn limit_time(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => api::error::ApiError::new(
            axum::http::StatusCode::GATEWAY_TIMEOUT,
            "Timed out",
            format!(
                "the request took longer than {} s; the Kubernetes API may be slow, try again",
                REQUEST_TIMEOUT.as_secs()
            ),
        )
        .into_response(),
    }
}

/// Longest a request may take.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Ready when the Spaces can be listed and at least one answers.
async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    // In token mode the server has no credentials of its own to check with: it is ready
    // when it serves.
    if state.auth == crate::spaces::AuthMode::Token {
        return "ok".into_response();
    }
    match state.catalog.infos(&crate::spaces::Caller::default()).await {
        Ok(spaces) if spaces.iter().any(|(_, reach)| reach.is_ok()) => "ok".into_response(),
        Ok(_) => api::error::ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "Not ready",
            "no Space's Kubernetes API answers",
        )
        .into_response(),
        Err(error) => api::error::ApiError::from(error).into_response(),
    }
}

/// Builds the catalog, binds, prints the URL, serves until SIGTERM or Ctrl-C.
pub async fn run(args: ServeArgs) -> Result<()> {
    let site_dir = args.site_dir.clone().unwrap_or_else(default_site_dir);
    if !site_dir.join("index.html").is_file() {
        return Err(Error::SiteMissing(site_dir.display().to_string()));
    }
    let catalog =
        sources::catalog(&sources::SourcesConfig::from_args(&args.sources, &args.namespace)?)
            .await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|source| Error::Listen { addr: args.listen.to_string(), source })?;
    let addr = listener.local_addr()?;
    let allowed = AllowedHosts::new(addr, &args.allowed_host);
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let pair = egress_apiserver::http::tls::from_files(cert, key)?;
            Some(egress_apiserver::http::tls::acceptor(&pair, true)?)
        }
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(site = %site_dir.display(), "serving the UI");
    // The line scripts and people look for: printed, not logged, so RUST_LOG cannot hide it.
    println!("Egress Console is at {scheme}://{addr}/");
    let caches = match args.no_watch_cache {
        true => crate::cache::SpaceCaches::disabled(),
        false => crate::cache::SpaceCaches::default(),
    };
    let app = router(AppState { site_dir, catalog, caches, auth: args.auth }, allowed);
    egress_apiserver::http::serve::serve_with(listener, app, shutdown_signal(), tls).await?;
    tracing::info!("stopped");
    Ok(())
}

/// `site/` beside the binary, or one folder up (`target/release/egress-console` →
/// `target/site`, where `cargo xtask build` writes it).
fn default_site_dir() -> PathBuf {
    let exe = std::env::current_exe().ok();
    let dir = exe.as_deref().and_then(Path::parent).unwrap_or(Path::new("."));
    [dir.join("site"), dir.join("../site")]
        .into_iter()
        .find(|d| d.join("index.html").is_file())
        .unwrap_or_else(|| dir.join("site"))
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
