//! Suggested egress from a workload's own configuration, before it ever runs: the endpoints
//! its containers' `env`, `args` and `command` name (and the ConfigMaps they reference),
//! each with where it came from, and the EgressPoint that would allow them. Pure: the
//! caller hands over the workload and its ConfigMaps. Secrets are never read: a value from
//! one is listed as not read, so the user knows to add it by hand.

mod endpoints;

pub use endpoints::{Found, endpoints_in, redacted};

use crate::model::{EgressPoint, Protocol, WorkloadRef};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Where a value was found.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Origin {
    /// The container.
    pub container: String,
    /// `env DATABASE_URL`, `args[2]`, `ConfigMap app-config key REDIS_URL`.
    pub from: String,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "container {}, {}", self.container, self.from)
    }
}

/// An endpoint the workload will connect to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Protocol.
    pub protocol: Protocol,
    /// What the value was read as ("PostgreSQL URL").
    pub shape: String,
    /// Where.
    pub origin: Origin,
}

/// A value that names no off-cluster endpoint, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Skip {
    /// The host or value, without credentials.
    pub what: String,
    /// Why it needs no EgressPoint (or cannot be pinned).
    pub reason: String,
    /// Where.
    pub origin: Origin,
}

/// A value this reader may not read.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotRead {
    /// Where.
    pub origin: Origin,
    /// Why, in words: "from Secret db-credentials (key url)".
    pub why: String,
}

/// What a workload's configuration says about its egress.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reading {
    /// The workload.
    pub workload: WorkloadRef,
    /// Endpoints it needs.
    pub suggestions: Vec<Suggestion>,
    /// Values skipped, with the reason.
    pub skipped: Vec<Skip>,
    /// Values not read (Secrets, missing ConfigMaps).
    pub not_read: Vec<NotRead>,
}

/// The containers of a Deployment (pod template, init containers included) or of a
/// ContainerApp (its `spec` is one container, named after the app).
fn containers(object: &Value) -> Option<(WorkloadRef, Vec<(String, &Value)>)> {
    let name = object["metadata"]["name"].as_str()?.to_owned();
    match object["kind"].as_str()? {
        "Deployment" => {
            let spec = &object["spec"]["template"]["spec"];
            let mut out = Vec::new();
            for list in ["initContainers", "containers"] {
                for c in spec[list].as_array().into_iter().flatten() {
                    out.push((c["name"].as_str().unwrap_or("").to_owned(), c));
                }
            }
            Some((WorkloadRef::deployment(name), out))
        }
        "ContainerApp" => {
            let spec = &object["spec"];
            Some((WorkloadRef::container_app(name.clone()), vec![(name, spec)]))
        }
        _ => None,
    }
}

/// The ConfigMaps a Deployment's or ContainerApp's containers take values from (env
/// `configMapKeyRef`, `envFrom` `configMapRef`), in order, each once: what a caller must
/// hand [`read_workload`].
pub fn config_maps_referenced(object: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, spec) in containers(object).map(|(_, c)| c).unwrap_or_default() {
        let from_env = spec["env"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| &e["valueFrom"]["configMapKeyRef"]);
        let from_all = spec["envFrom"].as_array().into_iter().flatten().map(|e| &e["configMapRef"]);
        for name in from_env.chain(from_all).filter_map(|r| r["name"].as_str()) {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_owned());
            }
        }
    }
    out
}

