//! Reading policies: files and directories of YAML or JSON holding ConstraintTemplates,
//! Constraints, ValidatingAdmissionPolicies, their bindings and parameter objects, in any
//! order. Every problem — a broken template, a Rego or CEL compile error, a constraint of an
//! unknown kind, a binding of an unknown policy, an object that is none of these — is an
//! error naming the file and line, and nothing is loaded.

use crate::gatekeeper::{Constraint, Engine, Enforcement, Match, Rego, Template};
use crate::inventory::Inventory;
use crate::vap::{Binding, CelChecks, Policy};
use palisade_core::{Node, RuleMeta, Severity};
use palisade_rules::check::Rule;
use palisade_source::{Document, Limits};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The loaded policies.
pub struct PolicySet {
    pub templates: Vec<Arc<Template>>,
    pub constraints: Vec<Constraint>,
    pub policies: Vec<Policy>,
    pub inventory: Arc<Inventory>,
}

impl PolicySet {
    /// Whether nothing was loaded.
    pub fn is_empty(&self) -> bool {
        self.constraints.is_empty() && self.policies.is_empty()
    }

    /// The constraints and policies as engine rules, kept for the process.
    pub fn into_rules(self) -> Vec<&'static dyn Rule> {
        let mut out: Vec<&'static dyn Rule> = Vec::new();
        for c in self.constraints {
            out.push(Box::leak(Box::new(c)));
        }
        for p in self.policies {
            out.push(Box::leak(Box::new(p)));
        }
        out
    }
}

/// The files under `path`: itself, or the YAML and JSON files below a directory, sorted.
pub fn files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "yaml" | "yml" | "json")) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A document read from a file, for error messages.
pub struct Doc {
    pub file: String,
    pub root: Node,
}

impl Doc {
    pub fn at(&self, node: &Node, message: impl std::fmt::Display) -> String {
        format!("{}:{}: {message}", self.file, node.pos.line)
    }

    fn str(&self, path: &[&str]) -> Option<&str> {
        let mut n = &self.root;
        for k in path {
            n = n.get(k)?;
        }
        n.as_str()
    }

    fn api_version(&self) -> &str {
        self.str(&["apiVersion"]).unwrap_or("")
    }

    fn kind(&self) -> &str {
        self.str(&["kind"]).unwrap_or("")
    }

    fn name(&self) -> &str {
        self.str(&["metadata", "name"]).unwrap_or("")
    }
}

/// Reads every document of the files (and directories) given.
pub fn read_docs(paths: &[PathBuf]) -> Result<Vec<Doc>, Vec<String>> {
    let (mut docs, mut errors) = (Vec::new(), Vec::new());
    for path in paths {
        let list = match files(path) {
            Ok(l) => l,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        for file in list {
            let name = file.display().to_string();
            let bytes = match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(format!("{name}: cannot read: {e}"));
                    continue;
                }
            };
            for d in Document::load_all(&bytes, &Limits::default()) {
                match d {
                    Ok(d) if d.root.is_null() => {}
                    Ok(d) => docs.push(Doc { file: name.clone(), root: d.root }),
                    Err(e) => errors.push(format!("{name}:{}:{}: {}", e.line, e.col, e.message)),
                }
            }
        }
    }
    if errors.is_empty() { Ok(docs) } else { Err(errors) }
}

/// `palisade.io/severity` on an object, if set.
pub fn severity_annotation(n: &Node) -> Result<Option<Severity>, String> {
    n.get("metadata").and_then(|m| m.get("annotations")).and_then(|a| a.get("palisade.io/severity")).and_then(Node::as_str).map(|s| s.parse::<Severity>()).transpose()
}

/// Loads the policies in `paths`, their CEL compiled for API servers of 1.`kubernetes`
/// (`None`: the newest Palisade knows), and the inventory objects in `inventory`.
pub fn load(paths: &[PathBuf], inventory: &[PathBuf], kubernetes: Option<u32>) -> Result<PolicySet, Vec<String>> {
    let docs = read_docs(paths)?;
    let inv = Arc::new(Inventory::default());
    for d in read_docs(inventory)? {
        inv.add(&d.root);
    }
    build(&docs, inv, kubernetes)
}

