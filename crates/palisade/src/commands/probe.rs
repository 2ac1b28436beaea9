//! `palisade probe TARGET...`: the endpoints the user names, probed from the outside by
//! `palisade_probe` (each open one an Endpoint object), through the same engine as
//! everything else.

use super::scan::{progress_bar, Setup};
use crate::cli::ProbeArgs;
use std::process::ExitCode;

pub fn run(args: ProbeArgs) -> ExitCode {
    let setup = match Setup::new(&args.check.select, args.check.fail_on, &[], None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let ports: Vec<u16> = if args.ports.is_empty() { palisade_probe::DEFAULT_PORTS.iter().map(|k| k.port).collect() } else { args.ports.clone() };
    if let Some(zero) = ports.iter().find(|p| **p == 0) {
        eprintln!("error: --ports: {zero} is not a port (1–65535)");
        return ExitCode::from(2);
    }
    let plan = match palisade_probe::plan(&args.targets, &ports, args.force) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    raise_open_files(args.concurrency);
    let options = palisade_probe::Options { connect_timeout: args.connect_timeout, timeout: args.timeout, concurrency: args.concurrency };
    let progress = progress_bar(&args.check, plan.len(), "probing endpoints");
    let tick = || {
        if let Some(p) = &progress {
            p.inc(1);
        }
    };
    let outcome = palisade_probe::probe(plan, options, &tick);
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    if !args.check.quiet {
        let failed = if outcome.errors.is_empty() { String::new() } else { format!(", {} not probed (see the errors)", outcome.errors.len()) };
        eprintln!("probed {} endpoints: {} open, {} closed or silent{failed}", outcome.probed, outcome.endpoints.len(), outcome.closed);
        for e in &outcome.endpoints {
            eprintln!("  {}", open_line(&e["spec"]));
        }
    }
    let mut report = setup.judge(&outcome.endpoints);
    let endpoints: Vec<serde_json::Value> = outcome.endpoints.iter().map(|e| e["spec"].clone()).collect();
    report.errors = outcome.errors.iter().map(|(endpoint, e)| palisade_report::InputError::whole_file(endpoint.as_str(), e.as_str())).collect();
    report.probe = Some(serde_json::json!({"probed": outcome.probed, "closed": outcome.closed, "endpoints": endpoints}));
    report.sort();
    setup.finish(report, &args.check, false, "probe")
}

/// One open endpoint in a line: address, what answers, and its TLS facts.
fn open_line(spec: &serde_json::Value) -> String {
    let address = format!("{}:{}", spec["host"].as_str().unwrap_or(""), spec["port"]);
    let mut line = format!("{address:<22} {:<24} {}", spec["service"].as_str().unwrap_or("unknown"), spec["scheme"].as_str().unwrap_or(""));
    let tls = &spec["tls"];
    if let Some(version) = tls["version"].as_str() {
        line.push_str(&format!(" {version}"));
    }
    if let Some(c) = tls["client_certificate"].as_str() {
        line.push_str(&format!(", client certificate {c}"));
    }
    let cert = &tls["certificate"];
    if let Some(subject) = cert["subject"].as_str() {
        let until = cert["not_after"].as_str().unwrap_or("").get(..10).unwrap_or("");
        let signed = if cert["self_signed"] == true { "self-signed, " } else { "" };
        line.push_str(&format!(", {subject} ({signed}until {until})"));
    }
    line
}

/// Each endpoint in flight holds up to two sockets: lift the soft limit on open files toward
/// the hard one so `--concurrency` is not cut short by `EMFILE`.
fn raise_open_files(concurrency: usize) {
    #[cfg(target_os = "linux")]
    {
        let want = (concurrency as u64) * 2 + 64;
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit/setrlimit read and write the struct given; nothing else.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < want {
                limit.rlim_cur = want.min(limit.rlim_max);
                libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = concurrency;
}
