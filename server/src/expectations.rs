//! `--expect FILE` for `lint` and `diff`: reads an expectations file
//! (`egress_rules::expect`) and checks each of its Spaces against EgressPoints by namespace.

use egress_rules::EgressPoint;
use egress_rules::expect::{self, ExpectationSet};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One expectation's result, placed in its file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checked {
    /// The expectations file, as named on the command line.
    pub file: String,
    /// 1-based line of the traffic string.
    pub line: usize,
    /// The Space (namespace) it was checked in.
    pub space: String,
    /// True when it holds.
    pub passed: bool,
    /// The statement ("checkout (Deployment) can reach api.stripe.com:443/HTTPS").
    pub expectation: String,
    /// Why it holds or not, naming the EgressPoints responsible.
    pub because: String,
    /// The file's `why:` for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

impl Checked {
    /// Why it holds or not, and for a failure the file's reason for expecting it.
    pub fn reason(&self) -> String {
        match (&self.why, self.passed) {
            (Some(why), false) => format!("{} (expected because: {why})", self.because),
            _ => self.because.clone(),
        }
    }

    /// "expected X, but no EgressPoint allows it" / "holds: X (allowed by …)".
    pub fn message(&self) -> String {
        if self.passed {
            format!("holds: {} ({})", self.expectation, self.because)
        } else {
            format!("expected {}, but {}", self.expectation, self.because)
        }
    }
}

/// Reads and parses an expectations file; the error lists every problem as `FILE:LINE: …`.
pub fn read(path: &Path) -> Result<Vec<ExpectationSet>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the expectations file {}: {e}", path.display()))?;
    expect::parse(&text).map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("{}:{}: {}", path.display(), e.line, e.message))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Checks every set against the EgressPoints of its Space (`space:`, else
/// `default_space`). A Space the EgressPoints do not include is checked as empty, and said
/// on stderr, since that is most often a wrong `space:` or `-n`.
pub fn check(
    file: &str,
    sets: &[ExpectationSet],
    spaces: &BTreeMap<String, Vec<EgressPoint>>,
    default_space: &str,
) -> Vec<Checked> {
    let mut out = Vec::new();
    for set in sets {
        let space = set.space.as_deref().unwrap_or(default_space);
        let egress_points = spaces.get(space).map(Vec::as_slice).unwrap_or_default();
        if egress_points.is_empty() && !set.expectations.is_empty() {
            eprintln!(
                "egress-console: {file}: no EgressPoint of Space \"{space}\" was given; its expectations are checked against none"
            );
        }
        for outcome in expect::check(&set.expectations, egress_points) {
            out.push(Checked {
                file: file.to_owned(),
                line: outcome.expectation.line,
                space: space.to_owned(),
                passed: outcome.passed,
                expectation: outcome.expectation.to_string(),
                because: outcome.because,
                why: outcome.expectation.why,
            });
        }
    }
    out
}

/// "3 of 4 expectations hold".
pub fn summary(checked: &[Checked]) -> String {
    let held = checked.iter().filter(|c| c.passed).count();
    match checked.len() {
        1 => format!("{held} of 1 expectation holds"),
        n => format!("{held} of {n} expectations hold"),
    }
}
