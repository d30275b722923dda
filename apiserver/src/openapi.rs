//! OpenAPI v3 documents (`/openapi/v3`), as kubectl reads them for `explain` and `apply`.
//! The EgressPoint schema is the rules crate's, the Deployment schema Kubernetes' own
//! (`openapi/deployment.json`, from k8s-openapi); the other kinds are served without a
//! schema of their own (they are stored as they are).

use crate::resources::{ALL, ResourceType};
use serde_json::{Value, json};

fn gv_path(r: &ResourceType) -> String {
    if r.group.is_empty() {
        format!("api/{}", r.version)
    } else {
        format!("apis/{}/{}", r.group, r.version)
    }
}

/// `/openapi/v3`: where each group-version's document is.
pub fn index() -> Value {
    let mut paths = serde_json::Map::new();
    for r in ALL {
        let path = gv_path(r);
        let url = format!("/openapi/v3/{path}?hash={}", env!("CARGO_PKG_VERSION").replace('.', ""));
        paths.insert(path, json!({"serverRelativeURL": url}));
    }
    json!({"paths": paths})
}

/// The collection and object paths of a type, with `{namespace}` and `{name}` placeholders.
fn resource_paths(r: &ResourceType) -> (String, String) {
    let namespaced = if r.namespaced { "namespaces/{namespace}/" } else { "" };
    let collection = format!("/{}/{namespaced}{}", gv_path(r), r.plural);
    let object = format!("{collection}/{{name}}");
    (collection, object)
}

/// Schema name in the Kubernetes convention (reversed group).
fn schema_name(r: &ResourceType, kind: &str) -> String {
    if r == &crate::resources::DEPLOYMENTS && kind == r.kind {
        return crate::known_fields::deployment_schemas().0.to_owned();
    }
    let reversed: Vec<&str> = if r.group.is_empty() {
        vec!["io", "k8s", "api", "core"]
    } else {
        r.group.split('.').rev().collect()
    };
    format!("{}.{}.{kind}", reversed.join("."), r.version)
}

/// A schema as Kubernetes publishes it: a reference with a description beside it is
/// wrapped in `allOf` (OpenAPI 3.0 ignores what sits beside a `$ref`, and kubectl explain
/// shows the description).
fn as_published(schema: &Value) -> Value {
    match schema {
        Value::Object(map) if map.contains_key("$ref") && map.len() > 1 => {
            let mut map = map.clone();
            let reference = map.remove("$ref").unwrap_or_default();
            map.insert("allOf".into(), json!([{"$ref": reference}]));
            Value::Object(map)
        }
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), as_published(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(as_published).collect()),
        other => other.clone(),
    }
}

/// The document of one group-version.
pub fn document(group: &str, version: &str) -> Option<Value> {
    let resources = ResourceType::of_group_version(group, version);
    if resources.is_empty() {
        return None;
    }
    let mut schemas = serde_json::Map::new();
    let mut paths = serde_json::Map::new();
    for r in &resources {
        let (collection, object) = resource_paths(r);
        let reference =
            |kind: &str| json!({"$ref": format!("#/components/schemas/{}", schema_name(r, kind))});
        let gvk = json!({"group": r.group, "version": r.version, "kind": r.kind});
        let operation = |action: &str, schema: Value| {
            json!({
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk,
                "parameters": [
                    {"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
                    {"name": "dryRun", "in": "query", "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}},
            })
        };
        paths.insert(
            collection,
            json!({
                "get": operation("list", reference(&r.list_kind())),
                "post": operation("post", reference(r.kind)),
            }),
        );
        paths.insert(
            object,
            json!({
                "get": operation("get", reference(r.kind)),
                "put": operation("put", reference(r.kind)),
                "patch": operation("patch", reference(r.kind)),
                "delete": operation("delete", reference(r.kind)),
            }),
        );
    }
    for r in resources {
        let gvk = json!([{"group": r.group, "version": r.version, "kind": r.kind}]);
        let mut schema = if r == &crate::resources::EGRESSPOINTS {
            egress_rules::schema::egress_point_schema()
        } else if r == &crate::resources::DEPLOYMENTS {
            let (root, definitions) = crate::known_fields::deployment_schemas();
            for (name, definition) in definitions {
                schemas.insert(name.clone(), as_published(definition));
            }
            as_published(&definitions[root])
        } else {
            json!({"type": "object", "description": r.kind, "x-kubernetes-preserve-unknown-fields": true,
                   "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"}}})
        };
        schema["x-kubernetes-group-version-kind"] = gvk;
        schemas.insert(schema_name(r, r.kind), schema);
        let list_gvk = json!([{"group": r.group, "version": r.version, "kind": r.list_kind()}]);
        schemas.insert(
            schema_name(r, &r.list_kind()),
            json!({
                "type": "object",
                "description": format!("A list of {}", r.kind),
                "properties": {
                    "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
                    "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{}", schema_name(r, r.kind))}}
                },
                "x-kubernetes-group-version-kind": list_gvk,
            }),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Egress Console Space API", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {"schemas": schemas},
    }))
}
