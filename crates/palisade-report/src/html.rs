//! A self-contained HTML report: one file, styles and script inline, and a
//! Content-Security-Policy that lets nothing leave the page (no fetch, no image, no font
//! from anywhere), so it can be mailed, attached to a ticket or opened air-gapped.
//!
//! The summary is HTML the server renders (readable without JavaScript, and in print): the
//! counts by severity, charts by layer and by namespace drawn as inline SVG, the compliance
//! table, the rules with their findings and remediation, waived findings with their waiver
//! (expired waivers first, as findings of their own), and input errors. The findings list
//! is drawn by the page's script from a compact table of the findings embedded as JSON: it
//! renders only the rows on screen, so a report of hundreds of thousands of findings opens
//! at once; filters by severity, namespace, rule and text live in the URL fragment, so a
//! link keeps them, and `f=N` opens one finding.
//!
//! HTML is built with `maud`, which escapes every value by construction; the one raw part,
//! the embedded JSON, has every `<` written as `\u003c`, so no text of the input can close
//! its script element.

pub mod dashboard;
mod views;

use crate::Report;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use palisade_core::compliance::Status;
use palisade_core::{Finding, Severity};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

/// The policy the page declares: inline style and script only, images from `data:` only.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Layers in the order the report shows them.
const LAYERS: &[&str] = &["workloads", "rbac", "network", "secrets", "supply-chain", "namespaces", "node", "control-plane", "audit", "policy"];

fn layer(f: &Finding) -> &'static str {
    palisade_core::rule::layer_of(f.rule.id).unwrap_or("other")
}

/// Horizontal bars, one per (label, count, CSS class), as inline SVG with a text label and
/// the count on each bar (the colour is never the only carrier).
fn bars(title: &str, rows: &[(String, usize, &str)]) -> Markup {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (150.0, 380.0, 22.0);
    let height = rows.len() as f64 * row_h + 4.0;
    html! {
        figure.chart {
            figcaption { (title) }
            @if rows.is_empty() {
                p.none { "nothing to show" }
            } @else {
                svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {height}", label_w + bar_w + 60.0)) role="img" aria-label=(title) {
                    @for (i, (label, n, class)) in rows.iter().enumerate() {
                        @let y = i as f64 * row_h + 2.0;
                        @let w = (*n as f64 / max as f64) * bar_w;
                        text x=(label_w - 6.0) y=(y + 15.0) text-anchor="end" { (label) }
                        rect class=(format!("bar {class}")) x=(label_w) y=(y + 2.0) width=(format!("{w:.1}")) height=(row_h - 6.0) rx="2" {}
                        text x=(label_w + w + 5.0) y=(y + 15.0) { (n) }
                    }
                }
            }
        }
    }
}

/// Writes JSON with every `<` as `\u003c` (valid JSON, and no text of the input can close
/// the script element the JSON sits in).
struct NoLessThan<'a>(&'a mut Vec<u8>);

