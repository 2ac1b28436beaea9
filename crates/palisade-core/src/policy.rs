//! The policy a security team owns (`palisade.yaml`): which rules run, severity overrides,
//! settings some rules read (allowed registries, the minimum namespace PSS level, whether
//! secrets must come from a vault), and waivers with an owner, a reason and an expiry date.
//!
//! This module reads an already-parsed [`Node`] tree, so every error carries the line of the
//! offending key; reading the file is the caller's business.

use crate::finding::{Location, Severity};
use std::sync::Arc;
use crate::rule::RuleMeta;
use crate::value::{Node, Pos, Value};
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A calendar date (proleptic Gregorian), as waivers' `expires` uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// The date `days` days after 1970-01-01 (Howard Hinnant's civil-from-days).
    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl Date {
    /// Days since 1970-01-01 (the inverse of [`Date::from_unix_days`]).
    pub fn unix_days(self) -> i64 {
        let (y, m, d) = (i64::from(self.year) - i64::from(self.month <= 2), i64::from(self.month), i64::from(self.day));
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date of an RFC 3339 timestamp (`2025-01-15T10:00:00Z`), or of a plain date.
    pub fn of_timestamp(text: &str) -> Option<Date> {
        text.get(..10)?.parse().ok()
    }
}

/// A duration in days: `90d`, `12w`, or a number of days.
pub fn parse_days(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let bad = || format!("`{text}` is not a duration (expected days like 90d, or weeks like 12w)");
    let (number, factor) = match t.chars().last() {
        Some('d') => (&t[..t.len() - 1], 1),
        Some('w') => (&t[..t.len() - 1], 7),
        _ => (t, 1),
    };
    number.parse::<u32>().map(|n| n * factor).map_err(|_| bad())
}

impl FromStr for Date {
    type Err = String;
    /// `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Date, String> {
        let bad = || format!("`{s}` is not a date (expected YYYY-MM-DD, e.g. 2027-03-31)");
        let mut parts = s.trim().splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else { return Err(bad()) };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (year, month, day): (i32, u8, u8) =
            (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(bad()),
        };
        if day == 0 || day > days_in_month {
            return Err(bad());
        }
        Ok(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Shell-style glob: `*` matches any run of characters, `?` one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((bp, bt)) = backtrack {
            pi = bp + 1;
            ti = bt + 1;
            backtrack = Some((bp, bt + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether a rule reference (a rule ID, an ID prefix such as `POD`, a rule name, or a control
/// reference such as `pss-baseline:privileged` or `cis-1.12:5.2.2`) names this finding's rule.
pub fn rule_ref_matches(reference: &str, rule: &RuleMeta, controls: &[&str]) -> bool {
    let r = reference.trim();
    if r.is_empty() {
        return false;
    }
    if crate::rule::is_user_policy_ref(r) {
        return rule.id.len() >= r.len() && rule.id[..r.len()].eq_ignore_ascii_case(r);
    }
    if r.contains(':') {
        return controls.iter().any(|c| c.eq_ignore_ascii_case(r));
    }
    rule.name == r || (rule.id.len() >= r.len() && rule.id[..r.len()].eq_ignore_ascii_case(r))
}

/// The Pod Security Admission levels a namespace can enforce, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnforceLevel {
    Privileged,
    Baseline,
    Restricted,
}

impl FromStr for EnforceLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<EnforceLevel, String> {
        match s {
            "privileged" => Ok(EnforceLevel::Privileged),
            "baseline" => Ok(EnforceLevel::Baseline),
            "restricted" => Ok(EnforceLevel::Restricted),
            _ => Err(format!("`{s}` is not a Pod Security level (expected privileged, baseline or restricted)")),
        }
    }
}

impl fmt::Display for EnforceLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EnforceLevel::Privileged => "privileged",
            EnforceLevel::Baseline => "baseline",
            EnforceLevel::Restricted => "restricted",
        })
    }
}

/// Settings that rules read.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Registries images may come from (`registry.example.com`, `ghcr.io/acme`,
    /// `*.dkr.ecr.eu-west-1.amazonaws.com`); empty means any.
    pub allowed_registries: Vec<String>,
    /// The weakest Pod Security Admission `enforce` level a Namespace may carry.
    pub namespace_level: EnforceLevel,
    /// Workloads must read secrets from a vault (Secrets Store CSI, External Secrets), not
    /// from plain Secrets.
    pub require_vault: bool,
    /// Secrets older than this many days must be rotated.
    pub secret_max_age_days: Option<u32>,
    /// The identities that are still active (from the identity provider); bindings to users
    /// and groups not in it are stale.
    pub roster: Option<Arc<Roster>>,
    /// The Kubernetes support table (`--versions FILE`); the built-in one when `None`.
    pub versions: Option<Arc<crate::versions::Versions>>,
    /// Services a node may enable and programs it may listen with, beyond the built-in list
    /// of what a Kubernetes node needs (`node: {services: [...]}`).
    pub node_services: Vec<String>,
}

