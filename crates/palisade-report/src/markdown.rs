//! A compact summary for pull-request comments (GitHub and GitLab render it): the verdict
//! and counts, the findings new against a baseline report, and the findings rule by rule in
//! collapsed sections. Comments are limited in size (GitHub: 65,536 characters), so rows stop
//! at [`BUDGET`] with a line saying how many were left out; the counts are always whole.
//!
//! Everything taken from the input (names, messages, paths) is escaped for a table cell:
//! `|` and line breaks cannot break the table, and `<`, `>`, `&` cannot open HTML, which
//! both hosts render.

use crate::Report;
use palisade_core::{Finding, Severity};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::{self, Write};

/// The most characters written before rows are left out (under GitHub's 65,536, with room
/// for the closing lines).
pub const BUDGET: usize = 60_000;

/// The findings of an earlier report, to tell which are new.
pub struct Baseline {
    keys: HashSet<String>,
    /// How many of the baseline's findings the report no longer has.
    pub fixed: usize,
}

impl Baseline {
    /// Reads a `palisade.report/v1` JSON report's findings.
    pub fn from_report(value: &serde_json::Value, source: &str) -> Result<Baseline, String> {
        if !crate::read::is_report(value) {
            return Err(format!("{source}: not a Palisade JSON report (`palisade scan --format json`)"));
        }
        let findings = value.get("findings").and_then(serde_json::Value::as_array).ok_or_else(|| format!("{source}: no `findings`"))?;
        Ok(Baseline { keys: findings.iter().map(crate::json::finding_key).collect(), fixed: 0 })
    }

    fn has(&self, f: &Finding) -> bool {
        self.keys.contains(&crate::json::finding_key(&crate::json::finding(f)))
    }
}

/// A cell's text: one line, no table break, no HTML.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn place(f: &Finding) -> String {
    match &f.location {
        Some(l) => cell(&format!("{}:{}", l.file, l.line)),
        None => String::new(),
    }
}

/// The verdict line and the counts by severity.
fn headline(report: &Report, out: &mut String) {
    let counts: Vec<String> = report.by_severity().iter().filter(|(_, n)| *n > 0).map(|(s, n)| format!("{n} {s}")).collect();
    if report.findings.is_empty() {
        let _ = writeln!(out, "### ✅ Palisade: no findings\n");
    } else {
        let _ = writeln!(out, "### ❌ Palisade: {} ({})\n", plural(report.findings.len(), "finding"), counts.join(", "));
    }
    let mut facts = vec![format!("{} in {}", plural(report.objects, "object"), plural(report.files, "file"))];
    if !report.suppressed.is_empty() {
        facts.push(format!("{} waived", plural(report.suppressed.len(), "finding")));
    }
    if !report.errors.is_empty() {
        facts.push(format!("**{}**", plural(report.errors.len(), "input error")));
    }
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    if let Some(c) = &report.compliance {
        use palisade_core::compliance::Status;
        let score = c.score().map(|s| format!("{s:.1}%")).unwrap_or_else(|| "no decided controls".into());
        let _ = writeln!(out, "**{}** ({}): {score} — {} pass, {} fail\n", cell(&c.framework), cell(c.title), c.count(Status::Pass), c.count(Status::Fail));
    }
}

