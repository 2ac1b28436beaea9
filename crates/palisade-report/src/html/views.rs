//! The report's views of what only the cross-object model knows: RBAC escalation paths as
//! a graph and who can read each Secret, the network as heatmaps (namespace by namespace,
//! and workload by workload when there are few), the cloud metadata endpoint's reach, and
//! the image and secret-source inventories; and the source excerpt around a line. Each
//! chart has its numbers in text too (a table or a `<title>` a pointer or a screen reader
//! finds), and the views print.

use crate::insights::{Escalation, Insights, Network};
use maud::{html, Markup};
use std::collections::{BTreeMap, HashMap};

/// Rows a table shows at most (the terminal commands list everything).
const MAX_ROWS: usize = 2000;
/// Paths the graph draws at most (the table under it lists more).
const GRAPH_PATHS: usize = 60;
/// Namespaces the namespace heatmap shows at most (those with the most workloads).
const GRID_NAMESPACES: usize = 40;

/// The lines around `line` of `file`, the line itself marked, when the report kept them.
pub fn excerpt(insights: &Insights, file: &str, line: u32) -> Markup {
    let Some(lines) = insights.excerpts.get(file) else { return html! {} };
    let from = line.saturating_sub(crate::insights::CONTEXT).max(1);
    let shown: Vec<(u32, &str)> = lines.range(from..=line + crate::insights::CONTEXT).map(|(n, t)| (*n, t.as_str())).collect();
    html! {
        @if !shown.is_empty() {
            pre.excerpt aria-label=(format!("{file}, lines {} to {}", shown[0].0, shown[shown.len() - 1].0)) {
                @for (n, text) in &shown {
                    @if *n == line {
                        mark { span.ln { (n) } (text) } "\n"
                    } @else {
                        span.ln { (n) } (text) "\n"
                    }
                }
            }
        }
    }
}

/// Truncates a label to `max` characters, with an ellipsis.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).chain(['…']).collect()
    }
}

/// A node of the graph: (column, row).
type Place = (usize, usize);

/// The escalation paths as a layered graph: subjects on the left, what they reach on the
/// right, each actor between at its step; an edge's title says the action.
fn escalation_graph(paths: &[Escalation]) -> Markup {
    let paths = &paths[..paths.len().min(GRAPH_PATHS)];
    let last = paths.iter().map(|p| p.steps.len()).max().unwrap_or(1).max(1);
    // Nodes by (column, label), placed in order of first appearance in their column.
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); last + 1];
    let mut place = |col: usize, label: &str| -> Place {
        let column = &mut columns[col];
        let row = column.iter().position(|l| l == label).unwrap_or_else(|| {
            column.push(label.to_string());
            column.len() - 1
        });
        (col, row)
    };
    let mut edges: Vec<(Place, Place, &str)> = Vec::new();
    for p in paths {
        let mut from: Option<Place> = None;
        for (i, (actor, _)) in p.steps.iter().enumerate() {
            let at = place(i, actor);
            if let Some(f) = from {
                edges.push((f, at, p.steps[i - 1].1.as_str()));
            }
            from = Some(at);
        }
        let to = place(last, &p.reaches);
        if let (Some(f), Some((_, action))) = (from, p.steps.last()) {
            edges.push((f, to, action));
        }
    }
    edges.sort();
    edges.dedup();
    let (col_w, node_w, row_h, node_h) = (250.0, 210.0, 30.0, 22.0);
    let rows = columns.iter().map(Vec::len).max().unwrap_or(1);
    let width = col_w * last as f64 + node_w + 10.0;
    let height = rows as f64 * row_h + 30.0;
    let pos = |(c, r): Place| (5.0 + c as f64 * col_w, 26.0 + r as f64 * row_h);
    html! {
        figure.chart.graph {
            figcaption { "Escalation paths" @if paths.len() < GRAPH_PATHS { "" } @else { " (the first " (GRAPH_PATHS) ")" } }
            svg xmlns="http://www.w3.org/2000/svg" width=(width) height=(height) viewBox=(format!("0 0 {width} {height}")) role="img" aria-label="Escalation paths: subjects on the left, what they reach on the right; the table below lists each path" {
                text.colhead x="5" y="14" { "subject" }
                text.colhead x=(5.0 + col_w * last as f64) y="14" { "reaches" }
                @for (from, to, action) in &edges {
                    @let ((x1, y1), (x2, y2)) = (pos(*from), pos(*to));
                    path.edge d=(format!("M{:.0},{:.0} C{:.0},{:.0} {:.0},{:.0} {:.0},{:.0}", x1 + node_w, y1 + node_h / 2.0, x1 + node_w + 20.0, y1 + node_h / 2.0, x2 - 20.0, y2 + node_h / 2.0, x2, y2 + node_h / 2.0)) {
                        title { (action) }
                    }
                }
                @for (c, column) in columns.iter().enumerate() {
                    @for (r, label) in column.iter().enumerate() {
                        @let (x, y) = pos((c, r));
                        g class=(if c == last { "node reach" } else if c == 0 { "node subject" } else { "node" }) {
                            title { (label) }
                            rect x=(x) y=(y) width=(node_w) height=(node_h) rx="4" {}
                            text x=(x + 6.0) y=(y + 15.0) { (short(label, 32)) }
                        }
                    }
                }
            }
        }
    }
}

