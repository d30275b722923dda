//! The EgressPoint model and every rule about it, in one place.
//!
//! The browser (compiled to wasm), the REST API, the embedded Space API's admission and
//! `egress-console lint` all call these functions, so they can never disagree. Pure Rust: no
//! I/O, no async.
//!
//! ```
//! let text = "apiVersion: networking.tanzu.vmware.com/v1alpha1
//! kind: EgressPoint
//! metadata: {name: db}
//! spec:
//!   targets:
//!   - hosts: [11.22.33.44]
//!     port: {number: 5432, protocol: HTTPS}
//! ";
//! let checked = egress_rules::check_text(text, None).unwrap();
//! let d = &checked.diagnostics[0];
//! assert_eq!((d.code.as_str(), d.path.as_str()), ("ip-protocol", "spec.targets[0].hosts[0]"));
//! ```

mod decode;
mod diagnostic;
mod egress;
pub mod expect;
pub mod host;
pub mod impact;
pub mod json;
pub mod line_diff;
pub mod manifests;
pub mod merge;
mod model;
pub mod names;
pub mod path;
pub mod schema;
mod space;
pub mod suggest;
mod validate;
pub mod yaml;

pub use decode::{Decoded, decode};
pub use diagnostic::{Code, Diagnostic, Edit, Fix, Severity, has_errors};
pub use egress::{Reachability, Rule, effective_egress, flatten, reachability, rules_of};
pub use model::{
    API_VERSION, AppliesTo, EgressPoint, EgressPointSpec, GROUP, KIND, ObjectMeta, Port, Protocol,
    SERVER_SET_METADATA, SUPPORTED_SOURCE_KINDS, SourceRef, Target, VERSION, WorkloadRef,
    as_written, created_at, hide_managed_fields, resource_version, set_resource_version,
};
pub use space::{IndexedRule, SpaceIndex};
pub use validate::{
    SpaceContext, defined_twice, validate, validate_in_space, validate_in_space_as,
};
pub use yaml::SyntaxError;

use serde_json::Value;

/// Reads and checks one EgressPoint given as a JSON value: shape (types, unknown fields)
/// and every rule, against the Space when one is given.
pub fn check_value(value: &Value, space: Option<SpaceContext<'_>>) -> Decoded {
    let mut decoded = decode(value);
    decoded.diagnostics = check_decoded(&decoded, space, None);
    decoded
}

/// Every diagnostic of a decoded EgressPoint: its shape problems, then the rules, each field
/// reported once. `identity` is how the Space index knows this object (default: its name;
/// `lint` gives unnamed documents one each, so two `generateName` objects are compared).
/// `check_value`, the REST API, admission, the form and `lint` all come through here, so
/// one document gets one list of diagnostics everywhere.
pub fn check_decoded(
    decoded: &Decoded,
    space: Option<SpaceContext<'_>>,
    identity: Option<&str>,
) -> Vec<Diagnostic> {
    let ep = &decoded.egress_point;
    let rules = match space {
        Some(space) => validate::validate_in_space_as(ep, identity.unwrap_or(ep.name()), space),
        None => validate(ep),
    };
    // A field whose value had the wrong type is left at its default by `decode`; the rules
    // would then call it missing or empty. Report each field once: the type error says more.
    let mistyped: std::collections::HashSet<&str> =
        decoded.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.path.as_str()).collect();
    let mut all = decoded.diagnostics.clone();
    all.extend(rules.into_iter().filter(|d| !mistyped.contains(d.path.as_str())));
    all
}

/// What only matters in a manifest a person wrote (a file, a paste), not in an object read
/// back from the API: a `status` block, which the platform writes and a write ignores.
pub fn manifest_diagnostics(value: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if value.get("status").is_some_and(|s| !s.is_null()) {
        out.push(
            Diagnostic::info(
                Code::Status,
                "status",
                "status is written by the platform, not by users: it is ignored",
            )
            .with_hint("remove the status block from the manifest"),
        );
    }
    out
}

/// Reads and checks one EgressPoint manifest written as YAML or JSON: [`check_value`], plus
/// the values kubectl reads differently (`yaml-reading`) and [`manifest_diagnostics`].
pub fn check_text(text: &str, space: Option<SpaceContext<'_>>) -> Result<Decoded, SyntaxError> {
    let read = read_text(text)?;
    let mut decoded = check_value(&read.value, space);
    decoded.diagnostics.extend(read.notes);
    decoded.diagnostics.extend(manifest_diagnostics(&read.value));
    Ok(decoded)
}

/// One document read from text: the value kubectl would send, and the values it reads
/// differently from how they look (code `yaml-reading`).
#[derive(Clone, Debug, PartialEq)]
pub struct Read {
    /// The document.
    pub value: Value,
    /// Warnings about YAML 1.1 readings (`0443` is octal 291 to kubectl).
    pub notes: Vec<Diagnostic>,
}

/// Parses one YAML or JSON document (JSON is read by a JSON parser, for its exact errors).
/// A key twice in one mapping is an error in both; a leading byte-order mark is ignored.
pub fn read_text(text: &str) -> Result<Read, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        return json::from_str(text).map(|value| Read { value, notes: Vec::new() }).map_err(|e| {
            SyntaxError { line: e.line(), column: e.column(), message: e.to_string() }
        });
    }
    yaml::parse_one(text).map(|doc| Read { value: doc.value, notes: doc.notes })
}

/// [`read_text`] without the notes.
pub fn parse_text(text: &str) -> Result<Value, SyntaxError> {
    read_text(text).map(|read| read.value)
}

/// The EgressPoint as kubectl would apply it, in YAML.
pub fn to_yaml(ep: &EgressPoint) -> String {
    // Serializing plain data to a JSON value cannot fail.
    yaml::to_yaml(&serde_json::to_value(ep).unwrap_or(Value::Null))
}
