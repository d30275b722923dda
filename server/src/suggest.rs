//! `egress-console suggest`: the EgressPoints that workload manifests (Deployments,
//! ContainerApps, and the ConfigMaps they reference) will need, read from their
//! configuration before they ever run (`egress_rules::suggest`). Secrets are never read.

use crate::cli::{SuggestArgs, SuggestFormat};
use egress_rules::suggest::{Reading, Standing, read_workload};
use egress_rules::yaml;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;

/// One workload's reading, with its namespace and the proposed EgressPoint.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Proposed {
    namespace: String,
    #[serde(flatten)]
    reading: Reading,
    /// With `--space`: how each suggestion stands there.
    #[serde(skip_serializing_if = "Option::is_none")]
    standings: Option<Vec<Standing>>,
    egress_point: Option<Value>,
}

fn read(args: &SuggestArgs) -> Result<Vec<Proposed>, String> {
    let mut workloads = Vec::new();
    let mut config_maps: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    for document in crate::manifest_files::documents(&args.files)? {
        let items: Vec<Value> = match document["kind"].as_str() {
            Some("List") => document["items"].as_array().cloned().unwrap_or_default(),
            _ => vec![document],
        };
        for object in items {
            let namespace = object["metadata"]["namespace"]
                .as_str()
                .filter(|n| !n.is_empty())
                .unwrap_or(&args.namespace)
                .to_owned();
            match object["kind"].as_str() {
                Some("ConfigMap") => {
                    let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
                    config_maps.entry(namespace).or_default().insert(name, object["data"].clone());
                }
                Some("Deployment" | "ContainerApp") => workloads.push((namespace, object)),
                _ => {}
            }
        }
    }
    let none = BTreeMap::new();
    Ok(workloads
        .into_iter()
        .filter_map(|(namespace, object)| {
            let reading = read_workload(&object, config_maps.get(&namespace).unwrap_or(&none))?;
            let egress_point = reading.proposal().map(|ep| {
                let mut value = serde_json::to_value(&ep).unwrap_or(Value::Null);
                value["metadata"]["namespace"] = namespace.clone().into();
                egress_rules::as_written(&value)
            });
            Some(Proposed { namespace, reading, standings: None, egress_point })
        })
        .collect())
}

/// With `--space`: each workload's standings in the live Space (whose namespace the
/// manifests are taken to be in).
fn compare(args: &SuggestArgs, mut proposed: Vec<Proposed>) -> Result<Vec<Proposed>, String> {
    let Some(name) = &args.space else { return Ok(proposed) };
    let egress_points = crate::live_space::block_on(async {
        let space = crate::live_space::find(&args.sources, name, "suggest").await?;
        let (eps, _) =
            crate::api::reads::current(&space).await.map_err(crate::live_space::said(name))?;
        Ok(eps)
    })?;
    for p in &mut proposed {
        p.standings = Some(p.reading.against_space(&egress_points));
    }
    Ok(proposed)
}

fn write_yaml(proposed: &[Proposed], out: &mut dyn Write) -> std::io::Result<()> {
    for (i, p) in proposed.iter().enumerate() {
        let r = &p.reading;
        if i > 0 {
            writeln!(out, "---")?;
        }
        writeln!(
            out,
            "# {} in {}: {} endpoint(s) from its configuration",
            r.workload.label(),
            p.namespace,
            r.suggestions.len()
        )?;
        for (i, s) in r.suggestions.iter().enumerate() {
            let standing = match p.standings.as_ref().and_then(|all| all.get(i)) {
                Some(Standing::Allowed { by }) => {
                    format!(" — already allowed by {}", by.join(", "))
                }
                Some(Standing::New) => " — new".to_owned(),
                Some(Standing::Conflicting { with, protocol }) => {
                    format!(" — conflicts: {with} has it on {protocol}")
                }
                None => String::new(),
            };
            writeln!(
                out,
                "#   {}:{} {} ({}) from {}{standing}",
                s.host, s.port, s.protocol, s.shape, s.origin
            )?;
        }
        for s in &r.skipped {
            writeln!(out, "# skipped {} from {}: {}", s.what, s.origin, s.reason)?;
        }
        for n in &r.not_read {
            writeln!(out, "# not read: {}: {}", n.origin, n.why)?;
        }
        match &p.egress_point {
            Some(value) => write!(out, "{}", yaml::to_yaml(value))?,
            None => writeln!(out, "# nothing to allow: no off-cluster endpoint was found")?,
        }
    }
    if proposed.is_empty() {
        writeln!(out, "# no Deployment or ContainerApp found")?;
    }
    Ok(())
}

/// Runs `suggest`; returns the exit status (0 read, 2 errors).
pub fn run(args: &SuggestArgs, out: &mut dyn Write) -> u8 {
    let proposed = match read(args).and_then(|p| compare(args, p)) {
        Ok(proposed) => proposed,
        Err(message) => {
            eprintln!("egress-console suggest: {message}");
            return 2;
        }
    };
    let written = match args.format {
        SuggestFormat::Yaml => write_yaml(&proposed, out),
        SuggestFormat::Json => serde_json::to_writer_pretty(&mut *out, &proposed)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
    };
    if let Err(e) = written {
        eprintln!("egress-console suggest: cannot write: {e}");
        return 2;
    }
    0
}
