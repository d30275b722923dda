//! `egress-console diff`: what applying EgressPoint files would change in a live Space
//! (`--space`) or against another set of files (`--against`) — added, changed (a YAML diff
//! without server-set fields), removed with `--prune` — with each applied EgressPoint's
//! diagnostics in its Space after the change, each workload's gains and losses
//! (`egress_rules::impact`), and with `--expect` the expectations checked after it.

use crate::cli::{DiffArgs, DiffFormat};
use crate::expectations::{self, Checked};
use egress_rules::impact::impact;
use egress_rules::line_diff::{Line, diff_lines};
use egress_rules::{
    Diagnostic, EgressPoint, SpaceContext, SpaceIndex, WorkloadRef, as_written, check_value,
    decode, has_errors, manifests, yaml,
};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// One EgressPoint that would change.
#[derive(Debug, Serialize)]
struct Change {
    namespace: String,
    name: String,
    /// `create`, `change` or `delete`.
    action: &'static str,
    /// The YAML diff, `-`/`+`/` ` prefixed lines.
    diff: Vec<String>,
    diagnostics: Vec<Diagnostic>,
}

/// Everything `diff` found.
#[derive(Debug, Default, Serialize)]
struct Report {
    changes: Vec<Change>,
    /// Per namespace, each workload's gains and losses in words.
    access: BTreeMap<String, Vec<String>>,
    /// With `--expect`: each expectation, checked against the state after the change.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    expectations: Vec<Checked>,
}

/// One set of files: EgressPoints by (namespace, name), and the workloads they name.
#[derive(Default)]
struct Set {
    egress_points: BTreeMap<(String, String), Value>,
    workloads: BTreeMap<String, Vec<WorkloadRef>>,
}

/// The object as written, without `metadata.namespace`: the namespace is in the key, and a
/// file that leaves it out (for `kubectl apply -n`) is not a change from one that writes it.
fn comparable(object: &Value) -> Value {
    let mut value = as_written(object);
    if let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("namespace");
    }
    value
}

fn read(paths: &[PathBuf], default_namespace: &str) -> Result<Set, String> {
    let mut set = Set::default();
    for document in crate::manifest_files::documents(paths)? {
        let namespace_of = |v: &Value| {
            v["metadata"]["namespace"]
                .as_str()
                .filter(|n| !n.is_empty())
                .unwrap_or(default_namespace)
                .to_owned()
        };
        let name = document["metadata"]["name"].as_str().unwrap_or("").to_owned();
        match document["kind"].as_str() {
            Some("Deployment") => set
                .workloads
                .entry(namespace_of(&document))
                .or_default()
                .push(WorkloadRef::deployment(name)),
            Some("ContainerApp") => set
                .workloads
                .entry(namespace_of(&document))
                .or_default()
                .push(WorkloadRef::container_app(name)),
            _ => {}
        }
        for (_, object) in manifests::egress_points_in(&document) {
            let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
            set.egress_points.insert((namespace_of(object), name), comparable(object));
        }
    }
    Ok(set)
}

/// The Space named by `--space`, as it is now, keyed by the Space's name; and the files,
/// whose documents must be in its namespace (or name none).
fn live(args: &DiffArgs, name: &str) -> Result<(Set, Set), String> {
    let (space, text, workloads) = crate::live_space::block_on(async {
        let space = crate::live_space::find(&args.sources, name, "diff").await?;
        let problem = crate::live_space::said(name);
        let text = crate::api::reads::list_raw(&space).await.map_err(&problem)?;
        let workloads = crate::api::reads::readable_workloads(&space).await.map_err(&problem)?;
        Ok((space, text, workloads))
    })?;
    let list: Value = serde_json::from_str(&text)
        .map_err(|e| format!("Space \"{name}\": the list of EgressPoints is not JSON: {e}"))?;
    let mut before = Set::default();
    for object in list["items"].as_array().into_iter().flatten() {
        let ep_name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
        before.egress_points.insert((name.to_owned(), ep_name), comparable(object));
    }
    if let Some(workloads) = workloads {
        before.workloads.insert(name.to_owned(), workloads);
    }
    let files = read(&args.files, &space.namespace)?;
    let mut after = Set { workloads: files.workloads, ..Set::default() };
    for ((namespace, ep_name), value) in files.egress_points {
        if namespace != space.namespace {
            return Err(format!(
                "EgressPoint {namespace}/{ep_name} names namespace \"{namespace}\", but Space \"{name}\" is namespace \"{}\"",
                space.namespace
            ));
        }
        after.egress_points.insert((name.to_owned(), ep_name), value);
    }
    let workloads = after.workloads.remove(&space.namespace).unwrap_or_default();
    after.workloads.clear();
    if !workloads.is_empty() {
        after.workloads.insert(name.to_owned(), workloads);
    }
    Ok((before, after))
}