impl Settings {
    /// The support table in force.
    pub fn versions(&self) -> Arc<crate::versions::Versions> {
        self.versions.clone().unwrap_or_else(crate::versions::Versions::builtin)
    }
}

/// Active users and groups, as exported from an identity provider.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Roster {
    pub users: std::collections::BTreeSet<String>,
    pub groups: std::collections::BTreeSet<String>,
}

impl Roster {
    /// Reads `{users: [...], groups: [...]}`.
    pub fn from_node(node: &Node) -> Result<Roster, String> {
        let list = |key: &str| -> Result<std::collections::BTreeSet<String>, String> {
            match node.get(key) {
                None => Ok(Default::default()),
                Some(n) if matches!(n.value, Value::Seq(_)) => Ok(n.items().iter().map(Node::display_scalar).collect()),
                Some(n) => Err(format!("line {}: `{key}` must be a list of names", n.pos.line)),
            }
        };
        if !node.is_map() {
            return Err("a roster is a mapping with `users` and `groups` lists, or a CSV file".into());
        }
        Ok(Roster { users: list("users")?, groups: list("groups")? })
    }

    /// Reads CSV: rows `user,NAME` or `group,NAME`, optionally under a header naming a
    /// `type` (or `kind`) column and a `name` (or `email`, `login`) column.
    pub fn from_csv(text: &str) -> Result<Roster, String> {
        let mut roster = Roster::default();
        let mut columns = (0usize, 1usize);
        for (i, line) in text.lines().enumerate() {
            let cells: Vec<String> = line.split(',').map(|c| c.trim().trim_matches('"').to_string()).collect();
            if cells.iter().all(|c| c.is_empty()) || line.trim_start().starts_with('#') {
                continue;
            }
            let lower: Vec<String> = cells.iter().map(|c| c.to_ascii_lowercase()).collect();
            let find = |names: &[&str]| lower.iter().position(|c| names.contains(&c.as_str()));
            if i == 0 {
                if let (Some(t), Some(n)) = (find(&["type", "kind"]), find(&["name", "email", "login", "username"])) {
                    columns = (t, n);
                    continue;
                }
            }
            let (Some(kind), Some(name)) = (lower.get(columns.0), cells.get(columns.1)) else {
                return Err(format!("line {}: expected `user,NAME` or `group,NAME`", i + 1));
            };
            match kind.as_str() {
                "user" => roster.users.insert(name.clone()),
                "group" => roster.groups.insert(name.clone()),
                other => return Err(format!("line {}: `{other}` is neither user nor group", i + 1)),
            };
        }
        Ok(roster)
    }

    /// Whether a binding subject names an identity the roster should know: users and groups
    /// other than Kubernetes' own (`system:*`).
    pub fn judges(name: &str) -> bool {
        !name.starts_with("system:")
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            allowed_registries: Vec::new(),
            namespace_level: EnforceLevel::Baseline,
            require_vault: false,
            secret_max_age_days: None,
            roster: None,
            versions: None,
            node_services: Vec::new(),
        }
    }
}

/// Which objects a waiver covers; each field is a glob, absent fields match everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WaiverMatch {
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// Every label must be present with a value matching the glob.
    pub labels: Vec<(String, String)>,
}

/// The object a waiver is matched against.
pub struct Subject<'a> {
    pub kind: &'a str,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    /// The object's `metadata.labels`, if any.
    pub labels: Option<&'a Node>,
    /// The object's own waiver annotations, if any.
    pub inline: Option<&'a InlineWaiver>,
}

