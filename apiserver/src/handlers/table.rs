//! `kubectl get` output: a `meta.k8s.io/v1` Table with printer columns per type.

use crate::resources::{DEPLOYMENTS, EGRESSPOINTS, NAMESPACES, ResourceType};
use crate::time::{human_age, parse_rfc3339};
use egress_rules::{AppliesTo, decode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// A Table of `objects` (rows carry PartialObjectMetadata, as kubectl asks by default).
pub fn table(
    resource: &ResourceType,
    objects: &[&Value],
    revision: u64,
    continue_token: Option<&str>,
) -> Value {
    let columns = columns(resource);
    let rows: Vec<Value> = objects
        .iter()
        .map(|object| {
            json!({
                "cells": cells(resource, object),
                "object": {
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": object["metadata"],
                },
            })
        })
        .collect();
    let mut metadata = json!({"resourceVersion": revision.to_string()});
    if let Some(token) = continue_token {
        metadata["continue"] = json!(token);
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": columns.iter().map(|(name, description)| json!({
            "name": name, "type": "string", "format": if *name == "Name" { "name" } else { "" },
            "description": description, "priority": 0,
        })).collect::<Vec<_>>(),
        "rows": rows,
    })
}

fn columns(resource: &ResourceType) -> Vec<(&'static str, &'static str)> {
    if resource == &EGRESSPOINTS {
        vec![
            ("Name", "Name of the EgressPoint"),
            ("Hosts", "Hosts of all targets"),
            ("Ports", "Ports of all targets"),
            ("Protocols", "Protocols of all targets"),
            ("Applies-To", "Space, or the workload of spec.sourceRef"),
            ("Age", "Time since creation"),
        ]
    } else if resource == &NAMESPACES {
        vec![("Name", "Name of the Space"), ("Status", "Phase"), ("Age", "Time since creation")]
    } else if resource == &DEPLOYMENTS {
        vec![
            ("Name", "Name"),
            ("Ready", "Ready replicas of the desired"),
            ("Up-to-date", "Replicas of the current template"),
            ("Available", "Available replicas"),
            ("Age", "Time since creation"),
        ]
    } else {
        vec![("Name", "Name"), ("Age", "Time since creation")]
    }
}

fn cells(resource: &ResourceType, object: &Value) -> Vec<Value> {
    let name = json!(object["metadata"]["name"].as_str().unwrap_or(""));
    let age = json!(
        object["metadata"]["creationTimestamp"]
            .as_str()
            .and_then(parse_rfc3339)
            .map_or_else(|| "<unknown>".to_owned(), human_age)
    );
    if resource == &EGRESSPOINTS {
        let ep = decode(object).egress_point;
        let mut hosts = Vec::new();
        let (mut ports, mut protocols) = (BTreeSet::new(), BTreeSet::new());
        for target in &ep.spec.targets {
            hosts.extend(target.hosts.iter().cloned());
            if let Some(n) = target.port.number {
                ports.insert(n);
            }
            protocols.insert(target.port.protocol.clone());
        }
        let join = |items: Vec<String>| items.join(",");
        let applies = match ep.applies_to() {
            AppliesTo::Space => "Space".to_owned(),
            AppliesTo::Workload(w) => format!("{}/{}", w.kind, w.name),
        };
        vec![
            name,
            json!(shorten(&join(hosts))),
            json!(join(ports.into_iter().map(|p| p.to_string()).collect())),
            json!(join(protocols.into_iter().collect())),
            json!(applies),
            age,
        ]
    } else if resource == &NAMESPACES {
        vec![name, json!(object["status"]["phase"].as_str().unwrap_or("Active")), age]
    } else if resource == &DEPLOYMENTS {
        let count = |field: &str| object["status"][field].as_i64().unwrap_or(0);
        let desired = object["spec"]["replicas"].as_i64().unwrap_or(1);
        vec![
            name,
            json!(format!("{}/{desired}", count("readyReplicas"))),
            json!(count("updatedReplicas")),
            json!(count("availableReplicas")),
            age,
        ]
    } else {
        vec![name, age]
    }
}

/// Long host lists end in "…+N more" so `kubectl get` stays one line per object.
fn shorten(text: &str) -> String {
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() <= 3 {
        return text.to_owned();
    }
    format!("{} +{} more", parts[..3].join(","), parts.len() - 3)
}
