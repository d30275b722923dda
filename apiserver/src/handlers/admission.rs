//! Admission: what an object must satisfy before it is stored. EgressPoints are checked by
//! `egress-rules` against the rest of their namespace, exactly as the UI and `lint` check
//! them; unknown fields follow `fieldValidation` (Strict rejects, Warn warns and prunes,
//! Ignore prunes), as kube-apiserver does for CRDs with structural schemas.

use crate::request::Query;
use crate::resources::{DEPLOYMENTS, EGRESSPOINTS, NAMESPACES, ResourceType};
use crate::status::{Cause, StatusError, StatusResult};
use crate::store::Memory;
use egress_rules::path::FieldPath;
use egress_rules::{Code, Severity, SpaceContext, SpaceIndex, check_value, names};
use serde_json::Value;

/// `fieldValidation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldValidation {
    /// Unknown fields are an error (kubectl's default).
    Strict,
    /// Unknown fields are dropped with a warning (the API default).
    Warn,
    /// Unknown fields are dropped silently.
    Ignore,
}

impl FieldValidation {
    /// From the query; absent means Warn.
    pub fn from_query(query: &Query) -> StatusResult<FieldValidation> {
        match query.get("fieldValidation") {
            None | Some("Warn") => Ok(FieldValidation::Warn),
            Some("Strict") => Ok(FieldValidation::Strict),
            Some("Ignore") => Ok(FieldValidation::Ignore),
            Some(other) => Err(StatusError::bad_request(format!(
                "fieldValidation: Unsupported value: \"{other}\": supported values: \"Ignore\", \"Strict\", \"Warn\""
            ))),
        }
    }
}

/// Checks `object` (already named) for storing in `namespace`; returns the warnings to send
/// back as `Warning` headers.
pub fn admit(
    memory: &Memory,
    resource: &ResourceType,
    namespace: &str,
    object: &mut Value,
    validation: FieldValidation,
) -> StatusResult<Vec<String>> {
    let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
    check_name(resource, &name)?;
    if resource == &DEPLOYMENTS {
        // Fields Kubernetes' Deployment schema does not have, as kube-apiserver's strict
        // decoding finds them.
        let unknown = crate::known_fields::unknown_in_deployment(object);
        let fields: Vec<String> =
            unknown.iter().map(|u| format!("unknown field \"{u}\"")).collect();
        let warnings = unknown_fields(resource, fields, validation)?;
        unknown.iter().for_each(|u| u.remove_from(object));
        return Ok(warnings);
    }
    if resource != &EGRESSPOINTS {
        return Ok(Vec::new());
    }
    let empty = SpaceIndex::new();
    let index = memory.egress_index(namespace).unwrap_or(&empty);
    let workloads = memory.workloads(namespace);
    let checked = check_value(object, Some(SpaceContext { index, workloads: Some(&workloads) }));
    let (unknown, diagnostics): (Vec<_>, Vec<_>) =
        checked.diagnostics.into_iter().partition(|d| d.code == Code::UnknownField);
    let fields: Vec<String> =
        unknown.iter().map(|d| format!("unknown field \"{}\"", d.path)).collect();
    let mut warnings = unknown_fields(resource, fields, validation)?;
    for d in &unknown {
        FieldPath::parse(&d.path).remove_from(object);
    }
    let causes: Vec<Cause> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| Cause {
            reason: "FieldValueInvalid",
            field: d.path.clone(),
            message: match &d.hint {
                Some(hint) => format!("{} [{}] (fix: {hint})", d.message, d.code),
                None => format!("{} [{}]", d.message, d.code),
            },
        })
        .collect();
    if !causes.is_empty() {
        return Err(StatusError::invalid(resource, &name, causes));
    }
    warnings.extend(
        diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(|d| format!("{}: {} [{}]", d.path, d.message, d.code)),
    );
    Ok(warnings)
}

/// What `fieldValidation` makes of unknown fields (`unknown field "spec.x"` each): Strict
/// refuses the write in kube-apiserver's words, Warn returns them as warnings, Ignore drops
/// them silently. The caller removes them from the object either way.
fn unknown_fields(
    resource: &ResourceType,
    fields: Vec<String>,
    validation: FieldValidation,
) -> StatusResult<Vec<String>> {
    if fields.is_empty() {
        return Ok(Vec::new());
    }
    match validation {
        FieldValidation::Strict => Err(StatusError::bad_request(format!(
            "{} in version \"{}\" cannot be handled as a {}: strict decoding error: {}",
            resource.kind,
            resource.version,
            resource.kind,
            fields.join(", ")
        ))),
        FieldValidation::Warn => Ok(fields),
        FieldValidation::Ignore => Ok(Vec::new()),
    }
}

fn check_name(resource: &ResourceType, name: &str) -> StatusResult<()> {
    let problem = if resource == &NAMESPACES {
        // Namespace names are DNS-1123 labels: no dots, at most 63 characters.
        names::check_label(name).err()
    } else {
        names::check_subdomain(name).err()
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(StatusError::invalid(
            resource,
            name,
            vec![Cause {
                reason: "FieldValueInvalid",
                field: "metadata.name".into(),
                message: format!("Invalid value: \"{name}\": {problem}"),
            }],
        )),
    }
}