impl WaiverMatch {
    pub fn matches(&self, s: &Subject) -> bool {
        let field = |pattern: &Option<String>, value: &str| pattern.as_deref().is_none_or(|p| glob_match(p, value));
        field(&self.kind, s.kind)
            && field(&self.namespace, s.namespace.unwrap_or(""))
            && field(&self.name, s.name)
            && self.labels.iter().all(|(k, v)| {
                s.labels.and_then(|l| l.get(k)).map(Node::display_scalar).is_some_and(|actual| glob_match(v, &actual))
            })
    }
}

/// One waiver of the policy file.
#[derive(Debug)]
pub struct Waiver {
    /// Rule ID, ID prefix, rule name or control reference.
    pub rule: String,
    pub matcher: WaiverMatch,
    pub reason: String,
    pub owner: String,
    pub expires: Date,
    /// Where the waiver starts in the policy file.
    pub pos: Pos,
    /// Where its `expires` date is.
    pub expires_pos: Pos,
    /// How many findings it suppressed (for stale-waiver reporting).
    pub used: AtomicUsize,
}

impl Waiver {
    pub fn covers(&self, rule: &RuleMeta, controls: &[&str], subject: &Subject) -> bool {
        rule_ref_matches(&self.rule, rule, controls) && self.matcher.matches(subject)
    }

    pub fn record_use(&self) {
        self.used.fetch_add(1, Ordering::Relaxed);
    }

    pub fn uses(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// Sets the count of suppressed findings (an incremental evaluation keeps its own).
    pub fn set_uses(&self, n: usize) {
        self.used.store(n, Ordering::Relaxed);
    }
}

/// The annotations of an inline waiver.
pub const WAIVE_ANNOTATION: &str = "palisade.io/waive";
pub const WAIVE_REASON_ANNOTATION: &str = "palisade.io/waive-reason";

/// An inline waiver: `palisade.io/waive: POD021, IMG` with `palisade.io/waive-reason`.
#[derive(Clone, Debug, PartialEq)]
pub struct InlineWaiver {
    pub refs: Vec<String>,
    /// `None` when the reason annotation is missing or empty (then the waiver is not honoured).
    pub reason: Option<String>,
}

impl InlineWaiver {
    /// Reads the inline waiver of an object's metadata, if it has one.
    pub fn of(metadata: Option<&Node>) -> Option<InlineWaiver> {
        let annotations = metadata?.get("annotations")?;
        let refs = annotations.get(WAIVE_ANNOTATION)?.display_scalar();
        let reason = annotations
            .get(WAIVE_REASON_ANNOTATION)
            .map(Node::display_scalar)
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        Some(InlineWaiver {
            refs: refs.split(',').map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect(),
            reason,
        })
    }

    pub fn covers(&self, rule: &RuleMeta, controls: &[&str]) -> bool {
        self.reason.is_some() && self.refs.iter().any(|r| rule_ref_matches(r, rule, controls))
    }
}

/// A policy file, read.
#[derive(Debug, Default)]
pub struct Policy {
    pub framework: Option<String>,
    pub pss_version: Option<crate::PssVersion>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    /// Severity overrides: rule ID, prefix, name or control reference → severity.
    pub severity: Vec<(String, Severity)>,
    pub settings: Settings,
    pub waivers: Vec<Waiver>,
    /// The file the policy was read from (findings about waivers point into it).
    pub source: Option<Arc<str>>,
    /// `roster:` — the identity roster file, as written (relative to the policy file).
    pub roster_path: Option<String>,
    /// `policies:` — Gatekeeper and ValidatingAdmissionPolicy files and directories, as
    /// written (relative to the policy file).
    pub policies: Vec<String>,
    /// `kubernetes-version:` — the API servers the user policies are for: their CEL may use
    /// only what those accept.
    pub kubernetes_version: Option<crate::versions::KubernetesVersion>,
}

/// Where a waiver was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaiverSource {
    /// A waiver of the policy file.
    Policy,
    /// The `palisade.io/waive` annotation of the object itself.
    Annotation,
}

