//! `palisade scan`: every document through the rule engine, the cross-object rules at the
//! end, and one report.

use crate::inputs::{self, Doc, Input, Pass, PassOptions};
use crate::inventory::Inventories;
use palisade_analysis::model::Model;
use palisade_core::{Finding, Node, Object, ObjectRef, Suppression};
use palisade_report::{Report, Skipped};
use palisade_rules::{Engine, Origin, RootOutcome};
use std::sync::{Arc, Mutex};

/// What scanning one input produced.
#[derive(Default)]
pub struct InputReport {
    objects: usize,
    findings: Vec<Finding>,
    suppressed: Vec<(Finding, Arc<Suppression>)>,
    skipped: Vec<Skipped>,
    scanned: Vec<(String, ObjectRef)>,
    inventories: Inventories,
}

/// The scan as a pass over the inputs.
struct ScanPass<'a> {
    engine: &'a Engine,
    keep_objects: bool,
    /// Gather the images and secret sources (for the report's views).
    inventories: bool,
    /// The cross-object model, fed as documents are read so that no input's facts wait.
    model: Mutex<Model>,
}

impl Pass for ScanPass<'_> {
    type Out = InputReport;

    fn document(&self, origin: &Origin, doc: Doc, out: &mut InputReport) {
        let mut outcome = match doc {
            Doc::Root(root) => self.engine.evaluate_root(root, origin),
            Doc::Item(node, index) => self.engine.evaluate_list_item(node, index, origin),
        };
        if !outcome.facts.is_empty() {
            let mut model = self.model.lock().expect("model");
            for (key, facts) in std::mem::take(&mut outcome.facts) {
                model.load(key, facts);
            }
        }
        out.add(origin, outcome);
        if self.keep_objects || self.inventories {
            doc.objects(|o: Object, node: &Node, _| {
                if self.keep_objects {
                    out.scanned.push((origin.file.to_string(), o.reference()));
                }
                if self.inventories {
                    let o = o.in_namespace(self.engine.namespace());
                    out.inventories.add(&o, node, &|pos| Some(origin.location(pos)));
                }
            });
        }
    }
}

impl InputReport {
    /// Adds what one document (or list item) produced.
    fn add(&mut self, origin: &Origin, outcome: RootOutcome) {
        self.objects += outcome.objects;
        for (pos, reason) in outcome.skipped {
            let file = origin.file.to_string();
            self.skipped.push(Skipped { file, line: pos.line.max(1), document: Some(origin.document), reason });
        }
        self.findings.extend(outcome.findings);
        self.suppressed.extend(outcome.suppressed);
    }
}

/// Options for one scan.
pub struct ScanOptions<'a> {
    pub engine: &'a Engine,
    pub pass: PassOptions<'a>,
    /// Keep the list of scanned objects (JUnit lists passing objects too).
    pub keep_objects: bool,
    /// Bindings to Kubernetes' default roles the input does not define see the shipped
    /// definitions (`--no-builtin-roles` turns it off).
    pub builtin_roles: bool,
    /// Gather what the report's views show beyond findings (`Report::insights`); the
    /// engine should keep every fact (`Engine::model_everything`).
    pub insights: bool,
}

/// Scans every input, in parallel across inputs, and returns the combined report.
pub fn scan(inputs: &[Input], opts: &ScanOptions) -> Report {
    let mut model = Model::default();
    model.set_builtin_roles(opts.builtin_roles);
    let pass = ScanPass { engine: opts.engine, keep_objects: opts.keep_objects, inventories: opts.insights, model: Mutex::new(model) };
    let mut inventories = Inventories::default();
    let mut report = Report {
        files: inputs.len(),
        rules: opts.engine.rules().iter().map(|r| r.meta()).collect(),
        ..Report::default()
    };
    for read in inputs::run(inputs, &opts.pass, &pass) {
        let r = read.out;
        report.objects += r.objects;
        report.findings.extend(r.findings);
        report.suppressed.extend(r.suppressed);
        report.errors.extend(read.errors);
        report.skipped.extend(r.skipped);
        if read.empty {
            report.skipped.push(Skipped { file: read.name, line: 1, document: None, reason: "empty file (no YAML documents)".into() });
        }
        report.scanned.extend(r.scanned);
        inventories.merge(r.inventories);
    }
    let model = pass.model.into_inner().expect("model");
    let end = opts.engine.finish(&model);
    report.workloads = model.workloads();
    report.kinds = model.kind_counts().clone();
    report.findings.extend(end.findings);
    report.suppressed.extend(end.suppressed);
    report.sort();
    if opts.insights {
        report.insights = Some(Box::new(crate::insights::gather(&report, &model, inventories)));
    }
    report
}
