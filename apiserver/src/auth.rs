//! Optional authentication and authorization in kube-apiserver's own file formats:
//! `--token-auth-file` (CSV `token,user,uid,"group1,group2"`) and
//! `--authorization-policy-file` (ABAC: one JSON policy per line,
//! https://kubernetes.io/docs/reference/access-authn-authz/abac/).

use crate::request::{ObjectPath, Target};
use crate::resources::NAMESPACES;
use crate::status::StatusError;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// A user known from the token file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The bearer token.
    pub token: String,
    /// User name.
    pub name: String,
    /// UID.
    pub uid: String,
    /// Groups.
    pub groups: Vec<String>,
}

/// One ABAC policy line's `spec`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    #[serde(default)]
    user: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    readonly: bool,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    api_group: String,
    #[serde(default)]
    non_resource_path: String,
}

#[derive(Deserialize)]
struct PolicyLine {
    spec: Policy,
}

/// Who may do what. Built from the two files; either may be absent.
#[derive(Clone, Debug, Default)]
pub struct Auth {
    users: Option<HashMap<String, User>>,
    policies: Option<Vec<Policy>>,
}

/// What a request does, in ABAC's terms.
pub struct Attributes<'a> {
    /// get, list, watch, create, update, patch, delete.
    pub verb: &'static str,
    /// The object path, or None for discovery.
    pub object: Option<&'a ObjectPath>,
    /// The raw path (for non-resource requests).
    pub path: &'a str,
}

impl Auth {
    /// Reads the token file and the policy file; errors name the file and line.
    pub fn from_files(tokens: Option<&Path>, policies: Option<&Path>) -> crate::Result<Auth> {
        let users = tokens.map(load_tokens).transpose()?;
        let policies = policies.map(load_policies).transpose()?;
        Ok(Auth { users, policies })
    }

    /// True when any check is configured.
    pub fn is_enabled(&self) -> bool {
        self.users.is_some() || self.policies.is_some()
    }

    /// Every user of the token file, in file order (for writing a kubeconfig).
    pub fn users(&self) -> Vec<User> {
        let mut users: Vec<User> = self.users.iter().flat_map(|u| u.values().cloned()).collect();
        users.sort_by(|a, b| a.name.cmp(&b.name));
        users
    }

    /// The user behind an `Authorization` header; 401 when tokens are required and this
    /// one is missing or unknown.
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Option<User>, StatusError> {
        let Some(users) = &self.users else { return Ok(None) };
        let token = authorization.and_then(|h| h.strip_prefix("Bearer ")).map(str::trim);
        match token.and_then(|t| users.get(t)) {
            Some(user) => Ok(Some(user.clone())),
            None => Err(StatusError::unauthorized()),
        }
    }

    /// 403 unless a policy allows the request. Discovery (`/api`, `/apis`, `/version`,
    /// `/openapi`) is open to every authenticated user, as RBAC's `system:discovery` is.
    pub fn authorize(
        &self,
        user: Option<&User>,
        request: &Attributes<'_>,
    ) -> Result<(), StatusError> {
        if self.policies.is_none() {
            return Ok(());
        }
        let Some(object) = request.object else { return Ok(()) };
        let anonymous = User::anonymous();
        let user = user.unwrap_or(&anonymous);
        // Like kube-apiserver's RequestInfo: a namespace object's namespace is its name.
        let namespace = if object.resource == &NAMESPACES {
            object.name.as_deref().unwrap_or("")
        } else {
            object.namespace.as_deref().unwrap_or("")
        };
        let allowed = self.allows(
            user,
            request.verb,
            namespace,
            object.resource.group,
            object.resource.plural,
        );
        if allowed {
            return Ok(());
        }
        let scope = if namespace.is_empty() {
            "at the cluster scope".to_owned()
        } else {
            format!("in the namespace \"{namespace}\"")
        };
        let subject = match object.name.as_deref() {
            Some(name) => format!("{} \"{name}\"", object.resource.qualified()),
            None => object.resource.qualified(),
        };
        Err(StatusError::forbidden(format!(
            "{subject} is forbidden: User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {scope}",
            user.name, request.verb, object.resource.plural, object.resource.group,
        )))
    }
}

impl User {
    /// Who a request without credentials is.
    pub fn anonymous() -> User {
        User {
            token: String::new(),
            name: "system:anonymous".into(),
            uid: String::new(),
            groups: vec!["system:unauthenticated".into()],
        }
    }

    /// The groups kube-apiserver reports for this user: the file's, plus
    /// `system:authenticated` for anyone who signed in.
    pub fn all_groups(&self) -> Vec<String> {
        let mut groups = self.groups.clone();
        if !self.token.is_empty() {
            groups.push("system:authenticated".into());
        }
        groups
    }
}

