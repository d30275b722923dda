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
};

/// Deployments, stored as they are (no controller runs them).
pub static DEPLOYMENTS: ResourceType = ResourceType {
    group: "apps",
    version: "v1",
    plural: "deployments",
    singular: "deployment",
    kind: "Deployment",
    short_names: &["deploy"],
    namespaced: true,
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
};

/// Every served resource type.
pub static ALL: [&ResourceType; 4] = [&NAMESPACES, &EGRESSPOINTS, &DEPLOYMENTS, &CONTAINERAPPS];

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