impl WaiverSource {
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverSource::Policy => "policy",
            WaiverSource::Annotation => "annotation",
        }
    }
}

/// The waiver that suppressed a finding, as reports show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Suppression {
    pub source: WaiverSource,
    /// The rule reference(s) the waiver names.
    pub rule: String,
    pub reason: String,
    pub owner: Option<String>,
    pub expires: Option<Date>,
    /// Where the waiver is written (the policy file line), if in a file.
    pub location: Option<Location>,
}

impl Waiver {
    /// How reports show this waiver.
    pub fn suppression(&self, source_file: Option<&Arc<str>>) -> Suppression {
        Suppression {
            source: WaiverSource::Policy,
            rule: self.rule.clone(),
            reason: self.reason.clone(),
            owner: Some(self.owner.clone()),
            expires: Some(self.expires),
            location: source_file.map(|f| Location::at(f.clone(), self.pos, 1)),
        }
    }
}

impl InlineWaiver {
    pub fn suppression(&self) -> Suppression {
        Suppression {
            source: WaiverSource::Annotation,
            rule: self.refs.join(", "),
            reason: self.reason.clone().unwrap_or_default(),
            owner: None,
            expires: None,
            location: None,
        }
    }
}

/// A problem in a policy file, at a position.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyError {
    pub pos: Pos,
    pub message: String,
}

struct Reader {
    errors: Vec<PolicyError>,
}

impl Reader {
    fn err(&mut self, node_or_pos: Pos, message: impl Into<String>) {
        self.errors.push(PolicyError { pos: node_or_pos, message: message.into() });
    }

    /// The entries of a mapping, complaining about keys not in `known`.
    fn mapping<'a>(&mut self, node: &'a Node, what: &str, known: &[&str]) -> &'a [crate::Entry] {
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    if !known.contains(&e.key.as_str()) {
                        self.err(e.key_pos, format!("unknown key `{}` in {what} (expected one of: {})", e.key, known.join(", ")));
                    }
                }
                entries
            }
            Value::Null => &[],
            _ => {
                self.err(node.pos, format!("{what} must be a mapping"));
                &[]
            }
        }
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => Some(node.display_scalar()),
            _ => {
                self.err(node.pos, format!("{what} must be a string"));
                None
            }
        }
    }

    fn strings(&mut self, node: &Node, what: &str) -> Vec<String> {
        match &node.value {
            Value::Seq(items) => items.iter().filter_map(|i| self.string(i, what)).collect(),
            Value::Null => Vec::new(),
            _ => self.string(node, what).map(|s| s.split(',').map(|p| p.trim().to_string()).collect()).unwrap_or_default(),
        }
    }

    fn parsed<T: FromStr<Err = String>>(&mut self, node: &Node, what: &str) -> Option<T> {
        let text = self.string(node, what)?;
        text.parse().map_err(|e: String| self.err(node.pos, format!("{what}: {e}"))).ok()
    }

    fn bool(&mut self, node: &Node, what: &str) -> bool {
        node.as_bool().unwrap_or_else(|| {
            self.err(node.pos, format!("{what} must be true or false"));
            false
        })
    }
}

const TOP_KEYS: &[&str] = &[
    "framework", "pss-version", "select", "ignore", "fail-on", "severity", "registries", "namespaces", "secrets", "roster", "node",
    "waivers", "policies", "kubernetes-version",
];

