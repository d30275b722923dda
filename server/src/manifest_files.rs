//! Manifest files as `diff` and `suggest` read them: files, or folders of `.yaml`, `.yml`
//! and `.json` files (sorted, recursively), each a YAML stream; the first unreadable file
//! or syntax error stops the reading with `FILE:LINE:` in words.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn files_in(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).collect();
        entries.sort();
        for entry in entries {
            let wanted = entry.is_dir()
                || entry.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
            if wanted {
                files_in(&entry, out);
            }
        }
    } else {
        out.push(path.to_owned());
    }
}

/// Every document of every file under `paths`, in order.
pub fn documents(paths: &[PathBuf]) -> Result<Vec<Value>, String> {
    let mut files = Vec::new();
    for path in paths {
        files_in(path, &mut files);
    }
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let (documents, error) = egress_rules::yaml::parse_stream(&text);
        if let Some(e) = error {
            return Err(format!("{}:{}: not valid YAML: {}", file.display(), e.line, e.message));
        }
        out.extend(documents.into_iter().map(|d| d.value));
    }
    Ok(out)
}
