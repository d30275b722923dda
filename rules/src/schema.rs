//! The OpenAPI v3 structural schema of EgressPoint, with the reference page's descriptions.
//! The embedded Space API serves it (`kubectl explain`, `kubectl apply`), and a test below
//! holds it to the fields the decoder knows, so the two cannot drift apart.

use serde_json::{Value, json};

/// The schema of `spec` (and `status`, kept opaque).
pub fn egress_point_schema() -> Value {
    json!({
        "type": "object",
        "description": "EgressPoint allows workloads of a Space to reach off-cluster hosts on a port and protocol. Without spec.sourceRef it applies to the whole Space.",
        "required": ["spec"],
        "properties": {
            "apiVersion": {"type": "string", "description": "networking.tanzu.vmware.com/v1alpha1"},
            "kind": {"type": "string", "description": "EgressPoint"},
            "metadata": {"type": "object", "description": "Standard object metadata. It might be useful to name an EgressPoint after the off-cluster target it allows access to."},
            "spec": {
                "type": "object",
                "description": "The egress rules.",
                "required": ["targets"],
                "properties": {
                    "sourceRef": {
                        "type": "object",
                        "description": "Optional. The workload the rules apply to; it continues to have access to anything defined in EgressPoints that apply to the entire Space. Supported: ContainerApp.apps.tanzu.vmware.com and Deployment.apps.",
                        "required": ["apiGroup", "kind", "name"],
                        "properties": {
                            "apiGroup": {"type": "string", "description": "API group of the workload: apps.tanzu.vmware.com or apps.", "enum": ["apps.tanzu.vmware.com", "apps"]},
                            "kind": {"type": "string", "description": "Kind of the workload: ContainerApp or Deployment.", "enum": ["ContainerApp", "Deployment"]},
                            "name": {"type": "string", "description": "Name of the workload, for example my-app."}
                        }
                    },
                    "targets": {
                        "type": "array",
                        "description": "Hosts and the port and protocol to reach them on. The same host and port cannot be exposed on different protocols; IP address hosts only on TCP.",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["hosts", "port"],
                            "properties": {
                                "hosts": {
                                    "type": "array",
                                    "description": "Hostnames or IP addresses of the off-cluster target, for example www.example.com or 11.22.33.44.",
                                    "minItems": 1,
                                    "items": {"type": "string"}
                                },
                                "port": {
                                    "type": "object",
                                    "description": "The port the target listens on and the protocol to reach it with.",
                                    "required": ["number", "protocol"],
                                    "properties": {
                                        "number": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 65535, "description": "The port that the target is listening on, for example 80."},
                                        "protocol": {"type": "string", "enum": ["HTTP", "HTTPS", "TCP", "TLS"], "description": "HTTP, HTTPS, TCP or TLS. TCP also permits HTTP, HTTPS and TLS. Server-first protocols (MySQL, PostgreSQL, SMTP, …) must use TCP even when they support TLS."}
                                    }
                                }
                            }
                        }
                    }
                }
            },
            "status": {"type": "object", "description": "Reported by the platform.", "x-kubernetes-preserve-unknown-fields": true}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::FIELDS;

    fn properties<'a>(schema: &'a Value, path: &[&str]) -> Vec<&'a str> {
        let mut at = schema;
        for step in path {
            at = if *step == "[]" { &at["items"] } else { &at["properties"][*step] };
        }
        let mut names: Vec<&str> =
            at["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn the_schema_has_exactly_the_fields_the_decoder_knows() {
        let schema = egress_point_schema();
        for (path, known) in FIELDS {
            let mut known = known.to_vec();
            known.sort_unstable();
            assert_eq!(properties(&schema, path), known, "at {path:?}");
        }
    }
}