impl Policy {
    /// Reads a policy from its YAML tree; every problem is reported with its position.
    /// `known_rule` says whether a rule reference names any rule (so typos are errors).
    /// `frameworks` are the names `framework` may take.
    pub fn from_node(root: &Node, known_rule: &dyn Fn(&str) -> bool, frameworks: &[&str]) -> Result<Policy, Vec<PolicyError>> {
        let mut r = Reader { errors: Vec::new() };
        let mut p = Policy::default();
        if !root.is_map() && !root.is_null() {
            r.err(root.pos, "a policy file must be a mapping (see `palisade policy init`)");
        }
        let check_refs = |r: &mut Reader, refs: &[String], pos: Pos, what: &str| {
            for reference in refs {
                if !known_rule(reference) {
                    r.err(pos, format!("{what}: `{reference}` names no rule ID, ID prefix, rule name or control"));
                }
            }
        };
        for e in r.mapping(root, "the policy file", TOP_KEYS) {
            let v = &e.value;
            match e.key.as_str() {
                "framework" => {
                    p.framework = r.string(v, "framework");
                    if let Some(fw) = p.framework.as_deref().filter(|fw| !frameworks.contains(fw)) {
                        r.err(v.pos, format!("unknown framework `{fw}` (expected one of: {})", frameworks.join(", ")));
                    }
                }
                "pss-version" => p.pss_version = r.parsed(v, "pss-version"),
                "select" => {
                    p.select = r.strings(v, "select");
                    check_refs(&mut r, &p.select, v.pos, "select");
                }
                "ignore" => {
                    p.ignore = r.strings(v, "ignore");
                    check_refs(&mut r, &p.ignore, v.pos, "ignore");
                }
                "fail-on" => p.fail_on = r.parsed(v, "fail-on"),
                "severity" => {
                    let entries = match &v.value {
                        Value::Map(entries) => entries.as_slice(),
                        _ => {
                            r.err(v.pos, "severity must map rule references to severities (POD021: low)");
                            &[]
                        }
                    };
                    for s in entries {
                        check_refs(&mut r, std::slice::from_ref(&s.key), s.key_pos, "severity");
                        if let Some(sev) = r.parsed(&s.value, &format!("severity of {}", s.key)) {
                            p.severity.push((s.key.clone(), sev));
                        }
                    }
                }
                "registries" => p.settings.allowed_registries = r.strings(v, "registries"),
                "roster" => p.roster_path = r.string(v, "roster"),
                "policies" => p.policies = r.strings(v, "policies"),
                // YAML reads an unquoted 1.30 as the number 1.3.
                "kubernetes-version" if matches!(v.value, Value::Float(_)) => r.err(v.pos, "kubernetes-version: quote it (\"1.30\"): YAML reads an unquoted 1.30 as the number 1.3"),
                "kubernetes-version" => p.kubernetes_version = r.parsed(v, "kubernetes-version"),
                "namespaces" => {
                    for n in r.mapping(v, "namespaces", &["pss-level"]) {
                        if let Some(level) = r.parsed(&n.value, "namespaces.pss-level") {
                            p.settings.namespace_level = level;
                        }
                    }
                }
                "node" => {
                    for n in r.mapping(v, "node", &["services"]) {
                        p.settings.node_services = r.strings(&n.value, "node.services");
                    }
                }
                "secrets" => {
                    for s in r.mapping(v, "secrets", &["require-vault", "max-age"]) {
                        match s.key.as_str() {
                            "require-vault" => p.settings.require_vault = r.bool(&s.value, "secrets.require-vault"),
                            _ => {
                                if let Some(text) = r.string(&s.value, "secrets.max-age") {
                                    match parse_days(&text) {
                                        Ok(days) => p.settings.secret_max_age_days = Some(days),
                                        Err(e) => r.err(s.value.pos, format!("secrets.max-age: {e}")),
                                    }
                                }
                            }
                        }
                    }
                }
                "waivers" => {
                    for (i, w) in v.items().iter().enumerate() {
                        if let Some(waiver) = read_waiver(&mut r, w, i) {
                            check_refs(&mut r, std::slice::from_ref(&waiver.rule), w.pos, &format!("waivers[{i}].rule"));
                            p.waivers.push(waiver);
                        }
                    }
                    if !matches!(v.value, Value::Seq(_) | Value::Null) {
                        r.err(v.pos, "waivers must be a list");
                    }
                }
                _ => {}
            }
        }
        if r.errors.is_empty() {
            Ok(p)
        } else {
            r.errors.sort_by_key(|e| (e.pos.line, e.pos.col));
            Err(r.errors)
        }
    }

    /// The severity a finding of `rule` gets under this policy.
    pub fn severity_for(&self, rule: &RuleMeta, controls: &[&str], default: Severity) -> Severity {
        self.severity
            .iter()
            .rev()
            .find(|(reference, _)| rule_ref_matches(reference, rule, controls))
            .map(|(_, s)| *s)
            .unwrap_or(default)
    }
}

