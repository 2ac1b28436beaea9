//! The report's views beyond findings (`--format html`), taken from the cross-object model
//! a scan already built and the inventories gathered alongside it: escalation paths, who
//! can read each Secret, the network between workloads, and the source lines around
//! findings, read back from their files.

use crate::inventory::Inventories;
use palisade_analysis::model::Model;
use palisade_analysis::netpol::{EXTERNAL, METADATA};
use palisade_report::insights::{Escalation, Insights, Network, SecretReaders, CONTEXT, WORKLOAD_GRID};
use palisade_report::Report;
use std::collections::BTreeMap;

/// Escalation paths the report keeps (all are counted).
const MAX_PATHS: usize = 500;
/// Secrets whose readers the report lists (all are counted).
const MAX_SECRETS: usize = 1000;
/// Up to how many workloads the connections are worked out (a matrix of this many squared
/// pairs takes about a second).
const MAX_NETWORK: usize = 3000;
/// Bytes of source excerpts the report keeps at most (a page that carries more opens slower:
/// its script element is read whole before the page is drawn).
const MAX_EXCERPT_BYTES: usize = 8 << 20;


/// Gathers the views of `report` from its model and inventories.
pub fn gather(report: &Report, model: &Model, inventories: Inventories) -> Insights {
    let rbac = model.rbac();
    let mut escalations_total = 0;
    let mut escalations = Vec::new();
    for subject in rbac.subjects() {
        for path in rbac.paths(&subject) {
            escalations_total += 1;
            if escalations.len() < MAX_PATHS {
                escalations.push(Escalation {
                    subject: path.subject.to_string(),
                    reaches: path.reaches.to_string(),
                    steps: path.steps.iter().map(|s| (s.actor.to_string(), s.action.clone())).collect(),
                });
            }
        }
    }
    let secrets_total = model.secrets().count();
    let secret_readers = model
        .secrets()
        .take(MAX_SECRETS)
        .map(|s| {
            // In name order, whatever order the bindings came in.
            let mut readers: Vec<(String, Vec<&'static str>)> = rbac.secret_readers(&s.namespace, &s.name).into_iter().map(|(who, verbs, _)| (who.to_string(), verbs)).collect();
            readers.sort();
            SecretReaders { secret: format!("{}/{}", s.namespace, s.name), readers }
        })
        .collect();
    Insights {
        escalations,
        escalations_total,
        secret_readers,
        secrets_total,
        network: network(model),
        images: inventories.images,
        secret_sources: inventories.secrets.resolve(),
        excerpts: excerpts(report),
    }
}

/// The network view, or `None` when the input has no workloads.
fn network(model: &Model) -> Option<Network> {
    let net = model.net.to_network();
    if net.pods.is_empty() {
        return None;
    }
    let mut order: Vec<usize> = (0..net.pods.len()).collect();
    order.sort_by(|a, b| (&net.pods[*a].namespace, &net.pods[*a].kind, &net.pods[*a].workload).cmp(&(&net.pods[*b].namespace, &net.pods[*b].kind, &net.pods[*b].workload)));
    let mut rank = vec![0; order.len()];
    for (i, pod) in order.iter().enumerate() {
        rank[*pod] = i;
    }
    let workloads: Vec<(String, String)> = order.iter().map(|i| (net.pods[*i].namespace.clone(), format!("{}/{}", net.pods[*i].kind, net.pods[*i].workload))).collect();
    let mut namespaces: Vec<String> = workloads.iter().map(|w| w.0.clone()).collect();
    namespaces.dedup();
    let mut view = Network { workloads, policies: net.policies.len(), namespaces, ..Network::default() };
    let n = net.pods.len();
    if n > MAX_NETWORK {
        view.not_computed = Some(format!("{n} workloads are more than the report works out ({MAX_NETWORK}); `palisade netpol matrix` lists every pair"));
        return Some(view);
    }
    let cells = net.matrix(&[EXTERNAL, METADATA]);
    let ns_of: Vec<usize> = view.workloads.iter().map(|w| view.namespaces.binary_search(&w.0).unwrap_or(0)).collect();
    for (r, row) in cells.iter().enumerate() {
        for (c, ports) in row {
            let ports = ports.to_string();
            match (r < n, *c < n) {
                (true, true) => {
                    let (from, to) = (rank[r], rank[*c]);
                    let cell = view.between.entry((ns_of[from], ns_of[to])).or_default();
                    cell.0 += 1;
                    if cell.1.len() < 4 && !cell.1.contains(&ports) {
                        cell.1.push(ports.clone());
                    }
                    if n <= WORKLOAD_GRID {
                        view.edges.push((from, to, ports));
                    }
                }
                (true, false) if *c == n + 1 => view.metadata.push((rank[r], ports)),
                (false, true) if r == n => view.from_outside.push((rank[*c], ports)),
                _ => {}
            }
        }
    }
    view.edges.sort();
    view.metadata.sort();
    view.from_outside.sort();
    Some(view)
}

/// The lines around each finding's line, read back from its file (inputs that are not
/// files, such as standard input, have none), up to `MAX_EXCERPT_BYTES`.
fn excerpts(report: &Report) -> BTreeMap<String, BTreeMap<u32, String>> {
    let mut wanted: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for f in report.findings.iter().chain(report.suppressed.iter().map(|(f, _)| f)) {
        if let Some(l) = &f.location {
            wanted.entry(&l.file).or_default().push(l.line);
        }
    }
    let mut out = BTreeMap::new();
    let mut bytes = 0;
    for (file, mut lines) in wanted {
        if bytes >= MAX_EXCERPT_BYTES {
            break;
        }
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        lines.sort_unstable();
        lines.dedup();
        let all: Vec<&str> = text.lines().collect();
        let mut kept = BTreeMap::new();
        for line in lines {
            for n in line.saturating_sub(CONTEXT).max(1)..=line + CONTEXT {
                let Some(text) = all.get(n as usize - 1) else { break };
                kept.entry(n).or_insert_with(|| {
                    // The text, its line number and the JSON around them.
                    bytes += text.len() + 10;
                    text.to_string()
                });
            }
        }
        out.insert(file.to_string(), kept);
    }
    out
}
