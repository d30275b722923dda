//! Unknown fields of built-in kinds, found by walking an object along Kubernetes' own
//! OpenAPI schema (`openapi/deployment.json`, written by `tools/k8s-schemas` from
//! k8s-openapi): what kube-apiserver's strict decoding reports as `unknown field "spec.x"`
//! and otherwise drops, since its Go types have nowhere to keep it.
//!
//! Only field names are judged. A schema without `properties` (free-form objects such as
//! `fieldsV1`, maps described by `additionalProperties`) accepts any key, and
//! `x-kubernetes-preserve-unknown-fields` keeps everything under it, as kube-apiserver does.

use serde_json::{Map, Value};
use std::sync::LazyLock;

/// The Deployment schema and the definitions it references.
struct Schemas {
    root: String,
    schemas: Map<String, Value>,
}

static DEPLOYMENT: LazyLock<Schemas> = LazyLock::new(|| {
    let document: Value = serde_json::from_str(include_str!("openapi/deployment.json"))
        .expect("the embedded Deployment schema is JSON");
    Schemas {
        root: document["root"].as_str().unwrap_or_default().to_owned(),
        schemas: document["schemas"].as_object().cloned().unwrap_or_default(),
    }
});

/// The Deployment definitions, by Kubernetes' schema name, and the name of the root one.
pub fn deployment_schemas() -> (&'static str, &'static Map<String, Value>) {
    (&DEPLOYMENT.root, &DEPLOYMENT.schemas)
}

/// One step of a path into an object.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// An unknown field: where, in kube-apiserver's words (`spec.template.spec.containers[0].x`).
#[derive(Clone, Debug, PartialEq)]
pub struct Unknown {
    steps: Vec<Step>,
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                Step::Key(key) if i == 0 => write!(f, "{key}")?,
                Step::Key(key) => write!(f, ".{key}")?,
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

impl Unknown {
    /// Removes the field from `object` (kube-apiserver drops what its types cannot hold).
    pub fn remove_from(&self, object: &mut Value) {
        let Some((last, parents)) = self.steps.split_last() else { return };
        let mut at = object;
        for step in parents {
            let next = match step {
                Step::Key(key) => at.get_mut(key.as_str()),
                Step::Index(index) => at.get_mut(*index),
            };
            match next {
                Some(next) => at = next,
                None => return,
            }
        }
        if let (Step::Key(key), Some(map)) = (last, at.as_object_mut()) {
            map.remove(key);
        }
    }
}

/// The unknown fields of a Deployment.
pub fn unknown_in_deployment(object: &Value) -> Vec<Unknown> {
    let schemas = &*DEPLOYMENT;
    let mut found = Vec::new();
    if let Some(root) = schemas.schemas.get(&schemas.root) {
        walk(&schemas.schemas, root, object, &mut Vec::new(), &mut found);
    }
    found
}

/// Follows `$ref` (also wrapped in `allOf`, as Kubernetes publishes references with a
/// description beside them) to the schema it names.
fn resolve<'s>(schemas: &'s Map<String, Value>, mut schema: &'s Value) -> &'s Value {
    for _ in 0..8 {
        let reference = schema["$ref"]
            .as_str()
            .or_else(|| schema["allOf"].get(0).and_then(|first| first["$ref"].as_str()));
        match reference.and_then(|r| r.rsplit('/').next()).and_then(|name| schemas.get(name)) {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

fn walk(
    schemas: &Map<String, Value>,
    schema: &Value,
    value: &Value,
    path: &mut Vec<Step>,
    found: &mut Vec<Unknown>,
) {
    let schema = resolve(schemas, schema);
    if schema["x-kubernetes-preserve-unknown-fields"] == Value::Bool(true) {
        return;
    }
    match value {
        Value::Object(fields) => {
            let properties = schema["properties"].as_object();
            let values =
                schema["additionalProperties"].is_object().then(|| &schema["additionalProperties"]);
            for (key, field) in fields {
                path.push(Step::Key(key.clone()));
                match (properties.and_then(|p| p.get(key)), values) {
                    (Some(field_schema), _) => walk(schemas, field_schema, field, path, found),
                    (None, Some(values)) => walk(schemas, values, field, path, found),
                    (None, None) if properties.is_some() => {
                        found.push(Unknown { steps: path.clone() });
                    }
                    (None, None) => {}
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    path.push(Step::Index(index));
                    walk(schemas, item_schema, item, path, found);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app.kubernetes.io/name": "web"},
                "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"rollingUpdate": {"maxSurge": "25%"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                    {"name": "app", "image": "nginx", "ports": [{"containerPort": 80}],
                     "env": [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}],
                     "resources": {"limits": {"cpu": "1"}}}
                ]}}}
        })
    }

    #[test]
    fn a_correct_deployment_has_no_unknown_fields() {
        assert_eq!(unknown_in_deployment(&deployment()), vec![]);
    }

    #[test]
    fn misspelt_fields_are_found_where_they_are_and_can_be_dropped() {
        let mut object = deployment();
        object["spec"]["replica"] = json!(3);
        object["spec"]["template"]["spec"]["containers"][0]["imagee"] = json!("x");
        object["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerport"] = json!(1);
        let found: Vec<String> =
            unknown_in_deployment(&object).iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "spec.replica",
                "spec.template.spec.containers[0].imagee",
                "spec.template.spec.containers[0].ports[0].containerport"
            ]
        );
        for unknown in unknown_in_deployment(&object) {
            unknown.remove_from(&mut object);
        }
        assert_eq!(object, deployment());
    }
}
