//! Report writers, one file per format: `table` for people, `json` (the `palisade.report/v1`
//! contract), `sarif` for code scanning, `junit` for CI dashboards, `markdown` for pull-request comments, `html` (with `insights`, what its views show beyond findings), and `compliance`, the
//! control-by-control view of a framework; `inventory` for `palisade images` and `palisade
//! secrets`; `read`, a JSON report read back.

pub mod compliance;
pub mod inventory;
pub mod json;
pub mod html;
pub mod insights;
pub mod junit;
pub mod markdown;
pub mod read;
pub mod sarif;
pub mod stream;
pub mod table;
pub mod trend;

use palisade_core::compliance::Compliance;
use palisade_core::{Finding, ObjectRef, RuleMeta, Severity, Suppression};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Everything one scan produced.
#[derive(Debug, Default)]
pub struct Report {
    /// Inputs read (files, stdin, rendered kustomizations).
    pub files: usize,
    pub objects: usize,
    /// How many objects of each kind were read.
    pub kinds: BTreeMap<String, usize>,
    /// How many objects carry a pod spec.
    pub workloads: usize,
    pub findings: Vec<Finding>,
    /// Findings a waiver covers, with the waiver: out of `findings`, never lost.
    pub suppressed: Vec<(Finding, Arc<Suppression>)>,
    pub errors: Vec<InputError>,
    pub skipped: Vec<Skipped>,
    /// The rules that ran, in catalogue order.
    pub rules: Vec<&'static RuleMeta>,
    /// The compliance view of the framework the scan ran, when it has a control catalogue.
    pub compliance: Option<Compliance>,
    /// Every object scanned, with its file (kept only when a format needs it: JUnit).
    pub scanned: Vec<(String, ObjectRef)>,
    /// What a live source could read (a cluster scan), resource type by resource type.
    pub coverage: Option<palisade_core::coverage::Coverage>,
    /// The host a node audit read (`palisade node`), for merging node reports.
    pub host: Option<String>,
    /// What a probe found (`palisade probe`): how many endpoints it tried, and the facts of
    /// each open one (TLS, what answers, the anonymous requests and their answers).
    pub probe: Option<serde_json::Value>,
    /// What the report's views show beyond findings (RBAC paths, the network, inventories,
    /// source excerpts), gathered only for the formats that show it (HTML).
    pub insights: Option<Box<insights::Insights>>,
}

/// An input, or part of one, that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub document: Option<u32>,
    pub message: String,
}

/// A document that was read but is not a Kubernetes object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub file: String,
    pub line: u32,
    pub document: Option<u32>,
    pub reason: String,
}

impl InputError {
    /// An error about a whole input, with no line to point at.
    pub fn whole_file(file: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError { file: file.into(), line: None, column: None, document: None, message: message.into() }
    }
}

impl Report {
    /// Number of findings at each severity, most severe first.
    pub fn by_severity(&self) -> [(Severity, usize); 5] {
        Severity::ALL.map(|s| (s, self.findings.iter().filter(|f| f.severity == s).count()))
    }

    /// Sorts findings by file, line, column and rule, so output is stable across runs.
    pub fn sort(&mut self) {
        fn key(f: &Finding) -> (Option<&str>, Option<(u32, u32)>, &str) {
            let l = f.location.as_ref();
            (l.map(|l| &*l.file), l.map(|l| (l.line, l.column)), f.rule.id)
        }
        self.findings.sort_by(|a, b| key(a).cmp(&key(b)));
        self.suppressed.sort_by(|a, b| key(&a.0).cmp(&key(&b.0)));
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}
