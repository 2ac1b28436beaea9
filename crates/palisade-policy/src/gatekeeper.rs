//! Gatekeeper: a ConstraintTemplate's code (Rego, run by `regorus` in Rego v0 syntax as
//! Gatekeeper reads it, with the template's `libs`; or CEL in a `K8sNativeValidation` block)
//! and each Constraint of its kind as one rule. The review is built as Gatekeeper builds it
//! (`input.review` with kind, name, namespace, operation, userInfo, object, oldObject;
//! `input.parameters`; `data.inventory`), the constraint's `match` is Gatekeeper's, and its
//! enforcement action (`deny`, `warn`, `dryrun`, or `scoped` per enforcement point) becomes
//! the finding's action.

use crate::inventory::Inventory;
use crate::vap::{CelChecks, CelInput};
use crate::value;
use palisade_analysis::selector::{labels_of, Selector};
use palisade_core::{Context, Described, Node, RuleMeta, Severity, Target, Violation};
use palisade_rules::check::Check;
use std::sync::{Arc, Mutex};

/// Which code of a template runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Rego,
    Cel,
}

/// A template's Rego: compiled once; each thread of evaluation takes an engine from the pool.
pub struct Rego {
    package: String,
    base: regorus::Engine,
    pool: Mutex<Vec<(regorus::Engine, u64)>>,
    inventory: Arc<Inventory>,
}

impl Rego {
    /// Compiles a template's Rego and libs; an error carries the Rego line it is at (1-based
    /// within `sources[i]`) and which source.
    pub fn compile(sources: &[(String, &str)], v1: bool, inventory: Arc<Inventory>) -> Result<Rego, (usize, u32, String)> {
        let mut engine = regorus::Engine::new();
        engine.set_rego_v0(!v1);
        engine.set_strict_builtin_errors(false);
        let mut package = String::new();
        for (i, (name, text)) in sources.iter().enumerate() {
            match engine.add_policy(name.clone(), hoist_negated_arguments(&pad_sprintf(&split_bodies(&separate_lines(text))))) {
                Ok(p) if i == 0 => package = p.trim_start_matches("data.").to_string(),
                Ok(_) => {}
                Err(e) => {
                    let text = e.to_string();
                    // regorus names the place as `--> file:line:column`.
                    let line = text.split("--> ").nth(1).and_then(|at| at.split(':').nth(1)).and_then(|l| l.trim().parse().ok()).unwrap_or(1);
                    let what = text.lines().find(|l| l.starts_with("error:")).unwrap_or(text.lines().next().unwrap_or("")).trim_start_matches("error: ").to_string();
                    return Err((i, line, what));
                }
            }
        }
        Ok(Rego { package, base: engine, pool: Mutex::new(Vec::new()), inventory })
    }

    /// The violations' messages for one input.
    pub fn violations(&self, input: regorus::Value) -> Result<Vec<String>, String> {
        let generation = self.inventory.generation();
        let taken = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut engine = match taken {
            Some((e, g)) if g == generation => e,
            _ => {
                let mut e = self.base.clone();
                let (data, _) = self.inventory.data();
                e.add_data(value::rego_json(&serde_json::json!({ "inventory": data }))).map_err(|e| e.to_string())?;
                e
            }
        };
        engine.set_input(input);
        let result = engine.eval_rule(format!("data.{}.violation", self.package));
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).push((engine, generation));
        let result = result.map_err(|e| e.to_string())?;
        let json: serde_json::Value = serde_json::from_str(&result.to_json_str().map_err(|e| e.to_string())?).unwrap_or_default();
        Ok(json
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| match v.get("msg") {
                Some(serde_json::Value::String(m)) => m.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            })
            .collect())
    }
}

/// Rego ends an expression at a line's end; `regorus` reads a line that opens with `(` as
/// the arguments of a call on the line before (`x.y` ⏎ `(a - b) >= c`). Such lines get an
/// explicit `;` first, which keeps OPA's meaning and every line number.
fn separate_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut previous_ends_term = false;
    for line in text.split_inclusive('\n') {
        let code = line.split('#').next().unwrap_or("").trim();
        if code.starts_with('(') && previous_ends_term {
            let indent = line.len() - line.trim_start().len();
            out.push_str(&line[..indent]);
            out.push_str("; ");
            out.push_str(&line[indent..]);
        } else {
            out.push_str(line);
        }
        if !code.is_empty() {
            previous_ends_term = code.ends_with(|c: char| c.is_alphanumeric() || matches!(c, '_' | ']' | ')' | '"'));
        }
    }
    out
}

