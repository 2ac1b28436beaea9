//! The compliance view for people (`palisade compliance`): one line per control with its
//! status, the rules that decide it and the objects failing it, then the score.

use anstyle::{AnsiColor, Style};
use palisade_core::compliance::{Compliance, Status};
use std::io::{self, Write};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn status_cell(s: Status) -> (Style, &'static str) {
    match s {
        Status::Pass => (Style::new().fg_color(Some(AnsiColor::Green.into())), "✓ pass  "),
        Status::Fail => (Style::new().bold().fg_color(Some(AnsiColor::Red.into())), "✗ fail  "),
        Status::NotApplicable => (DIM, "– n/a   "),
        Status::Manual => (Style::new().fg_color(Some(AnsiColor::Yellow.into())), "? manual"),
    }
}

/// Shortens `text` to `width` characters, with an ellipsis.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

pub fn write(c: &Compliance, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{BOLD}{}{BOLD:#}\n", c.title)?;
    let id_width = c.controls.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in &c.controls {
        let (style, cell) = status_cell(r.status);
        write!(out, "  {style}{cell}{style:#}  {:<id_width$}  {}", r.id, fit(&r.title, 72))?;
        match r.status {
            Status::Fail => {
                const SHOWN: usize = 3;
                let names: Vec<String> = r.objects.iter().take(SHOWN).map(|o| o.to_string()).collect();
                let more = r.objects.len().saturating_sub(SHOWN);
                let more = if more > 0 { format!(" and {more} more") } else { String::new() };
                write!(out, "\n  {DIM}{:>w$}{} ({}): {}{more}{DIM:#}", "", r.rules.join(", "), plural(r.findings, "finding"), names.join(", "), w = 10 + id_width)?;
            }
            Status::Manual => {
                if let Some(note) = r.note {
                    write!(out, "\n  {DIM}{:>w$}{note}{DIM:#}", "", w = 10 + id_width)?;
                }
            }
            _ => {}
        }
        if r.waived > 0 {
            write!(out, " {DIM}({} waived){DIM:#}", r.waived)?;
        }
        writeln!(out)?;
    }
    let score = c.score().map(|s| format!("{s}%")).unwrap_or_else(|| "n/a".into());
    writeln!(
        out,
        "\n{BOLD}score {score}{BOLD:#}: {} pass, {} fail, {} not applicable, {} manual (of {} controls)",
        c.count(Status::Pass),
        c.count(Status::Fail),
        c.count(Status::NotApplicable),
        c.count(Status::Manual),
        c.controls.len()
    )
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
