//! Rule metadata and the traits every rule implements.

use crate::finding::Severity;
use crate::object::{Object, ObjectRef};
use std::sync::{Arc, OnceLock};
use crate::podspec::PodSpecView;
use crate::policy::{Date, Policy, Settings};
use std::fmt;
use std::str::FromStr;

/// Pod Security Standards levels that have checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PssLevel {
    Baseline,
    Restricted,
}

impl PssLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PssLevel::Baseline => "baseline",
            PssLevel::Restricted => "restricted",
        }
    }
}

/// A Pod Security Standards policy version, `v1.<minor>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PssVersion(pub u16);

impl PssVersion {
    /// The newest version whose checks Palisade knows.
    pub const LATEST: PssVersion = PssVersion(37);

    pub fn at_least(self, minor: u16) -> bool {
        self.0 >= minor
    }
}

impl fmt::Display for PssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}", self.0)
    }
}

impl FromStr for PssVersion {
    type Err = String;
    /// Accepts `latest`, `v1.31` and `1.31`.
    fn from_str(s: &str) -> Result<PssVersion, String> {
        if s == "latest" {
            return Ok(PssVersion::LATEST);
        }
        let minor = s
            .strip_prefix('v')
            .unwrap_or(s)
            .strip_prefix("1.")
            .and_then(|m| m.parse::<u16>().ok())
            .ok_or_else(|| format!("`{s}` is not a Pod Security Standards version (expected `latest` or v1.N, e.g. v1.31)"))?;
        if minor > PssVersion::LATEST.0 {
            return Err(format!(
                "v1.{minor} is newer than the newest version Palisade knows ({}); use `latest`",
                PssVersion::LATEST
            ));
        }
        Ok(PssVersion(minor))
    }
}

/// A rule's place in the Pod Security Standards, exactly as the Pod Security Admission
/// implementation registers it.
#[derive(Clone, Copy, Debug)]
pub struct PssCheck {
    pub level: PssLevel,
    /// The PSA check ID (`runAsNonRoot`, `capabilities_baseline`, …).
    pub check_id: &'static str,
    /// First policy version (`v1.<since>`) with this check.
    pub since: u16,
    /// Baseline check IDs this restricted check replaces at the restricted level.
    pub overrides: &'static [&'static str],
}

impl PssCheck {
    pub const fn baseline(check_id: &'static str, since: u16) -> Option<PssCheck> {
        Some(PssCheck { level: PssLevel::Baseline, check_id, since, overrides: &[] })
    }

    pub const fn restricted(check_id: &'static str, since: u16, overrides: &'static [&'static str]) -> Option<PssCheck> {
        Some(PssCheck { level: PssLevel::Restricted, check_id, since, overrides })
    }

    /// The control reference findings carry: `pss-baseline:privileged`.
    pub fn control(&self) -> String {
        format!("pss-{}:{}", self.level.as_str(), self.check_id)
    }
}

/// Everything about a rule except its logic.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable ID: family prefix and three digits (`POD001`).
    pub id: &'static str,
    /// Kebab-case name of the bad pattern (`privileged-container`).
    pub name: &'static str,
    pub severity: Severity,
    /// One line, shown in `palisade rules` and SARIF short descriptions.
    pub summary: &'static str,
    /// The rule's doc comment as the compiler stores it (each line with its leading space);
    /// [`RuleMeta::markdown`] gives the clean Markdown.
    pub doc: &'static str,
    /// Framework controls, `<framework>:<id>` (`pss-baseline:privileged`, `cis-1.12:5.2.2`).
    pub controls: &'static [&'static str],
    pub pss: Option<PssCheck>,
    /// Rules that together report everything this one would: when all of them run, this
    /// one does not (its findings would only repeat theirs), unless selected by ID.
    pub redundant_with: &'static [&'static str],
}

/// The enforcement actions a user policy's finding can carry.
pub const ACTIONS: &[&str] = &["deny", "warn", "audit", "dryrun"];

/// The action of that name, as findings hold it.
pub fn action_named(name: &str) -> Option<&'static str> {
    ACTIONS.iter().copied().find(|a| a.eq_ignore_ascii_case(name))
}

/// Whether a rule reference names user policies (`gatekeeper:…`, `vap:…`) rather than a
/// framework control.
pub fn is_user_policy_ref(reference: &str) -> bool {
    let r = reference.trim();
    r.starts_with("gatekeeper:") || r.starts_with("vap:")
}