/// Builds the policies from documents already read (CEL for API servers of 1.`kubernetes`).
pub fn build(docs: &[Doc], inventory: Arc<Inventory>, kubernetes: Option<u32>) -> Result<PolicySet, Vec<String>> {
    let mut errors = Vec::new();
    let mut templates: Vec<Arc<Template>> = Vec::new();
    let mut policies: Vec<Policy> = Vec::new();
    let is = |d: &Doc, group: &str, kind: Option<&str>| d.api_version().starts_with(group) && kind.is_none_or(|k| d.kind() == k);
    for d in docs.iter().filter(|d| is(d, "templates.gatekeeper.sh/", Some("ConstraintTemplate"))) {
        match template(d, inventory.clone(), kubernetes) {
            Ok(t) => templates.push(Arc::new(t)),
            Err(e) => errors.push(e),
        }
    }
    for d in docs.iter().filter(|d| is(d, "admissionregistration.k8s.io/", Some("ValidatingAdmissionPolicy"))) {
        match Policy::read(&d.root, inventory.clone(), kubernetes) {
            Ok(p) => policies.push(p),
            Err((line, e)) => errors.push(format!("{}:{line}: ValidatingAdmissionPolicy {}: {e}", d.file, d.name())),
        }
    }
    let mut constraints = Vec::new();
    for d in docs {
        if is(d, "templates.gatekeeper.sh/", Some("ConstraintTemplate")) || is(d, "admissionregistration.k8s.io/", Some("ValidatingAdmissionPolicy")) {
            continue;
        }
        if is(d, "constraints.gatekeeper.sh/", None) {
            match templates.iter().find(|t| t.kind == d.kind()) {
                None => errors.push(d.at(&d.root, format!("constraint {} is of kind {}, and no loaded ConstraintTemplate defines it", d.name(), d.kind()))),
                Some(t) => match constraint(d, t.clone(), inventory.clone()) {
                    Ok(c) => constraints.push(c),
                    Err(e) => errors.push(e),
                },
            }
        } else if is(d, "admissionregistration.k8s.io/", Some("ValidatingAdmissionPolicyBinding")) {
            let policy = d.str(&["spec", "policyName"]).unwrap_or("");
            match (policies.iter_mut().find(|p| p.name == policy), Binding::read(&d.root)) {
                (_, Err(e)) => errors.push(d.at(&d.root, format!("binding {}: {e}", d.name()))),
                (None, _) => errors.push(d.at(&d.root, format!("binding {} binds policy {policy:?}, which is not loaded", d.name()))),
                (Some(p), Ok(b)) => {
                    if b.reads_namespaces() {
                        inventory.want(crate::inventory::Wants { namespaces: true, ..Default::default() });
                    }
                    p.bindings.push(b)
                }
            }
        } else if let Some(p) = policies.iter_mut().find(|p| p.takes_params(&d.root)) {
            p.params.push(Arc::new(d.root.clone()));
            // Other policies may take the same kind.
        } else {
            errors.push(d.at(&d.root, format!(
                "{} {} is not a policy, a binding or a parameter object of a loaded policy (objects to judge are inputs; objects that exist in the cluster go in --inventory)",
                d.kind(),
                d.name()
            )));
        }
    }
    // A parameter object can serve several policies of the same paramKind.
    let params: Vec<Arc<Node>> = policies.iter().flat_map(|p| p.params.clone()).collect();
    for p in policies.iter_mut() {
        for n in &params {
            if p.takes_params(n) && !p.params.iter().any(|x| Arc::ptr_eq(x, n)) {
                p.params.push(n.clone());
            }
        }
    }
    if errors.is_empty() {
        Ok(PolicySet { templates, constraints, policies, inventory })
    } else {
        Err(errors)
    }
}

