//! The JSON Schema of an expectations file, for editors (`# yaml-language-server: $schema=`)
//! and CI tools. docs/egress-expectations.schema.json is this value, written out; a test
//! keeps the two equal.

use serde_json::{Value, json};

/// The JSON Schema (draft 2020-12) of one `EgressExpectations` document.
pub fn expectations_schema() -> Value {
    let traffic = json!({
        "type": "string",
        "description": "HOST:PORT/PROTOCOL, e.g. api.stripe.com:443/HTTPS; an IPv6 host in brackets: [2001:db8::1]:5432/TCP.",
        "pattern": r"^(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):([0-9]{1,5}|\*)(/(HTTP|HTTPS|TCP|TLS|http|https|tcp|tls))?$"
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://egress-console.dev/schemas/egress-expectations.schema.json",
        "title": "EgressExpectations",
        "description": "What must and must not be reachable from the workloads of a Space, checked by `egress-console lint --expect`, `egress-console diff --expect` and the console's Expectations panel. Not a cluster resource.",
        "type": "object",
        "required": ["kind", "expect"],
        "additionalProperties": false,
        "properties": {
            "apiVersion": {"const": "egress-console/v1", "description": "Optional."},
            "kind": {"const": "EgressExpectations"},
            "space": {
                "type": "string",
                "description": "The Space (namespace) the expectations are about. Left out: the Space they are checked against.",
                "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                "maxLength": 63
            },
            "expect": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["workload"],
                    "anyOf": [{"required": ["reach"]}, {"required": ["notReach"]}],
                    "additionalProperties": false,
                    "properties": {
                        "workload": {
                            "type": "string",
                            "description": "Deployment/NAME or ContainerApp/NAME; `any` is every workload (with reach) or no workload (with notReach).",
                            "pattern": r"^(any|\*|(Deployment|Deployment\.apps|ContainerApp|ContainerApp\.apps\.tanzu\.vmware\.com)/[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$"
                        },
                        "reach": {
                            "type": "array",
                            "description": "Traffic that must be allowed: one exact host, port and protocol each.",
                            "items": traffic.clone()
                        },
                        "notReach": {
                            "type": "array",
                            "description": "Traffic that must not be allowed. The host may be * (any host) or *.DOMAIN, the port *, and /PROTOCOL may be left out (any protocol).",
                            "items": {
                                "type": "string",
                                "pattern": r"^(\*|\*\.[^\s:/]+|\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):([0-9]{1,5}|\*)(/(HTTP|HTTPS|TCP|TLS|http|https|tcp|tls))?$"
                            }
                        },
                        "why": {"type": "string", "description": "Why this is expected; shown with a failure."}
                    }
                }
            }
        }
    })
}
