//! Finding a way to compile Rust to wasm32 on this machine (see shared/toolchain.md):
//! the rustup target when it is there or can be added, else Debian's toolchain with
//! `-Zbuild-std`, else a message that says what to install.

use crate::system::{apt_install, cargo, has, is_root, run, target_dir};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";
/// Debian's rustc (1.96) can build std for wasm32 from `rust-web-src`; `lld-22` provides
/// `/usr/bin/rust-lld`.
const DEBIAN_PACKAGES: [&str; 4] = ["rustc-web", "cargo-web", "rust-web-src", "lld-22"];

/// How the frontend gets compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `cargo build --target wasm32-unknown-unknown` with rustup's std.
    Rustup,
    /// `/usr/bin/cargo` with `-Zbuild-std` in its own target directory.
    Debian,
}

impl Route {
    /// Finds a route, installing what it needs where it can.
    pub fn find() -> Result<Route> {
        if rustup_std_installed() {
            return Ok(Route::Rustup);
        }
        if has("rustup") {
            eprintln!("xtask: adding the rustup target {TARGET}");
            let added = Command::new("rustup").args(["target", "add", TARGET]).status();
            if added.is_ok_and(|s| s.success()) && rustup_std_installed() {
                return Ok(Route::Rustup);
            }
            eprintln!(
                "xtask: `rustup target add {TARGET}` did not work; trying Debian's toolchain"
            );
        }
        if debian_toolchain_installed() {
            return Ok(Route::Debian);
        }
        if is_root() && has("apt-get") {
            apt_install(&DEBIAN_PACKAGES, "compiling the frontend to wasm")?;
            if debian_toolchain_installed() {
                return Ok(Route::Debian);
            }
        }
        bail!(
            "no way to compile Rust to {TARGET} here. Either run `rustup target add {TARGET}`, \
             or install Debian's packages: apt-get install {}",
            DEBIAN_PACKAGES.join(" ")
        )
    }

    /// Builds the frontend with the `wasm-release` profile and returns the `.wasm` file.
    pub fn build_frontend(self) -> Result<PathBuf> {
        let (mut command, dir) = match self {
            Route::Rustup => (cargo(), target_dir()),
            Route::Debian => {
                // Its own directory: switching toolchains on one directory rebuilds everything.
                let dir = target_dir().join("wasm-debian");
                let mut command = Command::new("/usr/bin/cargo");
                command
                    .current_dir(crate::system::workspace_root())
                    .env("RUSTC", "/usr/bin/rustc")
                    .env("RUSTC_BOOTSTRAP", "1")
                    .env_remove("RUSTUP_TOOLCHAIN")
                    .arg("-Zbuild-std=std,panic_abort")
                    .arg("--target-dir")
                    .arg(&dir);
                (command, dir)
            }
        };
        eprintln!("xtask: compiling the frontend to wasm ({})", self.describe());
        command.args([
            "build",
            "--package",
            "egress-frontend",
            "--lib",
            "--target",
            TARGET,
            "--profile",
            "wasm-release",
        ]);
        run(&mut command)?;
        let wasm = dir.join(TARGET).join("wasm-release").join("egress_frontend.wasm");
        if !wasm.is_file() {
            bail!("the wasm build succeeded but {} is missing", wasm.display());
        }
        Ok(wasm)
    }

    fn describe(self) -> &'static str {
        match self {
            Route::Rustup => "rustup target wasm32-unknown-unknown",
            Route::Debian => "Debian rustc-web with -Zbuild-std",
        }
    }
}

fn rustup_std_installed() -> bool {
    let Ok(output) = Command::new("rustc").args(["--print", "sysroot"]).output() else {
        return false;
    };
    let sysroot = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    Path::new(&sysroot).join("lib/rustlib").join(TARGET).join("lib").is_dir()
}

fn debian_toolchain_installed() -> bool {
    Path::new("/usr/bin/rustc").exists()
        && Path::new("/usr/bin/cargo").exists()
        && Path::new("/usr/bin/rust-lld").exists()
        && Path::new("/usr/lib/rustlib/src/rust/library").is_dir()
}

/// Runs wasm-bindgen (as a library, so its version is always the crate's in Cargo.lock) on
/// the main module that `split::package` made. The lld exports stay: the split loader takes
/// the memory, the function table and the shared functions from them.
pub fn bindgen(wasm: &Path, out_dir: &Path) -> Result<()> {
    eprintln!("xtask: running wasm-bindgen");
    std::fs::create_dir_all(out_dir)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(wasm)
        .web(true)?
        .typescript(false)
        .keep_lld_exports(true)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(out_dir)
        .context("wasm-bindgen failed")?;
    Ok(())
}
