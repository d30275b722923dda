//! `lint --fix`: the fixes the rules carry as data, written into the files in place with
//! `egress_rules::yaml::edit` (only the values change; comments and layout stay), each
//! reported as a line.

use super::{Finding, Input};
use crate::{Error, Result};
use egress_rules::yaml::edit::{ScalarEdit, set_scalars};
use std::collections::BTreeMap;
use std::io::Write;

/// Applies every finding's fix to its file and reports what changed and what could not.
pub fn apply(inputs: &[Input], linted: &super::Linted, out: &mut dyn Write) -> Result<()> {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in linted.findings.iter().filter(|f| f.fix.is_some()) {
        by_file.entry(finding.file.as_str()).or_default().push(finding);
    }
    let mut changed = 0;
    for input in inputs {
        let Some(findings) = by_file.get(input.name.as_str()) else { continue };
        let Ok(text) = std::str::from_utf8(&input.bytes) else { continue };
        let mut edits = Vec::new();
        for finding in findings {
            let Some(fix) = &finding.fix else { continue };
            for edit in &fix.edits {
                edits.push(ScalarEdit {
                    document: finding.document - 1,
                    path: edit.path.clone(),
                    value: edit.value.clone(),
                });
            }
        }
        let (fixed, refused) = set_scalars(text, &edits);
        let mut report = |line: String| writeln!(out, "{line}").map_err(Error::Serve);
        for finding in findings {
            let Some(fix) = &finding.fix else { continue };
            let not_made = refused.iter().find(|r| {
                fix.edits.iter().any(|e| e.path == r.edit.path)
                    && r.edit.document == finding.document - 1
            });
            match not_made {
                None => report(format!(
                    "{}:{}: fixed [{}] {}: {}",
                    finding.file, finding.line, finding.code, finding.path, fix.label
                ))?,
                Some(r) => report(format!(
                    "{}:{}: not fixed [{}] {}: {} ({})",
                    finding.file, finding.line, finding.code, finding.path, fix.label, r.reason
                ))?,
            }
        }
        if fixed != text {
            std::fs::write(&input.name, fixed)
                .map_err(|source| Error::Write { path: input.name.clone(), source })?;
            changed += 1;
        }
    }
    writeln!(out, "lint --fix: {changed} file(s) changed").map_err(Error::Serve)?;
    Ok(())
}
