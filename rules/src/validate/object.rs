//! Rules about the object as a whole: `kind`, `name`, `namespace`, `source-ref`,
//! `workload-missing`.

use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::model::{API_VERSION, EgressPoint, KIND, SUPPORTED_SOURCE_KINDS, WorkloadRef};
use crate::names;

/// `kind`: "apiVersion: networking.tanzu.vmware.com/v1alpha1, kind: EgressPoint".
pub(super) fn check_kind(ep: &EgressPoint, out: &mut Vec<Diagnostic>) {
    if ep.api_version != API_VERSION {
        let message = if ep.api_version.is_empty() {
            "apiVersion is missing".to_owned()
        } else {
            format!("apiVersion is \"{}\": EgressPoints are {API_VERSION}", ep.api_version)
        };
        out.push(
            Diagnostic::error(Code::Kind, "apiVersion", message)
                .with_hint(format!("apiVersion: {API_VERSION}")),
        );
    }
    if ep.kind != KIND {
        let message = if ep.kind.is_empty() {
            "kind is missing".to_owned()
        } else if ep.kind.eq_ignore_ascii_case(KIND) {
            format!("kind is \"{}\": kinds are case-sensitive", ep.kind)
        } else {
            format!("kind is \"{}\", not {KIND}", ep.kind)
        };
        out.push(Diagnostic::error(Code::Kind, "kind", message).with_hint(format!("kind: {KIND}")));
    }
}

/// `name`: `metadata.name` is a DNS-1123 subdomain (or `generateName` is given).
pub(super) fn check_name(ep: &EgressPoint, out: &mut Vec<Diagnostic>) {
    match ep.metadata.name.as_deref() {
        None | Some("") if ep.metadata.generate_name.as_deref().is_some_and(|g| !g.is_empty()) => {
            check_generate_name(ep.metadata.generate_name.as_deref().unwrap_or(""), out);
        }
        None | Some("") => out.push(
            Diagnostic::error(Code::Name, "metadata.name", "the EgressPoint has no name")
                .with_hint("name it after the target it allows, for example example-egress"),
        ),
        Some(name) => {
            if let Err(problem) = names::check_subdomain(name) {
                let mut diagnostic = Diagnostic::error(
                    Code::Name,
                    "metadata.name",
                    format!("the name \"{name}\" {problem}"),
                );
                if let Some(suggestion) = names::suggest_subdomain(name) {
                    let fix = Fix::set(
                        format!("rename to {suggestion}"),
                        "metadata.name",
                        suggestion.clone(),
                    );
                    diagnostic = diagnostic.with_hint(suggestion).with_fix(fix);
                }
                out.push(diagnostic);
            }
        }
    }
}

fn check_generate_name(prefix: &str, out: &mut Vec<Diagnostic>) {
    if let Err(problem) = names::check_generate_name(prefix) {
        out.push(
            Diagnostic::error(
                Code::Name,
                "metadata.generateName",
                format!("generateName \"{prefix}\" {problem} (a trailing '-' is allowed)"),
            )
            .with_hint("end it with a letter, a digit or '-', for example egress-"),
        );
    }
}

/// `namespace`: `metadata.namespace`, when given, is a DNS-1123 label.
pub(super) fn check_namespace(ep: &EgressPoint, out: &mut Vec<Diagnostic>) {
    let Some(namespace) = ep.metadata.namespace.as_deref().filter(|n| !n.is_empty()) else {
        return;
    };
    if let Err(problem) = names::check_label(namespace) {
        out.push(
            Diagnostic::error(
                Code::Namespace,
                "metadata.namespace",
                format!("the namespace \"{namespace}\" {problem}"),
            )
            .with_hint("namespace names are lowercase letters, digits and '-', at most 63"),
        );
    }
}

