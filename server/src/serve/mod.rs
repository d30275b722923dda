//! `egress-console serve`: the web UI and the first REST endpoints.

mod headers;
mod validate;

use crate::cli::ServeArgs;
use crate::{Error, Result};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use std::path::{Path, PathBuf};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

/// Largest request body accepted (DESIGN.md: 1 MiB → 413).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Configuration the handlers share.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The built UI.
    pub site_dir: PathBuf,
}

/// Every route: `/healthz`, `/api/v1/validate`, then the UI, whose client-side routes all
/// fall back to `index.html`.
pub fn router(state: AppState) -> Router {
    let index = state.site_dir.join("index.html");
    let site = ServeDir::new(&state.site_dir).fallback(ServeFile::new(index));
    let routes = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/v1/validate", post(validate::validate))
        .fallback_service(site)
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    headers::with_security_headers(routes).layer(TraceLayer::new_for_http())
}

/// Binds, prints the URL, serves until SIGTERM or Ctrl-C.
pub async fn run(args: ServeArgs) -> Result<()> {
    let site_dir = args.site_dir.unwrap_or_else(default_site_dir);
    if !site_dir.join("index.html").is_file() {
        return Err(Error::SiteMissing(site_dir.display().to_string()));
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|source| Error::Listen { addr: args.listen.to_string(), source })?;
    let addr = listener.local_addr()?;
    tracing::info!(site = %site_dir.display(), "serving the UI");
    // The line scripts and people look for: printed, not logged, so RUST_LOG cannot hide it.
    println!("Egress Console is at http://{addr}/");
    axum::serve(listener, router(AppState { site_dir }))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
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