/// One rule of what a user may do in a namespace, as a SelfSubjectRulesReview lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceRule {
    /// `get`, `list`, `watch`, or `*`.
    pub verbs: Vec<&'static str>,
    /// API groups (`*` for all).
    pub api_groups: Vec<String>,
    /// Resources (`*` for all).
    pub resources: Vec<String>,
}

impl Auth {
    /// The one decision both enforcement and the access reviews use: may `user` do `verb`
    /// on `resource` of `group` in `namespace` ("" for cluster scope)?
    pub fn allows(
        &self,
        user: &User,
        verb: &str,
        namespace: &str,
        group: &str,
        resource: &str,
    ) -> bool {
        let Some(policies) = &self.policies else { return true };
        policies.iter().any(|p| {
            subject_matches(p, user)
                && (!p.readonly || matches!(verb, "get" | "list" | "watch"))
                && wildcard(&p.namespace, namespace)
                && wildcard(&p.resource, resource)
                && wildcard(&p.api_group, group)
        })
    }

    /// What `user` may do in `namespace`, rule by rule (everything when no policy is set).
    pub fn rules_in(&self, user: &User, namespace: &str) -> Vec<ResourceRule> {
        let all = |s: &str| if s.is_empty() { "*".to_owned() } else { s.to_owned() };
        let Some(policies) = &self.policies else {
            return vec![ResourceRule {
                verbs: vec!["*"],
                api_groups: vec!["*".into()],
                resources: vec!["*".into()],
            }];
        };
        policies
            .iter()
            .filter(|p| subject_matches(p, user) && wildcard(&p.namespace, namespace))
            .filter(|p| p.non_resource_path.is_empty())
            .map(|p| ResourceRule {
                verbs: if p.readonly { vec!["get", "list", "watch"] } else { vec!["*"] },
                api_groups: vec![all(&p.api_group)],
                resources: vec![all(&p.resource)],
            })
            .collect()
    }
}

fn subject_matches(policy: &Policy, user: &User) -> bool {
    let user_ok = !policy.user.is_empty() && (policy.user == "*" || policy.user == user.name);
    let group_ok =
        !policy.group.is_empty() && (policy.group == "*" || user.groups.contains(&policy.group));
    user_ok || group_ok
}

/// ABAC: "*" or empty matches anything... except that an empty namespace in a policy
/// means "*" too; an exact value matches itself.
fn wildcard(pattern: &str, value: &str) -> bool {
    pattern.is_empty() || pattern == "*" || pattern == value
}

fn load_tokens(path: &Path) -> crate::Result<HashMap<String, User>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| crate::Error::Config(format!("cannot read {}: {e}", path.display())))?;
    let mut users = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields = split_csv(line);
        if fields.len() < 3 || fields[0].is_empty() || fields[1].is_empty() {
            return Err(crate::Error::Config(format!(
                "{} line {}: expected token,user,uid[,\"group1,group2\"]",
                path.display(),
                n + 1
            )));
        }
        let groups = fields
            .get(3)
            .map(|g| g.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        let user = User {
            token: fields[0].clone(),
            name: fields[1].clone(),
            uid: fields[2].clone(),
            groups,
        };
        users.insert(user.token.clone(), user);
    }
    Ok(users)
}

fn split_csv(line: &str) -> Vec<String> {
    let (mut fields, mut current, mut quoted) = (Vec::new(), String::new(), false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut current).trim().to_owned()),
            c => current.push(c),
        }
    }
    fields.push(current.trim().to_owned());
    fields
}

fn load_policies(path: &Path) -> crate::Result<Vec<Policy>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| crate::Error::Config(format!("cannot read {}: {e}", path.display())))?;
    let mut policies = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed: PolicyLine = serde_json::from_str(line).map_err(|e| {
            crate::Error::Config(format!(
                "{} line {}: not an ABAC policy: {e}",
                path.display(),
                n + 1
            ))
        })?;
        policies.push(parsed.spec);
    }
    Ok(policies)
}

/// The ABAC verb of a request.
pub fn verb(method: &axum::http::Method, target: &Target, watch: bool) -> &'static str {
    use axum::http::Method;
    let named = matches!(target, Target::Object(o) if o.name.is_some());
    match *method {
        Method::GET if watch => "watch",
        Method::GET if named => "get",
        Method::GET => "list",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if named => "delete",
        Method::DELETE => "deletecollection",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_lines_allow_quoted_group_lists() {
        assert_eq!(split_csv("t1,alice,1,\"dev,ops\""), ["t1", "alice", "1", "dev,ops"]);
    }
}
