//! The Space catalog: which Spaces the console offers, and a Kubernetes client for each.
//! A Space is a name, a connection and a namespace. Sources: the embedded Space API (its
//! namespaces), and kubeconfig contexts (each context with its namespace).
//!
//! In token mode every client carries the caller's own bearer token; the server's
//! credentials are never used for a user's request.

mod access;
pub mod caller;
mod error;
pub mod latency;

pub use caller::{AuthMode, Caller};
pub use error::{CatalogError, CatalogResult};

use axum::http::{HeaderValue, header};
use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower::Layer;
use tower_http::set_header::SetRequestHeaderLayer;

pub use egress_api::Source;

/// How to reach a Space's Kubernetes API.
#[derive(Clone)]
pub enum Connection {
    /// The embedded Space API, in-process.
    Embedded(axum::Router),
    /// A kube-rs configuration (server, TLS, the context's credentials).
    Config(Box<kube::Config>),
}

/// A client for `config`, timed for `/metrics`.
fn build(config: kube::Config) -> Result<Client, kube::Error> {
    Ok(kube::client::ClientBuilder::try_from(config)?.with_layer(&latency::LatencyLayer).build())
}

/// A configured Space.
#[derive(Clone)]
pub struct SpaceSpec {
    /// The name the UI and the REST paths use.
    pub name: String,
    /// Where it comes from.
    pub source: Source,
    /// The namespace its objects live in.
    pub namespace: String,
    /// How to reach it.
    pub connection: Connection,
}

/// A Space resolved for one caller: its client carries the right credentials.
#[derive(Clone)]
pub struct Space {
    /// Name.
    pub name: String,
    /// Source.
    pub source: Source,
    /// Namespace.
    pub namespace: String,
    /// The client that reaches it.
    pub client: Client,
    /// Who is asking (for caches that must not mix callers).
    pub caller: String,
}

impl Space {
    /// The EgressPoints of this Space, through its client.
    pub fn egresspoints(&self) -> Api<DynamicObject> {
        Api::namespaced_with(self.client.clone(), &self.namespace, &egresspoint_resource())
    }
}

/// The kube-rs resource of EgressPoints.
pub fn egresspoint_resource() -> ApiResource {
    ApiResource {
        group: egress_rules::GROUP.into(),
        version: egress_rules::VERSION.into(),
        api_version: egress_rules::API_VERSION.into(),
        kind: egress_rules::KIND.into(),
        plural: "egresspoints".into(),
    }
}

/// Whether a Space answered: nothing, or why not (shared by every caller of the cache).
pub type Reach = Result<(), Arc<CatalogError>>;

/// An access answer and when it was asked.
type AccessAnswer = (Instant, egress_api::Access);

/// A reachability check and when it was made.
type Checked = (Instant, Reach);

/// How long a reachability check is reused.
const REACH_TTL: Duration = Duration::from_secs(5);
/// Most (Space, caller) answers the reachability cache holds.
pub const REACH_ENTRIES: usize = 4096;

/// A source whose Spaces are the namespaces of one cluster, listed when asked (optionally
/// only those matching a label selector).
#[derive(Clone)]
pub struct NamespaceSource {
    /// Embedded or Kubeconfig.
    pub source: Source,
    /// The cluster.
    pub connection: Connection,
    /// `team=a,tier!=test`; None lists every namespace.
    pub selector: Option<String>,
}

/// The Spaces on offer. Cheap to clone.
#[derive(Clone)]
pub struct Catalog {
    dynamic: Arc<Vec<NamespaceSource>>,
    fixed: Arc<Vec<SpaceSpec>>,
    /// Local mode: one client per Space, built once.
    clients: Arc<Mutex<HashMap<String, Client>>>,
    reach: Arc<Mutex<HashMap<(String, String), Checked>>>,
    /// Access answers by (Space, caller), with when they were asked.
    access: Arc<Mutex<HashMap<(String, String), AccessAnswer>>>,
}

