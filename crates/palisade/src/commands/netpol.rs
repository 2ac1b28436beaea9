//! `palisade netpol`: can-reach.

use crate::cli::{ListFormat, MatrixFormat, NetpolCommand};
use palisade_analysis::netpol::matrix::Ports;
use std::path::PathBuf;
use palisade::inputs::{collect_inputs, PassOptions};
use palisade_analysis::netpol::{Endpoint, Network, Protocol, EXTERNAL, METADATA};
use serde_json::json;
use std::process::ExitCode;

/// Resolves `NAMESPACE/NAME`, `NAMESPACE/KIND/NAME`, an IP address or `external`.
fn endpoint<'a>(net: &'a Network, text: &str) -> Result<Endpoint<'a>, String> {
    if text == "external" {
        return Ok(Endpoint::Address(EXTERNAL));
    }
    if let Ok(ip) = text.parse() {
        return Ok(Endpoint::Address(ip));
    }
    let parts: Vec<&str> = text.split('/').collect();
    let matches: Vec<_> = match parts.as_slice() {
        [ns, name] => net.pods.iter().filter(|p| p.namespace == *ns && p.workload == *name).collect(),
        [ns, kind, name] => net
            .pods
            .iter()
            .filter(|p| p.namespace == *ns && p.kind.eq_ignore_ascii_case(kind) && p.workload == *name)
            .collect(),
        _ => return Err(format!("`{text}` is not NAMESPACE/NAME, NAMESPACE/KIND/NAME, an IP address or `external`")),
    };
    match matches.as_slice() {
        [one] => Ok(Endpoint::Pod(one)),
        [] => Err(format!("no workload `{text}` in the input")),
        many => Err(format!(
            "`{text}` is ambiguous ({}); write NAMESPACE/KIND/NAME",
            many.iter().map(|p| p.kind.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Splits `DST[:PORT[/PROTO]]` (an IPv6 destination goes in brackets: `[fd00::1]:80`).
fn destination(text: &str) -> Result<(String, u16, Protocol), String> {
    let (host, rest) = if let Some(stripped) = text.strip_prefix('[') {
        let (h, r) = stripped.split_once(']').ok_or_else(|| format!("`{text}`: unclosed `[`"))?;
        (h.to_string(), r.strip_prefix(':').unwrap_or(r))
    } else {
        match text.rsplit_once(':') {
            Some((h, r)) => (h.to_string(), r),
            None => (text.to_string(), ""),
        }
    };
    if rest.is_empty() {
        return Err(format!("`{text}` needs a port: DST:PORT[/PROTO]"));
    }
    let (port, proto) = rest.split_once('/').unwrap_or((rest, "TCP"));
    let port: u16 = port.parse().map_err(|_| format!("`{port}` is not a port number"))?;
    Ok((host, port, proto.parse()?))
}

pub fn run(cmd: NetpolCommand) -> ExitCode {
    let (src, dst, files, format) = match cmd {
        NetpolCommand::CanReach { src, dst, files, format } => (src, dst, files, format),
        NetpolCommand::Matrix { files, format, timings } => return matrix(&files.paths, format, timings),
    };
    let usage = super::usage;
    let (dst_name, port, protocol) = match destination(&dst) {
        Ok(d) => d,
        Err(e) => return usage(e),
    };
    let (inputs, mut errors) = collect_inputs(&files.paths, &[]);
    let opts = PassOptions::quiet();
    let (model, more) = palisade::model::load(&inputs, &opts);
    let net = model.net.to_network();
    errors.extend(more);
    super::print_errors(&errors);
    let (from, to) = match (endpoint(&net, &src), endpoint(&net, &dst_name)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return usage(e),
    };
    let verdict = net.can_reach(&from, &to, port, protocol);
    match format {
        ListFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&json!({"allowed": verdict.allowed, "reasons": verdict.reasons})).unwrap())
        }
        ListFormat::Table => {
            println!("{}: {from} → {to}:{port}/{protocol}", if verdict.allowed { "yes" } else { "no" });
            for r in &verdict.reasons {
                println!("  {r}");
            }
        }
    }
    match (errors.is_empty(), verdict.allowed) {
        (false, _) => ExitCode::from(2),
        (true, true) => ExitCode::SUCCESS,
        (true, false) => ExitCode::from(1),
    }
}

fn matrix(files: &[PathBuf], format: MatrixFormat, timings: bool) -> ExitCode {
    let (inputs, mut errors) = collect_inputs(files, &[]);
    let opts = PassOptions::quiet();
    let started = std::time::Instant::now();
    let (model, more) = palisade::model::load(&inputs, &opts);
    let net = model.net.to_network();
    let loaded = started.elapsed();
    errors.extend(more);
    super::print_errors(&errors);
    let addresses = [EXTERNAL, METADATA];
    let computing = std::time::Instant::now();
    let cells = net.matrix(&addresses);
    if timings {
        eprintln!(
            "timings: loaded {} workloads and {} policies in {:.1} ms; matrix of {} pairs in {:.1} ms",
            net.pods.len(),
            net.policies.len(),
            loaded.as_secs_f64() * 1e3,
            cells.len() * cells.len(),
            computing.elapsed().as_secs_f64() * 1e3
        );
    }
    let mut names: Vec<String> = net.pods.iter().map(|p| p.name()).collect();
    names.extend(["external".to_string(), format!("metadata ({METADATA})")]);
    let n_pods = net.pods.len();
    // Rows: workloads and external; columns: workloads, external, metadata.
    let row = |r: usize| -> Vec<(usize, &Ports)> {
        cells[r].iter().filter(|(c, _)| !(r >= n_pods && *c >= n_pods)).map(|(c, p)| (*c, p)).collect()
    };
    let mut out = String::new();
    match format {
        MatrixFormat::Json => {
            let rows: Vec<_> = (0..=n_pods)
                .map(|r| {
                    let to: serde_json::Map<String, serde_json::Value> =
                        row(r).into_iter().map(|(c, p)| (names[c].clone(), json!(p.to_string()))).collect();
                    json!({"from": names[r], "to": to})
                })
                .collect();
            out = serde_json::to_string_pretty(&json!({"matrix": rows})).unwrap() + "\n";
        }
        MatrixFormat::Csv => {
            out.push_str("from,to,ports\n");
            for r in 0..=n_pods {
                for (c, p) in row(r) {
                    out.push_str(&format!("{},{},\"{p}\"\n", names[r], names[c]));
                }
            }
        }
        MatrixFormat::Dot => {
            out.push_str("digraph network {\n  rankdir=LR;\n  node [shape=box];\n");
            for r in 0..=n_pods {
                for (c, p) in row(r) {
                    out.push_str(&format!("  \"{}\" -> \"{}\" [label=\"{p}\"];\n", names[r], names[c]));
                }
            }
            out.push_str("}\n");
        }
        MatrixFormat::Table => {
            let mut senders = vec![0usize; names.len()];
            for r in 0..=n_pods {
                let to: Vec<String> = row(r)
                    .into_iter()
                    .map(|(c, p)| {
                        senders[c] += 1;
                        format!("{} ({p})", names[c])
                    })
                    .collect();
                let to = if to.is_empty() { "nothing".to_string() } else { to.join(", ") };
                out.push_str(&format!("{} → {to}\n", names[r]));
            }
            let open_to_all = senders[..n_pods].iter().filter(|n| **n == n_pods + 1).count();
            out.push_str(&format!("\n{n_pods} workloads, {} policies; {open_to_all} workloads accept connections from every workload and from outside\n", net.policies.len()));
        }
    }
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) }
}
