//! `cargo xtask build | run | test | bench`: the project's tasks, so that two commands do
//! everything on a fresh machine.

mod bench;
mod fuzz;
mod prune;
mod site;
mod split;
mod system;
mod wasm;

use anyhow::{Result, bail};
use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <task>

Tasks:
  build   compile the frontend to wasm and lay the site out in <target>/site
  run     build, then start `egress-console serve` and print its URL
          (extra arguments go to `serve`, e.g. cargo xtask run -- --listen 127.0.0.1:9000)
  test    install what the tests need, build, and run every test of the project
  bench   measure speed and size and print each figure against its goal
  fuzz    run every fuzz target (one per parser of untrusted input) for SECONDS each
          (cargo xtask fuzz [SECONDS], default 60; the test task runs each for 10)

Environment:
  CARGO_TARGET_DIR   build directory (default: ./target); CI keeps it outside the checkout
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    let rest: Vec<String> = args.skip_while(|a| a == "--").collect();
    match task.as_str() {
        "build" => site::build().map(|_| ()),
        "run" => site::run(&rest),
        "test" => system::test(),
        "bench" => bench::bench(),
        "fuzz" => match rest.first() {
            None => fuzz::fuzz(60),
            Some(seconds) => fuzz::fuzz(seconds.parse().map_err(|_| {
                anyhow::anyhow!("fuzz takes a number of seconds per target, not {seconds:?}")
            })?),
        },
        "" | "help" | "-h" | "--help" => {
            print!("{HELP}");
            Ok(())
        }
        other => bail!("unknown task {other:?}\n\n{HELP}"),
    }
}
