//! `egress-console lint`: checks EgressPoint YAML the way the platform will, before it is
//! applied, with the same `egress-rules` functions the UI and the API use.

mod collect;
mod fix;
mod report;

use collect::plural;
pub use collect::{Finding, Input, Linted, lint_inputs};

use crate::cli::{Format, LintArgs};
use crate::{Error, Result};
use egress_rules::Severity;
use std::io::{Read, Write};

/// Runs `lint` and returns the exit status: 0 no error, 1 an error was found, 2 the input
/// could not be read.
pub fn run(args: &LintArgs, stdin: &mut dyn Read, stdout: &mut dyn Write) -> u8 {
    let inputs = match read_inputs(args, stdin) {
        Ok(inputs) => inputs,
        Err(e) => {
            eprintln!("egress-console lint: {e}");
            return 2;
        }
    };
    let mut linted = lint_inputs(&inputs, &args.namespace);
    if args.fix {
        match fix::apply(&inputs, &linted, stdout) {
            Ok(()) => {}
            Err(e) => {
                eprintln!("egress-console lint: {e}");
                return 2;
            }
        }
        // What is left, read from the files as they are now.
        let inputs = match read_inputs(args, stdin) {
            Ok(inputs) => inputs,
            Err(e) => {
                eprintln!("egress-console lint: {e}");
                return 2;
            }
        };
        linted = lint_inputs(&inputs, &args.namespace);
    }
    let mut summary = linted.summary(inputs.len());
    if let Some(path) = &args.expect {
        let sets = match crate::expectations::read(path) {
            Ok(sets) => sets,
            Err(e) => {
                eprintln!("egress-console lint: {e}");
                return 2;
            }
        };
        let file = path.display().to_string();
        let checked = crate::expectations::check(&file, &sets, &linted.spaces, &args.namespace);
        summary = format!("{summary}; {}", crate::expectations::summary(&checked));
        linted.findings.extend(checked.into_iter().map(collect::expectation_finding));
    }
    let min = Severity::from(args.min_severity);
    let shown: Vec<&Finding> = linted.findings.iter().filter(|f| f.severity >= min).collect();
    let written = match args.format {
        Format::Text => report::write_text(stdout, &shown, &summary),
        Format::Json => report::write_json(stdout, &shown),
    };
    if let Err(e) = written {
        eprintln!("egress-console lint: cannot write the report: {e}");
        return 2;
    }
    if linted.egress_points == 0 {
        eprintln!(
            "egress-console lint: no EgressPoint found in {} (kind: EgressPoint, or a List of them)",
            plural(linted.documents, "document")
        );
        if args.require_egresspoints {
            return 1;
        }
    }
    u8::from(linted.has_errors())
}

fn read_inputs(args: &LintArgs, stdin: &mut dyn Read) -> Result<Vec<Input>> {
    if args.fix && args.files.iter().any(|f| f.as_os_str() == "-") {
        return Err(Error::Usage(
            "--fix changes files in place: it cannot read standard input".into(),
        ));
    }
    let mut inputs = Vec::with_capacity(args.files.len());
    let mut stdin_used = false;
    for path in &args.files {
        let name = path.display().to_string();
        let bytes = if name == "-" {
            if std::mem::replace(&mut stdin_used, true) {
                continue;
            }
            let mut bytes = Vec::new();
            stdin.read_to_end(&mut bytes).map(|_| bytes)
        } else {
            std::fs::read(path)
        }
        .map_err(|source| Error::Read { path: name.clone(), source })?;
        inputs.push(Input { name, bytes });
    }
    Ok(inputs)
}