fn build(args: &DiffArgs) -> Result<Report, String> {
    let (before, after_files, default_space) = match &args.space {
        Some(name) => {
            let (before, after) = live(args, name)?;
            (before, after, name.clone())
        }
        None => {
            let after = read(&args.files, &args.namespace)?;
            (read(&args.against, &args.namespace)?, after, args.namespace.clone())
        }
    };
    let expected = match &args.expect {
        Some(path) => Some((path.display().to_string(), expectations::read(path)?)),
        None => None,
    };
    let mut after = before.egress_points.clone();
    for (key, value) in &after_files.egress_points {
        after.insert(key.clone(), value.clone());
    }
    if args.prune {
        after.retain(|key, _| after_files.egress_points.contains_key(key));
    }
    let mut report = Report::default();
    let mut after_models: BTreeMap<String, Vec<EgressPoint>> = BTreeMap::new();
    let namespaces: std::collections::BTreeSet<&String> =
        before.egress_points.keys().chain(after.keys()).map(|(ns, _)| ns).collect();
    for namespace in namespaces {
        let in_ns = |m: &BTreeMap<(String, String), Value>| -> Vec<(String, Value)> {
            m.iter()
                .filter(|((ns, _), _)| ns == namespace)
                .map(|((_, n), v)| (n.clone(), v.clone()))
                .collect()
        };
        let (old, new) = (in_ns(&before.egress_points), in_ns(&after));
        let models = |items: &[(String, Value)]| -> Vec<EgressPoint> {
            items.iter().map(|(_, v)| decode(v).egress_point).collect()
        };
        let (old_models, new_models) = (models(&old), models(&new));
        after_models.insert(namespace.clone(), new_models.clone());
        let mut workloads: Vec<WorkloadRef> =
            before.workloads.get(namespace).cloned().unwrap_or_default();
        workloads.extend(after_files.workloads.get(namespace).cloned().unwrap_or_default());
        workloads.sort();
        workloads.dedup();
        let index = SpaceIndex::build(&new_models);
        let context = SpaceContext {
            index: &index,
            workloads: (!workloads.is_empty()).then_some(workloads.as_slice()),
        };
        let old_map: BTreeMap<&String, &Value> = old.iter().map(|(n, v)| (n, v)).collect();
        let new_map: BTreeMap<&String, &Value> = new.iter().map(|(n, v)| (n, v)).collect();
        for (name, value) in &new_map {
            let (action, diff) = match old_map.get(name) {
                None => ("create", lines("", &yaml::to_yaml(value))),
                Some(was) if was != value => {
                    ("change", lines(&yaml::to_yaml(was), &yaml::to_yaml(value)))
                }
                Some(_) => continue,
            };
            let diagnostics = check_value(value, Some(context)).diagnostics;
            report.changes.push(Change {
                namespace: namespace.clone(),
                name: (*name).clone(),
                action,
                diff,
                diagnostics,
            });
        }
        for (name, was) in &old_map {
            if !new_map.contains_key(name) {
                report.changes.push(Change {
                    namespace: namespace.clone(),
                    name: (*name).clone(),
                    action: "delete",
                    diff: lines(&yaml::to_yaml(was), ""),
                    diagnostics: Vec::new(),
                });
            }
        }
        let change = impact(&old_models, &new_models, &workloads);
        if !change.is_empty() {
            report.access.insert(namespace.clone(), change.lines());
        }
    }
    if let Some((file, sets)) = expected {
        report.expectations = expectations::check(&file, &sets, &after_models, &default_space);
    }
    Ok(report)
}