fn rbac_section(ins: &Insights) -> Markup {
    html! {
        section #rbac aria-labelledby="h-rbac" {
            h2 #h-rbac { "RBAC: escalation paths and Secret readers" }
            @if ins.escalations.is_empty() {
                p { "No subject in the input's bindings has a path to cluster-admin-like power." }
            } @else {
                p { (ins.escalations_total) " escalation path" @if ins.escalations_total != 1 { "s" } ": a subject that can, step by step, reach what the right-hand column names. "
                    @if ins.escalations.len() < ins.escalations_total { "The report keeps the first " (ins.escalations.len()) "; " code { "palisade rbac paths" } " lists all." } }
                (escalation_graph(&ins.escalations))
                table #paths {
                    thead { tr { th scope="col" { "Subject" } th scope="col" { "Steps" } th scope="col" { "Reaches" } } }
                    tbody {
                        @for p in &ins.escalations {
                            tr {
                                td { (p.subject) }
                                td { ol.steps { @for (actor, action) in &p.steps { li { (actor) " " (action) } } } }
                                td { (p.reaches) }
                            }
                        }
                    }
                }
            }
            h3 #h-readers { "Who can read each Secret" }
            @if ins.secret_readers.is_empty() {
                p { "The input has no Secrets." }
            } @else {
                @if ins.secret_readers.len() < ins.secrets_total { p { "The first " (ins.secret_readers.len()) " of " (ins.secrets_total) " Secrets; " code { "palisade rbac secrets" } " lists all." } }
                table #secret-readers {
                    thead { tr { th scope="col" { "Secret" } th scope="col" { "Readers" } th scope="col" { "Who (verbs)" } } }
                    tbody {
                        @for s in &ins.secret_readers {
                            tr {
                                td { (s.secret) }
                                td.num { (s.readers.len()) }
                                td {
                                    @if s.readers.is_empty() { span.note { "nobody named in the input's bindings" } }
                                    @for (i, (who, verbs)) in s.readers.iter().enumerate() {
                                        @if i > 0 { ", " }
                                        (who) " (" (verbs.join(",")) ")"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A heatmap: `labels` on both axes, `cell(from, to)` → (share 0..=1 allowed, title).
fn heatmap(caption: &str, labels: &[String], cell: &dyn Fn(usize, usize) -> Option<(f64, String)>) -> Markup {
    let n = labels.len();
    let (label_w, size) = (200.0, if n > 30 { 14.0 } else { 20.0 });
    let top = 150.0;
    // Room on the right for the last column's slanted label.
    let side = label_w + n as f64 * size + 100.0;
    let height = top + n as f64 * size + 10.0;
    html! {
        figure.chart.heatmap {
            figcaption { (caption) }
            svg xmlns="http://www.w3.org/2000/svg" width=(side) height=(height) viewBox=(format!("0 0 {side} {height}")) role="img" aria-label=(format!("{caption}: rows connect to columns; each cell's title gives the ports")) {
                @for (i, l) in labels.iter().enumerate() {
                    text x=(label_w - 6.0) y=(top + i as f64 * size + size * 0.7) text-anchor="end" { title { (l) } (short(l, 28)) }
                    text transform=(format!("translate({:.1},{:.1}) rotate(-60)", label_w + i as f64 * size + size * 0.6, top - 6.0)) { title { (l) } (short(l, 24)) }
                }
                @for r in 0..n {
                    @for c in 0..n {
                        @if let Some((share, title)) = cell(r, c) {
                            rect.cell x=(format!("{:.1}", label_w + c as f64 * size)) y=(format!("{:.1}", top + r as f64 * size)) width=(size - 1.0) height=(size - 1.0)
                                fill-opacity=(format!("{:.2}", 0.15 + 0.85 * share)) data-from=(r) data-to=(c) {
                                title { (title) }
                            }
                        } @else {
                            rect.cell.closed x=(format!("{:.1}", label_w + c as f64 * size)) y=(format!("{:.1}", top + r as f64 * size)) width=(size - 1.0) height=(size - 1.0) {}
                        }
                    }
                }
            }
        }
    }
}

fn network_section(net: &Network) -> Markup {
    let sizes = net.sizes();
    // The namespaces with the most workloads, in name order.
    let mut shown: Vec<usize> = (0..net.namespaces.len()).collect();
    shown.sort_by_key(|i| std::cmp::Reverse(sizes[*i]));
    shown.truncate(GRID_NAMESPACES);
    shown.sort_unstable();
    let labels: Vec<String> = shown.iter().map(|i| format!("{} ({})", net.namespaces[*i], sizes[*i])).collect();
    let ns_cell = |r: usize, c: usize| {
        let (from, to) = (shown[r], shown[c]);
        net.between.get(&(from, to)).map(|(pairs, ports)| {
            let total = sizes[from] * sizes[to];
            let share = *pairs as f64 / total.max(1) as f64;
            let more = if ports.len() >= 4 { ", …" } else { "" };
            (share, format!("{} → {}: {pairs} of {total} workload pairs allowed; ports {}{more}", net.namespaces[from], net.namespaces[to], ports.join("; ")))
        })
    };
    let edges: HashMap<(usize, usize), &str> = net.edges.iter().map(|(f, t, p)| ((*f, *t), p.as_str())).collect();
    let workload_labels: Vec<String> = net.workloads.iter().map(|(ns, w)| format!("{ns}/{w}")).collect();
    let workload_cell = |r: usize, c: usize| edges.get(&(r, c)).map(|ports| (1.0, format!("{} → {}: {ports}", workload_labels[r], workload_labels[c])));
    let name = |i: usize| format!("{}/{}", net.workloads[i].0, net.workloads[i].1);
    html! {
        section #network aria-labelledby="h-network" {
            h2 #h-network { "Network: who can connect to whom" }
            p { (net.workloads.len()) " workloads in " (net.namespaces.len()) " namespaces, " (net.policies) " NetworkPolicies. A filled cell means the row's workloads can open connections to the column's; the darker, the more of its pairs can. Point at a cell for the ports." }
            @if let Some(why) = &net.not_computed {
                p.note { (why) }
            } @else {
                div.charts {
                    (heatmap(&format!("Namespace to namespace{}", if shown.len() < net.namespaces.len() { format!(" (the {} with the most workloads)", shown.len()) } else { String::new() }), &labels, &ns_cell))
                    @if !net.edges.is_empty() || net.workloads.len() <= crate::insights::WORKLOAD_GRID {
                        (heatmap("Workload to workload", &workload_labels, &workload_cell))
                    }
                }
                h3 #h-metadata { "Can reach the cloud metadata endpoint (169.254.169.254)" }
                @if net.metadata.is_empty() {
                    p { "No workload: egress policies keep every one from it." }
                } @else {
                    p.warn { (net.metadata.len()) " of " (net.workloads.len()) " workloads can connect to it, where node credentials are often one request away." }
                    ul.cols #metadata { @for (i, ports) in net.metadata.iter().take(MAX_ROWS) { li { (name(*i)) " " span.note { (ports) } } } }
                }
                h3 #h-outside { "Accept connections from outside the cluster" }
                @if net.from_outside.is_empty() {
                    p { "No workload." }
                } @else {
                    ul.cols #from-outside { @for (i, ports) in net.from_outside.iter().take(MAX_ROWS) { li { (name(*i)) " " span.note { (ports) } } } }
                }
            }
        }
    }
}

/// The workloads running an image, each once.
fn workloads_of(e: &palisade_core::inventory::ImageEntry) -> Vec<String> {
    let mut out: Vec<String> = e.uses.iter().map(|u| u.workload.to_string()).collect();
    out.dedup();
    out
}

fn inventory_section(ins: &Insights) -> Markup {
    let images = &ins.images.entries;
    let pinned = images.values().filter(|e| e.image.pinned()).count();
    let mut registries: BTreeMap<&str, usize> = BTreeMap::new();
    for e in images.values() {
        *registries.entry(&e.image.registry).or_default() += 1;
    }
    let sources: Vec<_> = ins.secret_sources.iter().flat_map(|w| w.sources.iter().map(move |s| (w, s))).collect();
    let vaulted = sources.iter().filter(|(_, s)| s.origin.from_vault()).count();
    html! {
        section #inventory aria-labelledby="h-inventory" {
            h2 #h-inventory { "Inventories" }
            h3 #h-images { "Images (" (images.len()) ", " (pinned) " pinned by digest)" }
            @if images.is_empty() { p { "No workload names an image." } } @else {
                p { "Registries: " @for (i, (r, n)) in registries.iter().enumerate() { @if i > 0 { ", " } (r) " (" (n) ")" } }
                table #images {
                    thead { tr { th scope="col" { "Image" } th scope="col" { "Registry" } th scope="col" { "Tag" } th scope="col" { "Digest" } th scope="col" { "Workloads" } } }
                    tbody {
                        @for e in images.values().take(MAX_ROWS) {
                            @let workloads = workloads_of(e);
                            tr {
                                td { (e.reference) }
                                td { (e.image.registry) }
                                td { (e.image.tag.as_deref().unwrap_or("—")) }
                                td { @match &e.image.digest { Some(d) => { code { (short(d, 19)) } }, None => { span.note { "not pinned" } } } }
                                td { (workloads.len()) ": " (workloads.iter().take(3).cloned().collect::<Vec<_>>().join(", ")) @if workloads.len() > 3 { " …" } }
                            }
                        }
                    }
                }
                @if images.len() > MAX_ROWS { p { "… and " (images.len() - MAX_ROWS) " more (" code { "palisade images" } " lists all)." } }
            }
            h3 #h-secret-sources { "Where workloads' secrets come from (" (sources.len()) ", " (vaulted) " from a vault)" }
            @if sources.is_empty() { p { "No workload reads a secret." } } @else {
                table #secret-sources {
                    thead { tr { th scope="col" { "Workload" } th scope="col" { "Secret" } th scope="col" { "How" } th scope="col" { "From" } } }
                    tbody {
                        @for (w, s) in sources.iter().take(MAX_ROWS) {
                            tr class=(if s.origin.from_vault() { "vault" } else { "plain" }) {
                                td { (w.workload.to_string()) }
                                td { (s.name) @if let Some(c) = &s.container { " " span.note { "[" (c) "]" } } }
                                td { (s.how) }
                                td { (crate::inventory::origin_text(&s.origin)) }
                            }
                        }
                    }
                }
                @if sources.len() > MAX_ROWS { p { "… and " (sources.len() - MAX_ROWS) " more (" code { "palisade secrets" } " lists all)." } }
            }
        }
    }
}

/// The views, each a section.
pub fn sections(ins: &Insights) -> Markup {
    html! {
        (rbac_section(ins))
        @if let Some(net) = &ins.network { (network_section(net)) }
        (inventory_section(ins))
    }
}
