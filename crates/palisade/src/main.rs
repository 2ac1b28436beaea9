//! The `palisade` command line: thin glue over the library crates.

mod cli;
mod commands;

/// Scanning allocates and frees a document tree after another; mimalloc does that ~15%
/// cheaper than the system allocator (measured on the 100,000-object benchmark).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => commands::scan::run(args, false),
        Command::Compliance(args) => commands::scan::run(args, true),
        Command::Rules { format } => commands::rules::run_rules(format),
        Command::Policy(cmd) => commands::policy::run(cmd),
        Command::Rbac(cmd) => commands::rbac::run(cmd),
        Command::Netpol(cmd) => commands::netpol::run(cmd),
        Command::Images(args) => commands::inventory::run(args, false),
        Command::Secrets(args) => commands::inventory::run(args, true),
        Command::Explain { rule } => commands::rules::explain(&rule),
    }
}