/// OPA reads `head { body } { body }` as one head with several bodies (either may hold);
/// `regorus` refuses it. Each further body gets the head again, on the same line (so line
/// numbers stay): `} head {`.
fn split_bodies(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut head: Option<&str> = None;
    for line in text.split_inclusive('\n') {
        let code = line.split('#').next().unwrap_or("").trim_end();
        let starts_rule = !line.starts_with(char::is_whitespace) && code.ends_with('{') && !code.starts_with(['}', '#']) && !code.starts_with("package") && !code.starts_with("import");
        if starts_rule {
            head = Some(code.trim_end_matches('{').trim_end());
        } else if !line.starts_with(char::is_whitespace) && !code.is_empty() && !code.starts_with('}') {
            head = None;
        }
        match head.filter(|_| matches!(code.trim(), "} {" | "}{")) {
            Some(h) => {
                let indent = line.len() - line.trim_start().len();
                out.push_str(&line[..indent]);
                out.push_str("} ");
                out.push_str(h);
                out.push_str(" {");
                out.push_str(&line[line.trim_end_matches(['\n', '\r']).len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// OPA evaluates a reference passed to a negated call before the negation (`not f(x.y)` is
/// `v := x.y; not f(v)`), so an undefined `x.y` fails the body; `regorus` evaluates it inside,
/// where undefined makes `not` true. Such references are hoisted, on the same line.
fn hoist_negated_arguments(text: &str) -> String {
    static CALL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static REF: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let call = CALL.get_or_init(|| regex::Regex::new(r"^(\s*)not\s+([A-Za-z_][A-Za-z0-9_.]*)\((.*)\)\s*$").expect("valid"));
    let reference = REF.get_or_init(|| regex::Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$").expect("valid"));
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        let Some(c) = call.captures(body).filter(|c| matching_bracket(&format!("({})", &c[3])) == Some(c[3].len() + 1)) else {
            out.push_str(line);
            continue;
        };
        let args = &c[3];
        let parts = split_top_level(args);
        let mut hoisted = String::new();
        let mut new_args = Vec::new();
        for (k, a) in parts.iter().enumerate() {
            let a = a.trim();
            if reference.is_match(a) {
                let v = format!("__palisade_{n}_{k}");
                hoisted.push_str(&format!("{v} := {a}; "));
                new_args.push(v);
            } else {
                new_args.push(a.to_string());
            }
        }
        if hoisted.is_empty() {
            out.push_str(line);
            continue;
        }
        out.push_str(&format!("{}{hoisted}not {}({})", &c[1], &c[2], new_args.join(", ")));
        out.push_str(&line[body.len()..]);
    }
    out
}

/// Go's `Sprintf`, which OPA's `sprintf` is, prints `%!v(MISSING)` for a verb without an
/// argument; `regorus` fails the call instead (and the rule with it). A literal format with
/// more verbs than its literal argument array gets those arguments spelled out.
fn pad_sprintf(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("sprintf(\"") {
        let (before, call) = rest.split_at(at + "sprintf(".len());
        out.push_str(before);
        rest = call;
        // The format: a string literal, its escapes kept.
        let Some(end) = literal_end(call) else { continue };
        let format = &call[1..end];
        let verbs = format.matches('%').count() - 2 * format.matches("%%").count();
        let after = &call[end + 1..];
        let Some(open) = after.find('[').filter(|i| after[..*i].trim() == ",") else { continue };
        let Some(close) = matching_bracket(&after[open..]) else { continue };
        let items = &after[open + 1..open + close];
        let given = if items.trim().is_empty() { 0 } else { split_top_level(items).len() };
        if verbs > given {
            let missing = vec!["\"%!v(MISSING)\""; verbs - given].join(", ");
            out.push_str(&call[..end + 1 + open + close]);
            out.push_str(if given == 0 { "" } else { ", " });
            out.push_str(&missing);
            rest = &call[end + 1 + open + close..];
        }
    }
    out.push_str(rest);
    out
}

/// Where the string literal at the start of `s` ends (the index of its closing quote).
fn literal_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            b'\n' => return None,
            _ => i += 1,
        }
    }
    None
}

/// The characters of Rego text `s` outside string literals, each with its bracket depth (an
/// opening bracket at the depth it opens, a closing one at the depth it closes).
fn outside_strings(s: &str) -> impl Iterator<Item = (usize, char, i32)> + '_ {
    let (mut depth, mut in_string, mut escaped) = (0i32, false, false);
    s.char_indices().filter_map(move |(i, c)| {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            return None;
        }
        match c {
            '"' => {
                in_string = true;
                None
            }
            '[' | '(' | '{' => {
                depth += 1;
                Some((i, c, depth))
            }
            ']' | ')' | '}' => {
                depth -= 1;
                Some((i, c, depth + 1))
            }
            _ => Some((i, c, depth)),
        }
    })
}

/// The index of the bracket closing the one at the start of `s`.
fn matching_bracket(s: &str) -> Option<usize> {
    outside_strings(s).find(|&(_, c, depth)| matches!(c, ']' | ')' | '}') && depth == 1).map(|(i, ..)| i)
}

/// `s` split at its commas outside brackets and strings (a call's arguments, a list's items).
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, ..) in outside_strings(s).filter(|&(_, c, depth)| c == ',' && depth == 0) {
        parts.push(&s[start..i]);
        start = i + 1;
    }
    parts.push(&s[start..]);
    parts
}

