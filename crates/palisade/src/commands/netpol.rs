//! `palisade netpol`: can-reach.

use crate::cli::{ListFormat, NetpolCommand};
use palisade::inputs::{collect_inputs, PassOptions};
use palisade_analysis::netpol::{Endpoint, Network, Protocol};
use palisade_source::Limits;
use serde_json::json;
use std::process::ExitCode;

/// The address `external` stands for: outside every private and cluster range.
const EXTERNAL: &str = "203.0.113.10";

/// Resolves `NAMESPACE/NAME`, `NAMESPACE/KIND/NAME`, an IP address or `external`.
fn endpoint<'a>(net: &'a Network, text: &str) -> Result<Endpoint<'a>, String> {
    let text = if text == "external" { EXTERNAL } else { text };
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
    let NetpolCommand::CanReach { src, dst, files, format } = cmd;
    let usage = |e: String| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    };
    let (dst_name, port, protocol) = match destination(&dst) {
        Ok(d) => d,
        Err(e) => return usage(e),
    };
    let (inputs, mut errors) = collect_inputs(&files, &[]);
    let opts = PassOptions { limits: Limits { stream_list_items: true, ..Limits::default() }, on_progress: &|| {}, threads: 0 };
    let (net, more) = palisade::netpol::load(&inputs, &opts);
    errors.extend(more);
    for e in &errors {
        eprintln!("error: {e}");
    }
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
