//! The EgressPoint resource, with field names exactly as on the reference page.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// API group of EgressPoints.
pub const GROUP: &str = "networking.tanzu.vmware.com";
/// API version of EgressPoints.
pub const VERSION: &str = "v1alpha1";
/// `apiVersion` of EgressPoints.
pub const API_VERSION: &str = "networking.tanzu.vmware.com/v1alpha1";
/// `kind` of EgressPoints.
pub const KIND: &str = "EgressPoint";

/// An EgressPoint: egress rules for a whole Space, or for one workload of it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EgressPoint {
    /// `networking.tanzu.vmware.com/v1alpha1`.
    pub api_version: String,
    /// `EgressPoint`.
    pub kind: String,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The egress rules.
    #[serde(default)]
    pub spec: EgressPointSpec,
    /// Whatever status the platform reports; kept as it is, never validated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

impl EgressPoint {
    /// A new EgressPoint with the right `apiVersion` and `kind` and the given name.
    pub fn new(name: impl Into<String>) -> Self {
        EgressPoint {
            api_version: API_VERSION.to_owned(),
            kind: KIND.to_owned(),
            metadata: ObjectMeta { name: Some(name.into()), ..ObjectMeta::default() },
            ..EgressPoint::default()
        }
    }

    /// The same EgressPoint with one more target (builder for forms and tests).
    pub fn with_target(mut self, hosts: &[&str], port: i64, protocol: &str) -> Self {
        self.spec.targets.push(Target {
            hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
            port: Port { number: Some(port), protocol: protocol.to_owned() },
        });
        self
    }

    /// The same EgressPoint applying only to the workload `kind.api_group/name`.
    pub fn with_source_ref(mut self, kind: &str, api_group: &str, name: &str) -> Self {
        self.spec.source_ref = Some(SourceRef {
            api_group: api_group.to_owned(),
            kind: kind.to_owned(),
            name: name.to_owned(),
        });
        self
    }

    /// The same EgressPoint in namespace `namespace`.
    pub fn in_namespace(mut self, namespace: &str) -> Self {
        self.metadata.namespace = Some(namespace.to_owned());
        self
    }

    /// `metadata.name`, or "" when it has none yet.
    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or("")
    }

    /// Whom the rules apply to: the whole Space, or the workload of `spec.sourceRef`.
    pub fn applies_to(&self) -> AppliesTo {
        match &self.spec.source_ref {
            None => AppliesTo::Space,
            Some(source) => AppliesTo::Workload(WorkloadRef {
                api_group: source.api_group.clone(),
                kind: source.kind.clone(),
                name: source.name.clone(),
            }),
        }
    }
}

/// The subset of Kubernetes ObjectMeta that EgressPoints carry. Every field is optional so
/// that an object read back from a cluster serializes exactly as it came.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // the fields are Kubernetes' own ObjectMeta fields
pub struct ObjectMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalizers: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_references: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_fields: Option<Vec<Value>>,
}

impl ObjectMeta {
    /// The JSON names of every field, for unknown-field detection.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "generateName",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "finalizers",
        "ownerReferences",
        "managedFields",
    ];
}

/// `spec` of an EgressPoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EgressPointSpec {
    /// The workload the rules apply to; none means the whole Space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<SourceRef>,
    /// Hosts and the port and protocol to reach them on.
    #[serde(default)]
    pub targets: Vec<Target>,
}

/// `spec.sourceRef`: the workload that the rules apply to. Missing fields are "".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRef {
    /// `apps.tanzu.vmware.com` or `apps`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_group: String,
    /// `ContainerApp` or `Deployment`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// The workload's name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

/// One entry of `spec.targets`: hosts reachable on one port with one protocol.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// Host names or IP addresses.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Port and protocol.
    #[serde(default)]
    pub port: Port,
}

/// `spec.targets[].port`. The number is kept as written (even out of range) and the
/// protocol as a string, so that a wrong value is reported, never silently dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Port {
    /// 1–65535.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    /// `HTTP`, `HTTPS`, `TCP` or `TLS`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub protocol: String,
}

/// The protocols an EgressPoint target may use.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Protocol {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
    /// Any TCP connection; also permits HTTP, HTTPS and TLS.
    Tcp,
    /// TLS (client speaks first).
    Tls,
}

impl Protocol {
    /// All protocols, in the order the reference page lists them.
    pub const ALL: [Protocol; 4] = [Protocol::Http, Protocol::Https, Protocol::Tcp, Protocol::Tls];

