//! The Space catalog: which Spaces the console offers, and a Kubernetes client for each.
//! A Space is a name, a kube-rs client and a namespace. Sources: the embedded Space API (its
//! namespaces), and kubeconfig contexts (each context with its namespace).

use crate::api::error::{ApiError, ApiResult};
use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, ListParams};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where a Space comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A namespace of the embedded Space API.
    Embedded,
    /// A kubeconfig context.
    Kubeconfig,
}

/// One Space: where its EgressPoints live.
#[derive(Clone)]
pub struct Space {
    /// The name the UI and the REST paths use.
    pub name: String,
    /// Where it comes from.
    pub source: Source,
    /// The namespace its objects live in.
    pub namespace: String,
    /// The client that reaches it.
    pub client: Client,
}

/// What `GET /api/v1/spaces` says about a Space.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpaceInfo {
    /// Name.
    pub name: String,
    /// Source.
    pub source: Source,
    /// Namespace.
    pub namespace: String,
    /// Whether its Kubernetes API answered (and allowed listing EgressPoints).
    pub reachable: bool,
    /// Why not, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A reachability check and when it was made.
type Checked = (Instant, Result<(), String>);

/// How long a reachability check is reused.
const REACH_TTL: Duration = Duration::from_secs(5);

/// The Spaces on offer. Cheap to clone.
#[derive(Clone)]
pub struct Catalog {
    embedded: Option<Client>,
    fixed: Arc<Vec<Space>>,
    reach: Arc<Mutex<HashMap<String, Checked>>>,
}

impl Catalog {
    /// A catalog of the embedded Space API's namespaces plus fixed Spaces.
    pub fn new(embedded: Option<Client>, fixed: Vec<Space>) -> Catalog {
        Catalog { embedded, fixed: Arc::new(fixed), reach: Arc::default() }
    }

    /// Every Space, the embedded ones listed fresh.
    pub async fn spaces(&self) -> ApiResult<Vec<Space>> {
        let mut spaces = Vec::new();
        if let Some(client) = &self.embedded {
            let namespaces: Api<Namespace> = Api::all(client.clone());
            let list = namespaces
                .list(&ListParams::default())
                .await
                .map_err(|e| ApiError::from_kube(e, "embedded"))?;
            for ns in list.items {
                let name = ns.metadata.name.unwrap_or_default();
                spaces.push(Space {
                    name: name.clone(),
                    source: Source::Embedded,
                    namespace: name,
                    client: client.clone(),
                });
            }
        }
        spaces.extend(self.fixed.iter().cloned());
        Ok(spaces)
    }

    /// One Space by name.
    pub async fn get(&self, name: &str) -> ApiResult<Space> {
        if let Some(space) = self.fixed.iter().find(|s| s.name == name) {
            return Ok(space.clone());
        }
        if let Some(client) = &self.embedded {
            let namespaces: Api<Namespace> = Api::all(client.clone());
            match namespaces.get_opt(name).await {
                Ok(Some(_)) => {
                    return Ok(Space {
                        name: name.to_owned(),
                        source: Source::Embedded,
                        namespace: name.to_owned(),
                        client: client.clone(),
                    });
                }
                Ok(None) => {}
                Err(e) => return Err(ApiError::from_kube(e, name)),
            }
        }
        Err(ApiError::unknown_space(name))
    }

    /// Each Space with whether it answers; checked with the Space's own credentials and
    /// cached briefly. An unreachable Space is data here, not a failed request.
    pub async fn infos(&self) -> ApiResult<Vec<SpaceInfo>> {
        let spaces = self.spaces().await?;
        let checks = spaces.iter().map(|space| self.reachable(space));
        let results = futures_util::future::join_all(checks).await;
        Ok(spaces
            .into_iter()
            .zip(results)
            .map(|(space, result)| SpaceInfo {
                name: space.name,
                source: space.source,
                namespace: space.namespace,
                reachable: result.is_ok(),
                error: result.err(),
            })
            .collect())
    }

    async fn reachable(&self, space: &Space) -> Result<(), String> {
        if let Some((at, result)) =
            self.reach.lock().unwrap_or_else(|e| e.into_inner()).get(&space.name)
            && at.elapsed() < REACH_TTL
        {
            return result.clone();
        }
        let api = crate::api::egresspoints::api(space);
        let result = match tokio::time::timeout(
            Duration::from_secs(3),
            api.list(&ListParams::default().limit(1)),
        )
        .await
        {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(ApiError::from_kube(e, &space.name).detail),
            Err(_) => Err(format!(
                "the Kubernetes API of Space \"{}\" did not answer within 3 s",
                space.name
            )),
        };
        self.reach
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(space.name.clone(), (Instant::now(), result.clone()));
        result
    }
}
