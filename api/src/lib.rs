//! The contract between `egress-console serve` and its clients (the Leptos frontend, the
//! tests): every REST answer and SSE message as a type, defined once, so that the compiler
//! — not an end-to-end test — notices when the two sides drift. Serde only, no I/O; builds
//! for wasm.

pub mod events;
mod problem;

pub use problem::Problem;

use egress_rules::{Diagnostic, Rule, WorkloadRef};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a Space comes from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A namespace of the embedded Space API.
    Embedded,
    /// A kubeconfig context (or the cluster the console runs in).
    Kubeconfig,
    /// A Space endpoint of a Tanzu Platform project.
    Tanzu,
}

impl Source {
    /// The lowercase word, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Embedded => "embedded",
            Source::Kubeconfig => "kubeconfig",
            Source::Tanzu => "tanzu",
        }
    }
}

/// One Space as `GET /api/v1/spaces` lists it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpaceInfo {
    /// The name the UI and the REST paths use.
    pub name: String,
    /// Where it comes from.
    pub source: Source,
    /// The namespace its objects live in.
    #[serde(default)]
    pub namespace: String,
    /// Whether its Kubernetes API answered (and allowed listing EgressPoints).
    pub reachable: bool,
    /// Why not, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `GET /api/v1/spaces/{space}/egresspoints`: the EgressPoints as Kubernetes returns them,
/// and the list's resourceVersion.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EgressPointList {
    /// The list's resourceVersion.
    #[serde(default)]
    pub resource_version: String,
    /// The EgressPoints.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub items: Vec<Value>,
}

/// `GET /api/v1/spaces/{space}/rules`: one row per host+port+protocol.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesList {
    /// The EgressPoint list's resourceVersion.
    pub resource_version: String,
    /// The rows.
    pub rules: Vec<Rule>,
}

/// `POST /api/v1/validate`: what the rules say about a posted EgressPoint.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// False when any diagnostic is an error.
    pub valid: bool,
    /// Everything the rules found.
    pub diagnostics: Vec<Diagnostic>,
}

/// `Kind/name`: how the `workload=` parameter of `/reachability` and the UI's pickers name a
/// workload of the Space.
pub fn workload_key(kind: &str, name: &str) -> String {
    format!("{kind}/{name}")
}

/// The workload a [`workload_key`] names: `Deployment/NAME` or `ContainerApp/NAME`.
pub fn parse_workload_key(key: &str) -> Option<WorkloadRef> {
    match key.split_once('/')? {
        ("Deployment", name) if !name.is_empty() => Some(WorkloadRef::deployment(name)),
        ("ContainerApp", name) if !name.is_empty() => Some(WorkloadRef::container_app(name)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn space_infos_read_back_as_written() {
        let info = SpaceInfo {
            name: "storefront".into(),
            source: Source::Embedded,
            namespace: "storefront".into(),
            reachable: false,
            error: Some("forbidden".into()),
        };
        let value = serde_json::to_value(&info).unwrap();
        assert_eq!(value["source"], "embedded");
        assert_eq!(serde_json::from_value::<SpaceInfo>(value).unwrap(), info);
        let list: EgressPointList =
            serde_json::from_value(json!({"resourceVersion": "7", "items": [{}]})).unwrap();
        assert_eq!(list.resource_version, "7");
    }

    #[test]
    fn workload_keys_read_back_as_written() {
        let key = workload_key("Deployment", "web");
        assert_eq!(parse_workload_key(&key), Some(WorkloadRef::deployment("web")));
        for bad in ["web", "Pod/web", "Deployment/", ""] {
            assert_eq!(parse_workload_key(bad), None, "{bad}");
        }
    }
}
