//! Writes the OpenAPI v3 schema of apps/v1 Deployment, with every definition it references,
//! as `{"root": NAME, "schemas": {NAME: schema, ...}}`, to the path given (default
//! `apiserver/src/openapi/deployment.json`). The embedded Space API serves it for `kubectl
//! explain` and checks Deployments' fields against it.

use k8s_openapi::api::apps::v1::Deployment;
use schemars::generate::SchemaSettings;

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "apiserver/src/openapi/deployment.json".to_owned());
    let mut generator = SchemaSettings::openapi3().into_generator();
    let root = generator.subschema_for::<Deployment>();
    let root = root
        .get("$ref")
        .and_then(|r| r.as_str())
        .and_then(|r| r.rsplit('/').next())
        .expect("a reference to the Deployment schema")
        .to_owned();
    let schemas: serde_json::Map<String, serde_json::Value> = generator
        .definitions()
        .iter()
        .map(|(name, schema)| (name.clone(), schema.clone()))
        .collect();
    let document = serde_json::json!({"root": root, "schemas": schemas});
    let text = serde_json::to_string_pretty(&document).expect("JSON");
    std::fs::write(&out, text + "\n").expect("writing the schema");
    eprintln!("{} definitions written to {out}", schemas.len());
}
