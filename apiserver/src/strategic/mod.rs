//! Strategic merge patch (`application/strategic-merge-patch+json`), what `kubectl edit`,
//! `kubectl set image|env|resources`, client-side `kubectl apply` and `kubectl patch` send
//! for built-in kinds. Unlike a JSON merge patch, lists with a merge key are merged item by
//! item (a patch naming one container changes that container and keeps the others), and
//! the patch carries directives: `$patch: replace|delete|merge`, `$retainKeys`,
//! `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`. The semantics follow
//! k8s.io/apimachinery/pkg/util/strategicpatch.

pub(crate) mod schema;

use schema::{ListStrategy, Node};
use serde_json::{Map, Value};

const PATCH: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ORDER: &str = "$setElementOrder/";
const DELETE_FROM: &str = "$deleteFromPrimitiveList/";

/// Applies `patch` to `object` (a built-in kind's object). Errors are for a person.
pub fn apply(object: &Value, patch: &Value) -> Result<Value, String> {
    let (Value::Object(original), Value::Object(patch)) = (object, patch) else {
        return Err("a strategic merge patch must be a JSON object".into());
    };
    match merge_map(original.clone(), patch, Node::Root)? {
        Some(merged) => Ok(Value::Object(merged)),
        None => Err("a strategic merge patch cannot delete the whole object".into()),
    }
}

/// Merges `patch` into `original`; `None` when the patch says `$patch: delete`.
fn merge_map(
    mut original: Map<String, Value>,
    patch: &Map<String, Value>,
    node: Node,
) -> Result<Option<Map<String, Value>>, String> {
    match patch.get(PATCH).map(|v| v.as_str().unwrap_or("?")) {
        None | Some("merge") => {}
        Some("replace") => return Ok(Some(clean_map(patch, node)?)),
        Some("delete") => return Ok(None),
        Some(other) => return Err(format!("unknown patch directive $patch: {other}")),
    }
    if let Some(retain) = patch.get(RETAIN_KEYS) {
        let keys: Vec<&str> = retain
            .as_array()
            .ok_or("$retainKeys must be a list of field names")?
            .iter()
            .map(|k| k.as_str().ok_or("$retainKeys must be a list of field names"))
            .collect::<Result<_, _>>()?;
        original.retain(|k, _| keys.contains(&k.as_str()));
    }
    for (key, value) in patch {
        if key.starts_with('$') {
            continue;
        }
        if value.is_null() {
            original.remove(key);
            continue;
        }
        let child = node.child(key);
        let merged = match (original.remove(key), value) {
            (Some(Value::Object(o)), Value::Object(p)) => {
                merge_map(o, p, child)?.map(Value::Object)
            }
            (Some(Value::Array(o)), Value::Array(p)) => {
                Some(Value::Array(merge_list(o, p, node.list(key), child)?))
            }
            (_, value) => clean(value, node, key)?,
        };
        if let Some(merged) = merged {
            original.insert(key.clone(), merged);
        }
    }
    for (key, value) in patch {
        if let Some(list) = key.strip_prefix(DELETE_FROM) {
            let remove = value.as_array().ok_or("$deleteFromPrimitiveList takes a list")?;
            if let Some(Value::Array(items)) = original.get_mut(list) {
                items.retain(|item| !remove.contains(item));
            }
        }
    }
    for (key, value) in patch {
        if let Some(list) = key.strip_prefix(SET_ORDER) {
            let order = value.as_array().ok_or("$setElementOrder takes a list")?;
            if let Some(Value::Array(items)) = original.get_mut(list) {
                set_order(items, order, node.list(list));
            }
        }
    }
    Ok(Some(original))
}

/// Merges a patch list into the original list by the list's strategy.
fn merge_list(
    original: Vec<Value>,
    patch: &[Value],
    strategy: ListStrategy,
    item_node: Node,
) -> Result<Vec<Value>, String> {
    let directive = |item: &Value| item.get(PATCH).and_then(Value::as_str).map(str::to_owned);
    match strategy {
        ListStrategy::Replace => {
            patch.iter().map(|item| clean_item(item, item_node)).collect::<Result<_, _>>()
        }
        ListStrategy::MergeScalars => {
            let mut merged = original;
            for item in patch {
                if !merged.contains(item) {
                    merged.push(item.clone());
                }
            }
            Ok(merged)
        }
        ListStrategy::MergeByKey(key) => {
            if patch.iter().any(|item| directive(item).as_deref() == Some("replace")) {
                return patch
                    .iter()
                    .filter(|item| directive(item).is_none())
                    .map(|item| clean_item(item, item_node))
                    .collect();
            }
            let mut merged = original;
            for item in patch {
                let Value::Object(fields) = item else {
                    return Err(format!("items of a list merged by {key} must be objects"));
                };
                let Some(wanted) = fields.get(key) else {
                    return Err(format!("an item of a list merged by {key} has no {key}"));
                };
                let at = merged.iter().position(|o| o.get(key) == Some(wanted));
                match (directive(item).as_deref(), at) {
                    (Some("delete"), Some(at)) => {
                        merged.remove(at);
                    }
                    (Some("delete"), None) => {}
                    (_, Some(at)) => {
                        let Value::Object(current) = merged.remove(at) else {
                            return Err("the stored list has an item that is not an object".into());
                        };
                        if let Some(updated) = merge_map(current, fields, item_node)? {
                            merged.insert(at, Value::Object(updated));
                        }
                    }
                    (_, None) => merged.push(clean_item(item, item_node)?),
                }
            }
            Ok(merged)
        }
    }
}

