//! `securebase`: the command-line edge of the engine. Parses arguments, wires the
//! crates together, prints, and maps failures to exit codes. `anyhow` lives only in this
//! binary. Each subcommand is a module of `cmd`; this file parses, dispatches and exits.

mod args;
mod cmd;

use anyhow::Result;
use args::{Cli, Command};
use clap::Parser;
use cmd::common::InputError;
use std::process::ExitCode;

/// Exit status when the scan ran (failing findings included).
const EXIT_OK: u8 = 0;
/// Exit status for unusable input: a file, a field, a flag.
const EXIT_INPUT: u8 = 2;
/// Exit status when `--fail-on` found failing findings at or above the threshold.
const EXIT_FAIL_ON: u8 = 3;

/// The default log filter: warnings, except the AWS SDK's own, whose failures the
/// collector reports itself as error entries (one line per failed call, not a retry log).
const QUIET_LOG: &str = "warn,aws_config=error,aws_smithy_runtime=error,aws_runtime=error,aws_sdk_sts=error";

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SECUREBASE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(if cli.verbose { "securebase=debug,info" } else { QUIET_LOG })),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let code = if e.downcast_ref::<InputError>().is_some() { EXIT_INPUT } else { 1 };
            eprintln!("error: {e:#}");
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => cmd::scan::run(args),
        Command::Plugins(args) => cmd::plugins::run(&args),
        Command::Plugin(command) => cmd::plugin::run(command),
        Command::Frameworks(args) => cmd::frameworks::run(&args.framework_file),
        Command::Report(args) => cmd::report::run(&args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Migrate(args) => cmd::migrate::run(&args),
        Command::Worker(args) => cmd::worker::run(args),
        Command::Invoice(args) => cmd::invoice::run(args),
        Command::Collect(args) => cmd::collect::run(args),
    }
}