/// `source-ref`: all three fields, a supported kind, a valid name; and `workload-missing`
/// when the Space's workloads are known.
pub(super) fn check_source_ref(
    ep: &EgressPoint,
    workloads: Option<&[WorkloadRef]>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(source) = &ep.spec.source_ref else { return };
    let before = out.len();
    for (field, value) in
        [("apiGroup", &source.api_group), ("kind", &source.kind), ("name", &source.name)]
    {
        if value.is_empty() {
            out.push(
                Diagnostic::error(
                    Code::SourceRef,
                    format!("spec.sourceRef.{field}"),
                    format!("spec.sourceRef.{field} is required when sourceRef is given"),
                )
                .with_hint(
                    "give apiGroup, kind and name of the workload, or remove sourceRef to apply the rules to every workload",
                ),
            );
        }
    }
    if !source.kind.is_empty() && !source.api_group.is_empty() {
        check_source_kind(&source.kind, &source.api_group, out);
    }
    if !source.name.is_empty()
        && let Err(problem) = names::check_subdomain(&source.name)
    {
        let mut diagnostic = Diagnostic::error(
            Code::SourceRef,
            "spec.sourceRef.name",
            format!("the workload name \"{}\" {problem}", source.name),
        );
        if let Some(suggestion) = names::suggest_subdomain(&source.name) {
            diagnostic = diagnostic.with_hint(suggestion);
        }
        out.push(diagnostic);
    }
    if out.len() == before
        && let Some(workloads) = workloads
    {
        check_workload_exists(ep, workloads, out);
    }
}

fn check_source_kind(kind: &str, api_group: &str, out: &mut Vec<Diagnostic>) {
    if SUPPORTED_SOURCE_KINDS.contains(&(kind, api_group)) {
        return;
    }
    let supported = "ContainerApp (apiGroup apps.tanzu.vmware.com) or Deployment (apiGroup apps)";
    let known_kind =
        SUPPORTED_SOURCE_KINDS.iter().find(|(k, _)| k.eq_ignore_ascii_case(kind)).copied();
    let (path, message, hint) = match known_kind {
        Some((k, group)) if k == kind => (
            "spec.sourceRef.apiGroup",
            format!("a {kind}'s apiGroup is {group}, not \"{api_group}\""),
            format!("apiGroup: {group}"),
        ),
        Some((k, group)) => (
            "spec.sourceRef.kind",
            format!("kind \"{kind}\" is not supported: kinds are case-sensitive"),
            format!("kind: {k} (apiGroup: {group})"),
        ),
        None => (
            "spec.sourceRef.kind",
            format!("{kind}.{api_group} is not supported: sourceRef can only name a {supported}"),
            "point sourceRef at the ContainerApp or Deployment that makes the connections"
                .to_owned(),
        ),
    };
    out.push(Diagnostic::error(Code::SourceRef, path, message).with_hint(hint));
}

fn check_workload_exists(ep: &EgressPoint, workloads: &[WorkloadRef], out: &mut Vec<Diagnostic>) {
    let Some(source) = &ep.spec.source_ref else { return };
    let exists = workloads
        .iter()
        .any(|w| w.name == source.name && w.kind == source.kind && w.api_group == source.api_group);
    if exists {
        return;
    }
    let mut diagnostic = Diagnostic::warning(
        Code::WorkloadMissing,
        "spec.sourceRef.name",
        format!(
            "no {}.{} named \"{}\" exists in this Space: these rules apply to nothing until it does",
            source.kind, source.api_group, source.name
        ),
    );
    let same_kind: Vec<&str> = workloads
        .iter()
        .filter(|w| w.kind == source.kind && w.api_group == source.api_group)
        .map(|w| w.name.as_str())
        .take(5)
        .collect();
    if let Some(other) = workloads.iter().find(|w| w.name == source.name) {
        diagnostic = diagnostic.with_hint(format!(
            "\"{}\" is a {}.{}: set kind {} and apiGroup {}",
            other.name, other.kind, other.api_group, other.kind, other.api_group
        ));
    } else if !same_kind.is_empty() {
        diagnostic = diagnostic.with_hint(format!("existing: {}", same_kind.join(", ")));
    }
    out.push(diagnostic);
}
