//! `egress-console`: see `egress-console --help`.

use clap::Parser;
use egress_console::cli::{Cli, Command};
use egress_console::{diff, lint, serve, space_api, suggest};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint(args) => {
            let stdout = std::io::stdout();
            let code = lint::run(&args, &mut std::io::stdin().lock(), &mut stdout.lock());
            ExitCode::from(code)
        }
        Command::Serve(args) => block_on(serve::run(args)),
        Command::Apiserver(args) => block_on(space_api::run(args)),
        Command::Diff(args) => {
            let stdout = std::io::stdout();
            ExitCode::from(diff::run(&args, &mut stdout.lock()))
        }
        Command::Suggest(args) => {
            let stdout = std::io::stdout();
            ExitCode::from(suggest::run(&args, &mut stdout.lock()))
        }
    }
}

fn block_on(work: impl Future<Output = egress_console::Result<()>>) -> ExitCode {
    init_tracing();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(work) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

fn fail(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "egress-console: {message}");
    ExitCode::from(2)
}
