//! Lint output: compiler-style text, or JSON.

use super::Finding;
use std::io::{self, Write};

/// `file:line: severity[code] name path: message`, an indented hint, then a summary.
pub fn write_text(out: &mut dyn Write, findings: &[&Finding], summary: &str) -> io::Result<()> {
    for f in findings {
        // The namespace only where the document wrote one: `--namespace` is the default.
        let name = match (f.namespace_written, f.name.is_empty()) {
            (_, true) => String::new(),
            (false, false) => f.name.clone(),
            (true, false) => format!("{}/{}", f.namespace, f.name),
        };
        let subject: Vec<&str> =
            [name.as_str(), f.path.as_str()].into_iter().filter(|s| !s.is_empty()).collect();
        let subject =
            if subject.is_empty() { String::new() } else { format!(" {}", subject.join(" ")) };
        writeln!(out, "{}:{}: {}[{}]{subject}: {}", f.file, f.line, f.severity, f.code, f.message)?;
        if let Some(hint) = &f.hint {
            writeln!(out, "    hint: {hint}")?;
        }
    }
    writeln!(out, "{summary}")
}

/// A JSON array of findings, pretty-printed.
pub fn write_json(out: &mut dyn Write, findings: &[&Finding]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, findings)?;
    writeln!(out)
}
