//! Where the Spaces come from: flags and an optional TOML file (`--config`), combined.
//!
//! ```toml
//! embedded = true                     # also the embedded Space API
//! data_dir = "/var/lib/egress-console"
//!
//! [[kubeconfig]]                      # each context (with its namespace) is a Space…
//! path = "/home/me/.kube/config"
//! contexts = ["dev", "prod"]
//! namespace_selector = "team=a"       # …or: every namespace matching this selector
//!
//! [in_cluster]
//! namespaces = ["team-a"]
//!
//! [tanzu]
//! project = "https://tanzu.example.com/org/acme/project/shop"
//! spaces = ["storefront", "checkout"]
//! token_file = "/run/secrets/tanzu-token"
//! ```

use crate::cli::SourceArgs;
use crate::spaces::{Catalog, Connection, NamespaceSource, Source, SpaceSpec};
use crate::{Error, Result};
use egress_apiserver::{Options, SpaceApi, demo};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde::Deserialize;
use std::path::PathBuf;

/// Every source, as the TOML file writes them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesConfig {
    /// Include the embedded Space API even when other sources are given.
    #[serde(default)]
    pub embedded: bool,
    /// The embedded Space API's data directory.
    pub data_dir: Option<PathBuf>,
    /// Kubeconfig files and their contexts.
    #[serde(default)]
    pub kubeconfig: Vec<KubeconfigSource>,
    /// The cluster this runs in.
    pub in_cluster: Option<InClusterSource>,
    /// A Tanzu Platform project.
    pub tanzu: Option<TanzuSource>,
}

/// `[[kubeconfig]]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubeconfigSource {
    /// The file; default $KUBECONFIG, else ~/.kube/config.
    pub path: Option<PathBuf>,
    /// Contexts; none = the current one.
    #[serde(default)]
    pub contexts: Vec<String>,
    /// List the namespaces matching this selector instead of using the context's one.
    pub namespace_selector: Option<String>,
}

/// `[in_cluster]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InClusterSource {
    /// Namespaces offered as Spaces.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Or every namespace matching this selector.
    pub namespace_selector: Option<String>,
}

/// `[tanzu]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TanzuSource {
    /// `https://HOST/org/ORG/project/PROJECT`.
    pub project: String,
    /// The project's Spaces to offer.
    pub spaces: Vec<String>,
    /// Bearer token for local mode.
    pub token_file: Option<PathBuf>,
}

impl SourcesConfig {
    /// The file (if any) plus the flags; `namespaces` are the in-cluster Spaces
    /// (`serve --namespace`).
    pub fn from_args(args: &SourceArgs, namespaces: &[String]) -> Result<SourcesConfig> {
        let mut config = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| Error::Read { path: path.display().to_string(), source })?;
                toml::from_str(&text)
                    .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?
            }
            None => SourcesConfig::default(),
        };
        config.embedded |= args.embedded;
        if args.data_dir.is_some() {
            config.data_dir.clone_from(&args.data_dir);
        }
        if args.in_cluster {
            config.in_cluster = Some(InClusterSource {
                namespaces: namespaces.to_vec(),
                namespace_selector: args.namespace_selector.clone(),
            });
        } else if args.kubeconfig.is_some()
            || !args.context.is_empty()
            || args.namespace_selector.is_some()
        {
            config.kubeconfig.push(KubeconfigSource {
                path: args.kubeconfig.clone(),
                contexts: args.context.clone(),
                namespace_selector: args.namespace_selector.clone(),
            });
        }
        if let Some(project) = &args.tanzu_project {
            config.tanzu = Some(TanzuSource {
                project: project.clone(),
                spaces: args.tanzu_space.clone(),
                token_file: args.tanzu_token_file.clone(),
            });
        }
        Ok(config)
    }

    fn has_cluster_sources(&self) -> bool {
        !self.kubeconfig.is_empty() || self.in_cluster.is_some() || self.tanzu.is_some()
    }
}