impl Catalog {
    /// A catalog of the embedded Space API's namespaces (when given) plus fixed Spaces.
    pub fn new(embedded: Option<axum::Router>, fixed: Vec<SpaceSpec>) -> Catalog {
        let dynamic = embedded
            .into_iter()
            .map(|router| NamespaceSource {
                source: Source::Embedded,
                connection: Connection::Embedded(router),
                selector: None,
            })
            .collect();
        Self::with_sources(dynamic, fixed)
    }

    /// A catalog of namespace sources plus fixed Spaces.
    pub fn with_sources(dynamic: Vec<NamespaceSource>, fixed: Vec<SpaceSpec>) -> Catalog {
        Catalog {
            dynamic: Arc::new(dynamic),
            fixed: Arc::new(fixed),
            clients: Arc::default(),
            reach: Arc::default(),
            access: Arc::default(),
        }
    }

    fn client(&self, key: &str, connection: &Connection, caller: &Caller) -> CatalogResult<Client> {
        let unusable = |source| CatalogError::Client { space: key.to_owned(), source };
        let Some(token) = &caller.token else {
            let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(client) = clients.get(key) {
                return Ok(client.clone());
            }
            let client = match connection {
                Connection::Embedded(router) => {
                    Client::new(latency::LatencyLayer.layer(router.clone()), "default")
                }
                Connection::Config(config) => build((**config).clone()).map_err(unusable)?,
            };
            clients.insert(key.to_owned(), client.clone());
            return Ok(client);
        };
        match connection {
            Connection::Embedded(router) => {
                let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
                    .map_err(|_| CatalogError::UnusableToken)?;
                let service = tower::ServiceBuilder::new()
                    .layer(latency::LatencyLayer)
                    .layer(SetRequestHeaderLayer::overriding(header::AUTHORIZATION, bearer))
                    .service(router.clone());
                Ok(Client::new(service, "default"))
            }
            Connection::Config(config) => {
                let mut config = (**config).clone();
                // The caller's token replaces whatever credentials the context had.
                config.auth_info = kube::config::AuthInfo {
                    token: Some(token.clone().into()),
                    ..Default::default()
                };
                build(config).map_err(unusable)
            }
        }
    }

    fn resolve(&self, spec: &SpaceSpec, caller: &Caller) -> CatalogResult<Space> {
        Ok(Space {
            name: spec.name.clone(),
            source: spec.source,
            namespace: spec.namespace.clone(),
            client: self.client(&spec.name, &spec.connection, caller)?,
            caller: caller.fingerprint(),
        })
    }

    /// Namespaces of a source (matching its selector), as Space specs.
    async fn namespaces(
        &self,
        index: usize,
        source: &NamespaceSource,
        caller: &Caller,
        name: Option<&str>,
    ) -> CatalogResult<Vec<SpaceSpec>> {
        let client = self.client(&format!("<namespaces {index}>"), &source.connection, caller)?;
        let namespaces: Api<Namespace> = Api::all(client);
        let mut params = ListParams::default();
        if let Some(selector) = &source.selector {
            params = params.labels(selector);
        }
        if let Some(name) = name {
            params = params.fields(&format!("metadata.name={name}"));
        }
        let list = match namespaces.list(&params).await {
            Ok(list) => list,
            // A user who may not list namespaces still sees the configured Spaces.
            Err(kube::Error::Api(s)) if s.is_forbidden() => return Ok(Vec::new()),
            Err(source) => {
                return Err(CatalogError::Kubernetes { space: "namespaces".into(), source });
            }
        };
        Ok(list
            .items
            .into_iter()
            .map(|ns| {
                let namespace = ns.metadata.name.unwrap_or_default();
                SpaceSpec {
                    name: namespace.clone(),
                    source: source.source,
                    namespace,
                    connection: source.connection.clone(),
                }
            })
            .collect())
    }

    /// Every Space the caller may see: the configured ones, then the namespaces of each
    /// namespace source (when the caller may list them).
    pub async fn spaces(&self, caller: &Caller) -> CatalogResult<Vec<Space>> {
        let mut spaces = Vec::new();
        for spec in self.fixed.iter() {
            spaces.push(self.resolve(spec, caller)?);
        }
        for (index, source) in self.dynamic.iter().enumerate() {
            for spec in self.namespaces(index, source, caller, None).await? {
                if !spaces.iter().any(|s| s.name == spec.name) {
                    spaces.push(self.resolve(&spec, caller)?);
                }
            }
        }
        Ok(spaces)
    }