    /// The exact spelling the API accepts.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::Https => "HTTPS",
            Protocol::Tcp => "TCP",
            Protocol::Tls => "TLS",
        }
    }

    /// Parses the exact spelling only (`HTTPS`, not `https`), as the API does.
    pub fn parse(text: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// True when a rule with `self` lets traffic of `wanted` through: the reference page says
    /// TCP permits HTTP, HTTPS and TLS "because the TCP protocol is used underneath them".
    pub fn permits(self, wanted: Protocol) -> bool {
        self == wanted || self == Protocol::Tcp
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A workload that `sourceRef` can name.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadRef {
    /// `apps.tanzu.vmware.com` or `apps`.
    pub api_group: String,
    /// `ContainerApp` or `Deployment`.
    pub kind: String,
    /// The workload's name.
    pub name: String,
}

impl WorkloadRef {
    /// A Deployment (`Deployment.apps`).
    pub fn deployment(name: impl Into<String>) -> Self {
        WorkloadRef { api_group: "apps".into(), kind: "Deployment".into(), name: name.into() }
    }

    /// A ContainerApp (`ContainerApp.apps.tanzu.vmware.com`).
    pub fn container_app(name: impl Into<String>) -> Self {
        WorkloadRef {
            api_group: "apps.tanzu.vmware.com".into(),
            kind: "ContainerApp".into(),
            name: name.into(),
        }
    }
}

impl WorkloadRef {
    /// How the UI writes a workload, everywhere: "checkout (Deployment)".
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.kind)
    }
}

impl fmt::Display for WorkloadRef {
    /// `Deployment.apps/my-app`, as kubectl names objects.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}/{}", self.kind, self.api_group, self.name)
    }
}

/// Whom an EgressPoint's rules apply to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AppliesTo {
    /// Every workload of the Space (no `sourceRef`).
    Space,
    /// Only this workload.
    Workload(WorkloadRef),
}

impl AppliesTo {
    /// True when rules that apply to `self` also apply to everything `other` applies to.
    pub fn covers(&self, other: &AppliesTo) -> bool {
        match (self, other) {
            (AppliesTo::Space, _) => true,
            (AppliesTo::Workload(_), AppliesTo::Space) => false,
            (AppliesTo::Workload(a), AppliesTo::Workload(b)) => a == b,
        }
    }

    /// True when rules that apply to `self` reach `workload`.
    pub fn includes(&self, workload: &WorkloadRef) -> bool {
        match self {
            AppliesTo::Space => true,
            AppliesTo::Workload(w) => w == workload,
        }
    }
}

impl fmt::Display for AppliesTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppliesTo::Space => f.write_str("every workload"),
            AppliesTo::Workload(w) => w.fmt(f),
        }
    }
}

/// Metadata the API server sets and people do not write: never part of what `kubectl apply`
/// would send, of a form, or of a comparison between two versions. The one list of them.
pub const SERVER_SET_METADATA: [&str; 8] = [
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "managedFields",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
];

/// The non-empty `metadata.resourceVersion` of an object: the version a replace must name.
pub fn resource_version(object: &Value) -> Option<&str> {
    object.get("metadata")?.get("resourceVersion")?.as_str().filter(|v| !v.is_empty())
}

/// `metadata.creationTimestamp`, as the server set it (RFC 3339).
pub fn created_at(object: &Value) -> Option<&str> {
    object.get("metadata")?.get("creationTimestamp")?.as_str()
}

/// Sets `metadata.resourceVersion` (an object without `metadata` gets one).
pub fn set_resource_version(object: &mut Value, version: &str) {
    if let Some(map) = object.as_object_mut() {
        let meta = map.entry("metadata").or_insert_with(|| Value::Object(Default::default()));
        if let Some(meta) = meta.as_object_mut() {
            meta.insert("resourceVersion".into(), version.into());
        }
    }
}

/// Drops `metadata.managedFields`, as `kubectl get -o yaml` does unless asked to show them.
pub fn hide_managed_fields(object: &mut Value) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
}

/// `object` as a person wrote it: without [`SERVER_SET_METADATA`] and without `status`, so
/// that it is what `kubectl apply` would send, and two versions compare by what a person
/// changed.
pub fn as_written(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in SERVER_SET_METADATA {
            meta.remove(key);
        }
    }
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
    }
    object
}

/// The (kind, apiGroup) pairs `sourceRef` may name, per the reference page: "The only
/// supported values for kind.apiGroup are ContainerApp.apps.tanzu.vmware.com and
/// Deployment.apps."
pub const SUPPORTED_SOURCE_KINDS: [(&str, &str); 2] =
    [("ContainerApp", "apps.tanzu.vmware.com"), ("Deployment", "apps")];
