//! Inputs and the parallel pass over them: collecting files, directories, stdin and rendered
//! kustomizations; reading each; and handing every document (or streamed `List` item) to a
//! [`Pass`], one input per worker, so memory holds one file's documents at a time.

use crate::policy_file::is_policy_name;
use palisade_core::{FieldPath, Node, Object};
use palisade_report::InputError;
use palisade_rules::Origin;
use palisade_source::{documents, text_of, Limits, Loaded, SourceError};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

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


/// A document handed to a pass: a whole document's root, or item `index` of a `List`
/// document whose items are streamed one by one.
#[derive(Clone, Copy)]
pub enum Doc<'a> {
    Root(&'a Node),
    Item(&'a Node, usize),
}

impl<'a> Doc<'a> {
    /// The node handed over.
    pub fn node(self) -> &'a Node {
        match self {
            Doc::Root(n) | Doc::Item(n, _) => n,
        }
    }

    /// Every Kubernetes object in the document (a `List` root's items one by one), with the
    /// path prefix of list items (`items[3]`).
    pub fn objects(self, mut f: impl FnMut(Object<'a>, &'a Node, Option<FieldPath>)) {
        let (node, prefix) = match self {
            Doc::Root(n) => (n, None),
            Doc::Item(n, i) => (n, Some(FieldPath::root().key("items").index(i))),
        };
        let Ok(object) = Object::from_node(node) else { return };
        if prefix.is_none() && object.is_list() {
            for (i, item) in node.get("items").map(Node::items).unwrap_or(&[]).iter().enumerate() {
                if let Ok(o) = Object::from_node(item) {
                    f(o, item, Some(FieldPath::root().key("items").index(i)));
                }
            }
        } else {
            f(object, node, prefix);
        }
    }
}

/// What a pass over the inputs does with each document.
pub trait Pass: Sync {
    /// What the pass gathers from one input.
    type Out: Default + Send;
    fn document(&self, origin: &Origin, doc: Doc, out: &mut Self::Out);
}

/// What a pass gathered from one input, with the input's problems.
pub struct Gathered<T> {
    pub name: String,
    pub out: T,
    pub errors: Vec<InputError>,
    /// The input held no YAML document at all.
    pub empty: bool,
}

/// How to run a pass.
pub struct PassOptions<'a> {
    pub limits: Limits,
    /// Called after each input (for progress display).
    pub on_progress: &'a (dyn Fn() + Sync),
    /// Worker threads; 0 means one per core.
    pub threads: usize,
}

fn no_progress() {}

impl PassOptions<'static> {
    /// `List` items streamed one by one, one worker per core, no progress display.
    pub fn quiet() -> PassOptions<'static> {
        PassOptions { limits: Limits { stream_list_items: true, ..Limits::default() }, on_progress: &no_progress, threads: 0 }
    }
}

/// Runs `pass` over every input and hands each input's output to `merge`, in input order;
/// returns every input's problems.
pub fn fold<P: Pass>(inputs: &[Input], opts: &PassOptions, pass: &P, mut merge: impl FnMut(P::Out)) -> Vec<InputError> {
    let mut errors = Vec::new();
    for read in run(inputs, opts, pass) {
        merge(read.out);
        errors.extend(read.errors);
    }
    errors
}

/// Runs `pass` over every input, in parallel across inputs; results come back in input order.
pub fn run<P: Pass>(inputs: &[Input], opts: &PassOptions, pass: &P) -> Vec<Gathered<P::Out>> {
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        n => n,
    }
    .min(inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Gathered<P::Out>)>> = Mutex::new(Vec::with_capacity(inputs.len()));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(i) else { break };
                let name = input.name();
                let r = match read_input(input) {
                    Ok(bytes) => read_bytes(name, &bytes, &opts.limits, pass),
                    Err(message) => Gathered {
                        errors: vec![InputError::whole_file(name.clone(), message)],
                        name,
                        out: P::Out::default(),
                        empty: false,
                    },
                };
                results.lock().unwrap().push((i, r));
                (opts.on_progress)();
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Hands the documents of one input to the pass, document by document (and, in `List`
/// documents, item by item), so memory holds one object at a time rather than the file.
fn read_bytes<P: Pass>(name: String, bytes: &[u8], limits: &Limits, pass: &P) -> Gathered<P::Out> {
    let mut r = Gathered { out: P::Out::default(), errors: Vec::new(), empty: true, name };
    let file: Arc<str> = r.name.as_str().into();
    let error = |e: SourceError| InputError {
        file: file.to_string(),
        line: Some(e.line),
        column: Some(e.col),
        document: e.document,
        message: e.message,
    };
    let text = match text_of(bytes) {
        Ok(t) => t,
        Err(e) => {
            r.errors.push(error(e));
            r.empty = false;
            return r;
        }
    };
    documents(text, limits, |loaded| {
        r.empty = false;
        match loaded {
            Loaded::Error(e) => r.errors.push(error(e)),
            Loaded::Item { document, index, node, template } => {
                let origin = Origin { file: file.clone(), document, template: template.as_deref().map(Into::into) };
                pass.document(&origin, Doc::Item(&node, index), &mut r.out);
            }
            Loaded::Document(doc) => {
                r.errors.extend(doc.problems.into_iter().map(error));
                let origin = Origin { file: file.clone(), document: doc.index, template: doc.template.as_deref().map(Into::into) };
                pass.document(&origin, Doc::Root(&doc.root), &mut r.out);
            }
        }
    });
    r
}
