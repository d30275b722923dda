//! Keeps the shared target directory from filling the disk. Every fresh clone that CI
//! builds adds test executables under new hashes and new incremental sessions; nothing ever
//! removes the old ones (the directory had grown to 79 GB and the disk was full). Before a
//! test run, what no build has touched for [`STALE_AFTER`] goes: test and binary
//! executables in `debug/deps` (rebuilt in seconds from the dependencies, which stay) and
//! incremental sessions.

use std::path::Path;
use std::time::{Duration, SystemTime};

/// Artifacts older than this are stale. An hour: a test run builds what it runs within
/// minutes, and each fresh clone's executables get new hashes, so older ones are never run
/// again (at 6 hours a day of CI runs filled the 252 GB disk: 51 GB of old test executables
/// and 19 GB of incremental sessions).
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Removes stale executables and incremental sessions under `target`; returns the bytes
/// freed.
pub fn prune(target: &Path) -> u64 {
    let mut freed = 0;
    let now = SystemTime::now();
    let stale = |path: &Path| {
        path.metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE_AFTER))
    };
    let deps = target.join("debug").join("deps");
    for entry in std::fs::read_dir(&deps).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        // Executables have no extension here; libraries (.rlib, .rmeta, .so) and dep-info
        // files stay, so dependencies are never rebuilt because of this.
        if path.is_file() && !name.contains('.') && stale(&path) {
            freed += path.metadata().map_or(0, |m| m.len());
            let _ = std::fs::remove_file(&path);
        }
    }
    for profile in ["debug", "release"] {
        let incremental = target.join(profile).join("incremental");
        for entry in std::fs::read_dir(&incremental).into_iter().flatten().flatten() {
            let path = entry.path();
            if stale(&path) {
                freed += size(&path);
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
    freed
}

fn size(path: &Path) -> u64 {
    match std::fs::read_dir(path) {
        Ok(entries) => entries.flatten().map(|e| size(&e.path())).sum(),
        Err(_) => path.metadata().map_or(0, |m| m.len()),
    }
}