    /// One Space by name.
    pub async fn get(&self, name: &str, caller: &Caller) -> CatalogResult<Space> {
        if let Some(spec) = self.fixed.iter().find(|s| s.name == name) {
            return self.resolve(spec, caller);
        }
        // Namespace names are DNS-1123 labels: anything else cannot be one of them.
        let could_be_namespace = egress_rules::names::check_label(name).is_ok();
        for (index, source) in self.dynamic.iter().enumerate().filter(|_| could_be_namespace) {
            let found = if source.selector.is_some() {
                self.namespaces(index, source, caller, Some(name)).await?.into_iter().next()
            } else {
                // A plain get, which users allowed in one namespace may do even when they may
                // not list namespaces.
                let client =
                    self.client(&format!("<namespaces {index}>"), &source.connection, caller)?;
                match Api::<Namespace>::all(client).get_opt(name).await {
                    Ok(Some(_)) => Some(SpaceSpec {
                        name: name.to_owned(),
                        source: source.source,
                        namespace: name.to_owned(),
                        connection: source.connection.clone(),
                    }),
                    Ok(None) => None,
                    Err(source) => {
                        return Err(CatalogError::Kubernetes { space: name.to_owned(), source });
                    }
                }
            };
            if let Some(spec) = found {
                return self.resolve(&spec, caller);
            }
        }
        Err(CatalogError::UnknownSpace(name.to_owned()))
    }

    /// Each Space with whether it answers; checked with the caller's own credentials and
    /// cached briefly. An unreachable Space is data here, not a failed request.
    pub async fn infos(&self, caller: &Caller) -> CatalogResult<Vec<(Space, Reach)>> {
        self.infos_with(caller, |_| false).await
    }

    /// [`Catalog::infos`], taking `answers(space)` as proof that a Space answers.
    pub async fn infos_with(
        &self,
        caller: &Caller,
        answers: impl Fn(&Space) -> bool,
    ) -> CatalogResult<Vec<(Space, Reach)>> {
        let spaces = self.spaces(caller).await?;
        let checks = spaces.iter().map(|space| {
            let known = answers(space);
            async move { if known { Ok(()) } else { self.reachable(space).await } }
        });
        let results = futures_util::future::join_all(checks).await;
        Ok(spaces.into_iter().zip(results).collect())
    }

    async fn reachable(&self, space: &Space) -> Reach {
        let key = (space.name.clone(), space.caller.clone());
        if let Some((at, result)) = self.reach.lock().unwrap_or_else(|e| e.into_inner()).get(&key)
            && at.elapsed() < REACH_TTL
        {
            return result.clone();
        }
        let api = space.egresspoints();
        let result = match tokio::time::timeout(
            Duration::from_secs(3),
            api.list(&ListParams::default().limit(1)),
        )
        .await
        {
            Ok(Ok(_)) => Ok(()),
            // It answered: the caller may not read there, which the access column says.
            Ok(Err(kube::Error::Api(status))) if status.is_forbidden() => Ok(()),
            Ok(Err(source)) => {
                Err(Arc::new(CatalogError::Kubernetes { space: space.name.clone(), source }))
            }
            Err(_) => {
                Err(Arc::new(CatalogError::Timeout { space: space.name.clone(), seconds: 3 }))
            }
        };
        let mut reach = self.reach.lock().unwrap_or_else(|e| e.into_inner());
        // In token mode every bearer string is a caller: expired answers are dropped and
        // the cache never holds more than `REACH_ENTRIES`, however many tokens are tried.
        if reach.len() >= REACH_ENTRIES {
            reach.retain(|_, (at, _)| at.elapsed() < REACH_TTL);
            if reach.len() >= REACH_ENTRIES {
                reach.clear();
            }
        }
        reach.insert(key, (Instant::now(), result.clone()));
        result
    }

    /// Answers held in the reachability cache (for tests of its bound).
    pub fn cached_answers(&self) -> usize {
        self.reach.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}
