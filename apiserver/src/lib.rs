//! The embedded Space API: a durable, Kubernetes-compatible API server for Spaces
//! (namespaces), EgressPoints, Deployments and ContainerApps, as an axum [`Router`].
//!
//! It follows kube-apiserver's REST semantics closely enough that kube-rs and kubectl use it
//! unmodified: discovery, list/get/create/replace/patch/delete, watch, resourceVersion
//! concurrency, `metav1.Status` errors. Admission of EgressPoints is the `egress-rules` crate.

pub mod auth;
pub mod demo;
mod handlers;
pub mod http;
mod known_fields;
mod managed;
mod openapi;
mod protobuf;
mod request;
pub mod resources;
mod rollout;
pub mod selectors;
mod standalone;
pub mod status;
pub mod store;
mod strategic;
pub mod tanzu;
mod time;

pub use standalone::REQUEST_TIMEOUT;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use store::Store;

/// Largest request body, as kube-apiserver's default (3 MiB).
pub const BODY_LIMIT: usize = 3 * 1024 * 1024;

/// What can go wrong when starting the Space API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data directory or database cannot be used.
    #[error("storage: {0}")]
    Storage(String),
    /// A configuration file (tokens, policies) is unreadable or malformed.
    #[error("{0}")]
    Config(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Settings of the Space API.
#[derive(Clone, Debug)]
pub struct Options {
    /// How often a watch that asked for bookmarks gets one.
    pub bookmark_interval: Duration,
    /// Token authentication and ABAC authorization; off when empty.
    pub auth: auth::Auth,
}

impl Default for Options {
    fn default() -> Self {
        Options { bookmark_interval: Duration::from_secs(10), auth: auth::Auth::default() }
    }
}

/// The Space API: the store plus its settings. Cheap to clone.
#[derive(Clone)]
pub struct SpaceApi {
    store: Arc<Store>,
    options: Arc<Options>,
}

impl SpaceApi {
    /// Opens the store in `data_dir` (created if needed) and ensures the `default`
    /// namespace exists, as on every Kubernetes cluster.
    pub fn open(data_dir: &Path, options: Options) -> Result<SpaceApi> {
        let store = Arc::new(Store::open(data_dir)?);
        let api = SpaceApi { store, options: Arc::new(options) };
        api.ensure_namespace("default")?;
        Ok(api)
    }

    /// The store (for seeding and tests).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Creates namespace `name` unless it exists.
    pub fn ensure_namespace(&self, name: &str) -> Result<()> {
        handlers::ensure_namespace(&self.store, name).map_err(|e| Error::Storage(e.message))
    }

    /// The API server's own loopback client (kube-apiserver's `system:apiserver`): the same
    /// store and admission, no authentication or authorization. For seeding demo data.
    pub fn loopback(&self) -> SpaceApi {
        let options = Options { auth: auth::Auth::default(), ..(*self.options).clone() };
        SpaceApi { store: self.store.clone(), options: Arc::new(options) }
    }

    /// The HTTP interface.
    pub fn router(&self) -> Router {
        Router::new()
            .fallback(handlers::dispatch)
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            .with_state(self.clone())
    }
}
