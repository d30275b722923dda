//! Built-in objects sent as protobuf, read into their JSON by tables of their messages'
//! fields (k8s.io/api and apimachinery generated.proto). Go's protobuf writes every
//! non-pointer field, zero values included, where its JSON leaves them out (`omitempty`):
//! empty strings, `false` and empty messages are left out here too. A field these tables do
//! not know is refused when it holds a value (so nothing sent is silently dropped) and
//! skipped when it is empty.

use super::{Field, MAGIC, fields};
use crate::status::{StatusError, StatusResult};
use base64::Engine;
use serde_json::{Map, Value, json};

/// What a field holds.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    /// A pointer integer (`*int32`): sent only when set, 0 included.
    Int,
    /// A plain integer: always sent, and 0 means unset (Go's JSON leaves it out).
    Int0,
    Bool,
    Msg(&'static Message),
    /// `map<string, string>` (entries: key 1, value 2).
    Map,
    /// `map<string, bytes>`.
    BytesMap,
    /// `metav1.Time`: seconds 1, nanos 2 → RFC 3339.
    Time,
    /// `intstr.IntOrString`: type 1 (0 int, 1 string), intVal 2, strVal 3.
    IntOrString,
    /// A map of `resource.Quantity` (string 1): `resources.limits`.
    QuantityMap,
}

struct Def {
    number: u64,
    name: &'static str,
    ty: Ty,
    repeated: bool,
}

const fn one(number: u64, name: &'static str, ty: Ty) -> Def {
    Def { number, name, ty, repeated: false }
}

const fn many(number: u64, name: &'static str, ty: Ty) -> Def {
    Def { number, name, ty, repeated: true }
}

/// One message type.
pub struct Message {
    name: &'static str,
    fields: &'static [Def],
}

use Ty::{Bool, Int, Int0, IntOrString, Map as StrMap, Msg, Str, Time};

static OWNER_REFERENCE: Message = Message {
    name: "OwnerReference",
    fields: &[
        one(1, "kind", Str),
        one(3, "name", Str),
        one(4, "uid", Str),
        one(5, "apiVersion", Str),
        one(6, "controller", Bool),
        one(7, "blockOwnerDeletion", Bool),
    ],
};

static OBJECT_META: Message = Message {
    name: "ObjectMeta",
    fields: &[
        one(1, "name", Str),
        one(2, "generateName", Str),
        one(3, "namespace", Str),
        one(5, "uid", Str),
        one(6, "resourceVersion", Str),
        one(7, "generation", Int0),
        one(8, "creationTimestamp", Time),
        one(9, "deletionTimestamp", Time),
        one(10, "deletionGracePeriodSeconds", Int),
        one(11, "labels", StrMap),
        one(12, "annotations", StrMap),
        many(13, "ownerReferences", Msg(&OWNER_REFERENCE)),
        many(14, "finalizers", Str),
    ],
};

static NAMESPACE: Message = Message {
    name: "Namespace",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(
            2,
            "spec",
            Msg(&Message { name: "NamespaceSpec", fields: &[many(1, "finalizers", Str)] }),
        ),
        one(
            3,
            "status",
            Msg(&Message { name: "NamespaceStatus", fields: &[one(1, "phase", Str)] }),
        ),
    ],
};

static CONFIG_MAP: Message = Message {
    name: "ConfigMap",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "data", StrMap),
        one(3, "binaryData", Ty::BytesMap),
        one(4, "immutable", Bool),
    ],
};

static SECRET: Message = Message {
    name: "Secret",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "data", Ty::BytesMap),
        one(3, "type", Str),
        one(4, "stringData", StrMap),
        one(5, "immutable", Bool),
    ],
};

static LABEL_SELECTOR: Message = Message {
    name: "LabelSelector",
    fields: &[
        one(1, "matchLabels", StrMap),
        many(
            2,
            "matchExpressions",
            Msg(&Message {
                name: "LabelSelectorRequirement",
                fields: &[one(1, "key", Str), one(2, "operator", Str), many(3, "values", Str)],
            }),
        ),
    ],
};

static CONTAINER_PORT: Message = Message {
    name: "ContainerPort",
    fields: &[
        one(1, "name", Str),
        one(2, "hostPort", Int0),
        one(3, "containerPort", Int0),
        one(4, "protocol", Str),
        one(5, "hostIP", Str),
    ],
};

static ENV_VAR: Message =
    Message { name: "EnvVar", fields: &[one(1, "name", Str), one(2, "value", Str)] };

static RESOURCES: Message = Message {
    name: "ResourceRequirements",
    fields: &[one(1, "limits", Ty::QuantityMap), one(2, "requests", Ty::QuantityMap)],
};

