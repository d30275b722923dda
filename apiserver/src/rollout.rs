//! No controller runs the Deployments the Space API stores: each is shown rolled out as soon
//! as it is written, with the `status` a finished rollout has (observed generation, every
//! replica ready and available, `Available` and `Progressing` true), so that `kubectl
//! rollout status`, `kubectl get deploy` and `kubectl wait` behave as on a healthy cluster.

use crate::time::now_rfc3339;
use serde_json::{Value, json};

/// Sets `object`'s `status` (and the default `spec.replicas` of 1) after a write; `current`
/// is the stored version, whose status is kept when nothing it shows changed (so that a
/// write changing nothing stays a write that changes nothing).
pub fn roll_out(object: &mut Value, current: Option<&Value>) {
    if object["spec"].is_object() && object["spec"]["replicas"].is_null() {
        object["spec"]["replicas"] = json!(1);
    }
    let replicas = object["spec"]["replicas"].as_i64().unwrap_or(1);
    let generation = object["metadata"]["generation"].as_i64().unwrap_or(1);
    if let Some(status) = current.map(|c| &c["status"])
        && status["observedGeneration"].as_i64() == Some(generation)
        && status["replicas"].as_i64().unwrap_or(0) == replicas
    {
        object["status"] = status.clone();
        return;
    }
    let now = now_rfc3339();
    let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
    let condition = |kind: &str, reason: &str, message: String| {
        json!({"type": kind, "status": "True", "reason": reason, "message": message,
               "lastUpdateTime": now, "lastTransitionTime": now})
    };
    let mut status = json!({
        "observedGeneration": generation,
        "conditions": [
            condition("Available", "MinimumReplicasAvailable", "Deployment has minimum availability.".into()),
            condition("Progressing", "NewReplicaSetAvailable", format!("ReplicaSet \"{name}\" has successfully progressed.")),
        ],
    });
    if replicas > 0 {
        for field in ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"] {
            status[field] = json!(replicas);
        }
    }
    object["status"] = status;
}