/// A ConstraintTemplate.
pub struct Template {
    pub name: String,
    /// Its `description` annotation (Gatekeeper library templates carry one).
    pub description: String,
    /// The constraint kind it defines.
    pub kind: String,
    pub rego: Option<Rego>,
    pub cel: Option<CelChecks>,
}

impl Template {
    /// The engines this template carries, CEL first as Gatekeeper prefers it.
    pub fn engines(&self) -> Vec<Engine> {
        let mut e = Vec::new();
        if self.cel.is_some() {
            e.push(Engine::Cel);
        }
        if self.rego.is_some() {
            e.push(Engine::Rego);
        }
        e
    }
}

/// A glob of Gatekeeper's: `*` at the start, the end, or both.
fn glob(pattern: &str, s: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        _ if pattern == "*" => true,
        (Some(rest), _) if rest.ends_with('*') => s.contains(&rest[..rest.len() - 1]),
        (Some(suffix), _) => s.ends_with(suffix),
        (None, Some(prefix)) => s.starts_with(prefix),
        (None, None) => s == pattern,
    }
}

/// A constraint's `match`.
#[derive(Default)]
pub struct Match {
    /// (apiGroups, kinds); empty lists match all.
    kinds: Vec<(Vec<String>, Vec<String>)>,
    scope: Option<String>,
    namespaces: Vec<String>,
    excluded_namespaces: Vec<String>,
    label_selector: Option<Selector>,
    namespace_selector: Option<Selector>,
    name: Option<String>,
}

fn strings(node: Option<&Node>) -> Vec<String> {
    node.map(Node::items).unwrap_or(&[]).iter().filter_map(Node::as_str).map(str::to_string).collect()
}

impl Match {
    pub fn read(node: Option<&Node>) -> Result<Match, String> {
        let Some(m) = node else { return Ok(Match::default()) };
        let selector = |key: &str| m.get(key).map(|s| Selector::from_node(s).map_err(|e| format!("match.{key}: {e}"))).transpose();
        Ok(Match {
            kinds: m.get("kinds").map(Node::items).unwrap_or(&[]).iter().map(|k| (strings(k.get("apiGroups")), strings(k.get("kinds")))).collect(),
            scope: m.get("scope").and_then(Node::as_str).filter(|s| *s != "*").map(str::to_string),
            namespaces: strings(m.get("namespaces")),
            excluded_namespaces: strings(m.get("excludedNamespaces")),
            label_selector: selector("labelSelector")?,
            namespace_selector: selector("namespaceSelector")?,
            name: m.get("name").and_then(Node::as_str).map(str::to_string),
        })
    }

    /// Whether matching needs Namespaces' labels.
    pub fn reads_namespaces(&self) -> bool {
        self.namespace_selector.is_some()
    }

