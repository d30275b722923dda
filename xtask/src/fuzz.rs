//! `cargo xtask fuzz [SECONDS]`: every libFuzzer target in `fuzz/` (one per parser of
//! untrusted input) for a bounded time each, seeded with the regression inputs in
//! `fuzz/seeds/`. A crash, a panic, a single allocation over 64 MB or a process over
//! 512 MB fails the run and leaves the input under `<target>/fuzz/artifacts/`.

use crate::system::{cargo, run, target_dir, workspace_root};
use anyhow::{Context, Result, bail};
use std::process::Command;

/// The targets, in the order they run (`fuzz/fuzz_targets/*.rs`).
const TARGETS: [&str; 5] = ["yaml_reader", "checker", "json_strict", "selectors", "patch"];
/// cargo-fuzz, pinned; works on stable Rust when no sanitizer is asked for.
const CARGO_FUZZ: &str = "0.13.2";

/// Runs each target for `seconds`.
pub fn fuzz(seconds: u64) -> Result<()> {
    ensure_cargo_fuzz()?;
    let fuzz_dir = workspace_root().join("fuzz");
    let out = target_dir().join("fuzz");
    for target in TARGETS {
        let corpus = out.join("corpus").join(target);
        let artifacts = out.join("artifacts").join(target);
        std::fs::create_dir_all(&corpus)?;
        std::fs::create_dir_all(&artifacts)?;
        eprintln!("xtask: fuzzing {target} for {seconds} s");
        let mut command = cargo();
        command
            // No sanitizer (stable Rust), but debug assertions: overflow is a finding too.
            // 16 codegen units: a build of minutes instead of tens of minutes.
            .args(["fuzz", "run", target, "--sanitizer", "none", "--debug-assertions"])
            .args(["--codegen-units", "16", "--fuzz-dir"])
            .arg(&fuzz_dir)
            .arg("--target-dir")
            .arg(out.join("build"))
            // New inputs go to the first folder (outside the checkout); the seeds are read.
            .arg(&corpus)
            .arg(fuzz_dir.join("seeds").join(target))
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .args(["-max_len=65536", "-rss_limit_mb=512", "-malloc_limit_mb=64", "-timeout=10"])
            .args(["-print_final_stats=1", "-close_fd_mask=1"]);
        run(&mut command).with_context(|| {
            format!("fuzz target {target} failed; the input is in {}", artifacts.display())
        })?;
    }
    Ok(())
}

/// Installs cargo-fuzz unless `cargo fuzz` already runs.
fn ensure_cargo_fuzz() -> Result<()> {
    let works = |c: &mut Command| c.output().is_ok_and(|o| o.status.success());
    if works(cargo().args(["fuzz", "--version"])) {
        return Ok(());
    }
    eprintln!("xtask: installing cargo-fuzz {CARGO_FUZZ} (for the fuzz targets)");
    run(cargo().args(["install", "--locked", "--version", CARGO_FUZZ, "cargo-fuzz"]))?;
    if !works(cargo().args(["fuzz", "--version"])) {
        bail!("cargo fuzz still does not run after `cargo install cargo-fuzz`");
    }
    Ok(())
}
