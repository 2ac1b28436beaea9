//! `palisade scan`: collect inputs (files, directories, stdin, rendered kustomizations), scan
//! them in parallel one file at a time, and gather one report.

use crate::policy_file::is_policy_name;
use palisade_core::{Facts, Finding, Node, Object, Suppression};
use palisade_report::{InputError, Report, Skipped};
use palisade_rules::{Engine, Origin, RootOutcome};
use palisade_source::{documents, text_of, Limits, Loaded, SourceError};
use std::sync::Arc;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// One thing to scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
    /// `kubectl kustomize DIR`, rendered before scanning.
    Kustomize(PathBuf),
}

impl Input {
    /// The name findings and errors carry.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".into(),
            Input::Kustomize(dir) => format!("{} (kustomize)", dir.display()),
        }
    }
}

/// Manifest files by extension.
fn is_manifest(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["yaml", "yml", "json"].iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Expands the command-line paths: directories recursively (manifest files only, hidden
/// directories skipped, symlinked directories not followed, policy files (`palisade.yaml`)
/// left out), files as given, `-` as stdin.
/// Paths that do not exist become errors; the rest is still scanned.
pub fn collect_inputs(paths: &[PathBuf], kustomize: &[PathBuf]) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let err = |file: &Path, message: String| InputError::whole_file(file.display().to_string(), message);
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => errors.push(err(path, format!("cannot read: {e}"))),
            Ok(m) if m.is_dir() => {
                let mut found = Vec::new();
                let mut stack = vec![path.clone()];
                while let Some(dir) = stack.pop() {
                    let entries = match std::fs::read_dir(&dir) {
                        Ok(e) => e,
                        Err(e) => {
                            errors.push(err(&dir, format!("cannot list directory: {e}")));
                            continue;
                        }
                    };
                    for entry in entries.flatten() {
                        let p = entry.path();
                        let Ok(ft) = entry.file_type() else { continue };
                        let hidden = entry.file_name().to_string_lossy().starts_with('.');
                        if ft.is_dir() {
                            if !hidden {
                                stack.push(p);
                            }
                        } else if is_manifest(&p) && !is_policy_name(&p) && (ft.is_file() || p.is_file()) {
                            found.push(p);
                        }
                    }
                }
                found.sort();
                inputs.extend(found.into_iter().map(Input::File));
            }
            Ok(_) => inputs.push(Input::File(path.clone())),
        }
    }
    inputs.extend(kustomize.iter().cloned().map(Input::Kustomize));
    (inputs, errors)
}

/// What scanning one input produced.
#[derive(Default)]
struct InputReport {
    objects: usize,
    findings: Vec<Finding>,
    suppressed: Vec<(Finding, Arc<Suppression>)>,
    facts: Facts,
    errors: Vec<InputError>,
    skipped: Vec<Skipped>,
    scanned: Vec<(String, palisade_core::ObjectRef)>,
}

fn read_input(input: &Input) -> Result<Vec<u8>, String> {
    match input {
        Input::File(p) => std::fs::read(p).map_err(|e| format!("cannot read: {e}")),
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read standard input: {e}"))?;
            Ok(buf)
        }
        Input::Kustomize(dir) => {
            let out = Command::new("kubectl")
                .arg("kustomize")
                .arg(dir)
                .output()
                .map_err(|e| format!("cannot run `kubectl kustomize` (is kubectl installed?): {e}"))?;
            if !out.status.success() {
                let stderr = String::from_utf8_lossy(&out.stderr);
                return Err(format!("`kubectl kustomize` failed: {}", stderr.trim()));
            }
            Ok(out.stdout)
        }
    }
}

