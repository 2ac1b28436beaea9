//! `palisade node`: the host under `--root`, described by `palisade_node` as one Host
//! object, through the same engine as everything else.

use super::scan::Setup;
use crate::cli::NodeArgs;
use std::process::ExitCode;

pub fn run(args: NodeArgs) -> ExitCode {
    if !args.root.is_dir() {
        eprintln!("error: {}: not a directory to audit", args.root.display());
        return ExitCode::from(2);
    }
    let setup = match Setup::new(&args.check.select, args.check.fail_on, &[], None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let host = palisade_node::Host::new(&args.root).describe();
    let name = host["metadata"]["name"].as_str().map(str::to_string);
    let mut report = setup.judge(&[host]);
    report.host = name;
    if !args.root.join("proc").is_dir() && !args.check.quiet {
        eprintln!("note: no proc/ under {}: running processes were not audited, files only", args.root.display());
    }
    report.sort();
    setup.finish(report, &args.check, false, "node")
}
