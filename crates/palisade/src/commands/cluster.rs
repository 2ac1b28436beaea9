//! `palisade cluster` and `palisade dump`.

use super::scan::Setup;
use crate::cli::{ClusterArgs, ConnectArgs, DumpArgs, SelectArgs};
use indicatif::{ProgressBar, ProgressStyle};
use palisade::{live, snapshot};
use palisade_cluster::{Connection, Progress, ReadOptions, Target};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Connects, printing the connection's warnings; errors are printed and end the run.
pub(super) fn connect(args: &ConnectArgs, runtime: &tokio::runtime::Runtime, quiet: bool) -> Result<Connection, ExitCode> {
    let target = Target { kubeconfig: args.kubeconfig.clone(), context: args.context.clone() };
    match runtime.block_on(palisade_cluster::connect(&target)) {
        Ok(conn) => {
            if !quiet {
                for w in &conn.warnings {
                    eprintln!("warning: {w}");
                }
            }
            Ok(conn)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(2))
        }
    }
}

pub(super) fn read_options(args: &ConnectArgs) -> ReadOptions {
    ReadOptions { page_size: args.chunk_size, include_owned: args.include_owned, ..ReadOptions::default() }
}

/// A progress bar over resource types, on a terminal.
fn progress_bar(quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    bar.set_style(ProgressStyle::with_template("{spinner} listing {pos}/{len} resource types, {msg} {wide_bar}").unwrap_or_else(|_| ProgressStyle::default_bar()));
    Some(bar)
}

fn on_progress(bar: &Option<ProgressBar>) -> impl Fn(Progress) + '_ {
    move |p| {
        let Some(bar) = bar else { return };
        match p {
            Progress::Discovered(n) => bar.set_length(n as u64),
            Progress::Listed(resource, objects) => {
                bar.inc(1);
                bar.set_message(format!("{objects} objects (last: {resource})"));
            }
        }
    }
}

/// The selection with the connected API server's version (its `/version`), the default for
/// user policies.
pub(super) fn with_server_version(select: &SelectArgs, version: Option<&str>) -> SelectArgs {
    SelectArgs { server_version: version.and_then(|v| v.parse().ok()), ..select.clone() }
}

fn start() -> Result<tokio::runtime::Runtime, ExitCode> {
    live::runtime().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

pub fn run(args: ClusterArgs) -> ExitCode {
    let runtime = match start() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let conn = match connect(&args.connect, &runtime, args.check.quiet) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let select = with_server_version(&args.check.select, runtime.block_on(palisade_cluster::version(&conn)).as_deref());
    let mut setup = match Setup::new(&select, args.check.fail_on, &[], None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let insights = setup.insights_for(args.check.format);
    if let Some(inventory) = setup.inventory.as_ref().filter(|i| i.wants_any()) {
        if let Err(code) = sync_inventory(&runtime, &conn, &read_options(&args.connect), inventory, args.check.quiet) {
            return code;
        }
    }
    let bar = progress_bar(args.check.quiet);
    let report = live::scan(&runtime, &conn, &read_options(&args.connect), &setup.engine, !args.check.select.no_builtin_roles, insights, on_progress(&bar));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match report {
        Ok(report) => setup.finish(report, &args.check, false, "cluster"),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// User policies read more of a cluster than the object under review — Namespaces for
/// their namespaceSelectors, and for referential Gatekeeper templates `data.inventory` (the
/// kinds their `requires-sync-data` names, else everything) — so those are read first, as
/// Gatekeeper syncs them.
fn sync_inventory(runtime: &tokio::runtime::Runtime, conn: &palisade_cluster::Connection, opts: &palisade_cluster::ReadOptions, inventory: &palisade_policy::Inventory, quiet: bool) -> Result<(), ExitCode> {
    let mut synced = 0usize;
    let read = live::read(
        runtime,
        conn,
        opts,
        |r, object| {
            if inventory.wants(&r.group, &r.kind) {
                inventory.add(&palisade_source::json::node_of(&object));
                synced += 1;
            }
        },
        |_| {},
    );
    match read {
        Ok(_) => {
            if !quiet {
                eprintln!("read {synced} objects for the user policies' inventory");
            }
            Ok(())
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(2))
        }
    }
}

pub fn dump(args: DumpArgs) -> ExitCode {
    let runtime = match start() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let conn = match connect(&args.connect, &runtime, args.quiet) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let to_stdout = args.output.as_os_str() == "-";
    let file: Box<dyn Write> = if to_stdout {
        Box::new(std::io::stdout().lock())
    } else {
        match std::fs::File::create(&args.output) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("error: {}: {e}", args.output.display());
                return ExitCode::from(2);
            }
        }
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    let context = conn.context.as_deref().map(|c| format!(", context {c}")).unwrap_or_default();
    let header = vec![
        format!("palisade dump of {}{context}, {}", conn.server, palisade_rules::engine::today_utc()),
        "Secret values are replaced by their lengths; managedFields and last-applied annotations are left out.".into(),
        "Scan it with `palisade scan FILE`.".into(),
    ];
    let mut failure: Option<std::io::Error> = None;
    if let Err(e) = snapshot::begin(&mut out, &header) {
        failure = Some(e);
    }
    let mut written = 0usize;
    let bar = progress_bar(args.quiet || to_stdout);
    let read = live::read(
        &runtime,
        &conn,
        &read_options(&args.connect),
        |_, object| {
            if failure.is_none() {
                match snapshot::item(&mut out, &object) {
                    Ok(()) => written += 1,
                    Err(e) => failure = Some(e),
                }
            }
        },
        on_progress(&bar),
    );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (coverage, errors) = match read {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut trailer = vec![format!("{written} objects from {} resource types", coverage.counts().0)];
    for r in coverage.resources.iter().filter(|r| matches!(r.state, palisade_core::coverage::ReadState::Forbidden(_) | palisade_core::coverage::ReadState::Failed(_))) {
        trailer.push(format!("{} {}: {}", r.state.label(), r.qualified(), r.hides()));
    }
    if failure.is_none() {
        failure = snapshot::end(&mut out, written > 0, &trailer).and_then(|_| out.flush()).err();
    }
    if let Some(e) = failure {
        eprintln!("error: cannot write {}: {e}", args.output.display());
        return ExitCode::from(2);
    }
    for e in &errors {
        eprintln!("error: {e}");
    }
    if !args.quiet {
        let (_, forbidden, failed, _) = coverage.counts();
        eprintln!("wrote {written} objects to {}; {forbidden} resource types forbidden, {failed} failed", args.output.display());
        for line in trailer.iter().skip(1) {
            eprintln!("  {line}");
        }
    }
    if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) }
}
