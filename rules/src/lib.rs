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
pub mod host;
pub mod json;
mod model;
pub mod names;
pub mod path;
pub mod schema;
mod space;
mod validate;
pub mod yaml;

pub use decode::{Decoded, decode};
pub use diagnostic::{Code, Diagnostic, Severity, has_errors};
pub use egress::{Reachability, Rule, effective_egress, flatten, reachability, rules_of};
pub use model::{
    API_VERSION, AppliesTo, EgressPoint, EgressPointSpec, GROUP, KIND, ObjectMeta, Port, Protocol,
    SUPPORTED_SOURCE_KINDS, SourceRef, Target, VERSION, WorkloadRef,
};
pub use space::{IndexedRule, SpaceIndex};
pub use validate::{SpaceContext, validate, validate_in_space};
pub use yaml::SyntaxError;

use serde_json::Value;

/// Reads and checks one EgressPoint given as a JSON value: shape (types, unknown fields)
/// and every rule, against the Space when one is given.
pub fn check_value(value: &Value, space: Option<SpaceContext<'_>>) -> Decoded {
    let mut decoded = decode(value);
    let rules = match space {
        Some(space) => validate_in_space(&decoded.egress_point, space),
        None => validate(&decoded.egress_point),
    };
    // A field whose value had the wrong type is left at its default by `decode`; the rules
    // would then call it missing or empty. Report each field once: the type error says more.
    let mistyped: std::collections::HashSet<String> =
        decoded.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.path.clone()).collect();
    decoded.diagnostics.extend(rules.into_iter().filter(|d| !mistyped.contains(&d.path)));
    decoded
}

/// Reads and checks one EgressPoint written as YAML or JSON.
pub fn check_text(text: &str, space: Option<SpaceContext<'_>>) -> Result<Decoded, SyntaxError> {
    Ok(check_value(&parse_text(text)?, space))
}

/// Parses one YAML or JSON document (JSON is read by a JSON parser, for its exact errors).
/// A key twice in one mapping is an error in both; a leading byte-order mark is ignored.
pub fn parse_text(text: &str) -> Result<Value, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        return json::from_str(text).map_err(|e| SyntaxError {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        });
    }
    yaml::parse_one(text).map(|doc| doc.value)
}

/// The EgressPoint as kubectl would apply it, in YAML.
pub fn to_yaml(ep: &EgressPoint) -> String {
    // Serializing plain data to a JSON value cannot fail.
    yaml::to_yaml(&serde_json::to_value(ep).unwrap_or(Value::Null))
}
