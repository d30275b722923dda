//! Finds the EgressPoints in YAML streams, groups them into Spaces by namespace, checks
//! each against the rest of its Space, and places every diagnostic on a line.

use egress_rules::manifests::egress_points_in;
use egress_rules::yaml::{YamlDocument, parse_stream};
use egress_rules::{
    Code, Decoded, Diagnostic, Edit, Fix, Severity, SpaceContext, SpaceIndex, check_decoded,
    decode, defined_twice, manifest_diagnostics,
};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One file (or stdin) to lint.
#[derive(Clone, Debug)]
pub struct Input {
    /// As the user named it; `-` for stdin.
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// One diagnostic, placed in a file. Serialized as a `--format json` element.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The file, as named on the command line.
    pub file: String,
    /// 1-based document number in the file's YAML stream.
    pub document: usize,
    /// 1-based line of the field (or of the nearest enclosing field written in the file).
    pub line: usize,
    /// `metadata.namespace`, or `--namespace` (default `default`) for documents without one.
    pub namespace: String,
    /// True when the document itself wrote `metadata.namespace`.
    #[serde(skip)]
    pub namespace_written: bool,
    /// `metadata.name` of the EgressPoint; "" when it has none or the document is unreadable.
    pub name: String,
    /// Kubernetes field path inside the object (`spec.targets[0].hosts[0]`).
    pub path: String,
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// The rule (`ip-protocol`).
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// The fix as data, with paths inside the document (what `--fix` applies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// The result of linting some inputs.
#[derive(Debug, Default)]
pub struct Linted {
    /// Every finding, by file, then line.
    pub findings: Vec<Finding>,
    /// How many EgressPoints were checked.
    pub egress_points: usize,
    /// How many documents were read.
    pub documents: usize,
    /// The EgressPoints by namespace (what `--expect` checks).
    pub spaces: BTreeMap<String, Vec<egress_rules::EgressPoint>>,
}

impl Linted {
    /// True when any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// "1 error, 2 warnings in 3 EgressPoints (2 files)".
    pub fn summary(&self, files: usize) -> String {
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        format!(
            "{}, {} in {} ({})",
            plural(count(Severity::Error), "error"),
            plural(count(Severity::Warning), "warning"),
            plural(self.egress_points, "EgressPoint"),
            plural(files, "file")
        )
    }
}

/// "1 error", "2 errors".
pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// An EgressPoint found in a document, with where it came from.
struct Found<'a> {
    file: &'a str,
    document: &'a YamlDocument,
    /// Path of the object inside the document: "" or `items[3]` in a `kind: List`.
    prefix: String,
    object: &'a Value,
    decoded: Decoded,
}

impl Found<'_> {
    /// How the Space index knows it: its name, or (for `generateName` documents, which
    /// have none yet) its place, so that two of them are compared with each other.
    fn identity(&self) -> String {
        match self.decoded.egress_point.name() {
            "" => format!("\u{0}{}\u{0}{}\u{0}{}", self.file, self.document.index, self.prefix),
            name => name.to_owned(),
        }
    }

    /// The values of its document that kubectl reads differently, relative to the object.
    fn notes(&self) -> impl Iterator<Item = Diagnostic> + '_ {
        self.document.notes.iter().filter_map(|note| {
            let relative = if self.prefix.is_empty() {
                note.path.as_str()
            } else {
                let rest = note.path.strip_prefix(self.prefix.as_str())?;
                rest.strip_prefix('.').or_else(|| rest.is_empty().then_some(rest))?
            };
            Some(Diagnostic { path: relative.to_owned(), ..note.clone() })
        })
    }
}

