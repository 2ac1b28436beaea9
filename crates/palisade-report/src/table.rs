//! `--format table` (the default): findings grouped by file, one line each, then input errors,
//! skipped documents and a summary line. Styles are ANSI; the caller's stream drops them when
//! the output is not a terminal.

use crate::Report;
use anstyle::{AnsiColor, Style};
use palisade_core::Severity;
use std::collections::BTreeMap;
use std::io::{self, Write};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical => Style::new().bold().fg_color(Some(AnsiColor::BrightRed.into())),
        Severity::High => Style::new().fg_color(Some(AnsiColor::Red.into())),
        Severity::Medium => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Severity::Low => Style::new().fg_color(Some(AnsiColor::Blue.into())),
        Severity::Info => DIM,
    }
}

/// How much the table says besides the findings.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Only findings and errors: no skipped documents, no summary.
    pub quiet: bool,
}

pub fn write(report: &Report, opts: Options, out: &mut dyn Write) -> io::Result<()> {
    let mut by_file: BTreeMap<&str, Vec<&palisade_core::Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_file.entry(f.location.as_ref().map(|l| &*l.file).unwrap_or_else(|| live_group(f))).or_default().push(f);
    }
    for (file, findings) in &by_file {
        writeln!(out, "{BOLD}{file}{BOLD:#}")?;
        for f in findings {
            let at = f.location.as_ref().map(|l| format!("{}:{}", l.line, l.column)).unwrap_or_default();
            let style = severity_style(f.severity);
            write!(out, "  {DIM}{at:>9}{DIM:#}  {style}{:<8}{style:#} {BOLD}{}{BOLD:#}  {}", f.severity.as_str(), f.rule.id, f.message)?;
            if let Some(t) = f.location.as_ref().and_then(|l| l.template.as_deref()) {
                write!(out, " {DIM}(from {t}){DIM:#}")?;
            }
            writeln!(out)?;
        }
        writeln!(out)?;
    }
    if !report.errors.is_empty() {
        let red = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
        for e in &report.errors {
            writeln!(out, "{red}error{red:#}: {e}")?;
        }
        writeln!(out)?;
    }
    if opts.quiet {
        return Ok(());
    }
    if let Some(c) = &report.coverage {
        write_coverage(c, out)?;
    }
    if !report.skipped.is_empty() {
        writeln!(out, "{DIM}skipped (not Kubernetes objects):{DIM:#}")?;
        const SHOWN: usize = 10;
        for s in report.skipped.iter().take(SHOWN) {
            writeln!(out, "{DIM}  {}:{}: {}{DIM:#}", s.file, s.line, s.reason)?;
        }
        if report.skipped.len() > SHOWN {
            writeln!(
                out,
                "{DIM}  … and {} more (all are listed in --format json){DIM:#}",
                report.skipped.len() - SHOWN
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", summary(report))
}

/// Where a finding of a live object is listed: its namespace, or the cluster-scoped group.
fn live_group(f: &palisade_core::Finding) -> &str {
    f.object.namespace.as_deref().unwrap_or("(cluster-scoped)")
}

/// What a live scan read, and the gaps with what they hide.
fn write_coverage(c: &palisade_core::coverage::Coverage, out: &mut dyn Write) -> io::Result<()> {
    use palisade_core::coverage::ReadState;
    let (read, forbidden, failed, _) = c.counts();
    let owned: usize = c.resources.iter().map(|r| r.owned).sum();
    let mut version = c.version.as_deref().map(|v| format!(", Kubernetes {v}")).unwrap_or_default();
    if let Some((platform, how)) = &c.platform {
        version.push_str(&format!(", {platform}: {how}"));
    }
    let context = c.context.as_deref().map(|x| format!(" (context {x}{version})")).unwrap_or(version);
    write!(out, "{BOLD}coverage{BOLD:#} of {}{context}: {read} resource types read, {} objects", c.server, c.objects())?;
    if owned > 0 {
        write!(out, " ({owned} owned by a checked controller left out)")?;
    }
    writeln!(out, "; {forbidden} forbidden, {failed} failed")?;
    for r in &c.resources {
        let (label, message) = match &r.state {
            ReadState::Read { .. } | ReadState::Skipped(_) => continue,
            ReadState::Forbidden(m) => ("forbidden", m),
            ReadState::Failed(m) => ("failed", m),
        };
        let style = if label == "failed" { Style::new().fg_color(Some(AnsiColor::Red.into())) } else { Style::new().fg_color(Some(AnsiColor::Yellow.into())) };
        writeln!(out, "  {style}{label:<9}{style:#} {:<28} {} {DIM}({message}){DIM:#}", r.qualified(), r.hides())?;
    }
    writeln!(out)
}

/// One line: `✗ 7 findings (3 high, 4 medium) in 41 objects from 3 files; 1 input error`.
pub fn summary(report: &Report) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let counts: Vec<String> = report
        .by_severity()
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| {
            let style = severity_style(*s);
            format!("{style}{n} {s}{style:#}")
        })
        .collect();
    let mut line = if report.findings.is_empty() {
        let green = Style::new().bold().fg_color(Some(AnsiColor::Green.into()));
        format!("{green}✓ no findings{green:#}")
    } else {
        format!("{BOLD}✗ {}{BOLD:#} ({})", plural(report.findings.len(), "finding"), counts.join(", "))
    };
    line.push_str(&format!(" in {}", plural(report.objects, "object")));
    match &report.coverage {
        Some(c) => line.push_str(&format!(" from {}", c.server)),
        // A node audit reads a host, not files.
        None if report.files == 0 && report.objects > 0 => {}
        None => line.push_str(&format!(" from {}", plural(report.files, "file"))),
    }
    if !report.suppressed.is_empty() {
        line.push_str(&format!("; {} waived", plural(report.suppressed.len(), "finding")));
    }
    if !report.skipped.is_empty() {
        line.push_str(&format!("; {} skipped", plural(report.skipped.len(), "document")));
    }
    if !report.errors.is_empty() {
        line.push_str(&format!("; {}", plural(report.errors.len(), "input error")));
    }
    line
}