/// Writes the summary; with a baseline, the new findings first.
pub fn write(report: &Report, baseline: Option<&mut Baseline>, out: &mut dyn Write) -> io::Result<()> {
    let mut text = String::new();
    headline(report, &mut text);
    let mut left_out = 0usize;
    let row = |text: &mut String, line: String, left_out: &mut usize| {
        if text.len() + line.len() < BUDGET {
            text.push_str(&line);
        } else {
            *left_out += 1;
        }
    };
    let mut new: Vec<&Finding> = match &baseline {
        Some(b) => report.findings.iter().filter(|f| !b.has(f)).collect(),
        None => Vec::new(),
    };
    new.sort_by_key(|f| std::cmp::Reverse(f.severity));
    if let Some(b) = baseline {
        let now: HashSet<String> = report.findings.iter().map(|f| crate::json::finding_key(&crate::json::finding(f))).collect();
        b.fixed = b.keys.iter().filter(|k| !now.contains(*k)).count();
        let _ = writeln!(text, "**{} new** since the baseline, **{} fixed**.\n", new.len(), b.fixed);
        if !new.is_empty() {
            let _ = writeln!(text, "#### New findings\n\n| Severity | Rule | Object | Where | Message |\n|---|---|---|---|---|");
            for f in &new {
                let line = format!("| **{}** | {} {} | {} | {} | {} |\n", f.severity, f.rule.id, cell(f.rule.name), cell(&f.object.to_string()), place(f), cell(&f.message));
                row(&mut text, line, &mut left_out);
            }
            text.push('\n');
        }
    }
    // Rule by rule, most severe first.
    let mut by_rule: BTreeMap<(std::cmp::Reverse<Severity>, &str), Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_rule.entry((std::cmp::Reverse(f.severity), f.rule.id)).or_default().push(f);
    }
    if !by_rule.is_empty() {
        let _ = writeln!(text, "#### Findings by rule\n");
    }
    let new_ids: HashSet<*const Finding> = new.iter().map(|f| *f as *const Finding).collect();
    for ((severity, id), findings) in &by_rule {
        let fresh = findings.iter().filter(|f| new_ids.contains(&(**f as *const Finding))).count();
        let fresh = if fresh > 0 { format!(", {fresh} new") } else { String::new() };
        let rule = findings[0].rule;
        let head = format!("<details><summary><b>{id}</b> {} · {} · {}{fresh}</summary>\n\n| Object | Where | Message |\n|---|---|---|\n", cell(rule.name), severity.0, findings.len());
        if text.len() + head.len() >= BUDGET {
            left_out += findings.len();
            continue;
        }
        text.push_str(&head);
        for f in findings {
            row(&mut text, format!("| {} | {} | {} |\n", cell(&f.object.to_string()), place(f), cell(&f.message)), &mut left_out);
        }
        text.push_str("\n</details>\n\n");
    }
    if !report.errors.is_empty() {
        text.push_str("<details><summary><b>Input errors</b></summary>\n\n| Where | Error |\n|---|---|\n");
        for e in &report.errors {
            let at = match e.line {
                Some(l) => format!("{}:{l}", e.file),
                None => e.file.clone(),
            };
            row(&mut text, format!("| {} | {} |\n", cell(&at), cell(&e.message)), &mut left_out);
        }
        text.push_str("\n</details>\n\n");
    }
    if left_out > 0 {
        let _ = writeln!(text, "_{} left out to fit a comment; the whole report: `--format json` or `--format sarif`._", plural(left_out, "row"));
    }
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_open_html() {
        assert_eq!(cell("a|b\n<script>&"), "a\\|b &lt;script&gt;&amp;");
    }

    #[test]
    fn a_huge_report_fits_a_comment_and_says_what_it_left_out() {
        let rule = palisade_core::RuleMeta::user("vap:huge", Severity::High, "huge", "");
        let object = std::sync::Arc::new(palisade_core::ObjectRef { api_version: "v1".into(), kind: "Pod".into(), namespace: Some("ns".into()), name: "p".into() });
        let findings: Vec<Finding> = (0..5000)
            .map(|i| Finding::new(rule, object.clone(), palisade_core::Violation::new(palisade_core::FieldPath::default(), format!("finding {i} {}", "x".repeat(80)))))
            .collect();
        let report = Report { findings, objects: 1, files: 1, ..Report::default() };
        let mut out = Vec::new();
        write(&report, None, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.len() < 65_536, "{}", text.len());
        assert!(text.starts_with("### ❌ Palisade: 5000 findings (5000 high)"));
        let shown = text.matches("| Pod ns/p |").count();
        assert!(shown > 100 && shown < 5000);
        assert!(text.contains(&format!("_{} rows left out to fit a comment", 5000 - shown)), "{}", &text[text.len() - 200..]);
    }
}