static CONTAINER: Message = Message {
    name: "Container",
    fields: &[
        one(1, "name", Str),
        one(2, "image", Str),
        many(3, "command", Str),
        many(4, "args", Str),
        one(5, "workingDir", Str),
        many(6, "ports", Msg(&CONTAINER_PORT)),
        many(7, "env", Msg(&ENV_VAR)),
        one(8, "resources", Msg(&RESOURCES)),
        one(13, "terminationMessagePath", Str),
        one(14, "imagePullPolicy", Str),
        one(16, "stdin", Bool),
        one(17, "stdinOnce", Bool),
        one(18, "tty", Bool),
        one(20, "terminationMessagePolicy", Str),
    ],
};

static POD_SPEC: Message = Message {
    name: "PodSpec",
    fields: &[
        many(2, "containers", Msg(&CONTAINER)),
        one(3, "restartPolicy", Str),
        one(4, "terminationGracePeriodSeconds", Int),
        one(5, "activeDeadlineSeconds", Int),
        one(6, "dnsPolicy", Str),
        one(7, "nodeSelector", StrMap),
        one(8, "serviceAccountName", Str),
        one(9, "serviceAccount", Str),
        one(10, "nodeName", Str),
        one(11, "hostNetwork", Bool),
        one(12, "hostPID", Bool),
        one(13, "hostIPC", Bool),
        many(
            15,
            "imagePullSecrets",
            Msg(&Message { name: "LocalObjectReference", fields: &[one(1, "name", Str)] }),
        ),
        one(16, "hostname", Str),
        one(17, "subdomain", Str),
        one(19, "schedulerName", Str),
        many(20, "initContainers", Msg(&CONTAINER)),
        one(21, "automountServiceAccountToken", Bool),
        one(24, "priorityClassName", Str),
        one(27, "shareProcessNamespace", Bool),
        one(29, "runtimeClassName", Str),
        one(30, "enableServiceLinks", Bool),
        one(31, "preemptionPolicy", Str),
        one(35, "setHostnameAsFQDN", Bool),
        one(37, "hostUsers", Bool),
    ],
};

static POD_TEMPLATE: Message = Message {
    name: "PodTemplateSpec",
    fields: &[one(1, "metadata", Msg(&OBJECT_META)), one(2, "spec", Msg(&POD_SPEC))],
};

static DEPLOYMENT: Message = Message {
    name: "Deployment",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(
            2,
            "spec",
            Msg(&Message {
                name: "DeploymentSpec",
                fields: &[
                    one(1, "replicas", Int),
                    one(2, "selector", Msg(&LABEL_SELECTOR)),
                    one(3, "template", Msg(&POD_TEMPLATE)),
                    one(
                        4,
                        "strategy",
                        Msg(&Message {
                            name: "DeploymentStrategy",
                            fields: &[
                                one(1, "type", Str),
                                one(
                                    2,
                                    "rollingUpdate",
                                    Msg(&Message {
                                        name: "RollingUpdateDeployment",
                                        fields: &[
                                            one(1, "maxUnavailable", IntOrString),
                                            one(2, "maxSurge", IntOrString),
                                        ],
                                    }),
                                ),
                            ],
                        }),
                    ),
                    one(5, "minReadySeconds", Int0),
                    one(6, "revisionHistoryLimit", Int),
                    one(7, "paused", Bool),
                    one(9, "progressDeadlineSeconds", Int),
                ],
            }),
        ),
        // The server sets the status; what a client sends there is not kept anyway.
        one(3, "status", Msg(&Message { name: "DeploymentStatus", fields: &[] })),
    ],
};

static SERVICE: Message = Message {
    name: "Service",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(
            2,
            "spec",
            Msg(&Message {
                name: "ServiceSpec",
                fields: &[
                    many(
                        1,
                        "ports",
                        Msg(&Message {
                            name: "ServicePort",
                            fields: &[
                                one(1, "name", Str),
                                one(2, "protocol", Str),
                                one(3, "port", Int0),
                                one(4, "targetPort", IntOrString),
                                one(5, "nodePort", Int0),
                                one(6, "appProtocol", Str),
                            ],
                        }),
                    ),
                    one(2, "selector", StrMap),
                    one(3, "clusterIP", Str),
                    one(4, "type", Str),
                    many(5, "externalIPs", Str),
                    one(7, "sessionAffinity", Str),
                    one(11, "externalName", Str),
                    one(12, "externalTrafficPolicy", Str),
                    many(18, "clusterIPs", Str),
                    many(19, "ipFamilies", Str),
                    one(20, "ipFamilyPolicy", Str),
                    one(22, "internalTrafficPolicy", Str),
                ],
            }),
        ),
        one(3, "status", Msg(&Message { name: "ServiceStatus", fields: &[] })),
    ],
};

