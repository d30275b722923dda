//! Splitting the linked wasm at the frontend's lazy routes, before wasm-bindgen.
//!
//! `#[lazy_route]` (leptos, through `wasm_split_helpers`) marks each lazily loaded page; the
//! frontend links with `--emit-relocs` (its `build.rs`), and `wasm_split_cli_support` moves
//! what only those pages use out of the main module: one `split_*` module per page and
//! `chunk_*` modules for code several pages share. wasm-bindgen then processes the main
//! module alone, and `__wasm_split.*.js` fetches a page's modules the first time it opens.
//!
//! Every split file's name carries a tag of the build (a hash of the linked wasm), and the
//! main module imports the loader under its tagged name: a tab still running an older build
//! can never instantiate this build's chunks with its own main module (it gets a 404 and the
//! app's "reload" banner instead of a silent mismatch).

use crate::system::target_dir;
use crate::wasm::bindgen;
use anyhow::{Context, Result, anyhow};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Prefixes of the files this step writes into `pkg/` besides wasm-bindgen's two.
const SPLIT_PREFIXES: [&str; 3] = ["split_", "chunk_", "__wasm_split."];

/// Splits `wasm`, runs wasm-bindgen on its main module and writes every output to `pkg`
/// (stale split files of an earlier build are removed) when `wasm` is newer than the
/// output. True when it did work.
pub fn package(wasm: &Path, pkg: &Path) -> Result<bool> {
    let js = pkg.join("egress_frontend.js");
    let bg = pkg.join("egress_frontend_bg.wasm");
    if is_newer(&js, wasm) && is_newer(&bg, wasm) && link_file(pkg)?.is_some() {
        return Ok(false);
    }
    let input = std::fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let tag = build_tag(&input);
    let staging = target_dir().join("wasm-split");
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let main_dir = staging.join("main");
    std::fs::create_dir_all(&main_dir)?;
    // Named like the input, so wasm-bindgen's outputs keep their names.
    let main = main_dir.join("egress_frontend.wasm");
    let link_name = format!("__wasm_split.{tag}.js");
    let link_import = format!("./{link_name}");

    eprintln!("xtask: splitting the wasm at the lazy routes");
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = &staging;
    options.main_out_path = &main;
    options.link_name = &link_import;
    // The loader sits beside wasm-bindgen's JS in `pkg/`.
    options.main_module = "./egress_frontend.js";
    let split = wasm_split_cli_support::transform(options)
        .map_err(|e| anyhow!("splitting {}: {e:?}", wasm.display()))?;

    std::fs::create_dir_all(pkg)?;
    bindgen(&main, pkg)?;

    // The chunks, renamed with the tag and without their custom sections (names, producers:
    // wasm-bindgen strips those from the main module, nothing strips them from the chunks).
    let mut link = std::fs::read_to_string(staging.join(&link_name))
        .with_context(|| format!("reading the split loader {link_name}"))?;
    let mut written = vec![link_name.clone()];
    for module in &split.split_modules {
        let stem = module
            .file_stem()
            .and_then(|s| s.to_str())
            .with_context(|| format!("odd split module name {}", module.display()))?;
        let tagged = format!("{stem}.{tag}.wasm");
        let quoted = format!("\"./{stem}.wasm\"");
        if !link.contains(&quoted) {
            return Err(anyhow!("the split loader does not name {stem}.wasm"));
        }
        link = link.replace(&quoted, &format!("\"./{tagged}\""));
        let bytes = std::fs::read(module)?;
        std::fs::write(pkg.join(&tagged), without_custom_sections(&bytes)?)?;
        written.push(tagged);
    }
    std::fs::write(pkg.join(&link_name), link)?;
    remove_stale(pkg, &written)?;
    Ok(true)
}

/// The split loader of the build in `pkg`, if there is one.
pub fn link_file(pkg: &Path) -> Result<Option<PathBuf>> {
    Ok(split_files(pkg)?.into_iter().find(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("__wasm_split.") && n.ends_with(".js"))
    }))
}

/// The lazily loaded modules of the build in `pkg` (`split_*.wasm`, `chunk_*.wasm`).
pub fn chunks(pkg: &Path) -> Result<Vec<PathBuf>> {
    let mut chunks: Vec<PathBuf> = split_files(pkg)?
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    chunks.sort();
    Ok(chunks)
}

/// The files of `pkg` this step wrote (not their `.br`/`.gz`).
fn split_files(pkg: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(pkg) else { return Ok(files) };
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        let ours = SPLIT_PREFIXES.iter().any(|p| name.starts_with(p));
        if ours && (name.ends_with(".wasm") || name.ends_with(".js")) {
            files.push(path);
        }
    }
    Ok(files)
}

/// Removes the split files (and their compressed copies) of earlier builds.
fn remove_stale(pkg: &Path, keep: &[String]) -> Result<()> {
    for entry in std::fs::read_dir(pkg)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        if !SPLIT_PREFIXES.iter().any(|p| name.starts_with(p)) {
            continue;
        }
        let base = name.trim_end_matches(".br").trim_end_matches(".gz");
        if !keep.iter().any(|k| k == base) {
            std::fs::remove_file(&path)
                .with_context(|| format!("removing the stale {}", path.display()))?;
        }
    }
    Ok(())
}

/// 16 hex digits that change whenever the linked wasm does.
fn build_tag(input: &[u8]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    input.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// `wasm` without its custom sections (id 0): the browser ignores them, so they are only
/// bytes to download.
fn without_custom_sections(wasm: &[u8]) -> Result<Vec<u8>> {
    const HEADER: usize = 8;
    if wasm.len() < HEADER || &wasm[..4] != b"\0asm" {
        return Err(anyhow!("not a wasm module"));
    }
    let mut out = wasm[..HEADER].to_vec();
    let mut at = HEADER;
    while at < wasm.len() {
        let id = wasm[at];
        let (size, leb) = read_leb_u32(&wasm[at + 1..]).context("a section size")?;
        let end = at + 1 + leb + size as usize;
        if end > wasm.len() {
            return Err(anyhow!("a section runs past the end of the module"));
        }
        if id != 0 {
            out.extend_from_slice(&wasm[at..end]);
        }
        at = end;
    }
    Ok(out)
}

/// An unsigned LEB128 number and how many bytes it took.
fn read_leb_u32(bytes: &[u8]) -> Result<(u32, usize)> {
    let mut value = 0u32;
    for (i, byte) in bytes.iter().take(5).enumerate() {
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    Err(anyhow!("a malformed LEB128 number"))
}

fn is_newer(output: &Path, input: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(output), modified(input)), (Some(o), Some(i)) if o >= i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_sections_are_dropped_and_the_others_kept() {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // A custom section "name" with two bytes, a type section, a custom "producers".
        wasm.extend_from_slice(&[0, 7, 4, b'n', b'a', b'm', b'e', 1, 2]);
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        wasm.extend_from_slice(&[0, 10, 9]);
        wasm.extend_from_slice(b"producers");
        let stripped = without_custom_sections(&wasm).unwrap();
        assert_eq!(stripped, b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0");
        assert!(without_custom_sections(b"\0asm\x01\0\0\0\0\xff").is_err());
    }

    #[test]
    fn leb128() {
        assert_eq!(read_leb_u32(&[0x05]).unwrap(), (5, 1));
        assert_eq!(read_leb_u32(&[0xe5, 0x8e, 0x26]).unwrap(), (624_485, 3));
        assert!(read_leb_u32(&[0x80, 0x80]).is_err());
    }
}
