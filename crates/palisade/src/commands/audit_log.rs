//! `palisade audit-log FILE|-`: Kubernetes audit events through the engine
//! (`palisade::audit`). Findings sit at their event's line of the log and carry its auditID;
//! lines that are not events are input errors, and the rest of the log is still read. With
//! `--follow`, the log is followed as it grows and each finding is written as it is made.

use super::scan::Setup;
use crate::cli::{AuditLogArgs, Format};
use palisade::audit::AuditJudge;
use palisade_core::{Finding, Location};
use palisade_report::{InputError, Report};
use palisade_source::audit::{self, Item};
use std::io::{BufRead, Read, Seek, Write};
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(args: AuditLogArgs) -> ExitCode {
    let stdin = args.input.as_os_str() == "-";
    let name: Arc<str> = if stdin { "<stdin>".into() } else { args.input.display().to_string().into() };
    if args.follow {
        if stdin {
            return super::usage("--follow reads a file, not standard input (pipe `tail -F` into `palisade audit-log -` instead)".into());
        }
        if !matches!(args.check.format, Format::Table | Format::Json) {
            return super::usage("--follow writes --format table or json, a line a finding".into());
        }
    }
    let input: Box<dyn BufRead> = if stdin {
        Box::new(std::io::BufReader::with_capacity(1 << 20, std::io::stdin()))
    } else {
        match std::fs::File::open(&args.input) {
            Ok(f) => Box::new(std::io::BufReader::with_capacity(1 << 20, f)),
            Err(e) => {
                eprintln!("error: {name}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let mut setup = match Setup::new(&args.check.select, args.check.fail_on, &[], None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    setup.engine.model_no_network();
    if args.follow {
        return follow(&args, &setup, name);
    }
    let mut judge = AuditJudge::new(&setup.engine);
    let mut report = Report { files: 1, rules: setup.engine.rules().iter().map(|r| r.meta()).collect(), ..Report::default() };
    let (mut events, mut quiet) = (0usize, 0usize);
    let mut bad: Vec<(u32, String)> = Vec::new();
    let read = audit::stream(input, !args.judge_all, |item| match item {
        Item::Quiet(_) => quiet += 1,
        Item::Bad(line, why) => bad.push((line, why)),
        Item::Event(event) => {
            events += 1;
            let judged = judge.judge(&event, Some(&at(&name, event.line)));
            report.findings.extend(judged.findings);
            report.suppressed.extend(judged.suppressed);
        }
    });
    if let Err(e) = read {
        report.errors.push(InputError { file: name.to_string(), line: None, column: None, document: None, message: format!("reading stopped: {e}") });
    }
    let across = judge.across();
    report.findings.extend(across.findings);
    report.suppressed.extend(across.suppressed);
    // Events passed by are events all the same.
    report.objects = events + quiet;
    report.kinds = std::mem::take(&mut judge.kinds);
    *report.kinds.entry("Event".into()).or_default() += quiet;
    report.errors.extend(bad.iter().map(|(line, why)| InputError { file: name.to_string(), line: Some(*line), column: None, document: None, message: format!("not an audit event: {why}") }));
    if !args.check.quiet {
        let judged = if quiet == 0 { String::new() } else { format!(" ({events} judged, {quiet} passed by: nothing to detect in them)") };
        eprintln!("read {} audit events from {name}{judged}{}", events + quiet, broken(bad.len()));
    }
    report.sort();
    setup.finish(report, &args.check, false, "audit-log")
}

/// The place of an event in the log.
fn at(file: &Arc<str>, line: u32) -> Location {
    Location { file: file.clone(), line, column: 1, document: 1, template: None }
}

fn broken(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => "; 1 line is not an event (see the errors)".into(),
        n => format!("; {n} lines are not events (see the errors)"),
    }
}

/// A followed log: where it is read up to, and the file it was when opened (to notice
/// rotation).
struct Followed {
    file: std::fs::File,
    pos: u64,
    /// What is read of a line not yet ended.
    partial: Vec<u8>,
    line: u32,
}

impl Followed {
    fn open(path: &std::path::Path) -> std::io::Result<Followed> {
        Ok(Followed { file: std::fs::File::open(path)?, pos: 0, partial: Vec::new(), line: 0 })
    }

    /// Whether the path now names another file than the one read (rotated), or the file
    /// shrank below what was read (truncated).
    fn replaced(&self, path: &std::path::Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(path), self.file.metadata()) {
            (Ok(now), Ok(open)) => now.ino() != open.ino() || now.dev() != open.dev() || now.len() < self.pos,
            _ => false,
        }
    }

    /// The complete lines written since the last call, with their line numbers.
    fn read_new(&mut self) -> std::io::Result<Vec<(u32, Vec<u8>)>> {
        self.file.seek(std::io::SeekFrom::Start(self.pos))?;
        let mut fresh = Vec::new();
        self.pos += (&self.file).read_to_end(&mut fresh)? as u64;
        self.partial.extend_from_slice(&fresh);
        let mut lines = Vec::new();
        let mut start = 0;
        while let Some(end) = self.partial[start..].iter().position(|&b| b == b'\n') {
            self.line += 1;
            lines.push((self.line, self.partial[start..start + end].to_vec()));
            start += end + 1;
        }
        self.partial.drain(..start);
        Ok(lines)
    }
}

/// `--follow`: reads the log as it grows, writing each finding as a line as it is made;
/// detections across events (bursts, Secret readers) come as soon as the lines that make
/// them are read. Runs until stopped.
fn follow(args: &AuditLogArgs, setup: &Setup, name: Arc<str>) -> ExitCode {
    let path = args.input.as_path();
    let mut log = match Followed::open(path) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {name}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out: Box<dyn Write> = match &args.check.output {
        Some(p) => match std::fs::OpenOptions::new().create(true).append(true).open(p) {
            Ok(f) => Box::new(std::io::LineWriter::new(f)),
            Err(e) => return super::usage(format!("{}: {e}", p.display())),
        },
        None => Box::new(std::io::LineWriter::new(std::io::stdout())),
    };
    let json = matches!(args.check.format, Format::Json);
    let mut judge = AuditJudge::new(&setup.engine);
    let status = |line: String| {
        if !args.check.quiet {
            eprintln!("{line}");
        }
    };
    status(format!("following {name}"));
    let mut write = |f: &Finding| -> std::io::Result<()> { writeln!(out, "{}", palisade::audit::detection_line(f, json)) };
    let mut process = |lines: Vec<(u32, Vec<u8>)>, judge: &mut AuditJudge| -> std::io::Result<()> {
        for (n, line) in &lines {
            if line.trim_ascii().is_empty() || (!args.judge_all && audit::quiet(line)) {
                continue;
            }
            let mut items = Vec::new();
            audit::stream(line.as_slice(), false, |item| items.push(item))?;
            for item in items {
                match item {
                    Item::Event(mut event) => {
                        event.line = *n;
                        for f in judge.judge(&event, Some(&at(&name, *n))).findings {
                            write(&f)?;
                        }
                    }
                    Item::Bad(_, why) => status(format!("error: {name}:{n}: not an audit event: {why}")),
                    Item::Quiet(_) => {}
                }
            }
        }
        if !lines.is_empty() {
            for f in judge.new_across() {
                write(&f)?;
            }
            // A stream keeps a window of facts, not its whole history.
            judge.forget_window(palisade::audit::STREAM_WINDOW_MS);
        }
        Ok(())
    };
    loop {
        let lines = log.read_new().unwrap_or_else(|e| {
            status(format!("warning: {name}: {e}"));
            Vec::new()
        });
        if let Err(e) = process(lines, &mut judge) {
            eprintln!("error: cannot write: {e}");
            return ExitCode::from(2);
        }
        if log.replaced(path) {
            match Followed::open(path) {
                Ok(new) => {
                    // What the old file still held, then the new one from its start.
                    let rest = log.read_new().unwrap_or_default();
                    if let Err(e) = process(rest, &mut judge) {
                        eprintln!("error: cannot write: {e}");
                        return ExitCode::from(2);
                    }
                    status(format!("{name} was rotated or truncated; reading it from the start"));
                    log = new;
                    continue;
                }
                Err(e) => status(format!("warning: {name}: {e}; waiting for it to come back")),
            }
        }
        std::thread::sleep(args.poll);
    }
}