    /// Whether the object (or, for an UPDATE or DELETE, the object it replaces) matches, as
    /// Gatekeeper decides it. A namespace the inventory does not know has no labels.
    pub fn matches(&self, t: &Target, inventory: &Inventory) -> bool {
        let o = &t.object;
        let (group, _) = split_api_version(o.api_version);
        let is_namespace = o.kind == "Namespace" && group.is_empty();
        let namespace = if is_namespace { Some(o.name) } else { o.namespace.filter(|_| !palisade_core::is_cluster_scoped(o.kind)) };
        let kinds = self.kinds.is_empty()
            || self.kinds.iter().any(|(groups, kinds)| {
                (kinds.is_empty() || kinds.iter().any(|k| k == "*" || k == o.kind)) && (groups.is_empty() || groups.iter().any(|g| g == "*" || g == group))
            });
        let namespaced = !is_namespace && namespace.is_some();
        let scope = match self.scope.as_deref() {
            Some("Cluster") => !namespaced,
            Some("Namespaced") => namespaced,
            _ => true,
        };
        let in_namespaces = self.namespaces.is_empty() || namespace.is_none_or(|ns| self.namespaces.iter().any(|p| glob(p, ns)));
        let not_excluded = namespace.is_none_or(|ns| !self.excluded_namespaces.iter().any(|p| glob(p, ns)));
        if !(kinds && scope && in_namespaces && not_excluded) {
            return false;
        }
        let old = t.request.and_then(|r| r.old_object.as_ref());
        if let Some(sel) = &self.label_selector {
            let fits = |n: &Node| sel.matches(&labels_of(n));
            if !(fits(o.node) || old.is_some_and(fits)) {
                return false;
            }
        }
        if let Some(sel) = &self.namespace_selector {
            let labels = if is_namespace {
                labels_of(o.node)
            } else if let Some(ns) = namespace {
                inventory.namespace(ns).map(|n| labels_of(&n)).unwrap_or_default()
            } else {
                return true;
            };
            if !sel.matches(&labels) {
                return false;
            }
        }
        match &self.name {
            None => true,
            Some(p) => {
                let generate = o.node.get("metadata").and_then(|m| m.get("generateName")).and_then(Node::as_str).filter(|g| !g.is_empty());
                glob(p, o.name) || (p.ends_with('*') && generate.is_some_and(|g| glob(p, g)))
            }
        }
    }
}

/// `group/version` → (group, version); the core group is empty.
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.rsplit_once('/').unwrap_or(("", api_version))
}

/// Where a review is enforced, as Gatekeeper names enforcement points.
pub const ADMISSION_POINT: &str = "validation.gatekeeper.sh";
pub const AUDIT_POINT: &str = "audit.gatekeeper.sh";
pub const GATOR_POINT: &str = "gator.gatekeeper.sh";

