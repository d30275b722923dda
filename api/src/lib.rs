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

/// `POST /api/v1/spaces/{space}/impact`: what applying (and deleting) some EgressPoints
/// would do to each workload's access, and what the rules say about each of them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImpactReport {
    /// Each workload's gains and losses.
    pub impact: egress_rules::impact::Impact,
    /// The same in words, one line per distinct change.
    pub lines: Vec<String>,
    /// Per EgressPoint applied, what the rules say about it in the Space after the change.
    pub egress_points: Vec<NamedReport>,
}

/// What a workload's configuration says it will connect to
/// (`GET /api/v1/spaces/{space}/workloads/{kind}/{name}/suggestions`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuggestionsReport {
    /// The endpoints found (with where), what was skipped, and what was not read.
    pub reading: egress_rules::suggest::Reading,
    /// For each suggestion, in order: allowed already (by which EgressPoints), new, or
    /// conflicting with an EgressPoint of the Space.
    pub standings: Vec<egress_rules::suggest::Standing>,
    /// The EgressPoint that would allow them all (for this workload), if any is needed.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub egress_point: Option<serde_json::Value>,
}

/// The diagnostics of one named EgressPoint.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedReport {
    /// Its name.
    pub name: String,
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

/// Who the caller is, as the cluster answers a SelfSubjectReview made with the caller's own
/// credentials (`GET /api/v1/whoami`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Whoami {
    /// The user name (`system:anonymous` where nobody signed in).
    pub username: String,
    /// The user's groups.
    pub groups: Vec<String>,
}

/// Something a person may try to do with the EgressPoints of a Space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Read them (list, get, watch).
    Read,
    /// Create one.
    Create,
    /// Change one (update, patch).
    Change,
    /// Delete one.
    Delete,
}

/// What the caller may do in one Space (`GET /api/v1/spaces/{space}/access`), from access
/// reviews made with the caller's own credentials: one answer per verb on EgressPoints, and
/// whether it may read the Space's workloads.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Access {
    /// The Space.
    pub space: String,
    /// May list EgressPoints.
    pub list: bool,
    /// May watch them.
    pub watch: bool,
    /// May get one.
    pub get: bool,
    /// May create one.
    pub create: bool,
    /// May update one.
    pub update: bool,
    /// May patch one.
    pub patch: bool,
    /// May delete one.
    pub delete: bool,
    /// May list Deployments.
    pub read_deployments: bool,
    /// May list ContainerApps.
    pub read_container_apps: bool,
}

impl Access {
    /// True when the action is allowed.
    pub fn allows(&self, action: Action) -> bool {
        match action {
            Action::Read => self.list && self.get,
            Action::Create => self.create,
            Action::Change => self.update && self.patch,
            Action::Delete => self.delete,
        }
    }

    /// In a few words: "can edit", "read only" or "no access" (or what is partly allowed).
    pub fn summary(&self) -> &'static str {
        let writes = [Action::Create, Action::Change, Action::Delete].map(|a| self.allows(a));
        match (self.allows(Action::Read), writes) {
            (true, [true, true, true]) => "can edit",
            (true, [false, false, false]) => "read only",
            (true, _) => "can read, may change some",
            (false, [false, false, false]) => "no access",
            (false, _) => "can write but not read",
        }
    }

    /// Everything refused, in one sentence for a page ("You may read EgressPoints in
    /// storefront but not create, change or delete them."); None when all is allowed.
    pub fn note(&self) -> Option<String> {
        let space = &self.space;
        if !self.allows(Action::Read) {
            return Some(format!("You may not read EgressPoints in {space}."));
        }
        let refused: Vec<&str> =
            [(Action::Create, "create"), (Action::Change, "change"), (Action::Delete, "delete")]
                .into_iter()
                .filter(|(a, _)| !self.allows(*a))
                .map(|(_, word)| word)
                .collect();
        let verbs = match refused.as_slice() {
            [] => return None,
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
        };
        Some(format!("You may read EgressPoints in {space} but not {verbs} them."))
    }

    /// Why `action` is refused, in words for the person ("You may read EgressPoints in
    /// storefront but not create them."); None when it is allowed.
    pub fn refusal(&self, action: Action) -> Option<String> {
        if self.allows(action) {
            return None;
        }
        let space = &self.space;
        let verb = match action {
            Action::Read => return Some(format!("You may not read EgressPoints in {space}.")),
            Action::Create => "create",
            Action::Change => "change",
            Action::Delete => "delete",
        };
        Some(if self.allows(Action::Read) {
            format!("You may read EgressPoints in {space} but not {verb} them.")
        } else {
            format!("You may not {verb} EgressPoints in {space}.")
        })
    }
}

#[cfg(test)]
mod access_tests {
    use super::*;

    #[test]
    fn access_says_what_is_refused_in_words() {
        let reader = Access {
            space: "storefront".into(),
            list: true,
            watch: true,
            get: true,
            ..Access::default()
        };
        assert_eq!(reader.summary(), "read only");
        assert_eq!(
            reader.refusal(Action::Create).as_deref(),
            Some("You may read EgressPoints in storefront but not create them.")
        );
        assert_eq!(reader.refusal(Action::Read), None);
        assert_eq!(
            reader.note().as_deref(),
            Some("You may read EgressPoints in storefront but not create, change or delete them.")
        );
        let nobody = Access { space: "sandbox".into(), ..Access::default() };
        assert_eq!(nobody.summary(), "no access");
        assert_eq!(
            nobody.refusal(Action::Delete).as_deref(),
            Some("You may not delete EgressPoints in sandbox.")
        );
    }
}