/// Scans the bytes of one input, document by document (and, in `List` documents, item by
/// item), so memory holds one object at a time rather than the file.
fn scan_bytes(name: &str, bytes: &[u8], engine: &Engine, limits: &Limits, keep_objects: bool) -> InputReport {
    let mut r = InputReport::default();
    let file: Arc<str> = name.into();
    let error = |e: SourceError| InputError {
        file: name.into(),
        line: Some(e.line),
        column: Some(e.col),
        document: e.document,
        message: e.message,
    };
    let text = match text_of(bytes) {
        Ok(t) => t,
        Err(e) => {
            r.errors.push(error(e));
            return r;
        }
    };
    let mut loaded_any = false;
    documents(text, limits, |loaded| {
        loaded_any = true;
        match loaded {
            Loaded::Error(e) => r.errors.push(error(e)),
            Loaded::Item { document, index, node, template } => {
                let origin = Origin { file: file.clone(), document, template: template.as_deref().map(Into::into) };
                let outcome = engine.evaluate_list_item(&node, index, &origin);
                r.add(&origin, outcome, keep_objects.then_some(&node));
            }
            Loaded::Document(doc) => {
                r.errors.extend(doc.problems.into_iter().map(error));
                let origin = Origin { file: file.clone(), document: doc.index, template: doc.template.as_deref().map(Into::into) };
                let outcome = engine.evaluate_root(&doc.root, &origin);
                r.add(&origin, outcome, keep_objects.then_some(&doc.root));
            }
        }
    });
    if !loaded_any {
        r.skipped.push(Skipped { file: name.into(), line: 1, document: None, reason: "empty file (no YAML documents)".into() });
    }
    r
}

impl InputReport {
    /// Adds what one document (or list item) produced.
    fn add(&mut self, origin: &Origin, outcome: RootOutcome, scanned: Option<&Node>) {
        self.objects += outcome.objects;
        if let Some(root) = scanned {
            self.record_objects(&origin.file, root);
        }
        for (pos, reason) in outcome.skipped {
            let file = origin.file.to_string();
            self.skipped.push(Skipped { file, line: pos.line.max(1), document: Some(origin.document), reason });
        }
        self.findings.extend(outcome.findings);
        self.suppressed.extend(outcome.suppressed);
        self.facts.merge(outcome.facts);
    }

    /// Remembers the objects of a document (or the items of a list) for formats that list
    /// passing objects too.
    fn record_objects(&mut self, file: &Arc<str>, root: &Node) {
        let Ok(object) = Object::from_node(root) else { return };
        if object.is_list() {
            for item in root.get("items").map(Node::items).unwrap_or(&[]) {
                if let Ok(o) = Object::from_node(item) {
                    self.scanned.push((file.to_string(), o.reference()));
                }
            }
        } else {
            self.scanned.push((file.to_string(), object.reference()));
        }
    }
}

/// Options for one scan.
pub struct ScanOptions<'a> {
    pub engine: &'a Engine,
    pub limits: Limits,
    /// Keep the list of scanned objects (JUnit lists passing objects too).
    pub keep_objects: bool,
    /// Called after each input (for progress display).
    pub on_progress: &'a (dyn Fn() + Sync),
    /// Worker threads; 0 means one per core.
    pub threads: usize,
}

/// Scans every input, in parallel across inputs, and returns the combined report.
pub fn scan(inputs: &[Input], opts: &ScanOptions) -> Report {
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        n => n,
    }
    .min(inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, InputReport)>> = Mutex::new(Vec::with_capacity(inputs.len()));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(i) else { break };
                let name = input.name();
                let r = match read_input(input) {
                    Ok(bytes) => scan_bytes(&name, &bytes, opts.engine, &opts.limits, opts.keep_objects),
                    Err(message) => InputReport {
                        errors: vec![InputError::whole_file(name, message)],
                        ..InputReport::default()
                    },
                };
                results.lock().unwrap().push((i, r));
                (opts.on_progress)();
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let mut report = Report {
        files: inputs.len(),
        rules: opts.engine.rules().iter().map(|r| r.meta()).collect(),
        ..Report::default()
    };
    let mut facts = Facts::default();
    for (_, r) in results {
        report.objects += r.objects;
        report.findings.extend(r.findings);
        report.suppressed.extend(r.suppressed);
        facts.merge(r.facts);
        report.errors.extend(r.errors);
        report.skipped.extend(r.skipped);
        report.scanned.extend(r.scanned);
    }
    let end = opts.engine.finish(&facts);
    report.workloads = facts.workloads;
    report.kinds = std::mem::take(&mut facts.kind_counts);
    report.findings.extend(end.findings);
    report.suppressed.extend(end.suppressed);
    report.sort();
    report
}
