//! The site the server serves: `public/`, `style/` and the wasm app in `<target>/site`.

use crate::split;
use crate::system::{cargo, run as run_command, target_dir, workspace_root};
use crate::wasm::Route;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Builds the frontend and lays the site out; returns the site folder. The wasm is split at
/// the lazy routes (`split.rs`): the first page loads `first_load` and each other page its
/// chunks, on demand.
pub fn build() -> Result<PathBuf> {
    let route = Route::find()?;
    let wasm = route.build_frontend()?;
    let site = target_dir().join("site");
    let pkg = site.join("pkg");
    let mut changed = split::package(&wasm, &pkg)?;
    let root = workspace_root();
    for dir in [root.join("public"), root.join("style")] {
        changed |= copy_changed(&dir, &site)?;
    }
    let mut compress = first_load(&site)?;
    compress.extend(split::chunks(&pkg)?);
    compress.push(site.join("style.css"));
    for file in &compress {
        changed |= compressed_beside(file)?;
    }
    if changed {
        eprintln!("xtask: site laid out in {}", site.display());
        report_sizes(&site)?;
    } else {
        eprintln!("xtask: site is up to date in {}", site.display());
    }
    Ok(site)
}

/// The app's files a browser fetches before the first page shows: wasm-bindgen's JS and
/// main module, and the split loader that JS imports (`boot.js`, a few lines, aside).
pub fn first_load(site: &Path) -> Result<Vec<PathBuf>> {
    let pkg = site.join("pkg");
    let link = split::link_file(&pkg)?
        .with_context(|| format!("no split loader (__wasm_split.*.js) in {}", pkg.display()))?;
    Ok(vec![pkg.join("egress_frontend_bg.wasm"), pkg.join("egress_frontend.js"), link])
}

/// Prints what the first page load transfers and what each lazily loaded module adds.
fn report_sizes(site: &Path) -> Result<()> {
    let sizes = |file: &Path| -> Result<(u64, u64)> {
        let len = |extension: &str| {
            let mut name = file.as_os_str().to_owned();
            name.push(extension);
            std::fs::metadata(PathBuf::from(name)).map(|m| m.len())
        };
        Ok((len(".gz")?, len(".br")?))
    };
    let (mut gz, mut br) = (0, 0);
    for file in first_load(site)? {
        let (g, b) = sizes(&file)?;
        (gz, br) = (gz + g, br + b);
    }
    eprintln!(
        "xtask: first load (main wasm + JS): {:.1} KB gzip, {:.1} KB brotli",
        gz as f64 / 1000.0,
        br as f64 / 1000.0
    );
    for chunk in split::chunks(&site.join("pkg"))? {
        let (g, b) = sizes(&chunk)?;
        let name = chunk.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        eprintln!(
            "xtask:   on demand {name}: {:.1} KB gzip, {:.1} KB brotli",
            g as f64 / 1000.0,
            b as f64 / 1000.0
        );
    }
    Ok(())
}

/// `cargo xtask run`: build, then serve.
pub fn run(serve_args: &[String]) -> Result<()> {
    let site = build()?;
    eprintln!("xtask: building egress-console (release)");
    run_command(cargo().args(["build", "--release", "--package", "egress-console"]))?;
    let binary = target_dir().join("release").join("egress-console");
    let mut serve = std::process::Command::new(&binary);
    serve.arg("serve").arg("--site-dir").arg(&site).args(serve_args);
    run_command(&mut serve)
}

/// Writes `FILE.br` (brotli, quality 11) and `FILE.gz` (gzip -9) beside `file` when they are
/// missing or older, so the server can send the compressed bytes to browsers that accept
/// either (brotli first: the smallest) without compressing on every request. True when it
/// wrote one.
fn compressed_beside(file: &Path) -> Result<bool> {
    use std::io::Write;
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let beside = |extension: &str| {
        let mut name = file.as_os_str().to_owned();
        name.push(extension);
        PathBuf::from(name)
    };
    let (gz, br) = (beside(".gz"), beside(".br"));
    let fresh = |p: &Path| modified(p).is_some() && modified(p) >= modified(file);
    if fresh(&gz) && fresh(&br) {
        return Ok(false);
    }
    let content = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&content)?;
    std::fs::write(&gz, encoder.finish()?)?;
    std::fs::write(&br, brotli_of(&content)?)?;
    Ok(true)
}

/// `content` compressed with brotli at its best quality.
pub fn brotli_of(content: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut std::io::Cursor::new(content), &mut out, &params)?;
    Ok(out)
}

/// Copies every file of `from` into `to` whose content differs; true when any did.
fn copy_changed(from: &Path, to: &Path) -> Result<bool> {
    let mut changed = false;
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            changed |= copy_changed(&entry.path(), &dest)?;
            continue;
        }
        let content = std::fs::read(entry.path())?;
        if std::fs::read(&dest).ok().as_deref() != Some(&content[..]) {
            std::fs::write(&dest, content)?;
            changed = true;
        }
    }
    Ok(changed)
}
