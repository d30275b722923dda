//! Field ownership, checked on the stored object after each step.

use super::*;

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"a": "1"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                {"name": "app", "image": "nginx:1", "ports": [{"containerPort": 80}]},
                {"name": "sidecar", "image": "envoy:1"}
            ]}}
        }
    })
}

fn managers(object: &Value) -> Vec<(String, String)> {
    entries_of(object).into_iter().map(|e| (e.manager, e.operation)).collect()
}

#[test]
fn a_second_manager_changing_an_owned_field_is_a_conflict_unless_forced() {
    let stored = apply(None, &deployment(), "alice", false).unwrap();
    let bob = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 5}});
    let conflicts = apply(Some(&stored), &bob, "bob", false).unwrap_err();
    assert_eq!(conflicts, [Conflict { manager: "alice".into(), field: ".spec.replicas".into() }]);
    assert_eq!(
        conflict_message(&conflicts),
        "Apply failed with 1 conflict: conflict with \"alice\": .spec.replicas"
    );
    // Forced: bob owns replicas now, alice keeps the rest.
    let forced = apply(Some(&stored), &bob, "bob", true).unwrap();
    assert_eq!(forced["spec"]["replicas"], 5);
    assert_eq!(forced["spec"]["template"]["spec"]["containers"].as_array().unwrap().len(), 2);
    let entries = entries_of(&forced);
    let alice = entries.iter().find(|e| e.manager == "alice").unwrap();
    assert!(!alice.fields.iter().any(|p| Shown(p).to_string() == ".spec.replicas"));
    let bob = entries.iter().find(|e| e.manager == "bob").unwrap();
    assert_eq!(
        bob.fields.iter().map(|p| Shown(p).to_string()).collect::<Vec<_>>(),
        [".spec.replicas"]
    );
}

#[test]
fn the_same_value_is_shared_not_contested() {
    let stored = apply(None, &deployment(), "alice", false).unwrap();
    let bob = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 2}});
    let shared = apply(Some(&stored), &bob, "bob", false).unwrap();
    assert_eq!(
        managers(&shared),
        [("alice".into(), "Apply".into()), ("bob".into(), "Apply".into())]
    );
}

#[test]
fn a_partial_container_list_merges_by_name_and_keeps_the_others() {
    let stored = apply(None, &deployment(), "alice", false).unwrap();
    let bob = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "logger", "image": "fluent:1"}]}}}});
    let merged = apply(Some(&stored), &bob, "bob", false).unwrap();
    let names: Vec<&str> = merged["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["app", "sidecar", "logger"]);
    assert_eq!(
        merged["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"],
        80
    );
}

#[test]
fn fields_a_manager_stops_applying_are_removed_unless_someone_else_owns_them() {
    let stored = apply(None, &deployment(), "alice", false).unwrap();
    // Bob sets a label of his own by an update (kubectl label).
    let mut labelled = stored.clone();
    labelled["metadata"]["labels"]["team"] = json!("payments");
    record_update(Some(&stored), &mut labelled, "kubectl-label");
    // Alice applies again without the sidecar and without label a.
    let mut again = deployment();
    again["metadata"]["labels"] = json!({});
    again["spec"]["template"]["spec"]["containers"].as_array_mut().unwrap().truncate(1);
    let after = apply(Some(&labelled), &again, "alice", false).unwrap();
    let containers = after["spec"]["template"]["spec"]["containers"].as_array().unwrap();
    assert_eq!(containers.len(), 1, "{after:#}");
    assert_eq!(after["metadata"]["labels"], json!({"team": "payments"}));
}

#[test]
fn an_update_takes_the_fields_it_changes_and_a_noop_apply_changes_nothing() {
    let stored = apply(None, &deployment(), "alice", false).unwrap();
    let mut scaled = stored.clone();
    scaled["spec"]["replicas"] = json!(3);
    record_update(Some(&stored), &mut scaled, "kubectl-scale");
    let scale = entries_of(&scaled).into_iter().find(|e| e.manager == "kubectl-scale").unwrap();
    assert_eq!(scale.operation, "Update");
    assert_eq!(
        scale.fields.iter().map(|p| Shown(p).to_string()).collect::<Vec<_>>(),
        [".spec.replicas"]
    );
    // Alice applying replicas 2 again now conflicts with the scale.
    let conflicts = apply(Some(&scaled), &deployment(), "alice", false).unwrap_err();
    assert_eq!(conflicts[0].manager, "kubectl-scale");
    // Applying exactly what is there returns the object unchanged, times included.
    let mut same = deployment();
    same["spec"]["replicas"] = json!(3);
    let again = apply(Some(&scaled), &same, "kubectl-scale", false).unwrap();
    let again = apply(Some(&again), &same, "kubectl-scale", false).unwrap();
    let once_more = apply(Some(&again), &same, "kubectl-scale", false).unwrap();
    assert_eq!(once_more, again);
}

#[test]
fn fields_v1_round_trips_with_item_markers() {
    let stored = apply(None, &deployment(), "alice", false).unwrap();
    let v1 = &stored["metadata"]["managedFields"][0]["fieldsV1"];
    let containers = &v1["f:spec"]["f:template"]["f:spec"]["f:containers"];
    assert_eq!(containers["k:{\"name\":\"app\"}"]["."], json!({}));
    assert_eq!(containers["k:{\"name\":\"app\"}"]["f:image"], json!({}));
    assert_eq!(
        containers["k:{\"name\":\"app\"}"]["f:ports"]["k:{\"containerPort\":80}"]["f:containerPort"],
        json!({})
    );
    assert_eq!(from_fields_v1(v1), fields_of(&deployment()));
    assert_eq!(stored["metadata"]["managedFields"][0]["fieldsType"], "FieldsV1");
}