/// Orders `items` as `$setElementOrder` lists them; items it does not name keep their
/// relative order after those it does.
fn set_order(items: &mut [Value], order: &[Value], strategy: ListStrategy) {
    let rank = |item: &Value| {
        order
            .iter()
            .position(|o| match strategy {
                ListStrategy::MergeByKey(key) => {
                    o.get(key).is_some() && o.get(key) == item.get(key)
                }
                _ => o == item,
            })
            .unwrap_or(usize::MAX)
    };
    items.sort_by_key(rank);
}

/// A patch value that lands where the original has nothing: its directives removed.
fn clean(value: &Value, parent: Node, key: &str) -> Result<Option<Value>, String> {
    Ok(Some(match value {
        Value::Object(map) => match map.get(PATCH).and_then(Value::as_str) {
            Some("delete") => return Ok(None),
            _ => Value::Object(clean_map(map, parent.child(key))?),
        },
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|item| item.get(PATCH).is_none())
                .map(|item| clean_item(item, parent.child(key)))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    }))
}

fn clean_item(item: &Value, node: Node) -> Result<Value, String> {
    match item {
        Value::Object(map) => Ok(Value::Object(clean_map(map, node)?)),
        other => Ok(other.clone()),
    }
}

fn clean_map(map: &Map<String, Value>, node: Node) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for (key, value) in map {
        if key.starts_with('$') || value.is_null() {
            continue;
        }
        if let Some(value) = clean(value, node, key)? {
            out.insert(key.clone(), value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "finalizers": ["a"]},
            "spec": {"replicas": 2, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
                "template": {"spec": {"containers": [
                    {"name": "app", "image": "app:1", "ports": [{"containerPort": 8080}, {"containerPort": 9090}],
                     "env": [{"name": "A", "value": "1"}]},
                    {"name": "sidecar", "image": "proxy:1"}]}}}})
    }

    fn containers(object: &Value) -> &Vec<Value> {
        object["spec"]["template"]["spec"]["containers"].as_array().unwrap()
    }

    #[test]
    fn kubectl_set_image_changes_one_container_and_keeps_the_rest() {
        // What `kubectl set image deploy/web app=app:2` sends.
        let patch = json!({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
            "containers": [{"image": "app:2", "name": "app"}]}}}});
        let patched = apply(&deployment(), &patch).unwrap();
        let c = containers(&patched);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0]["image"], "app:2");
        assert_eq!(c[0]["ports"].as_array().unwrap().len(), 2);
        assert_eq!(c[1], json!({"name": "sidecar", "image": "proxy:1"}));
        assert!(!patched.to_string().contains('$'), "{patched}");
    }

    #[test]
    fn kubectl_set_env_adds_a_variable_and_keeps_the_image() {
        let patch = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "$setElementOrder/env": [{"name": "A"}, {"name": "B"}], "env": [{"name": "B", "value": "2"}]}]}}}});
        let patched = apply(&deployment(), &patch).unwrap();
        let app = &containers(&patched)[0];
        assert_eq!(app["image"], "app:1");
        assert_eq!(app["env"], json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]));
    }

    #[test]
    fn directives_delete_replace_retain_keys_and_delete_from_primitive_lists() {
        let patch = json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"], "finalizers": ["b"]},
            "spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"},
                "template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"},
                    {"name": "app", "ports": [{"containerPort": 8080, "$patch": "delete"}]}]}}}});
        let patched = apply(&deployment(), &patch).unwrap();
        assert_eq!(patched["metadata"]["finalizers"], json!(["b"]));
        assert_eq!(patched["spec"]["strategy"], json!({"type": "Recreate"}));
        let c = containers(&patched);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0]["ports"], json!([{"containerPort": 9090}]));
        let replaced = apply(
            &deployment(),
            &json!({"spec": {"template": {"spec": {"containers": [
            {"$patch": "replace"}, {"name": "only", "image": "x:1"}]}}}}),
        )
        .unwrap();
        assert_eq!(containers(&replaced), &vec![json!({"name": "only", "image": "x:1"})]);
    }

    #[test]
    fn lists_without_a_strategy_are_replaced_and_nulls_delete_fields() {
        let patch = json!({"spec": {"replicas": null, "template": {"spec": {"tolerations": [{"key": "k"}]}}}});
        let patched = apply(&deployment(), &patch).unwrap();
        assert!(patched["spec"].get("replicas").is_none());
        assert_eq!(patched["spec"]["template"]["spec"]["tolerations"], json!([{"key": "k"}]));
    }

    #[test]
    fn unknown_directives_and_keyless_items_are_errors() {
        assert!(apply(&deployment(), &json!({"$patch": "bogus"})).is_err());
        let keyless = json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}});
        assert!(apply(&deployment(), &keyless).unwrap_err().contains("has no name"));
    }
}