/// Reads a ConstraintTemplate: its kind, and its Rego (`targets[].rego` and `libs`, or a
/// `code` entry of engine `Rego`) and CEL (`code` entry of engine `K8sNativeValidation`).
fn template(d: &Doc, inventory: Arc<Inventory>, kubernetes: Option<u32>) -> Result<Template, String> {
    let root = &d.root;
    let name = d.name().to_string();
    let kind = d.str(&["spec", "crd", "spec", "names", "kind"]).ok_or_else(|| d.at(root, format!("ConstraintTemplate {name}: `spec.crd.spec.names.kind` is missing")))?.to_string();
    if name != kind.to_ascii_lowercase() {
        return Err(d.at(root, format!("ConstraintTemplate {name}: its name must be its kind in lower case ({})", kind.to_ascii_lowercase())));
    }
    let targets = root.get("spec").and_then(|s| s.get("targets")).map(Node::items).unwrap_or(&[]);
    let target = match targets {
        [t] => t,
        [] => return Err(d.at(root, format!("ConstraintTemplate {name}: no `spec.targets`"))),
        _ => return Err(d.at(root, format!("ConstraintTemplate {name}: exactly one target is supported (admission.k8s.gatekeeper.sh)"))),
    };
    if let Some(t) = target.get("target").and_then(Node::as_str).filter(|t| *t != "admission.k8s.gatekeeper.sh") {
        return Err(d.at(target, format!("ConstraintTemplate {name}: target {t:?} is not admission.k8s.gatekeeper.sh")));
    }
    // (the Rego's node, the libs' nodes, Rego v1)
    let mut rego_src: Option<(&Node, Vec<&Node>, bool)> = target.get("rego").map(|r| (r, target.get("libs").map(|l| l.items().iter().collect()).unwrap_or_default(), false));
    let mut cel = None;
    for code in target.get("code").map(Node::items).unwrap_or(&[]) {
        let source = code.get("source");
        match code.get("engine").and_then(Node::as_str) {
            Some("Rego") => {
                let Some(r) = source.and_then(|s| s.get("rego")) else { return Err(d.at(code, format!("ConstraintTemplate {name}: Rego code without `source.rego`"))) };
                let libs = source.and_then(|s| s.get("libs")).map(|l| l.items().iter().collect()).unwrap_or_default();
                let v1 = source.and_then(|s| s.get("version")).and_then(Node::as_str) == Some("v1");
                rego_src = Some((r, libs, v1));
            }
            Some("K8sNativeValidation") => {
                let Some(s) = source else { return Err(d.at(code, format!("ConstraintTemplate {name}: K8sNativeValidation without `source`"))) };
                let checks = CelChecks::read(s, kubernetes).map_err(|(line, e)| format!("{}:{line}: ConstraintTemplate {name}: CEL: {e}", d.file))?;
                inventory.want(checks.wants());
                cel = Some(checks);
            }
            other => return Err(d.at(code, format!("ConstraintTemplate {name}: unknown engine {:?} (Rego or K8sNativeValidation)", other.unwrap_or("")))),
        }
    }
    let rego_src_reads_inventory = rego_src.as_ref().is_some_and(|(r, libs, _)| std::iter::once(r).chain(libs).any(|n| n.as_str().unwrap_or("").contains("data.inventory")));
    let rego = match rego_src {
        None => None,
        Some((r, libs, v1)) => {
            let mut nodes = vec![r];
            nodes.extend(libs);
            let sources: Vec<(String, &str)> = nodes.iter().enumerate().map(|(i, n)| (format!("{name}-{i}.rego"), n.as_str().unwrap_or(""))).collect();
            let v1 = v1 || sources[0].1.lines().any(|l| l.trim() == "import rego.v1");
            Some(Rego::compile(&sources, v1, inventory.clone()).map_err(|(i, line, e)| {
                // A block scalar's text starts on the line after its key.
                let at = nodes[i].pos.line + line;
                format!("{}:{at}: ConstraintTemplate {name}: Rego: {e}", d.file)
            })?)
        }
    };
    if rego.is_none() && cel.is_none() {
        return Err(d.at(target, format!("ConstraintTemplate {name}: no Rego and no K8sNativeValidation code")));
    }
    let description = d.str(&["metadata", "annotations", "description"]).unwrap_or("").trim().to_string();
    if rego_src_reads_inventory {
        inventory.want(sync_wants(d));
    }
    Ok(Template { name, description, kind, rego, cel })
}

/// What a referential template needs synced: the kinds of its
/// `metadata.gatekeeper.sh/requires-sync-data` annotation (`[[{"groups": [...], "kinds":
/// [...]}]]`), or everything when it does not say.
fn sync_wants(d: &Doc) -> crate::inventory::Wants {
    let annotation = d.str(&["metadata", "annotations", "metadata.gatekeeper.sh/requires-sync-data"]);
    let parsed: Option<serde_json::Value> = annotation.and_then(|a| serde_json::from_str(a).ok());
    let mut kinds = Vec::new();
    for entry in parsed.iter().flat_map(|v| v.as_array().into_iter().flatten()).flat_map(|v| v.as_array().into_iter().flatten()) {
        let list = |key: &str| entry.get(key).and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect::<Vec<_>>()).unwrap_or_default();
        for g in list("groups") {
            for k in list("kinds") {
                kinds.push((g.clone(), k));
            }
        }
    }
    crate::inventory::Wants { namespaces: false, everything: kinds.is_empty(), kinds }
}

/// Reads a Constraint of a loaded template.
fn constraint(d: &Doc, template: Arc<Template>, inventory: Arc<Inventory>) -> Result<Constraint, String> {
    let root = &d.root;
    let name = d.name().to_string();
    if name.is_empty() {
        return Err(d.at(root, format!("a {} constraint without `metadata.name`", template.kind)));
    }
    let spec = root.get("spec");
    let err = |e: String| d.at(spec.unwrap_or(root), format!("constraint {name}: {e}"));
    let matcher = Match::read(spec.and_then(|s| s.get("match"))).map_err(err)?;
    if matcher.reads_namespaces() {
        inventory.want(crate::inventory::Wants { namespaces: true, ..Default::default() });
    }
    let enforcement = Enforcement::read(spec).map_err(err)?;
    let severity = severity_annotation(root).map_err(err)?;
    let parameters = spec.and_then(|s| s.get("parameters")).map(crate::value::json).unwrap_or_else(|| serde_json::json!({}));
    let id = format!("gatekeeper:{}/{name}", template.kind);
    let meta: &'static RuleMeta = RuleMeta::user(&id, Severity::High, &format!("Gatekeeper constraint {name} of template {}", template.name), &template.description);
    let engine = if template.rego.is_some() { Engine::Rego } else { Engine::Cel };
    let rego_parameters = crate::value::rego_json(&parameters);
    let cel_params = crate::value::cel_json(&serde_json::json!({"spec": {"parameters": parameters}}));
    Ok(Constraint { meta, name, template, matcher, rego_parameters, cel_params, enforcement, severity, inventory, engine })
}
