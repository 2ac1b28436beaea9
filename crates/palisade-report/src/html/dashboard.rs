//! The dashboard's own pages (`palisade serve --dashboard`): the front page — open findings
//! over time per cluster, by severity and by layer, and the recorded runs with a form to
//! compare two — and the comparison of two runs. A run itself is shown as the HTML report.

use super::shell;
use crate::trend::Trend;
use maud::{html, Markup, PreEscaped};
use serde_json::Value;
use std::collections::BTreeMap;

/// One recorded run, as the dashboard lists it.
#[derive(Clone, Debug)]
pub struct RunRow {
    pub id: String,
    pub cluster: String,
    pub source: String,
    pub finished_ms: i64,
    pub objects: i64,
    pub findings: i64,
    pub by_severity: BTreeMap<String, i64>,
}

/// A report file the dashboard shows (when there is no history store).
#[derive(Clone, Debug)]
pub struct ReportRow {
    pub name: String,
    /// How it reads: counts by severity, or why it cannot be read.
    pub summary: Result<BTreeMap<String, i64>, String>,
}

/// What the front page shows.
pub struct Index<'a> {
    /// Where the runs come from (the store's location, or "report files").
    pub source: &'a str,
    pub trends: &'a [Trend],
    pub runs: &'a [RunRow],
    pub reports: &'a [ReportRow],
    pub version: &'a str,
}

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

fn severity_cells(counts: &BTreeMap<String, i64>) -> Markup {
    html! { @for s in SEVERITIES { td.num class=(format!("sev-{s}")) { (counts.get(s).copied().unwrap_or(0)) } } }
}

/// The front page.
pub fn index(page: &Index) -> String {
    let body = html! {
        header { h1 { "Palisade dashboard" } p #verdict { "From " (page.source) ". Read-only; the pages are drawn as they are asked for." } }
        main {
            @if !page.runs.is_empty() {
                section #trend aria-labelledby="h-trend" {
                    h2 #h-trend { "Open findings over time" }
                    figure.chart { (PreEscaped(crate::trend::svg(page.trends))) }
                }
                section #runs aria-labelledby="h-runs" {
                    h2 #h-runs { "Runs (" (page.runs.len()) ")" }
                    form #compare method="get" action="/diff" {
                        label { "Compare " select name="from" { @for (i, r) in page.runs.iter().enumerate() { option value=(r.id) selected[i == 1] { (r.id) " · " (r.cluster) } } } }
                        label { " with " select name="to" { @for (i, r) in page.runs.iter().enumerate() { option value=(r.id) selected[i == 0] { (r.id) " · " (r.cluster) } } } }
                        " " button type="submit" { "Compare" }
                    }
                    table #run-list {
                        thead { tr { th scope="col" { "Run" } th scope="col" { "Cluster" } th scope="col" { "Source" } th scope="col" { "Finished (UTC)" } th scope="col" { "Objects" } th scope="col" { "Findings" }
                            @for s in SEVERITIES { th scope="col" { (s) } } } }
                        tbody {
                            @for r in page.runs {
                                tr { td { a href=(format!("/runs/{}", r.id)) { (r.id) } } td { (r.cluster) } td { (r.source) } td { (palisade_core::clock::utc_seconds(r.finished_ms)) } td.num { (r.objects) } td.num { (r.findings) } (severity_cells(&r.by_severity)) }
                            }
                        }
                    }
                }
            }
            @if !page.reports.is_empty() {
                section #reports aria-labelledby="h-reports" {
                    h2 #h-reports { "Reports" }
                    table #report-list {
                        thead { tr { th scope="col" { "Report" } @for s in SEVERITIES { th scope="col" { (s) } } } }
                        tbody {
                            @for (i, r) in page.reports.iter().enumerate() {
                                tr {
                                    td { a href=(format!("/reports/{i}")) { (r.name) } }
                                    @match &r.summary {
                                        Ok(counts) => { (severity_cells(counts)) }
                                        Err(why) => { td colspan="5" { span.warn { (why) } } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if page.runs.is_empty() && page.reports.is_empty() {
                p { "Nothing recorded yet: record runs with " code { "--record" } " (" code { "palisade scan … --record" } ", " code { "palisade cluster --record" } ", " code { "palisade watch --record" } ")." }
            }
        }
        footer { p { "palisade " (page.version) } }
    };
    shell("Palisade dashboard", body)
}

fn finding_rows(findings: &[Value]) -> Markup {
    html! {
        @for f in findings {
            @let o = &f["object"];
            tr {
                td class=(format!("sev sev-{}", f["severity"].as_str().unwrap_or("info"))) { (f["severity"].as_str().unwrap_or("")) }
                td { (f["rule"].as_str().unwrap_or("")) }
                td { (o["kind"].as_str().unwrap_or("")) " " @if let Some(ns) = o["namespace"].as_str() { (ns) "/" } (o["name"].as_str().unwrap_or("")) }
                td { (f["message"].as_str().unwrap_or("")) }
            }
        }
    }
}

/// Two runs compared: the findings `to` has that `from` did not (opened) and the reverse
/// (resolved).
pub fn diff(from: &RunRow, to: &RunRow, opened: &[Value], resolved: &[Value]) -> String {
    let table = |id: &str, rows: &[Value]| {
        html! {
            @if rows.is_empty() { p { "None." } } @else {
                table id=(id) {
                    thead { tr { th scope="col" { "Severity" } th scope="col" { "Rule" } th scope="col" { "Object" } th scope="col" { "Message" } } }
                    tbody { (finding_rows(rows)) }
                }
            }
        }
    };
    let body = html! {
        header {
            p { a href="/" { "← Dashboard" } }
            h1 { "Run " (to.id) " against " (from.id) }
            p #verdict { (opened.len()) " opened, " (resolved.len()) " resolved — " (from.cluster) " at " (palisade_core::clock::utc_seconds(from.finished_ms)) " → " (to.cluster) " at " (palisade_core::clock::utc_seconds(to.finished_ms)) }
        }
        main {
            section aria-labelledby="h-opened" { h2 #h-opened { "Opened (" (opened.len()) ")" } (table("opened", opened)) }
            section aria-labelledby="h-resolved" { h2 #h-resolved { "Resolved (" (resolved.len()) ")" } (table("resolved", resolved)) }
        }
    };
    shell(&format!("Palisade: {} against {}", to.id, from.id), body)
}
