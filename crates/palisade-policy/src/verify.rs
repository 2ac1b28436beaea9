//! gator `verify` suites (`kind: Suite`, `test.gatekeeper.sh/v1alpha1`), the format the
//! Gatekeeper library ships: each test names a template and a constraint; each case an
//! object to review (or an `AdmissionReview`), inventory files, and assertions — `violations`
//! `yes`, `no` or a count, of those whose message matches `message` (a regular expression)
//! when given. Every engine a template carries (CEL and Rego) is run, and a case passes only
//! when each of them meets every assertion: templates that carry both must agree.

use crate::gatekeeper::{Constraint, Engine, GATOR_POINT};
use crate::inventory::Inventory;
use crate::load::{build, read_docs, Doc};
use palisade_core::{Node, Object, Request, Target};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One case's result.
pub struct CaseResult {
    pub test: String,
    pub case: String,
    /// `None` for a pass; why it failed otherwise.
    pub failure: Option<String>,
    pub skipped: bool,
}

/// One suite file's results.
pub struct SuiteResult {
    pub path: PathBuf,
    pub cases: Vec<CaseResult>,
    /// A problem with the suite itself (unreadable, not a Suite).
    pub error: Option<String>,
}

fn s<'a>(n: &'a Node, key: &str) -> Option<&'a str> {
    n.get(key).and_then(Node::as_str)
}

/// Runs every suite file under `path` (a file, or a directory searched for `suite.yaml`
/// and other `kind: Suite` files).
pub fn run(path: &Path) -> Vec<SuiteResult> {
    let files = match crate::load::files(path) {
        Ok(f) => f,
        Err(e) => return vec![SuiteResult { path: path.into(), cases: Vec::new(), error: Some(e) }],
    };
    let mut out = Vec::new();
    for file in files {
        // In a directory, only suite files are read (templates and samples are read by them).
        if path.is_dir() && !std::fs::read_to_string(&file).is_ok_and(|t| t.lines().any(|l| l.trim_end() == "kind: Suite")) {
            continue;
        }
        let docs = match read_docs(std::slice::from_ref(&file)) {
            Ok(d) => d,
            Err(e) => {
                out.push(SuiteResult { path: file, cases: Vec::new(), error: Some(e.join("; ")) });
                continue;
            }
        };
        let suites: Vec<&Doc> = docs.iter().filter(|d| s(&d.root, "kind") == Some("Suite")).collect();
        if suites.is_empty() {
            if !path.is_dir() {
                out.push(SuiteResult { path: file, cases: Vec::new(), error: Some("not a gator Suite (kind: Suite)".into()) });
            }
            continue;
        }
        let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut cases = Vec::new();
        for suite in suites {
            for test in suite.root.get("tests").map(Node::items).unwrap_or(&[]) {
                cases.extend(run_test(&dir, test));
            }
        }
        out.push(SuiteResult { path: file, cases, error: None });
    }
    out
}

fn run_test(dir: &Path, test: &Node) -> Vec<CaseResult> {
    let name = s(test, "name").unwrap_or("").to_string();
    let cases = test.get("cases").map(Node::items).unwrap_or(&[]);
    let result = |case: &Node, failure: Option<String>, skipped: bool| CaseResult { test: name.clone(), case: s(case, "name").unwrap_or("").to_string(), failure, skipped };
    if test.get("skip").and_then(Node::as_bool) == Some(true) {
        return cases.iter().map(|c| result(c, None, true)).collect();
    }
    let (Some(template), Some(constraint)) = (s(test, "template"), s(test, "constraint")) else {
        return vec![CaseResult { test: name, case: String::new(), failure: Some("a test needs `template` and `constraint`".into()), skipped: false }];
    };
    let policy_docs = match read_docs(&[dir.join(template), dir.join(constraint)]) {
        Ok(d) => d,
        Err(e) => return vec![CaseResult { test: name, case: String::new(), failure: Some(e.join("; ")), skipped: false }],
    };
    cases
        .iter()
        .map(|case| {
            if case.get("skip").and_then(Node::as_bool) == Some(true) {
                return result(case, None, true);
            }
            result(case, run_case(dir, &policy_docs, case).err(), false)
        })
        .collect()
}

