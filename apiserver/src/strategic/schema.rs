//! The patch strategies of the built-in kinds the Space API serves, as their OpenAPI schema
//! declares them (`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key` in
//! k8s.io/api): which lists merge by which key, which merge as sets, which maps retain only
//! the keys a patch names. A list not named here is replaced whole, as kube-apiserver does
//! for a list without a strategy.

/// How a list is patched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListStrategy {
    /// Replaced by the patch's list.
    Replace,
    /// Items matched by this field and merged; others kept.
    MergeByKey(&'static str),
    /// A set of scalars: the patch's items are added.
    MergeScalars,
}

/// `ObjectMeta` (every kind, and pod templates).
const OBJECT_META: &[(&str, ListStrategy)] = &[
    ("finalizers", ListStrategy::MergeScalars),
    ("ownerReferences", ListStrategy::MergeByKey("uid")),
];

/// `PodSpec`.
const POD_SPEC: &[(&str, ListStrategy)] = &[
    ("containers", ListStrategy::MergeByKey("name")),
    ("initContainers", ListStrategy::MergeByKey("name")),
    ("ephemeralContainers", ListStrategy::MergeByKey("name")),
    ("volumes", ListStrategy::MergeByKey("name")),
    ("imagePullSecrets", ListStrategy::MergeByKey("name")),
    ("hostAliases", ListStrategy::MergeByKey("ip")),
    ("topologySpreadConstraints", ListStrategy::MergeByKey("topologyKey")),
    ("schedulingGates", ListStrategy::MergeByKey("name")),
    ("resourceClaims", ListStrategy::MergeByKey("name")),
];

/// `Container` (and init and ephemeral containers).
const CONTAINER: &[(&str, ListStrategy)] = &[
    ("ports", ListStrategy::MergeByKey("containerPort")),
    ("env", ListStrategy::MergeByKey("name")),
    ("volumeMounts", ListStrategy::MergeByKey("mountPath")),
    ("volumeDevices", ListStrategy::MergeByKey("devicePath")),
];

/// What is at a path of an object of one kind, for the strategies below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// A Deployment, a Namespace: the object itself.
    Root,
    ObjectMeta,
    DeploymentSpec,
    PodTemplate,
    PodSpec,
    Container,
    DeploymentStatus,
    /// Anything else: no strategies below it.
    Other,
}

impl Node {
    /// The node under field `name` of this node.
    pub fn child(self, name: &str) -> Node {
        match (self, name) {
            (Node::Root | Node::PodTemplate, "metadata") => Node::ObjectMeta,
            (Node::Root, "spec") => Node::DeploymentSpec,
            (Node::Root, "status") => Node::DeploymentStatus,
            (Node::DeploymentSpec, "template") => Node::PodTemplate,
            (Node::PodTemplate, "spec") => Node::PodSpec,
            (Node::PodSpec, "containers" | "initContainers" | "ephemeralContainers") => {
                Node::Container
            }
            _ => Node::Other,
        }
    }

    /// The strategy of the list under field `name` of this node.
    pub fn list(self, name: &str) -> ListStrategy {
        let table: &[(&str, ListStrategy)] = match self {
            Node::ObjectMeta => OBJECT_META,
            Node::PodSpec => POD_SPEC,
            Node::Container => CONTAINER,
            Node::DeploymentStatus => &[("conditions", ListStrategy::MergeByKey("type"))],
            _ => &[],
        };
        table.iter().find(|(field, _)| *field == name).map_or(ListStrategy::Replace, |(_, s)| *s)
    }
}
