//! What a request asks for, read from its path, like kube-apiserver's RequestInfo.

use crate::resources::{NAMESPACES, ResourceType};
use crate::status::{StatusError, StatusResult};
use std::collections::HashMap;

/// A parsed request path.
#[derive(Debug)]
pub enum Target {
    /// `/version`.
    Version,
    /// `/api`.
    CoreVersions,
    /// `/apis`.
    Groups,
    /// `/apis/{group}`.
    Group(String),
    /// `/api/v1` or `/apis/{group}/{version}`.
    Resources { group: String, version: String },
    /// `/openapi/v3`.
    OpenApiIndex,
    /// `/openapi/v3/api/v1` or `/openapi/v3/apis/{group}/{version}`.
    OpenApi { group: String, version: String },
    /// A resource collection or object.
    Object(ObjectPath),
    /// A review the caller makes about itself (`selfsubjectaccessreviews`…).
    Review(Review),
}

/// The self reviews every authenticated user may create.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Review {
    /// `authorization.k8s.io/v1` `selfsubjectaccessreviews`: may I do this?
    Access,
    /// `authorization.k8s.io/v1` `selfsubjectrulesreviews`: what may I do in a namespace?
    Rules,
    /// `authentication.k8s.io/v1` `selfsubjectreviews`: who am I?
    Subject,
}

impl Review {
    /// Every review, with its group and plural.
    pub const ALL: [(Review, &'static str, &'static str, &'static str); 3] = [
        (
            Review::Access,
            "authorization.k8s.io",
            "selfsubjectaccessreviews",
            "SelfSubjectAccessReview",
        ),
        (
            Review::Rules,
            "authorization.k8s.io",
            "selfsubjectrulesreviews",
            "SelfSubjectRulesReview",
        ),
        (Review::Subject, "authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview"),
    ];
}

/// A path that names a collection (`name` is None) or one object.
#[derive(Clone, Debug)]
pub struct ObjectPath {
    /// The type.
    pub resource: &'static ResourceType,
    /// Namespace from the path; None for cluster-scoped types and all-namespace lists.
    pub namespace: Option<String>,
    /// Object name.
    pub name: Option<String>,
    /// `status`, `scale`, … (not served; answered with 404).
    pub subresource: Option<String>,
}

/// Parses a request path.
pub fn parse(path: &str) -> StatusResult<Target> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').filter(|p| !p.is_empty()).collect();
    let not_found = || StatusError::no_route(path);
    let owned = |s: &str| s.to_owned();
    Ok(match parts.as_slice() {
        ["version"] => Target::Version,
        ["api"] => Target::CoreVersions,
        ["apis"] => Target::Groups,
        ["apis", group] => Target::Group(owned(group)),
        ["api", "v1"] => Target::Resources { group: String::new(), version: "v1".into() },
        ["apis", group, version] => {
            Target::Resources { group: owned(group), version: owned(version) }
        }
        ["openapi", "v3"] => Target::OpenApiIndex,
        ["openapi", "v3", "api", "v1"] => {
            Target::OpenApi { group: String::new(), version: "v1".into() }
        }
        ["openapi", "v3", "apis", group, version] => {
            Target::OpenApi { group: owned(group), version: owned(version) }
        }
        ["apis", group, "v1", plural]
            if let Some((review, ..)) =
                Review::ALL.iter().find(|(_, g, p, _)| g == group && p == plural) =>
        {
            Target::Review(*review)
        }
        ["api", "v1", rest @ ..] => {
            Target::Object(object_path("", "v1", rest).ok_or_else(not_found)?)
        }
        ["apis", group, version, rest @ ..] => {
            Target::Object(object_path(group, version, rest).ok_or_else(not_found)?)
        }
        _ => return Err(not_found()),
    })
}

fn object_path(group: &str, version: &str, rest: &[&str]) -> Option<ObjectPath> {
    let path = |resource, namespace: Option<&str>, name: Option<&str>, sub: Option<&str>| {
        Some(ObjectPath {
            resource,
            namespace: namespace.map(str::to_owned),
            name: name.map(str::to_owned),
            subresource: sub.map(str::to_owned),
        })
    };
    let find = |plural: &str| ResourceType::find(group, version, plural);
    match rest {
        // /api/v1/namespaces/{ns}/{plural}[/{name}[/{sub}]] before the namespace object.
        ["namespaces", ns, plural, tail @ ..] if find(plural).is_some_and(|r| r.namespaced) => {
            let resource = find(plural)?;
            match tail {
                [] => path(resource, Some(ns), None, None),
                [name] => path(resource, Some(ns), Some(name), None),
                [name, sub] => path(resource, Some(ns), Some(name), Some(sub)),
                _ => None,
            }
        }
        [plural] => path(find(plural)?, None, None, None),
        [plural, name] => {
            let resource = find(plural)?;
            if resource.namespaced { None } else { path(resource, None, Some(name), None) }
        }
        [plural, name, sub] if find(plural) == Some(&NAMESPACES) => {
            path(&NAMESPACES, None, Some(name), Some(sub))
        }
        _ => None,
    }
}

/// Query parameters; the last value wins, except `dryRun` which is any.
#[derive(Debug, Default)]
pub struct Query {
    values: HashMap<String, String>,
}

impl Query {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> Query {
        let values = form_urlencoded::parse(raw.unwrap_or("").as_bytes()).into_owned().collect();
        Query { values }
    }

    /// One parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// `watch=true` or `watch=1`.
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("true" | "1"))
    }

    /// `dryRun=All`.
    pub fn dry_run(&self) -> StatusResult<bool> {
        match self.get("dryRun") {
            None => Ok(false),
            Some("All") => Ok(true),
            Some(other) => Err(StatusError::bad_request(format!(
                "dryRun: Unsupported value: \"{other}\": supported values: \"All\""
            ))),
        }
    }
}