static JOB_SPEC: Message = Message {
    name: "JobSpec",
    fields: &[
        one(1, "parallelism", Int),
        one(2, "completions", Int),
        one(3, "activeDeadlineSeconds", Int),
        one(4, "selector", Msg(&LABEL_SELECTOR)),
        one(5, "manualSelector", Bool),
        one(6, "template", Msg(&POD_TEMPLATE)),
        one(7, "backoffLimit", Int),
        one(8, "ttlSecondsAfterFinished", Int),
        one(9, "completionMode", Str),
        one(10, "suspend", Bool),
    ],
};

static JOB: Message = Message {
    name: "Job",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&JOB_SPEC)),
        one(3, "status", Msg(&Message { name: "JobStatus", fields: &[] })),
    ],
};

static CRON_JOB: Message = Message {
    name: "CronJob",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(
            2,
            "spec",
            Msg(&Message {
                name: "CronJobSpec",
                fields: &[
                    one(1, "schedule", Str),
                    one(2, "startingDeadlineSeconds", Int),
                    one(3, "concurrencyPolicy", Str),
                    one(4, "suspend", Bool),
                    one(
                        5,
                        "jobTemplate",
                        Msg(&Message {
                            name: "JobTemplateSpec",
                            fields: &[
                                one(1, "metadata", Msg(&OBJECT_META)),
                                one(2, "spec", Msg(&JOB_SPEC)),
                            ],
                        }),
                    ),
                    one(6, "successfulJobsHistoryLimit", Int),
                    one(7, "failedJobsHistoryLimit", Int),
                    one(8, "timeZone", Str),
                ],
            }),
        ),
        one(3, "status", Msg(&Message { name: "CronJobStatus", fields: &[] })),
    ],
};

static SERVICE_ACCOUNT: Message = Message {
    name: "ServiceAccount",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        many(
            3,
            "imagePullSecrets",
            Msg(&Message { name: "LocalObjectReference", fields: &[one(1, "name", Str)] }),
        ),
        one(4, "automountServiceAccountToken", Bool),
    ],
};

/// The message of a top-level kind.
fn message_of(kind: &str) -> Option<&'static Message> {
    Some(match kind {
        "Namespace" => &NAMESPACE,
        "ConfigMap" => &CONFIG_MAP,
        "Secret" => &SECRET,
        "Deployment" => &DEPLOYMENT,
        "Service" => &SERVICE,
        "ServiceAccount" => &SERVICE_ACCOUNT,
        "Job" => &JOB,
        "CronJob" => &CRON_JOB,
        _ => return None,
    })
}

/// A built-in object sent as protobuf (`k8s\0` + `runtime.Unknown`), as JSON. `kind` is
/// the kind the URL names.
pub fn object(kind: &str, body: &[u8]) -> StatusResult<Value> {
    let unreadable = || StatusError::bad_request("the protobuf body could not be decoded");
    let Some(message) = message_of(kind) else {
        return Err(StatusError::unsupported_media_type(&format!(
            "application/vnd.kubernetes.protobuf for {kind} (send it as JSON)"
        )));
    };
    let envelope = body.strip_prefix(MAGIC).ok_or_else(unreadable)?;
    let unknown = fields(envelope).ok_or_else(unreadable)?;
    let raw = super::message(&unknown, 2);
    let type_meta = fields(super::message(&unknown, 1)).ok_or_else(unreadable)?;
    let text = |number| String::from_utf8_lossy(super::message(&type_meta, number)).into_owned();
    let mut value = decode(raw, message).map_err(StatusError::bad_request)?;
    let object = value.as_object_mut().ok_or_else(unreadable)?;
    object.insert("apiVersion".into(), json!(text(1)));
    object.insert("kind".into(), json!(text(2)));
    Ok(value)
}