impl RuleMeta {
    /// The metadata of a user policy's rule (`gatekeeper:K8sRequiredLabels/owner`,
    /// `vap:replica-limit`): made once for each ID and kept for the process, as built-in
    /// rules' metadata is (a process loads a handful of policies).
    pub fn user(id: &str, severity: Severity, summary: &str, doc: &str) -> &'static RuleMeta {
        use std::collections::HashMap;
        use std::sync::Mutex;
        static MADE: Mutex<Option<HashMap<String, &'static RuleMeta>>> = Mutex::new(None);
        let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
        let made = made.get_or_insert_with(HashMap::new);
        if let Some(m) = made.get(id) {
            return m;
        }
        let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
        let id_static = leak(id);
        let meta: &'static RuleMeta = Box::leak(Box::new(RuleMeta {
            id: id_static,
            name: id_static,
            severity,
            summary: leak(summary),
            doc: leak(doc),
            controls: &[],
            pss: None,
            redundant_with: &[],
        }));
        made.insert(id.to_string(), meta);
        meta
    }
}

/// The layers of a platform a finding can be in, in the order reports show them.
pub const LAYERS: &[&str] = &["workloads", "supply-chain", "secrets", "rbac", "network", "namespaces", "node", "control-plane", "audit", "policy"];

/// The layer a rule ID's family checks (`POD001` → `workloads`); `None` for an ID of no
/// built-in family.
pub fn layer_of(id: &str) -> Option<&'static str> {
    let family = id.trim_end_matches(|c: char| c.is_ascii_digit());
    Some(match family {
        "POD" => "workloads",
        "IMG" => "supply-chain",
        "SEC" => "secrets",
        "RBAC" => "rbac",
        "NET" | "SVC" | "EXP" => "network",
        "NS" => "namespaces",
        "NODE" | "HOST" => "node",
        "CP" | "VER" => "control-plane",
        "AUD" => "audit",
        "POL" => "policy",
        _ if is_user_policy_ref(id) => "policy",
        _ => return None,
    })
}

impl RuleMeta {
    /// The layer the rule checks (see [`layer_of`]; every built-in family has one, which a
    /// test checks).
    pub fn layer(&self) -> &'static str {
        layer_of(self.id).unwrap_or("workloads")
    }

    /// The documentation as Markdown: the doc comment without the space after each `///`.
    pub fn markdown(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// A section of the documentation (`## Remediation` → its text), trimmed.
    pub fn doc_section(&self, title: &str) -> Option<String> {
        let doc = self.markdown();
        let heading = format!("## {title}\n");
        let start = doc.find(&heading)? + heading.len();
        let end = doc[start..].find("\n## ").map(|e| start + e).unwrap_or(doc.len());
        Some(doc[start..end].trim().to_string())
    }

    /// The first paragraph of the Remediation section, on one line.
    pub fn remediation(&self) -> String {
        let section = self.doc_section("Remediation").unwrap_or_default();
        let para = section.split("\n\n").next().unwrap_or("");
        para.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// How a run evaluates: which PSS version and level (restricted includes baseline), the
/// policy (settings, waivers), and today's date (for waiver expiry).
#[derive(Clone, Debug)]
pub struct Context {
    pub version: PssVersion,
    pub level: PssLevel,
    pub policy: Arc<Policy>,
    pub today: Date,
    /// The rules this run evaluates.
    pub active: Arc<[&'static RuleMeta]>,
}

impl Context {
    pub fn settings(&self) -> &Settings {
        &self.policy.settings
    }
}

/// What a check looks at: the object, and its pod spec if it carries one.
pub struct Target<'a> {
    pub object: Object<'a>,
    pub pod: Option<PodSpecView<'a>>,
    /// The admission request the object arrives in, if any.
    pub request: Option<&'a crate::Request>,
    /// The object as user policies' engines read it, converted once for all of them.
    pub engine_input: OnceLock<Box<dyn std::any::Any + Send + Sync>>,
    reference: OnceLock<Arc<ObjectRef>>,
    what: OnceLock<String>,
}

impl<'a> Target<'a> {
    pub fn new(object: Object<'a>) -> Target<'a> {
        Target { pod: PodSpecView::of(&object), object, request: None, engine_input: OnceLock::new(), reference: OnceLock::new(), what: OnceLock::new() }
    }

    /// The object's reference, made once and shared by its findings.
    pub fn reference(&self) -> Arc<ObjectRef> {
        self.reference.get_or_init(|| Arc::new(self.object.reference())).clone()
    }

    /// How messages name the object: `Deployment default/web`.
    pub fn what(&self) -> &str {
        self.what.get_or_init(|| self.reference().to_string())
    }
}

/// Gives a rule its metadata (implemented by `declare_rule!`).
pub trait Described {
    fn meta(&self) -> &'static RuleMeta;
}
