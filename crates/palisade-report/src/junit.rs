//! `--format junit`: one test suite per input file, one test case per object (failing with one
//! `<failure>` per finding), and a suite for inputs that could not be read.

use crate::Report;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Escapes text for XML attributes and content, dropping characters XML 1.0 forbids.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // file -> object -> failures
    let mut files: BTreeMap<&str, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for (file, obj) in &report.scanned {
        files.entry(file).or_default().entry(obj.to_string()).or_default();
    }
    let remediations = crate::json::Remediations::new(report);
    for f in &report.findings {
        let file = f.location.as_ref().map(|l| &*l.file).unwrap_or("<live>");
        let at = f.location.as_ref().map(|l| format!("{}:{}:{}", l.file, l.line, l.column)).unwrap_or_default();
        let body = format!(
            "<failure type=\"{}\" message=\"{}\">{} {}\n{}\npath: {}\ncontrols: {}\nremediation: {}</failure>",
            escape(f.rule.id),
            escape(&f.message),
            escape(f.severity.as_str()),
            escape(f.rule.name),
            escape(&at),
            escape(&f.path),
            escape(&f.controls.join(", ")),
            escape(&remediations.get(f.rule)),
        );
        files.entry(file).or_default().entry(f.object.to_string()).or_default().push(body);
    }
    let tests: usize = files.values().map(|o| o.len()).sum::<usize>() + report.errors.len();
    let failures: usize = files.values().flat_map(|o| o.values()).filter(|f| !f.is_empty()).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="palisade" tests="{tests}" failures="{failures}" errors="{}">"#,
        report.errors.len()
    )?;
    for (file, objects) in &files {
        let fails = objects.values().filter(|f| !f.is_empty()).count();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{fails}" errors="0">"#,
            escape(file),
            objects.len()
        )?;
        for (object, failures) in objects {
            if failures.is_empty() {
                writeln!(out, r#"    <testcase name="{}" classname="{}"/>"#, escape(object), escape(file))?;
            } else {
                writeln!(out, r#"    <testcase name="{}" classname="{}">"#, escape(object), escape(file))?;
                for f in failures {
                    writeln!(out, "      {f}")?;
                }
                writeln!(out, "    </testcase>")?;
            }
        }
        writeln!(out, "  </testsuite>")?;
    }
    if !report.errors.is_empty() {
        writeln!(
            out,
            r#"  <testsuite name="input errors" tests="{n}" failures="0" errors="{n}">"#,
            n = report.errors.len()
        )?;
        for e in &report.errors {
            writeln!(
                out,
                r#"    <testcase name="{}" classname="input"><error message="{}"/></testcase>"#,
                escape(&e.file),
                escape(&e.to_string())
            )?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}