/// Lints every input together: EgressPoints of one namespace are one Space, across files;
/// documents without a namespace are in `default_namespace`.
pub fn lint_inputs(inputs: &[Input], default_namespace: &str) -> Linted {
    let mut linted = Linted::default();
    let mut streams = Vec::with_capacity(inputs.len());
    for input in inputs {
        match std::str::from_utf8(&input.bytes) {
            Ok(text) => {
                let (documents, error) = parse_stream(text);
                if let Some(error) = error {
                    linted.findings.push(Finding {
                        file: input.name.clone(),
                        document: documents.len() + 1,
                        line: error.line,
                        namespace: String::new(),
                        namespace_written: false,
                        name: String::new(),
                        path: String::new(),
                        severity: Severity::Error,
                        code: Code::Syntax,
                        message: format!(
                            "not valid YAML: {} (column {})",
                            error.message, error.column
                        ),
                        hint: Some("the rest of this file was not checked".into()),
                        fix: None,
                    });
                }
                streams.push((input.name.as_str(), documents));
            }
            Err(e) => linted.findings.push(Finding {
                file: input.name.clone(),
                document: 1,
                line: 1 + input.bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count(),
                namespace: String::new(),
                namespace_written: false,
                name: String::new(),
                path: String::new(),
                severity: Severity::Error,
                code: Code::Syntax,
                message: "the file is not UTF-8 text".into(),
                hint: Some("save it as UTF-8".into()),
                fix: None,
            }),
        }
    }

    let mut spaces: BTreeMap<String, Vec<Found<'_>>> = BTreeMap::new();
    for (file, documents) in &streams {
        linted.documents += documents.len();
        for document in documents {
            for (prefix, object) in egress_points_in(&document.value) {
                let decoded = decode(object);
                let namespace = decoded
                    .egress_point
                    .metadata
                    .namespace
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| default_namespace.to_owned());
                spaces.entry(namespace).or_default().push(Found {
                    file,
                    document,
                    prefix,
                    object,
                    decoded,
                });
            }
        }
    }

    for (namespace, found) in &spaces {
        linted.egress_points += found.len();
        linted.spaces.insert(
            namespace.clone(),
            found.iter().map(|f| f.decoded.egress_point.clone()).collect(),
        );
        let mut index = SpaceIndex::new();
        for f in found {
            index.insert_as(&f.identity(), &f.decoded.egress_point);
        }
        let space = SpaceContext { index: &index, workloads: None };
        let mut first_by_name: BTreeMap<&str, &Found<'_>> = BTreeMap::new();
        for f in found {
            let ep = &f.decoded.egress_point;
            // The same list the API and the form give for this document, plus what only a
            // manifest can carry.
            let mut diagnostics = check_decoded(&f.decoded, Some(space), Some(&f.identity()));
            diagnostics.extend(f.notes());
            diagnostics.extend(manifest_diagnostics(f.object));
            if !ep.name().is_empty()
                && let Some(first) = first_by_name.insert(ep.name(), f)
            {
                let elsewhere = format!("{}:{}", first.file, first.document.line_of(&first.prefix));
                diagnostics.push(defined_twice(ep.name(), &elsewhere));
            }
            for d in diagnostics {
                linted.findings.push(finding(f, namespace, d));
            }
        }
    }
    linted.findings.sort_by(|a, b| {
        let file_order = |f: &Finding| inputs.iter().position(|i| i.name == f.file);
        (file_order(a), a.document, a.line).cmp(&(file_order(b), b.document, b.line))
    });
    linted
}

fn finding(found: &Found<'_>, namespace: &str, d: Diagnostic) -> Finding {
    let full_path = within(&found.prefix, &d.path);
    Finding {
        file: found.file.to_owned(),
        document: found.document.index + 1,
        line: found.document.line_of(&full_path),
        namespace: namespace.to_owned(),
        namespace_written: found
            .decoded
            .egress_point
            .metadata
            .namespace
            .as_deref()
            .is_some_and(|n| !n.is_empty()),
        name: found.decoded.egress_point.name().to_owned(),
        path: d.path,
        severity: d.severity,
        code: d.code,
        message: d.message,
        hint: d.hint,
        fix: d.fix.map(|fix| Fix {
            edits: fix
                .edits
                .into_iter()
                .map(|e| Edit { path: within(&found.prefix, &e.path), value: e.value })
                .collect(),
            label: fix.label,
        }),
    }
}

/// `path` of an object found at `prefix` of its document (`items[2]`), as a path in the
/// document.
fn within(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    }
}

/// An expectation's result as a finding of the expectations file: an error when it does not
/// hold (so lint exits 1), info when it does.
pub(super) fn expectation_finding(checked: crate::expectations::Checked) -> Finding {
    Finding {
        file: checked.file.clone(),
        document: 1,
        line: checked.line,
        namespace: checked.space.clone(),
        namespace_written: false,
        name: String::new(),
        path: String::new(),
        severity: if checked.passed { Severity::Info } else { Severity::Error },
        code: Code::Expectation,
        message: checked.message(),
        hint: checked.why.map(|why| format!("expected because: {why}")),
        fix: None,
    }
}
