//! Findings: what a rule reports, located and ready for any report format.

use crate::object::ObjectRef;
use crate::path::FieldPath;
use crate::rule::RuleMeta;
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Severity, String> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity `{s}` (expected critical, high, medium, low or info)"))
    }
}

/// What a check reports: the field it objects to, why, and (rarely) a severity or extra
/// controls that differ from the rule's defaults — e.g. a restricted check that catches a
/// value the baseline also forbids carries the baseline's control and severity too.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub path: FieldPath,
    pub message: String,
    pub severity: Option<Severity>,
    pub extra_controls: Vec<&'static str>,
    /// The finding's controls instead of the rule's, for a rule that runs several checks of
    /// a benchmark and fails one of them (each finding names only its own check).
    pub only_controls: Option<Vec<&'static str>>,
    /// Where the finding sits when that is not in the object's own source: a host fact
    /// read from a file (the kubelet's config file, an sshd drop-in) names its file and line.
    pub location: Option<Location>,
    /// What a user policy asks to be done about it (`deny`, `warn`, `audit`, `dryrun`);
    /// built-in rules leave it unset.
    pub action: Option<&'static str>,
}

impl Violation {
    pub fn new(path: FieldPath, message: impl Into<String>) -> Violation {
        Violation { path, message: message.into(), severity: None, extra_controls: Vec::new(), only_controls: None, location: None, action: None }
    }

    /// Raises this finding to another severity and adds a control it also violates.
    pub fn also(mut self, severity: Severity, control: &'static str) -> Violation {
        self.severity = Some(severity);
        self.extra_controls.push(control);
        self
    }

    /// Places this finding at a line of a file (a host's file, not the object's source),
    /// when there is one.
    pub fn in_file(mut self, place: Option<(String, u32)>) -> Violation {
        if let Some((file, line)) = place {
            self.location = Some(Location { file: file.into(), line, column: 1, document: 1, template: None });
        }
        self
    }
}

/// Where a finding sits in its source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Shared by every finding of the file.
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
    /// 1-based index of the YAML document in the file.
    pub document: u32,
    /// For rendered Helm output: the chart template named by the `# Source:` comment.
    pub template: Option<Arc<str>>,
}

impl Location {
    /// A position in a file, outside any Helm template.
    pub fn at(file: Arc<str>, pos: crate::Pos, document: u32) -> Location {
        Location { file, line: pos.line, column: pos.col, document, template: None }
    }
}

/// A located finding.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: String,
    /// Shared by every finding of the object.
    pub object: Arc<ObjectRef>,
    pub location: Option<Location>,
    /// The field path (`spec.containers[0].securityContext.privileged`), rendered.
    pub path: String,
    /// The rule's controls, plus any the violation added.
    pub controls: Cow<'static, [&'static str]>,
    /// The audit event the finding was detected in (its auditID), for `palisade audit-log`.
    pub event: Option<Arc<str>>,
    /// A user policy's enforcement action (`deny`, `warn`, `audit`, `dryrun`).
    pub action: Option<&'static str>,
}

impl Finding {
    pub fn new(rule: &'static RuleMeta, object: Arc<ObjectRef>, v: Violation) -> Finding {
        let mut controls = match v.only_controls {
            Some(only) => Cow::Owned(only),
            None => Cow::Borrowed(rule.controls),
        };
        for c in v.extra_controls {
            if !controls.contains(&c) {
                controls.to_mut().push(c);
            }
        }
        Finding {
            rule,
            severity: v.severity.unwrap_or(rule.severity),
            message: v.message,
            object,
            location: v.location,
            path: v.path.render(),
            controls,
            event: None,
            action: v.action,
        }
    }
}