/// Reads a Deployment or ContainerApp; `config_maps` are the ConfigMaps of its namespace
/// by name (their `data`). None for other kinds.
pub fn read_workload(object: &Value, config_maps: &BTreeMap<String, Value>) -> Option<Reading> {
    let (workload, containers) = containers(object)?;
    let mut reading =
        Reading { workload, suggestions: Vec::new(), skipped: Vec::new(), not_read: Vec::new() };
    for (container, spec) in containers {
        let origin = |from: String| Origin { container: container.clone(), from };
        for e in spec["env"].as_array().into_iter().flatten() {
            let name = e["name"].as_str().unwrap_or("");
            if let Some(value) = e["value"].as_str() {
                reading.look(value, origin(format!("env {name}")));
                continue;
            }
            let from = &e["valueFrom"];
            if let Some(secret) = from["secretKeyRef"].as_object() {
                let s = secret.get("name").and_then(Value::as_str).unwrap_or("?");
                let k = secret.get("key").and_then(Value::as_str).unwrap_or("?");
                reading.not_read.push(NotRead {
                    origin: origin(format!("env {name}")),
                    why: format!("from Secret {s} (key {k}): Secrets are never read; add its endpoint by hand"),
                });
            } else if let Some(cm) = from["configMapKeyRef"].as_object() {
                let c = cm.get("name").and_then(Value::as_str).unwrap_or("?");
                let k = cm.get("key").and_then(Value::as_str).unwrap_or("?");
                match config_maps.get(c).and_then(|data| data[k].as_str()) {
                    Some(value) => reading
                        .look(value, origin(format!("env {name} from ConfigMap {c} key {k}"))),
                    None => reading.not_read.push(NotRead {
                        origin: origin(format!("env {name}")),
                        why: format!("ConfigMap {c} (key {k}) was not given"),
                    }),
                }
            }
        }
        for e in spec["envFrom"].as_array().into_iter().flatten() {
            if let Some(secret) = e["secretRef"]["name"].as_str() {
                reading.not_read.push(NotRead {
                    origin: origin("envFrom".into()),
                    why: format!("every key of Secret {secret}: Secrets are never read; add their endpoints by hand"),
                });
            } else if let Some(cm) = e["configMapRef"]["name"].as_str() {
                match config_maps.get(cm).and_then(Value::as_object) {
                    Some(data) => {
                        for (key, value) in data {
                            if let Some(value) = value.as_str() {
                                reading.look(value, origin(format!("ConfigMap {cm} key {key}")));
                            }
                        }
                    }
                    None => reading.not_read.push(NotRead {
                        origin: origin("envFrom".into()),
                        why: format!("ConfigMap {cm} was not given"),
                    }),
                }
            }
        }
        for list in ["command", "args"] {
            for (i, arg) in spec[list].as_array().into_iter().flatten().enumerate() {
                let Some(arg) = arg.as_str() else { continue };
                // `--db=postgres://…` and `--db postgres://…` alike.
                let value =
                    arg.split_once('=').filter(|(k, _)| k.starts_with('-')).map_or(arg, |(_, v)| v);
                reading.look(value, origin(format!("{list}[{i}]")));
            }
        }
    }
    reading.suggestions.sort_by(|a, b| (&a.host, a.port).cmp(&(&b.host, b.port)));
    reading
        .suggestions
        .dedup_by(|a, b| a.host == b.host && a.port == b.port && a.protocol == b.protocol);
    Some(reading)
}

impl Reading {
    fn look(&mut self, value: &str, origin: Origin) {
        for found in endpoints_in(value) {
            match found {
                Found::Endpoint { host, port, protocol, shape } => {
                    self.suggestions.push(Suggestion {
                        host,
                        port,
                        protocol,
                        shape: shape.to_owned(),
                        origin: origin.clone(),
                    })
                }
                Found::Skipped { what, reason } => {
                    self.skipped.push(Skip { what, reason, origin: origin.clone() })
                }
            }
        }
    }

    /// The EgressPoint that allows every suggestion, for this workload only: one target per
    /// port and protocol, with its hosts. None when nothing is suggested.
    pub fn proposal(&self) -> Option<EgressPoint> {
        if self.suggestions.is_empty() {
            return None;
        }
        let mut targets: BTreeMap<(u16, Protocol), Vec<&str>> = BTreeMap::new();
        for s in &self.suggestions {
            let hosts = targets.entry((s.port, s.protocol)).or_default();
            if !hosts.contains(&s.host.as_str()) {
                hosts.push(&s.host);
            }
        }
        let w = &self.workload;
        let mut ep = EgressPoint::new(format!("{}-egress", w.name)).with_source_ref(
            &w.kind,
            &w.api_group,
            &w.name,
        );
        for ((port, protocol), hosts) in targets {
            ep = ep.with_target(&hosts, i64::from(port), protocol.as_str());
        }
        Some(ep)
    }
}

/// How a suggestion stands in the Space.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum Standing {
    /// The workload may already reach it.
    Allowed {
        /// The EgressPoints that allow it.
        by: Vec<String>,
    },
    /// Nothing allows it yet; the proposal would.
    New,
    /// The Space already exposes this host and port on another protocol: the platform
    /// refuses a second one (the reference page: one protocol per host and port).
    Conflicting {
        /// The EgressPoint that has it.
        with: String,
        /// Its protocol.
        protocol: Protocol,
    },
}

impl Reading {
    /// How each suggestion (in order) stands against the Space's EgressPoints.
    pub fn against_space(&self, egress_points: &[EgressPoint]) -> Vec<Standing> {
        let rules = crate::egress::flatten(egress_points);
        self.suggestions
            .iter()
            .map(|s| {
                let allowed = crate::egress::reachability(
                    egress_points,
                    &self.workload,
                    &s.host,
                    s.port,
                    s.protocol,
                );
                if let Ok(r) = allowed
                    && r.allowed
                {
                    let mut by: Vec<String> =
                        r.allowed_by.into_iter().map(|rule| rule.egress_point).collect();
                    by.dedup();
                    return Standing::Allowed { by };
                }
                // Hosts compare by their key, as the rules compare them (case, IP forms).
                let key = |host: &str| {
                    crate::host::classify(host)
                        .ok()
                        .map(|kind| crate::host::host_key(host, kind).into_owned())
                };
                let wanted = key(&s.host);
                let same_target = rules.iter().find(|rule| {
                    rule.port == s.port && rule.protocol != s.protocol && key(&rule.host) == wanted
                });
                match same_target {
                    Some(rule) => Standing::Conflicting {
                        with: rule.egress_point.clone(),
                        protocol: rule.protocol,
                    },
                    None => Standing::New,
                }
            })
            .collect()
    }
}
