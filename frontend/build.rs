//! Links the wasm with `--emit-relocs`: `cargo xtask build` splits the linked module at the
//! lazy routes (`wasm_split_cli_support`), which needs the relocations to move functions and
//! data between the main module and the chunks loaded on demand.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo::rustc-cdylib-link-arg=--emit-relocs");
    }
}
