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

/// mimalloc asks for transparent huge pages, and the kernel zeroes each 2 MiB page in full on
/// first touch; a scan touches its memory sparsely, so that zeroing was 9–17% of the CPU time.
/// Without huge pages the 100,000-object benchmark ran ~8–10% faster in paired runs, with
/// less memory (see the README's performance notes).
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and affects only this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    #[cfg(target_os = "linux")]
    no_transparent_huge_pages();
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => commands::scan::run(args, false),
        Command::Compliance(args) => commands::scan::run(args, true),
        Command::Cluster(args) => commands::cluster::run(args),
        Command::Watch(args) => commands::watch::run(args),
        Command::History(args) => commands::history::history(args),
        Command::Trend(args) => commands::history::trend(args),
        Command::Dump(args) => commands::cluster::dump(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Node(args) => commands::node::run(args),
        Command::Probe(args) => commands::probe::run(args),
        Command::AuditLog(args) => commands::audit_log::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Admission(cmd) => commands::serve::admission(cmd),
        Command::Merge(args) => commands::merge::run(args),
        Command::Rules { format } => commands::rules::run_rules(format),
        Command::Policy(cmd) => commands::policy::run(cmd),
        Command::Rbac(cmd) => commands::rbac::run(cmd),
        Command::Netpol(cmd) => commands::netpol::run(cmd),
        Command::Images(args) => commands::inventory::run(args, false),
        Command::Secrets(args) => commands::inventory::run(args, true),
        Command::Inventory(args) => commands::inventory::estate(args),
        Command::Explain { rule } => commands::rules::explain(&rule),
    }
}