fn decode(data: &[u8], message: &Message) -> Result<Value, String> {
    let unreadable = || format!("the protobuf {} could not be decoded", message.name);
    let mut out = Map::new();
    for field in fields(data).ok_or_else(unreadable)? {
        let Some(def) = message.fields.iter().find(|d| d.number == field.number) else {
            let empty = field.bytes.is_some_and(<[u8]>::is_empty)
                || field.bytes.is_none() && field.value == 0;
            if empty {
                continue;
            }
            return Err(format!(
                "protobuf field {} of {} is not supported by this server: send the object as JSON (kubectl: apply -f with the object as YAML)",
                field.number, message.name
            ));
        };
        let value = scalar(&field, def.ty)?;
        if def.repeated {
            match out.entry(def.name).or_insert_with(|| Value::Array(Vec::new())) {
                Value::Array(items) => items.push(value),
                _ => return Err(unreadable()),
            }
        } else {
            match (def.ty, out.get_mut(def.name)) {
                // Map entries come one per field occurrence.
                (Ty::Map | Ty::BytesMap | Ty::QuantityMap, Some(Value::Object(existing))) => {
                    if let Value::Object(more) = value {
                        existing.extend(more);
                    }
                }
                _ => {
                    out.insert(def.name.to_owned(), value);
                }
            }
        }
    }
    // What Go's JSON leaves out.
    out.retain(|_, v| {
        !v.is_null()
            && !matches!(v, Value::String(s) if s.is_empty())
            && *v != Value::Bool(false)
            && *v != json!({})
    });
    Ok(Value::Object(out))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scalar(field: &Field<'_>, ty: Ty) -> Result<Value, String> {
    let bytes = field.bytes.unwrap_or_default();
    Ok(match ty {
        Ty::Str => json!(text(bytes)),
        // int32/int64 as varints: negative values come as their two's complement.
        Ty::Int => json!(field.value as i64),
        Ty::Int0 if field.value == 0 => Value::Null,
        Ty::Int0 => json!(field.value as i64),
        Ty::Bool => json!(field.value != 0),
        Ty::Msg(message) => decode(bytes, message)?,
        Ty::Map | Ty::BytesMap | Ty::QuantityMap => {
            let entry = fields(bytes).ok_or("a protobuf map entry could not be decoded")?;
            let key = text(super::message(&entry, 1));
            let raw = super::message(&entry, 2);
            let value = match ty {
                Ty::BytesMap => json!(base64::engine::general_purpose::STANDARD.encode(raw)),
                Ty::QuantityMap => quantity(raw)?,
                _ => json!(text(raw)),
            };
            json!({ key: value })
        }
        Ty::Time => {
            let time = fields(bytes).ok_or("a protobuf time could not be decoded")?;
            let seconds = time.iter().find(|f| f.number == 1).map_or(0, |f| f.value as i64);
            // Go's zero time is `null` in JSON: not set.
            if seconds == 0 {
                return Ok(Value::Null);
            }
            let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds.max(0) as u64);
            json!(crate::time::format_rfc3339(at))
        }
        Ty::IntOrString => {
            let parts = fields(bytes).ok_or("a protobuf int-or-string could not be decoded")?;
            let is_string = parts.iter().any(|f| f.number == 1 && f.value == 1);
            if is_string {
                json!(text(super::message(&parts, 3)))
            } else {
                json!(parts.iter().find(|f| f.number == 2).map_or(0, |f| f.value as i64))
            }
        }
    })
}

fn quantity(bytes: &[u8]) -> Result<Value, String> {
    let parts = fields(bytes).ok_or("a protobuf quantity could not be decoded")?;
    Ok(json!(text(super::message(&parts, 1))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut n: u64, out: &mut Vec<u8>) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    /// A length-delimited field.
    fn field(number: u64, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        varint((number << 3) | 2, &mut out);
        varint(bytes.len() as u64, &mut out);
        out.extend_from_slice(bytes);
        out
    }

    fn namespace(extra: &[u8]) -> Vec<u8> {
        let meta = field(1, b"shop");
        let raw = [field(1, &meta), extra.to_vec()].concat();
        let type_meta = [field(1, b"v1"), field(2, b"Namespace")].concat();
        [MAGIC.to_vec(), field(1, &type_meta), field(2, &raw)].concat()
    }

    #[test]
    fn a_namespace_reads_as_its_json() {
        let value = object("Namespace", &namespace(&[])).unwrap();
        assert_eq!(
            value,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
        );
        // An unknown field left at its zero value (Go writes those) is skipped.
        assert!(object("Namespace", &namespace(&field(99, b""))).is_ok());
    }

    #[test]
    fn an_unknown_field_with_a_value_is_refused_not_dropped() {
        let error = object("Namespace", &namespace(&field(99, b"kept?"))).unwrap_err();
        assert_eq!(error.code, 400);
        assert!(
            error.message.contains("protobuf field 99 of Namespace is not supported"),
            "{}",
            error.message
        );
    }

    #[test]
    fn garbage_and_unknown_kinds_are_refused_in_words() {
        let error = object("Namespace", b"k8s\0\xff\xff\xff").unwrap_err();
        assert_eq!(
            (error.code.as_u16(), error.message.as_str()),
            (400, "the protobuf body could not be decoded")
        );
        assert_eq!(object("Namespace", b"{}").unwrap_err().code, 400);
        let error = object("Ingress", &namespace(&[])).unwrap_err();
        assert_eq!(error.code, 415);
        assert!(error.message.contains("send it as JSON"), "{}", error.message);
    }
}
