//! The resource types the Space API serves, with what discovery says about each.

/// One served resource type.
#[derive(Debug, PartialEq, Eq)]
pub struct ResourceType {
    /// API group; "" for the core group.
    pub group: &'static str,
    /// Version.
    pub version: &'static str,
    /// Plural lowercase name used in URLs.
    pub plural: &'static str,
    /// Singular lowercase name.
    pub singular: &'static str,
    /// Kind.
    pub kind: &'static str,
    /// `kubectl get egp`.
    pub short_names: &'static [&'static str],
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// In the `all` category (`kubectl get all`), as in kube-apiserver.
    pub in_all: bool,
}

/// A built-in kind the Space API stores as it is sent, so that the kubectl commands that
/// touch it work (`get all`, `cluster-info`, `apply --prune`, `events`); no controller runs
/// it.
const fn stored(
    group: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    short_names: &'static [&'static str],
    namespaced: bool,
    in_all: bool,
) -> ResourceType {
    ResourceType { group, version: "v1", plural, singular, kind, short_names, namespaced, in_all }
}

/// Namespaces: a namespace is a Space.
pub static NAMESPACES: ResourceType = ResourceType {
    group: "",
    version: "v1",
    plural: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    short_names: &["ns"],
    namespaced: false,
    in_all: false,
};

/// EgressPoints.
pub static EGRESSPOINTS: ResourceType = ResourceType {
    group: egress_rules::GROUP,
    version: egress_rules::VERSION,
    plural: "egresspoints",
    singular: "egresspoint",
    kind: egress_rules::KIND,
    short_names: &["egp"],
    namespaced: true,
    in_all: true,
};

/// Deployments: stored as they are, and shown rolled out at once (`status` follows the
/// spec on every write; `kubectl rollout status` and `kubectl scale` work).
pub static DEPLOYMENTS: ResourceType = ResourceType {
    group: "apps",
    version: "v1",
    plural: "deployments",
    singular: "deployment",
    kind: "Deployment",
    short_names: &["deploy"],
    namespaced: true,
    in_all: true,
};

/// Tanzu ContainerApps, stored as they are.
pub static CONTAINERAPPS: ResourceType = ResourceType {
    group: "apps.tanzu.vmware.com",
    version: "v1",
    plural: "containerapps",
    singular: "containerapp",
    kind: "ContainerApp",
    short_names: &["capp"],
    namespaced: true,
    in_all: true,
};

/// ConfigMaps (workloads reference them).
pub static CONFIGMAPS: ResourceType =
    stored("", "configmaps", "configmap", "ConfigMap", &["cm"], true, false);

/// The other built-in kinds, stored as sent.
static SERVICES: ResourceType = stored("", "services", "service", "Service", &["svc"], true, true);
static PODS: ResourceType = stored("", "pods", "pod", "Pod", &["po"], true, true);
static EVENTS: ResourceType = stored("", "events", "event", "Event", &["ev"], true, false);
static SECRETS: ResourceType = stored("", "secrets", "secret", "Secret", &[], true, false);
static ENDPOINTS: ResourceType =
    stored("", "endpoints", "endpoints", "Endpoints", &["ep"], true, false);
static SERVICE_ACCOUNTS: ResourceType =
    stored("", "serviceaccounts", "serviceaccount", "ServiceAccount", &["sa"], true, false);
static PVCS: ResourceType = stored(
    "",
    "persistentvolumeclaims",
    "persistentvolumeclaim",
    "PersistentVolumeClaim",
    &["pvc"],
    true,
    false,
);
static PVS: ResourceType =
    stored("", "persistentvolumes", "persistentvolume", "PersistentVolume", &["pv"], false, false);
static RCS: ResourceType = stored(
    "",
    "replicationcontrollers",
    "replicationcontroller",
    "ReplicationController",
    &["rc"],
    true,
    true,
);
static REPLICASETS: ResourceType =
    stored("apps", "replicasets", "replicaset", "ReplicaSet", &["rs"], true, true);
static STATEFULSETS: ResourceType =
    stored("apps", "statefulsets", "statefulset", "StatefulSet", &["sts"], true, true);
static DAEMONSETS: ResourceType =
    stored("apps", "daemonsets", "daemonset", "DaemonSet", &["ds"], true, true);
static JOBS: ResourceType = stored("batch", "jobs", "job", "Job", &[], true, true);
static CRONJOBS: ResourceType =
    stored("batch", "cronjobs", "cronjob", "CronJob", &["cj"], true, true);
static INGRESSES: ResourceType =
    stored("networking.k8s.io", "ingresses", "ingress", "Ingress", &["ing"], true, false);
static EVENTS_V1: ResourceType =
    stored("events.k8s.io", "events", "event", "Event", &["ev"], true, false);

/// Every served resource type.
pub static ALL: [&ResourceType; 21] = [
    &NAMESPACES,
    &EGRESSPOINTS,
    &DEPLOYMENTS,
    &CONTAINERAPPS,
    &CONFIGMAPS,
    &SERVICES,
    &PODS,
    &EVENTS,
    &SECRETS,
    &ENDPOINTS,
    &SERVICE_ACCOUNTS,
    &PVCS,
    &PVS,
    &RCS,
    &REPLICASETS,
    &STATEFULSETS,
    &DAEMONSETS,
    &JOBS,
    &CRONJOBS,
    &INGRESSES,
    &EVENTS_V1,
];

impl ResourceType {
    /// `v1` or `group/version`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_owned()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `egresspoints.networking.tanzu.vmware.com`, as Status messages name resources.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_owned()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `EgressPointList`.
    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }

    /// True for resources defined by a CRD on a real cluster (no strategic merge patch).
    pub fn is_custom(&self) -> bool {
        self.group.ends_with("tanzu.vmware.com")
    }

    /// The type served at `group/version/plural`.
    pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static ResourceType> {
        ALL.iter().copied().find(|r| r.group == group && r.version == version && r.plural == plural)
    }

    /// Every type of one group and version.
    pub fn of_group_version(group: &str, version: &str) -> Vec<&'static ResourceType> {
        ALL.iter().copied().filter(|r| r.group == group && r.version == version).collect()
    }
}