fn lines(old: &str, new: &str) -> Vec<String> {
    diff_lines(old, new)
        .into_iter()
        .map(|line| match line {
            Line::Same(t) => format!("  {t}"),
            Line::Removed(t) => format!("- {t}"),
            Line::Added(t) => format!("+ {t}"),
        })
        .collect()
}

fn write(report: &Report, format: DiffFormat, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
        DiffFormat::Text => {
            for c in &report.changes {
                writeln!(out, "{}/{}: {}", c.namespace, c.name, c.action)?;
                for line in &c.diff {
                    writeln!(out, "    {line}")?;
                }
                for d in &c.diagnostics {
                    writeln!(out, "    {}[{}] {}: {}", d.severity, d.code, d.path, d.message)?;
                }
            }
            for (namespace, lines) in &report.access {
                writeln!(out, "{namespace}: access")?;
                for line in lines {
                    writeln!(out, "    {line}")?;
                }
            }
            if report.changes.is_empty() {
                writeln!(out, "No EgressPoint would change.")?;
            }
            if !report.expectations.is_empty() {
                writeln!(
                    out,
                    "Expectations after the change: {}",
                    expectations::summary(&report.expectations)
                )?;
                for c in &report.expectations {
                    let verdict = if c.passed { "pass" } else { "FAIL" };
                    writeln!(
                        out,
                        "    {}:{}: {verdict}: {}: {}",
                        c.file, c.line, c.expectation, c.because
                    )?;
                }
            }
            Ok(())
        }
        DiffFormat::Markdown => {
            writeln!(out, "### EgressPoints: {} change(s)\n", report.changes.len())?;
            for c in &report.changes {
                writeln!(out, "**{}/{}** — {}\n\n```diff", c.namespace, c.name, c.action)?;
                for line in &c.diff {
                    writeln!(out, "{}", line.replacen("  ", " ", 1))?;
                }
                writeln!(out, "```")?;
                for d in &c.diagnostics {
                    writeln!(out, "- **{}** `{}` {}: {}", d.severity, d.code, d.path, d.message)?;
                }
                writeln!(out)?;
            }
            for (namespace, lines) in &report.access {
                writeln!(out, "**Access in {namespace}**\n")?;
                for line in lines {
                    writeln!(out, "- {line}")?;
                }
                writeln!(out)?;
            }
            if !report.expectations.is_empty() {
                writeln!(
                    out,
                    "**Expectations after the change:** {}\n",
                    expectations::summary(&report.expectations)
                )?;
                for c in &report.expectations {
                    let mark = if c.passed { "✅" } else { "❌" };
                    writeln!(out, "- {mark} {} — {}", c.expectation, c.reason())?;
                }
                writeln!(out)?;
            }
            Ok(())
        }
    }
}

/// Runs `diff`; returns the exit status (0 nothing changes, 1 something does, 2 errors).
pub fn run(args: &DiffArgs, out: &mut dyn Write) -> u8 {
    let report = match build(args) {
        Ok(report) => report,
        Err(message) => {
            eprintln!("egress-console diff: {message}");
            return 2;
        }
    };
    if let Err(e) = write(&report, args.format, out) {
        eprintln!("egress-console diff: cannot write the report: {e}");
        return 2;
    }
    if report.changes.iter().any(|c| has_errors(&c.diagnostics)) {
        return 2;
    }
    u8::from(!report.changes.is_empty() || report.expectations.iter().any(|c| !c.passed))
}
