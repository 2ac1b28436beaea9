//! The compliance view: each control of a framework with its status, the objects failing it
//! and a score.

use crate::object::ObjectRef;
use std::sync::Arc;

/// A control's status in one scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Automated, applicable, and no unwaived finding.
    Pass,
    /// Automated, with findings.
    Fail,
    /// Automated, but the input holds nothing the control is about.
    NotApplicable,
    /// Cannot be decided from manifests (or not automated yet): the note says why.
    Manual,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not_applicable",
            Status::Manual => "manual",
        }
    }
}

/// One control's result.
#[derive(Clone, Debug)]
pub struct ControlResult {
    pub id: String,
    pub title: String,
    pub status: Status,
    /// The rules that decide it.
    pub rules: Vec<&'static str>,
    /// Unwaived findings against it.
    pub findings: usize,
    /// Findings against it that a waiver covers.
    pub waived: usize,
    /// The objects failing it, each once, in report order.
    pub objects: Vec<Arc<ObjectRef>>,
    /// Why a manual control is manual, or what an automated one does not cover.
    pub note: Option<&'static str>,
}

/// A framework's controls, assessed.
#[derive(Clone, Debug)]
pub struct Compliance {
    /// `cis-1.12`, `nsa`, `pss-restricted`, …
    pub framework: String,
    pub title: &'static str,
    pub controls: Vec<ControlResult>,
}

impl Compliance {
    pub fn count(&self, status: Status) -> usize {
        self.controls.iter().filter(|c| c.status == status).count()
    }

    /// Passing controls as a percentage of the decided ones (pass + fail), one decimal;
    /// `None` when nothing was decided.
    pub fn score(&self) -> Option<f64> {
        let (pass, fail) = (self.count(Status::Pass), self.count(Status::Fail));
        (pass + fail > 0).then(|| (1000.0 * pass as f64 / (pass + fail) as f64).round() / 10.0)
    }
}