impl io::Write for NoLessThan<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for part in buf.split_inclusive(|b| *b == b'<') {
            match part.split_last() {
                Some((b'<', head)) => {
                    self.0.extend_from_slice(head);
                    self.0.extend_from_slice(b"\\u003c");
                }
                _ => self.0.extend_from_slice(part),
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The findings as the page's script reads them: tables of rules, objects and files, and
/// each finding as indexes into them (a compact form: a report of 350,000 findings is tens
/// of megabytes, not hundreds), written straight to text.
fn data(report: &Report) -> String {
    let mut rules: Vec<(&str, &str, &str, String)> = Vec::new();
    let mut rule_ix: HashMap<&str, usize> = HashMap::new();
    let mut objects: Vec<(&str, &str, &str)> = Vec::new();
    let mut object_ix: HashMap<*const palisade_core::ObjectRef, usize> = HashMap::new();
    let mut files: Vec<&str> = Vec::new();
    let mut file_ix: HashMap<&str, usize> = HashMap::new();
    let mut rows: Vec<(usize, usize, i64, u32, usize, &str, &str)> = Vec::with_capacity(report.findings.len());
    for f in &report.findings {
        let r = *rule_ix.entry(f.rule.id).or_insert_with(|| {
            rules.push((f.rule.id, f.rule.name, f.rule.summary, f.rule.remediation()));
            rules.len() - 1
        });
        let o = *object_ix.entry(std::sync::Arc::as_ptr(&f.object)).or_insert_with(|| {
            objects.push((&f.object.kind, f.object.namespace.as_deref().unwrap_or(""), &f.object.name));
            objects.len() - 1
        });
        let (file, line) = match &f.location {
            Some(l) => (
                *file_ix.entry(&l.file).or_insert_with(|| {
                    files.push(&l.file);
                    files.len() - 1
                }) as i64,
                l.line,
            ),
            None => (-1, 0),
        };
        let severity = Severity::ALL.iter().position(|s| *s == f.severity).unwrap_or(4);
        rows.push((r, o, file, line, severity, &f.message, &f.path));
    }
    #[derive(serde::Serialize)]
    struct Data<'a> {
        rules: Vec<(&'a str, &'a str, &'a str, String)>,
        objects: Vec<(&'a str, &'a str, &'a str)>,
        files: Vec<&'a str>,
        findings: Vec<(usize, usize, i64, u32, usize, &'a str, &'a str)>,
    }
    let mut out = Vec::with_capacity(rows.len() * 120);
    // Writing to memory cannot fail.
    let _ = serde_json::to_writer(NoLessThan(&mut out), &Data { rules, objects, files, findings: rows });
    String::from_utf8(out).unwrap_or_default()
}

/// The source lines the report kept, `{file: {line: text}}`, for the finding the page opens
/// (parsed only then).
fn excerpts(report: &Report) -> String {
    let empty = Default::default();
    let kept = report.insights.as_ref().map(|i| &i.excerpts).unwrap_or(&empty);
    let mut out = Vec::new();
    let _ = serde_json::to_writer(NoLessThan(&mut out), kept);
    String::from_utf8(out).unwrap_or_default()
}

fn severity_cards(report: &Report) -> Markup {
    html! {
        ul.cards aria-label="Findings by severity" {
            @for (s, n) in report.by_severity() {
                li class=(format!("card sev-{s}")) data-severity=(s.to_string()) data-count=(n) {
                    span.n { (n) } " " span.label { (s.to_string()) }
                }
            }
        }
    }
}

fn compliance_section(report: &Report) -> Markup {
    let Some(c) = &report.compliance else { return html! {} };
    html! {
        section #compliance aria-labelledby="h-compliance" {
            h2 #h-compliance { "Compliance: " (c.title) }
            p.score {
                @match c.score() {
                    Some(s) => { strong { (format!("{s:.1}%")) } " of decided controls pass — " }
                    None => { "No control could be decided — " }
                }
                (c.count(Status::Pass)) " pass, " (c.count(Status::Fail)) " fail, " (c.count(Status::Manual)) " manual, " (c.count(Status::NotApplicable)) " not applicable"
            }
            table {
                thead { tr { th scope="col" { "Control" } th scope="col" { "Title" } th scope="col" { "Status" } th scope="col" { "Failing objects" } } }
                tbody {
                    @for control in &c.controls {
                        tr class=(format!("status-{}", control.status.as_str())) {
                            td { (control.id) }
                            td { (control.title) }
                            td { (control.status.as_str()) }
                            td {
                                @for (i, o) in control.objects.iter().take(10).enumerate() {
                                    @if i > 0 { ", " }
                                    (o.to_string())
                                }
                                @if control.objects.len() > 10 { " … and " (control.objects.len() - 10) " more" }
                                @if let Some(note) = control.note { span.note { (note) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn rules_section(report: &Report) -> Markup {
    // Each rule once, at the highest severity of its findings.
    let mut counts: HashMap<&str, (usize, &Finding)> = HashMap::new();
    for f in &report.findings {
        let entry = counts.entry(f.rule.id).or_insert((0, f));
        entry.0 += 1;
        if f.severity > entry.1.severity {
            entry.1 = f;
        }
    }
    let by_rule: BTreeMap<(std::cmp::Reverse<Severity>, &str), (usize, &Finding)> = counts.into_iter().map(|(id, (n, f))| ((std::cmp::Reverse(f.severity), id), (n, f))).collect();
    html! {
        section #rules aria-labelledby="h-rules" {
            h2 #h-rules { "Rules with findings" }
            @if by_rule.is_empty() { p { "No rule found anything." } } @else {
                table {
                    thead { tr { th scope="col" { "Rule" } th scope="col" { "Severity" } th scope="col" { "Layer" } th scope="col" { "Findings" } th scope="col" { "What and how to fix" } } }
                    tbody {
                        @for ((severity, id), (n, f)) in &by_rule {
                            tr {
                                td { a href=(format!("#rule={id}")) { (id) } " " (f.rule.name) }
                                td class=(format!("sev sev-{}", severity.0)) { (severity.0.to_string()) }
                                td { (layer(f)) }
                                td.num data-rule=(id) { (n) }
                                td {
                                    (f.rule.summary)
                                    details { summary { "Remediation" } p { (f.rule.remediation()) } }
                                    details.example {
                                        summary { "Example: " (f.object.to_string()) @if let Some(l) = &f.location { " — " (l.file) ":" (l.line) } }
                                        p { (f.message) }
                                        @if !f.path.is_empty() { p { "Field: " code { (f.path) } } }
                                        @if let (Some(l), Some(ins)) = (&f.location, &report.insights) { (views::excerpt(ins, &l.file, l.line)) }
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

fn waived_section(report: &Report) -> Markup {
    let expired: Vec<&Finding> = report.findings.iter().filter(|f| f.rule.id == "POL001").collect();
    html! {
        @if !expired.is_empty() {
            section #expired.alert aria-labelledby="h-expired" {
                h2 #h-expired { "Expired waivers (" (expired.len()) ")" }
                p { "These waivers no longer suppress anything: what they covered is reported again." }
                ul { @for f in &expired { li { (f.message) @if let Some(l) = &f.location { " — " (l.file) ":" (l.line) } } } }
            }
        }
        @if !report.suppressed.is_empty() {
            section #waived aria-labelledby="h-waived" {
                h2 #h-waived { "Waived findings (" (report.suppressed.len()) ")" }
                table {
                    thead { tr { th scope="col" { "Finding" } th scope="col" { "Object" } th scope="col" { "Reason" } th scope="col" { "Owner" } th scope="col" { "Expires" } } }
                    tbody {
                        @for (f, w) in report.suppressed.iter().take(2000) {
                            tr {
                                td { (f.rule.id) " " (f.message) }
                                td { (f.object.to_string()) }
                                td { (w.reason) }
                                td { (w.owner.as_deref().unwrap_or("—")) }
                                td { (w.expires.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                            }
                        }
                    }
                }
                @if report.suppressed.len() > 2000 { p { "… and " (report.suppressed.len() - 2000) " more (the JSON report lists them all)." } }
            }
        }
    }
}

fn errors_section(report: &Report) -> Markup {
    html! {
        @if !report.errors.is_empty() {
            section #errors.alert aria-labelledby="h-errors" {
                h2 #h-errors { "Input errors (" (report.errors.len()) ")" }
                ul { @for e in &report.errors { li { (e.file) @if let Some(l) = e.line { ":" (l) } ": " (e.message) } } }
            }
        }
    }
}

/// Every page's head: the policy that lets nothing load, the styles, and the title.
fn head(title: &str, version: Option<&str>) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta http-equiv="Content-Security-Policy" content=(CSP);
            meta name="viewport" content="width=device-width, initial-scale=1";
            @if let Some(v) = version { meta name="generator" content=(format!("palisade {v}")); }
            title { (title) }
            style { (PreEscaped(STYLE)) }
        }
    }
}

/// A page of the dashboard around `body`: the report's head, no script.
fn shell(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title, None))
            body { (body) }
        }
    }
    .into_string()
}

/// Writes the report page.
pub fn write(report: &Report, version: &str, out: &mut dyn Write) -> io::Result<()> {
    write_page(report, version, None, out)
}

/// Writes the report page, with a link back to `back` (the dashboard) when given.
pub fn write_page(report: &Report, version: &str, back: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    let mut layers: BTreeMap<&str, usize> = BTreeMap::new();
    let mut namespaces: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        *layers.entry(layer(f)).or_default() += 1;
        *namespaces.entry(f.object.namespace.as_deref().unwrap_or("(cluster)")).or_default() += 1;
    }
    let layer_rows: Vec<(String, usize, &str)> = LAYERS.iter().chain(["other"].iter()).filter_map(|l| layers.get(l).map(|n| (l.to_string(), *n, "layer"))).collect();
    let mut ns_rows: Vec<(String, usize, &str)> = namespaces.iter().map(|(ns, n)| (ns.to_string(), *n, "ns")).collect();
    ns_rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let more_namespaces = ns_rows.len().saturating_sub(15);
    ns_rows.truncate(15);
    let summary = crate::table::summary(report);
    let plain_summary = strip_styles(&summary);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            (head("Palisade report", Some(version)))
            body {
                a.skip href="#findings" { "Skip to the findings" }
                header {
                    @if let Some(back) = back { p { a href=(back) { "← Dashboard" } } }
                    h1 { "Palisade report" }
                    p #verdict { (plain_summary) }
                }
                nav aria-label="Sections" {
                    ul {
                        li { a href="#summary" { "Summary" } }
                        @if !report.errors.is_empty() { li { a href="#errors" { "Input errors" } } }
                        @if report.compliance.is_some() { li { a href="#compliance" { "Compliance" } } }
                        li { a href="#rules" { "Rules" } }
                        li { a href="#findings" { "Findings" } }
                        @if let Some(ins) = &report.insights {
                            li { a href="#rbac" { "RBAC" } }
                            @if ins.network.is_some() { li { a href="#network" { "Network" } } }
                            li { a href="#inventory" { "Inventories" } }
                        }
                        @if !report.suppressed.is_empty() { li { a href="#waived" { "Waived" } } }
                    }
                }
                main {
                    section #summary aria-labelledby="h-summary" {
                        h2 #h-summary { "Summary" }
                        (severity_cards(report))
                        div.charts {
                            (bars("Findings by layer", &layer_rows))
                            (bars(&format!("Findings by namespace{}", if more_namespaces > 0 { format!(" (top 15 of {})", namespaces.len()) } else { String::new() }), &ns_rows))
                        }
                    }
                    (errors_section(report))
                    (compliance_section(report))
                    (rules_section(report))
                    section #findings aria-labelledby="h-findings" {
                        h2 #h-findings { "Findings" }
                        form #filters role="search" aria-label="Filter the findings" {
                            fieldset {
                                legend { "Severity" }
                                @for s in Severity::ALL {
                                    label { input type="checkbox" name="sev" value=(s.to_string()) checked; " " (s.to_string()) }
                                }
                            }
                            label { "Namespace " select name="ns" { option value="" { "all" } } }
                            label { "Rule " select name="rule" { option value="" { "all" } } }
                            label { "Text " input type="search" name="q" placeholder="message, object, rule"; }
                        }
                        p #count aria-live="polite" { (report.findings.len()) " findings" }
                        div #list tabindex="0" aria-label="Findings" { div #spacer { div #rows {} } }
                        div #detail aria-live="polite" {}
                        noscript { p { "The findings list needs JavaScript; the summary and the rules above are complete without it, and `--format json` lists every finding." } }
                    }
                    @if let Some(ins) = &report.insights { (views::sections(ins)) }
                    (waived_section(report))
                }
                footer { p { "Written by palisade " (version) ". This page loads nothing from anywhere: everything is in this file." } }
                script #data type="application/json" { (PreEscaped(data(report))) }
                script #excerpts type="application/json" { (PreEscaped(excerpts(report))) }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    out.write_all(page.into_string().as_bytes())
}

/// The summary line without its terminal styles.
fn strip_styles(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_text_cannot_leave_its_place() {
        let rule = palisade_core::RuleMeta::user("vap:x", Severity::High, "x", "");
        let object = std::sync::Arc::new(palisade_core::ObjectRef { api_version: "v1".into(), kind: "Pod".into(), namespace: Some("<b>ns".into()), name: "p".into() });
        let f = Finding::new(rule, object, palisade_core::Violation::new(palisade_core::FieldPath::default(), "</script><script>alert(1)</script> & <img src=x>"));
        let report = Report { findings: vec![f], objects: 1, files: 1, ..Report::default() };
        let mut out = Vec::new();
        write(&report, "test", &mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert_eq!(page.matches("<script").count(), 3, "only the page's own three scripts");
        assert!(!page.contains("<img") && !page.contains("<b>ns"));
        assert!(page.contains("&lt;b&gt;ns"), "the namespace chart's label is escaped");
        assert!(page.contains(&format!("content=\"{CSP}\"")));
        // The embedded table reads back to the message as it was.
        let data = page.split("<script id=\"data\" type=\"application/json\">").nth(1).and_then(|s| s.split("</script>").next()).unwrap();
        let data: serde_json::Value = serde_json::from_str(data).unwrap();
        assert_eq!(data["findings"][0][5], "</script><script>alert(1)</script> & <img src=x>");
        assert_eq!(data["objects"][0][1], "<b>ns");
    }
}