/// A constraint's enforcement: one action, or actions per enforcement point.
#[derive(Clone, Debug)]
pub enum Enforcement {
    One(&'static str),
    Scoped(Vec<(&'static str, Vec<String>)>),
}

impl Enforcement {
    pub fn read(spec: Option<&Node>) -> Result<Enforcement, String> {
        let action = spec.and_then(|s| s.get("enforcementAction")).and_then(Node::as_str).unwrap_or("deny");
        let named = |a: &str| palisade_core::rule::action_named(a).filter(|a| *a != "audit").ok_or_else(|| format!("unknown enforcementAction `{a}` (deny, warn, dryrun or scoped)"));
        if action.eq_ignore_ascii_case("scoped") {
            let scoped = spec.and_then(|s| s.get("scopedEnforcementActions")).map(Node::items).unwrap_or(&[]);
            let mut out = Vec::new();
            for s in scoped {
                let a = named(s.get("action").and_then(Node::as_str).unwrap_or(""))?;
                let points = s.get("enforcementPoints").map(Node::items).unwrap_or(&[]).iter().filter_map(|p| p.get("name").and_then(Node::as_str)).map(str::to_string).collect();
                out.push((a, points));
            }
            return Ok(Enforcement::Scoped(out));
        }
        Ok(Enforcement::One(named(action)?))
    }

    /// The action at an enforcement point (the strongest when several apply); `None` when
    /// the constraint is not enforced there.
    pub fn at(&self, point: &str) -> Option<&'static str> {
        match self {
            Enforcement::One(a) => Some(a),
            Enforcement::Scoped(list) => {
                let rank = |a: &str| match a { "deny" => 3, "warn" => 2, _ => 1 };
                list.iter().filter(|(_, points)| points.iter().any(|p| p == "*" || p == point)).map(|(a, _)| *a).max_by_key(|a| rank(a))
            }
        }
    }
}

/// One Constraint: a rule of the engine.
pub struct Constraint {
    pub meta: &'static RuleMeta,
    pub name: String,
    pub template: Arc<Template>,
    pub matcher: Match,
    /// The parameters as each engine reads them (`input.parameters`; CEL's `params`, the
    /// constraint as Gatekeeper passes it), converted once.
    pub rego_parameters: regorus::Value,
    pub cel_params: ::cel::Value,
    pub enforcement: Enforcement,
    /// `palisade.io/severity` on the constraint, else by action.
    pub severity: Option<Severity>,
    pub inventory: Arc<Inventory>,
    /// Which engine judges in scans (Rego when the template has it: Gatekeeper's reference).
    pub engine: Engine,
}

impl Described for Constraint {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }
}

/// The severity a user policy's finding gets for its action, unless annotated.
pub fn severity_of(action: &str) -> Severity {
    match action {
        "deny" => Severity::High,
        "warn" | "audit" => Severity::Low,
        _ => Severity::Info,
    }
}

/// The object's converted forms, each made once per object for every user policy that
/// needs it (Rego's review, CEL's variables).
#[derive(Default)]
pub(crate) struct Converted {
    rego_review: std::sync::OnceLock<regorus::Value>,
    cel: std::sync::OnceLock<CelInput>,
}

fn converted<'t>(t: &'t Target) -> &'t Converted {
    let any = t.engine_input.get_or_init(|| Box::new(Converted::default()));
    any.downcast_ref::<Converted>().expect("only user policies fill engine_input")
}

/// The object as CEL reads it.
pub(crate) fn cel_input<'t>(t: &'t Target) -> &'t CelInput {
    converted(t).cel.get_or_init(|| CelInput::of(t, t.request.is_some_and(|r| r.is_delete())))
}

/// `input.review` as Gatekeeper builds it: the admission request, or for an object read from
/// a file or listed from a cluster, its kind, name, namespace and the object alone.
fn rego_review<'t>(t: &'t Target) -> &'t regorus::Value {
    converted(t).rego_review.get_or_init(|| {
        use regorus::Value as V;
        let o = &t.object;
        let (group, version) = split_api_version(o.api_version);
        let r = t.request;
        let text = |s: &str| V::from(s);
        let map = |entries: Vec<(&str, V)>| V::from(entries.into_iter().map(|(k, v)| (V::from(k), v)).collect::<std::collections::BTreeMap<_, _>>());
        let resource = r.map(|r| &r.resource);
        let mut review = vec![
            ("uid", text(r.map(|r| r.uid.as_str()).unwrap_or(""))),
            ("kind", map(vec![("group", text(group)), ("version", text(version)), ("kind", text(o.kind))])),
            ("resource", map(vec![("group", text(resource.map(|x| x.0.as_str()).unwrap_or(""))), ("version", text(resource.map(|x| x.1.as_str()).unwrap_or(""))), ("resource", text(resource.map(|x| x.2.as_str()).unwrap_or("")))])),
            ("name", text(o.name)),
            ("operation", text(r.map(|r| r.operation.as_str()).unwrap_or(""))),
            ("userInfo", r.and_then(|r| r.user_info.as_ref()).map(value::rego).unwrap_or_else(|| map(vec![]))),
            ("object", value::rego(o.node)),
        ];
        if let Some(ns) = o.namespace.filter(|_| !palisade_core::is_cluster_scoped(o.kind)) {
            review.push(("namespace", text(ns)));
        }
        if let Some(old) = r.and_then(|r| r.old_object.as_ref()) {
            review.push(("oldObject", value::rego(old)));
        }
        if r.is_some_and(|r| r.dry_run) {
            review.push(("dryRun", V::from(true)));
        }
        map(review)
    })
}