/// The catalog of every source; the embedded Space API when no other source is given.
pub async fn catalog(config: &SourcesConfig) -> Result<Catalog> {
    let mut fixed = Vec::new();
    let mut dynamic = Vec::new();
    for source in &config.kubeconfig {
        kubeconfig_spaces(source, &mut fixed, &mut dynamic).await?;
    }
    if let Some(source) = &config.in_cluster {
        let cluster = kube::Config::incluster()
            .map_err(|e| Error::Kubeconfig(format!("in-cluster configuration: {e}")))?;
        if source.namespaces.is_empty() && source.namespace_selector.is_none() {
            return Err(Error::Config(
                "in-cluster: give --namespace NS or --namespace-selector".into(),
            ));
        }
        for ns in &source.namespaces {
            fixed.push(SpaceSpec {
                name: ns.clone(),
                source: Source::Kubeconfig,
                namespace: ns.clone(),
                connection: Connection::Config(Box::new(cluster.clone())),
            });
        }
        if let Some(selector) = &source.namespace_selector {
            let connection = Connection::Config(Box::new(cluster));
            dynamic.push(NamespaceSource {
                source: Source::Kubeconfig,
                connection,
                selector: Some(selector.clone()),
            });
        }
    }
    if let Some(tanzu) = &config.tanzu {
        tanzu_spaces(tanzu, &mut fixed)?;
    }
    if config.embedded || !config.has_cluster_sources() {
        let data_dir = config.data_dir.clone().unwrap_or_else(crate::space_api::default_data_dir);
        let first_start = !data_dir.join("space-api.redb").exists();
        let api = SpaceApi::open(&data_dir, Options::default())?;
        if first_start {
            let created = demo::seed(&api).await?;
            tracing::info!(created, data = %data_dir.display(), "first start: demo Spaces added");
        }
        dynamic.push(NamespaceSource {
            source: Source::Embedded,
            connection: Connection::Embedded(api.router()),
            selector: None,
        });
    }
    Ok(Catalog::with_sources(dynamic, fixed))
}

async fn kubeconfig_spaces(
    source: &KubeconfigSource,
    fixed: &mut Vec<SpaceSpec>,
    dynamic: &mut Vec<NamespaceSource>,
) -> Result<()> {
    let path = source.path.clone().or_else(|| std::env::var_os("KUBECONFIG").map(PathBuf::from));
    let kubeconfig = match &path {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    }
    .map_err(|e| Error::Kubeconfig(e.to_string()))?;
    let contexts: Vec<String> = if source.contexts.is_empty() {
        let current = kubeconfig.current_context.clone().ok_or_else(|| {
            Error::Kubeconfig("the kubeconfig has no current-context: pass --context NAME".into())
        })?;
        vec![current]
    } else {
        source.contexts.clone()
    };
    for context in contexts {
        let options =
            KubeConfigOptions { context: Some(context.clone()), ..KubeConfigOptions::default() };
        let config = kube::Config::from_custom_kubeconfig(kubeconfig.clone(), &options)
            .await
            .map_err(|e| Error::Kubeconfig(format!("context \"{context}\": {e}")))?;
        let namespace = config.default_namespace.clone();
        let connection = Connection::Config(Box::new(config));
        match &source.namespace_selector {
            Some(selector) => dynamic.push(NamespaceSource {
                source: Source::Kubeconfig,
                connection,
                selector: Some(selector.clone()),
            }),
            None => fixed.push(SpaceSpec {
                name: context,
                source: Source::Kubeconfig,
                namespace,
                connection,
            }),
        }
    }
    Ok(())
}

/// One Space per `{project}/space/{space}` endpoint, namespace `default`.
fn tanzu_spaces(tanzu: &TanzuSource, fixed: &mut Vec<SpaceSpec>) -> Result<()> {
    let project = tanzu.project.trim_end_matches('/');
    if !project.contains("/org/") || !project.contains("/project/") {
        return Err(Error::Config(format!(
            "tanzu project \"{project}\" is not a project URL like https://HOST/org/ORG/project/PROJECT"
        )));
    }
    let token = match &tanzu.token_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|source| Error::Read { path: path.display().to_string(), source })?
                .trim()
                .to_owned(),
        ),
        None => None,
    };
    for space in &tanzu.spaces {
        let url = format!("{project}/space/{space}");
        let uri = url.parse().map_err(|e| Error::Config(format!("tanzu space URL {url}: {e}")))?;
        let mut config = kube::Config::new(uri);
        config.default_namespace = "default".into();
        if let Some(token) = &token {
            config.auth_info.token = Some(token.clone().into());
        }
        fixed.push(SpaceSpec {
            name: space.clone(),
            source: Source::Tanzu,
            namespace: "default".into(),
            connection: Connection::Config(Box::new(config)),
        });
    }
    Ok(())
}