fn read_waiver(r: &mut Reader, node: &Node, i: usize) -> Option<Waiver> {
    let what = format!("waivers[{i}]");
    let (mut rule, mut reason, mut owner, mut expires) = (None, None, None, None);
    let mut expires_pos = node.pos;
    let mut expires_given = false;
    let mut matcher = WaiverMatch::default();
    for e in r.mapping(node, &what, &["rule", "match", "reason", "owner", "expires"]) {
        let v = &e.value;
        match e.key.as_str() {
            "rule" => rule = r.string(v, &format!("{what}.rule")),
            "reason" => reason = r.string(v, &format!("{what}.reason")).filter(|s| !s.trim().is_empty()),
            "owner" => owner = r.string(v, &format!("{what}.owner")).filter(|s| !s.trim().is_empty()),
            "expires" => {
                expires = r.parsed(v, &format!("{what}.expires"));
                expires_pos = v.pos;
                expires_given = true;
            }
            "match" => {
                for m in r.mapping(v, &format!("{what}.match"), &["kind", "namespace", "name", "labels"]) {
                    let field = format!("{what}.match.{}", m.key);
                    match m.key.as_str() {
                        "kind" => matcher.kind = r.string(&m.value, &field),
                        "namespace" => matcher.namespace = r.string(&m.value, &field),
                        "name" => matcher.name = r.string(&m.value, &field),
                        "labels" => {
                            let Value::Map(labels) = &m.value.value else {
                                r.err(m.value.pos, format!("{field} must map label keys to value globs"));
                                continue;
                            };
                            for l in labels {
                                if let Some(value) = r.string(&l.value, &format!("{field}.{}", l.key)) {
                                    matcher.labels.push((l.key.clone(), value));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let mut missing = Vec::new();
    if rule.is_none() {
        missing.push("rule");
    }
    if reason.is_none() {
        missing.push("reason");
    }
    if owner.is_none() {
        missing.push("owner");
    }
    if !expires_given {
        missing.push("expires");
    }
    if !missing.is_empty() {
        r.err(node.pos, format!("{what} needs {} (every waiver names a rule, a reason, an owner and an expiry date)", missing.join(", ")));
    }
    if !missing.is_empty() || expires.is_none() {
        return None;
    }
    Some(Waiver {
        rule: rule?,
        matcher,
        reason: reason?,
        owner: owner?,
        expires: expires?,
        pos: node.pos,
        expires_pos,
        used: AtomicUsize::new(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_validate_and_convert() {
        assert_eq!("2027-03-31".parse::<Date>().unwrap(), Date { year: 2027, month: 3, day: 31 });
        assert!("2027-02-29".parse::<Date>().is_err());
        assert!("2028-02-29".parse::<Date>().is_ok());
        assert!("2027-3-31".parse::<Date>().is_err());
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(20_418).to_string(), "2025-11-26");
        assert_eq!(Date::from_unix_days(-1).to_string(), "1969-12-31");
        for days in [-800_000, -1, 0, 59, 60, 20_418, 1_000_000] {
            assert_eq!(Date::from_unix_days(days).unix_days(), days);
        }
        assert_eq!(Date::of_timestamp("2025-11-26T10:00:00Z").unwrap().unix_days(), 20_418);
        assert_eq!(parse_days("90d"), Ok(90));
        assert_eq!(parse_days("12w"), Ok(84));
        assert!(parse_days("3 months").is_err());
    }

    #[test]
    fn rosters_from_csv() {
        let r = Roster::from_csv("Type,Email\nuser,alice@example.com\ngroup,devs\n\n").unwrap();
        assert!(r.users.contains("alice@example.com") && r.groups.contains("devs"));
        let r = Roster::from_csv("user,bob\ngroup,ops\n").unwrap();
        assert_eq!((r.users.len(), r.groups.len()), (1, 1));
        assert!(Roster::from_csv("robot,x").unwrap_err().contains("line 1"));
    }

    #[test]
    fn globs() {
        assert!(glob_match("old-*", "old-api"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c*", "abcdef"));
        assert!(!glob_match("old-*", "new-old-api"));
        assert!(glob_match("*-api-*", "x-api-y"));
        assert!(!glob_match("web", "web2"));
    }
}
