//! Discovery: `/version`, `/api`, `/apis`, `/apis/{group}/{version}`, and the OpenAPI v3
//! documents kubectl reads for `apply` and `explain`.

use crate::request::{Review, Target};
use crate::resources::{ALL, ResourceType};
use crate::status::{StatusError, StatusResult};
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const VERBS: [&str; 8] =
    ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/// Answers a discovery path.
pub fn serve(target: &Target, path: &str) -> StatusResult<Response> {
    let body = match target {
        Target::Version => json!({
            "major": "1", "minor": "37", "gitVersion": "v1.37.0+egress-console",
            "gitCommit": "", "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z",
            "goVersion": "", "compiler": "rustc", "platform": "linux/amd64"
        }),
        Target::CoreVersions => json!({
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}]
        }),
        Target::Groups => {
            json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups().into_iter().map(group_json).collect::<Vec<_>>()})
        }
        Target::Group(name) => {
            let group = groups()
                .into_iter()
                .find(|g| g == name)
                .ok_or_else(|| StatusError::no_route(path))?;
            let mut body = group_json(group);
            body["kind"] = json!("APIGroup");
            body["apiVersion"] = json!("v1");
            body
        }
        Target::Resources { group, version } => {
            let mut resources: Vec<Value> = ResourceType::of_group_version(group, version)
                .iter()
                .map(|r| resource_json(r))
                .collect();
            if group == "apps" && version == "v1" {
                resources.push(json!({"name": "deployments/scale", "singularName": "", "namespaced": true,
                    "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]}));
                resources.push(
                    json!({"name": "deployments/status", "singularName": "", "namespaced": true,
                    "kind": "Deployment", "verbs": ["get"]}),
                );
            }
            if version == "v1" {
                // The self reviews: create-only, cluster-scoped, like kube-apiserver's.
                resources.extend(Review::ALL.iter().filter(|(_, g, ..)| g == group).map(
                    |(_, _, plural, kind)| {
                        json!({"name": plural, "singularName": "", "namespaced": false,
                            "kind": kind, "verbs": ["create"]})
                    },
                ));
            }
            if resources.is_empty() {
                return Err(StatusError::no_route(path));
            }
            let group_version =
                if group.is_empty() { version.clone() } else { format!("{group}/{version}") };
            json!({
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": group_version,
                "resources": resources,
            })
        }
        Target::OpenApiIndex => crate::openapi::index(),
        Target::OpenApi { group, version } => {
            crate::openapi::document(group, version).ok_or_else(|| StatusError::no_route(path))?
        }
        Target::Object(_) | Target::Review(_) => return Err(StatusError::no_route(path)),
    };
    Ok(Json(body).into_response())
}

fn groups() -> Vec<&'static str> {
    let mut groups: Vec<&str> = ALL.iter().map(|r| r.group).filter(|g| !g.is_empty()).collect();
    groups.extend(Review::ALL.iter().map(|(_, group, ..)| *group));
    // Each group once, in the order first served (several kinds share `apps`).
    let mut seen = std::collections::HashSet::new();
    groups.retain(|g| seen.insert(*g));
    groups
}

fn group_json(name: &str) -> Value {
    let version = ALL.iter().find(|r| r.group == name).map_or("v1", |r| r.version);
    let gv = json!({"groupVersion": format!("{name}/{version}"), "version": version});
    json!({"name": name, "versions": [gv.clone()], "preferredVersion": gv})
}

fn resource_json(r: &ResourceType) -> Value {
    let mut resource = json!({
        "name": r.plural,
        "singularName": r.singular,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": VERBS,
        "shortNames": r.short_names,
    });
    if r.in_all {
        resource["categories"] = json!(["all"]);
    }
    resource
}
