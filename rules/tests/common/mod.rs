//! Fixtures shared by the rule tests.
#![allow(dead_code, missing_docs)]

use egress_rules::{Code, Diagnostic, EgressPoint, Severity};

/// An EgressPoint named `name` with the reference page's example target.
pub fn egress(name: &str) -> EgressPoint {
    EgressPoint::new(name)
}

/// The diagnostics with this code.
pub fn with_code(diagnostics: &[Diagnostic], code: Code) -> Vec<&Diagnostic> {
    diagnostics.iter().filter(|d| d.code == code).collect()
}

/// The single diagnostic with this code; fails the test with all diagnostics otherwise.
pub fn only(diagnostics: &[Diagnostic], code: Code) -> Diagnostic {
    let found = with_code(diagnostics, code);
    assert_eq!(found.len(), 1, "expected one {code}, got {diagnostics:#?}");
    found[0].clone()
}

/// Fails unless nothing is an error or a warning.
pub fn assert_clean(diagnostics: &[Diagnostic]) {
    let bad: Vec<_> = diagnostics.iter().filter(|d| d.severity > Severity::Info).collect();
    assert!(bad.is_empty(), "expected no errors or warnings, got {bad:#?}");
}