impl Constraint {
    /// The violations' messages, judged by `engine`.
    pub fn judge(&self, t: &Target, engine: Engine) -> Result<Vec<String>, String> {
        match engine {
            Engine::Rego => {
                let rego = self.template.rego.as_ref().ok_or("the template has no Rego")?;
                let mut input = std::collections::BTreeMap::new();
                input.insert(regorus::Value::from("review"), rego_review(t).clone());
                input.insert(regorus::Value::from("parameters"), self.rego_parameters.clone());
                rego.violations(regorus::Value::from(input))
            }
            Engine::Cel => {
                let cel = self.template.cel.as_ref().ok_or("the template has no CEL")?;
 let input = cel_input(t);
                let namespace = input.namespace_name.as_deref().and_then(|ns| self.inventory.namespace(ns));
                cel.run(input, Some(&self.cel_params), namespace.as_deref(), true, &self.inventory)
            }
        }
    }

    /// The enforcement point a target is judged at: admission for requests, audit otherwise.
    fn point(t: &Target) -> &'static str {
        if t.request.is_some_and(|r| !r.operation.is_empty()) { ADMISSION_POINT } else { AUDIT_POINT }
    }
}

impl Check for Constraint {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        self.inventory.saw(t);
        let Some(action) = self.enforcement.at(Self::point(t)) else { return };
        if !self.matcher.matches(t, &self.inventory) {
            return;
        }
        let severity = self.severity.unwrap_or_else(|| severity_of(action));
        let messages = match self.judge(t, self.engine) {
            Ok(m) => m,
            Err(e) => vec![format!("the policy could not be evaluated: {e}")],
        };
        out.extend(messages.into_iter().map(|m| crate::violation(m, action, severity)));
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn rego_the_way_opa_reads_it() {
        let text = "package x\nviolation[{\"msg\": m}] {\n  input.a\n  m := \"a\"\n} {\n  input.b\n  m := \"b\"\n}\nok { true }\n";
        assert_eq!(super::split_bodies(text), "package x\nviolation[{\"msg\": m}] {\n  input.a\n  m := \"a\"\n} violation[{\"msg\": m}] {\n  input.b\n  m := \"b\"\n}\nok { true }\n");
        assert_eq!(super::separate_lines("f {\n  input.x\n  (1 + 2) > 0\n  g(\n    (3)\n  )\n}\n"), "f {\n  input.x\n  ; (1 + 2) > 0\n  g(\n    (3)\n  )\n}\n");
    }

    #[test]
    fn negated_calls_evaluate_their_references_first() {
        let h = super::hoist_negated_arguments;
        assert_eq!(h("  not accept(rule, v, params.ranges)\n"), "  __palisade_0_2 := params.ranges; not accept(rule, v, __palisade_0_2)\n");
        assert_eq!(h("x\n  not f(a, g(b.c))\n"), "x\n  not f(a, g(b.c))\n");
        assert_eq!(h("  not f(input.x.y)\n"), "  __palisade_0_0 := input.x.y; not f(__palisade_0_0)\n");
        assert_eq!(h("  not x.y\n"), "  not x.y\n");
    }

    #[test]
    fn sprintf_gets_go_s_missing_arguments() {
        let pad = super::pad_sprintf;
        assert_eq!(pad(r#"m := sprintf("%v and %v: %v", [a, f(b, c)])"#), r#"m := sprintf("%v and %v: %v", [a, f(b, c), "%!v(MISSING)"])"#);
        assert_eq!(pad(r#"m := sprintf("%v%%", [a])"#), r#"m := sprintf("%v%%", [a])"#);
        assert_eq!(pad(r#"m := sprintf("x %v", [])"#), r#"m := sprintf("x %v", ["%!v(MISSING)"])"#);
        assert_eq!(pad(r#"m := sprintf(fmt, [a])"#), r#"m := sprintf(fmt, [a])"#);
        assert_eq!(pad(r#"m := sprintf("a \"%v\" [%v]", ["x,y", [1, 2]])"#), r#"m := sprintf("a \"%v\" [%v]", ["x,y", [1, 2]])"#);
    }

    #[test]
    fn gatekeeper_globs() {
        assert!(glob("kube-*", "kube-system") && !glob("kube-*", "default"));
        assert!(glob("*-system", "kube-system") && !glob("*-system", "system-x"));
        assert!(glob("*", "x") && glob("prod", "prod") && !glob("prod", "prod2"));
    }
}