fn run_case(dir: &Path, policy_docs: &[Doc], case: &Node) -> Result<(), String> {
    let object = s(case, "object").ok_or("a case needs `object`")?;
    let assertions = case.get("assertions").map(Node::items).unwrap_or(&[]);
    if assertions.is_empty() {
        return Err("a case needs at least one assertion".into());
    }
    let inventory = Arc::new(Inventory::default());
    let inv_files: Vec<PathBuf> = case.get("inventory").map(Node::items).unwrap_or(&[]).iter().filter_map(Node::as_str).map(|p| dir.join(p)).collect();
    for d in read_docs(&inv_files).map_err(|e| e.join("; "))? {
        inventory.add(&d.root);
    }
    let set = build(policy_docs, inventory, None).map_err(|e| e.join("; "))?;
    let constraint = set.constraints.first().ok_or("the constraint file holds no constraint")?;
    let docs = read_docs(&[dir.join(object)]).map_err(|e| e.join("; "))?;
    let [doc] = docs.as_slice() else { return Err(format!("{object} defines {} objects; a case reviews one", docs.len())) };
    let mut failures = Vec::new();
    for engine in constraint.template.engines() {
        let messages = review(constraint, &doc.root, engine)?;
        for a in assertions {
            if let Err(e) = assert(a, &messages) {
                failures.push(format!("{}: {e}", match engine { Engine::Rego => "Rego", Engine::Cel => "CEL" }));
            }
        }
    }
    if failures.is_empty() { Ok(()) } else { Err(failures.join("; ")) }
}

/// The violations' messages for one reviewed document.
fn review(constraint: &Constraint, root: &Node, engine: Engine) -> Result<Vec<String>, String> {
    let is_review = s(root, "kind") == Some("AdmissionReview") && s(root, "apiVersion").is_some_and(|v| v.starts_with("admission.k8s.io/"));
    let (request, node) = if is_review {
        let r = root.get("request").filter(|r| r.is_map()).ok_or("the AdmissionReview has no request")?;
        let req = Request::from_review(r);
        let node = r.get("object").filter(|o| o.is_map()).or(req.old_object.as_ref()).ok_or("the AdmissionRequest has no object or oldObject to review")?.clone();
        (Some(req), node)
    } else {
        (None, root.clone())
    };
    let object = Object::from_node(&node)?;
    let mut target = Target::new(object);
    target.request = request.as_ref();
    if constraint.enforcement.at(GATOR_POINT).is_none() || !constraint.matcher.matches(&target, &constraint.inventory) {
        return Ok(Vec::new());
    }
    constraint.judge(&target, engine)
}

/// Checks one assertion against the messages.
fn assert(a: &Node, messages: &[String]) -> Result<(), String> {
    let pattern = a.get("message").and_then(Node::as_str);
    let re = pattern.map(regex::Regex::new).transpose().map_err(|e| format!("invalid message pattern: {e}"))?;
    let matching = messages.iter().filter(|m| re.as_ref().is_none_or(|re| re.is_match(m))).count();
    let containing = pattern.map(|p| format!(" matching {p:?}")).unwrap_or_default();
    let got = || format!("got {matching} violations{containing} (messages: {messages:?})");
    match a.get("violations").map(|v| &v.value) {
        None => (matching > 0).then_some(()).ok_or_else(|| format!("{} but want at least 1", got())),
        Some(palisade_core::Value::Int(n)) if *n >= 0 => (matching as i64 == *n).then_some(()).ok_or_else(|| format!("{} but want exactly {n}", got())),
        Some(palisade_core::Value::Str(v)) if v == "yes" => (matching > 0).then_some(()).ok_or_else(|| format!("{} but want at least 1", got())),
        Some(palisade_core::Value::Str(v)) if v == "no" => (matching == 0).then_some(()).ok_or_else(|| format!("{} but want none", got())),
        // YAML 1.1 reads a bare yes/no as a boolean.
        Some(palisade_core::Value::Bool(true)) => (matching > 0).then_some(()).ok_or_else(|| format!("{} but want at least 1", got())),
        Some(palisade_core::Value::Bool(false)) => (matching == 0).then_some(()).ok_or_else(|| format!("{} but want none", got())),
        Some(_) => Err("`violations` must be a non-negative integer, yes or no".into()),
    }
}
