//! ValidatingAdmissionPolicy, as the API server runs it: a policy's `matchConstraints`
//! (resource rules with operations, exclusions, resource names, namespace and object
//! selectors), `matchConditions`, `variables`, `validations` with `message` and
//! `messageExpression`, `auditAnnotations`, `paramKind`, and `failurePolicy`; each binding's
//! `matchResources`, `paramRef` (name, namespace, selector, `parameterNotFoundAction`) and
//! `validationActions`. A policy without a binding does nothing. The CEL checks are shared
//! with Gatekeeper's `K8sNativeValidation` templates ([`CelChecks`]).

use crate::cel_env;
use crate::gatekeeper::{severity_of, split_api_version};
use crate::inventory::Inventory;
use crate::value;
use cel::Value;
use palisade_analysis::selector::{labels_of, Selector};
use palisade_core::{Context, Described, Node, RuleMeta, Severity, Target, Violation};
use palisade_rules::check::Check;
use std::collections::HashMap;
use std::sync::Arc;

thread_local! {
    static ROOT: cel::Context<'static, 'static> = cel_env::context();
}

/// A compiled expression and its text.
pub struct Expr {
    pub text: String,
    program: cel::Program,
}

impl Expr {
    /// Compiles an expression for API servers of 1.`kubernetes` (`None`: the newest): a call
    /// they would refuse is an error, with its line within the text (0 the first).
    pub fn compile(text: &str, kubernetes: Option<u32>) -> Result<Expr, (usize, String)> {
        let program = cel_env::compile(&flatten_variables(text)).map_err(|e| (0, e))?;
        // `flatten_variables` keeps every line where it was.
        crate::cel_versions::check(&program, kubernetes).map_err(|r| (text.as_bytes()[..r.offset.min(text.len())].iter().filter(|b| **b == b'\n').count(), r.message))?;
        Ok(Expr { text: text.to_string(), program })
    }
}

/// Where an expression's line is in its file (a scalar's position is its first line's, block
/// scalars included).
fn file_line(node: &Node, line: usize) -> u32 {
    node.pos.line + line as u32
}

/// The prefix `variables.NAME` is rewritten to: each variable is a variable of its own, so
/// adding one does not rebuild (and convert again) a map holding all the others.
const VAR: &str = "__var_";

/// `variables.NAME` → `__var_NAME` outside string literals, and `has(variables.NAME)` (a
/// declared variable always exists) → `true`.
fn flatten_variables(text: &str) -> String {
    static HAS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let has = HAS.get_or_init(|| regex::Regex::new(r"has\(\s*variables\.[A-Za-z_][A-Za-z0-9_]*\s*\)").expect("valid"));
    let text = has.replace_all(text, "true");
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) => {
                if c == b'\\' && i + 1 < bytes.len() {
                    out.push_str(&text[i..i + 2]);
                    i += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                }
            }
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if text[i..].starts_with("variables.") && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b'.')) => {
                out.push_str(VAR);
                i += "variables.".len();
                continue;
            }
            None => {}
        }
        let ch = text[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// One validation.
pub struct Validation {
    pub expr: Expr,
    pub message: Option<String>,
    pub message_expr: Option<Expr>,
}

/// The CEL of a policy: match conditions, variables, validations, audit annotations.
#[derive(Default)]
pub struct CelChecks {
    pub match_conditions: Vec<(String, Expr)>,
    pub variables: Vec<(String, Expr)>,
    pub validations: Vec<Validation>,
    pub audit_annotations: Vec<(String, Expr)>,
    /// The request variables the expressions read (`object`, `oldObject`, `request`,
    /// `params`, `namespaceObject`): only those are converted for CEL.
    reads: Vec<&'static str>,
}

/// The variables of the admission request.
const REQUEST_VARIABLES: [&str; 6] = ["object", "oldObject", "request", "params", "namespaceObject", "authorizer"];

/// Whether `text` names the identifier `name` (not as a field of something else).
fn names(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// The object under review as CEL reads it.
pub struct CelInput {
    object: Value,
    old_object: Value,
    request: Value,
    /// The request's user and groups, and what it asks for, for CEL's `authorizer` (made
    /// when an expression reads it).
    asker: (String, Vec<String>),
    attributes: Attributes,
    pub namespace_name: Option<String>,
}

fn s(v: &str) -> Value {
    Value::String(Arc::new(v.to_string()))
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<HashMap<String, Value>>().into()
}

impl CelInput {
    /// The object and request of a target; objects read from files or listed from a
    /// cluster are judged as if created.
    pub fn of(t: &Target, delete: bool) -> CelInput {
        let (o, r) = (&t.object, t.request);
        let a = Attributes::of(t);
        let user = r.and_then(|r| r.user_info.as_ref()).map(value::cel).unwrap_or_else(|| map(vec![]));
        let request = map(vec![
            ("kind", map(vec![("group", s(&a.group)), ("version", s(&a.version)), ("kind", s(o.kind))])),
            ("resource", map(vec![("group", s(&a.group)), ("version", s(&a.version)), ("resource", s(&a.resource))])),
            ("name", s(&a.name)),
            ("namespace", s(a.namespace.as_deref().unwrap_or(""))),
            ("operation", s(&a.operation)),
            ("userInfo", user),
            ("dryRun", Value::Bool(r.is_some_and(|r| r.dry_run))),
            ("uid", s(r.map(|r| r.uid.as_str()).unwrap_or(""))),
        ]);
        let user_info = r.and_then(|r| r.user_info.as_ref());
        let username = user_info.and_then(|u| u.get("username")).and_then(Node::as_str).unwrap_or("").to_string();
        let groups = user_info.and_then(|u| u.get("groups")).map(Node::items).unwrap_or(&[]).iter().filter_map(Node::as_str).map(str::to_string).collect();
        CelInput {
            object: if delete { Value::Null } else { value::cel(o.node) },
            old_object: r.and_then(|r| r.old_object.as_ref()).map(value::cel).or_else(|| delete.then(|| value::cel(o.node))).unwrap_or(Value::Null),
            request,
            namespace_name: a.namespace.clone(),
            asker: (username, groups),
            attributes: a,
        }
    }
}

impl CelInput {
    /// CEL's `authorizer` for the request's user, with `requestResource` preset.
    fn authorizer(&self) -> Value {
        let (user, groups) = &self.asker;
        let a = &self.attributes;
        let base = cel_env::authorizer(user, groups);
        let mut request_resource = base.clone();
        let fields = [a.group.as_str(), &a.resource, &a.sub_resource, a.namespace.as_deref().unwrap_or(""), &a.name];
        for (k, v) in ["group", "resource", "subresource", "namespace", "name"].into_iter().zip(fields) {
            if let Ok(with) = cel_env::with_field(&request_resource, k, v) {
                request_resource = with;
            }
        }
        let mut m = match &base {
            Value::Map(m) => (*m.map).clone(),
            _ => HashMap::new(),
        };
        m.insert(cel::objects::Key::String(Arc::new("requestResource".into())), request_resource);
        Value::Map(cel::objects::Map { map: Arc::new(m) })
    }
}

/// A kind's resource name (`NetworkPolicy` → `networkpolicies`).
pub fn resource_of(kind: &str) -> String {
    let k = kind.to_ascii_lowercase();
    match k.as_str() {
        "endpoints" => k,
        _ if k.ends_with('s') || k.ends_with('x') || k.ends_with("ch") || k.ends_with("sh") => format!("{k}es"),
        _ if k.ends_with('y') && !k.ends_with("ey") && !k.ends_with("ay") => format!("{}ies", &k[..k.len() - 1]),
        _ => format!("{k}s"),
    }
}

/// What one validation concluded.
pub enum Outcome {
    /// It failed: the message.
    Violated(String),
    /// It could not be evaluated: why.
    Error(String),
    /// An audit annotation's value.
    Annotation(String, String),
}

fn error_text(e: cel::ExecutionError) -> String {
    e.to_string()
}

impl CelChecks {
    /// Reads `matchConditions`, `variables`, `validations` and `auditAnnotations`, compiled
    /// for API servers of 1.`kubernetes` (`None`: the newest); an error has the line of the
    /// expression at fault.
    pub fn read(spec: &Node, kubernetes: Option<u32>) -> Result<CelChecks, (u32, String)> {
        let list = |key: &str| spec.get(key).map(Node::items).unwrap_or(&[]);
        let compile = |n: &Node, what: &str| -> Result<Expr, (u32, String)> {
            let text = n.as_str().ok_or_else(|| (n.pos.line, format!("{what} is not a string")))?;
            Expr::compile(text, kubernetes).map_err(|(line, e)| (file_line(n, line), format!("{what}: {e}")))
        };
        // (a matchCondition, variable or audit annotation: what it is, its name's key, its expression's key)
        let named = |n: &Node, what: &str, key: &str, expr_key: &str| -> Result<(String, Expr), (u32, String)> {
            let name = n.get(key).and_then(Node::as_str).unwrap_or("").to_string();
            let text = n.get(expr_key).ok_or_else(|| (n.pos.line, format!("{what} {name:?}: `{expr_key}` is missing")))?;
            Ok((name.clone(), compile(text, &format!("{what} {name:?}"))?))
        };
        let mut c = CelChecks::default();
        for m in list("matchConditions") {
            c.match_conditions.push(named(m, "matchCondition", "name", "expression")?);
        }
        for v in list("variables") {
            c.variables.push(named(v, "variable", "name", "expression")?);
        }
        for v in list("validations") {
            let expr = v.get("expression").ok_or((v.pos.line, "a validation without `expression`".to_string()))?;
            c.validations.push(Validation {
                expr: compile(expr, "validation")?,
                message: v.get("message").and_then(Node::as_str).map(str::to_string),
                message_expr: v.get("messageExpression").map(|m| compile(m, "messageExpression")).transpose()?,
            });
        }
        for a in list("auditAnnotations") {
            c.audit_annotations.push(named(a, "auditAnnotation", "key", "valueExpression")?);
        }
        let texts: Vec<&str> = c
            .match_conditions
            .iter()
            .chain(&c.variables)
            .chain(&c.audit_annotations)
            .map(|(_, e)| e.text.as_str())
            .chain(c.validations.iter().flat_map(|v| std::iter::once(v.expr.text.as_str()).chain(v.message_expr.as_ref().map(|m| m.text.as_str()))))
            .collect();
        c.reads = REQUEST_VARIABLES.into_iter().filter(|v| texts.iter().any(|t| names(t, v))).collect();
        Ok(c)
    }

    /// Evaluates the checks for one object: match conditions first (one false: nothing to
    /// say), then each validation. For Gatekeeper templates, `variables.anyObject` and
    /// `variables.params` come first, as Gatekeeper defines them.
    pub fn evaluate(&self, input: &CelInput, params: Option<&Value>, namespace: Option<&Node>, gatekeeper: bool, inventory: &Inventory) -> Vec<Outcome> {
        if self.reads.contains(&"authorizer") {
            cel_env::RBAC.with(|r| *r.borrow_mut() = Some(inventory.rbac()));
        }
        ROOT.with(|root| {
            let mut cx = root.new_inner_scope();
            let params = params.cloned().unwrap_or(Value::Null);
            for name in &self.reads {
                let v = match *name {
                    "object" => input.object.clone(),
                    "oldObject" => input.old_object.clone(),
                    "request" => input.request.clone(),
                    "params" => params.clone(),
                    "authorizer" => input.authorizer(),
                    _ => namespace.map(value::cel).unwrap_or(Value::Null),
                };
                let _ = cx.add_variable(*name, v);
            }
            if gatekeeper {
                let any = if matches!(input.object, Value::Null) { input.old_object.clone() } else { input.object.clone() };
                let _ = cx.add_variable(format!("{VAR}anyObject"), any);
                let p = match &params {
                    Value::Map(m) => m.map.get(&cel::objects::Key::String(Arc::new("spec".into()))).and_then(|spec| match spec {
                        Value::Map(spec) => spec.map.get(&cel::objects::Key::String(Arc::new("parameters".into()))).cloned(),
                        _ => None,
                    }),
                    _ => None,
                };
                // Absent parameters read as an empty object, so `has(variables.params.x)` is
                // false rather than an error (as the library's templates expect).
                let p = p.filter(|p| !matches!(p, Value::Null)).unwrap_or_else(|| Value::from(HashMap::<String, Value>::new()));
                let _ = cx.add_variable(format!("{VAR}params"), p);
            }
            let mut out = Vec::new();
            for (name, e) in &self.match_conditions {
                match e.program.execute(&cx) {
                    Ok(Value::Bool(true)) => {}
                    Ok(Value::Bool(false)) => return out,
                    Ok(other) => return vec![Outcome::Error(format!("match condition {name:?} gave {other:?}, not a bool"))],
                    Err(err) => return vec![Outcome::Error(format!("match condition {name:?}: {}", error_text(err)))],
                }
            }
            // Variables in order, each seeing those before it; one that fails is left out,
            // and expressions reading it fail in turn.
            let mut failed: Vec<(String, String)> = Vec::new();
            for (name, e) in &self.variables {
                match e.program.execute(&cx) {
                    Ok(v) => {
                        let _ = cx.add_variable(format!("{VAR}{name}"), v);
                    }
                    Err(err) => failed.push((name.clone(), error_text(err))),
                }
            }
            // An expression that fails for want of a variable reports the variable's error.
            let error_text = |err: cel::ExecutionError| {
                let text = error_text(err);
                match failed.iter().find(|(name, _)| text.contains(&format!("{VAR}{name}"))) {
                    Some((name, why)) => format!("variable {name:?}: {why}"),
                    None => text,
                }
            };
            for v in &self.validations {
                match v.expr.program.execute(&cx) {
                    Ok(Value::Bool(true)) => {}
                    Ok(Value::Bool(false)) => {
                        let from_expr = v.message_expr.as_ref().and_then(|m| match m.program.execute(&cx) {
                            Ok(Value::String(s)) if !s.trim().is_empty() && !s.contains('\n') => Some(s.to_string()),
                            _ => None,
                        });
                        let message = from_expr.or_else(|| v.message.clone()).unwrap_or_else(|| format!("failed expression: {}", v.expr.text));
                        out.push(Outcome::Violated(message));
                    }
                    Ok(other) => out.push(Outcome::Error(format!("validation {:?} gave {other:?}, not a bool", v.expr.text))),
                    Err(err) => out.push(Outcome::Error(format!("validation {:?}: {}", v.expr.text, error_text(err)))),
                }
            }
            for (key, e) in &self.audit_annotations {
                if let Ok(Value::String(s)) = e.program.execute(&cx) {
                    out.push(Outcome::Annotation(key.clone(), s.to_string()));
                }
            }
            out
        })
    }

    /// What the checks need synced from a live cluster: Roles and bindings for `authorizer`.
    pub fn wants(&self) -> crate::inventory::Wants {
        let kinds = if self.reads.contains(&"authorizer") {
            ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"].into_iter().map(|k| ("rbac.authorization.k8s.io".to_string(), k.to_string())).collect()
        } else {
            Vec::new()
        };
        crate::inventory::Wants { kinds, ..Default::default() }
    }

    /// Gatekeeper's use: violations' messages, or the first error.
    pub fn run(&self, input: &CelInput, params: Option<&Value>, namespace: Option<&Node>, gatekeeper: bool, inventory: &Inventory) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for o in self.evaluate(input, params, namespace, gatekeeper, inventory) {
            match o {
                Outcome::Violated(m) => out.push(m),
                Outcome::Error(e) => return Err(e),
                Outcome::Annotation(..) => {}
            }
        }
        Ok(out)
    }
}

/// One resource rule of `matchConstraints` / `matchResources`.
struct ResourceRule {
    groups: Vec<String>,
    versions: Vec<String>,
    resources: Vec<String>,
    operations: Vec<String>,
    scope: String,
    names: Vec<String>,
}

fn strings(n: Option<&Node>) -> Vec<String> {
    n.map(Node::items).unwrap_or(&[]).iter().filter_map(Node::as_str).map(str::to_string).collect()
}

impl ResourceRule {
    fn read(n: &Node) -> ResourceRule {
        ResourceRule {
            groups: strings(n.get("apiGroups")),
            versions: strings(n.get("apiVersions")),
            resources: strings(n.get("resources")),
            operations: strings(n.get("operations")),
            scope: n.get("scope").and_then(Node::as_str).unwrap_or("*").to_string(),
            names: strings(n.get("resourceNames")),
        }
    }

    fn matches(&self, a: &Attributes) -> bool {
        let any = |list: &[String], v: &str| list.iter().any(|x| x == "*" || x == v);
        let resource = if a.sub_resource.is_empty() { a.resource.clone() } else { format!("{}/{}", a.resource, a.sub_resource) };
        let resource_ok = self.resources.iter().any(|r| {
            r == "*" && a.sub_resource.is_empty()
                || *r == resource
                || r.strip_suffix("/*").is_some_and(|base| base == a.resource && !a.sub_resource.is_empty())
                || r.strip_prefix("*/").is_some_and(|sub| sub == a.sub_resource)
                || r == "*/*"
        });
        let scope_ok = match self.scope.as_str() {
            "Cluster" => a.namespace.is_none(),
            "Namespaced" => a.namespace.is_some(),
            _ => true,
        };
        any(&self.groups, &a.group) && any(&self.versions, &a.version) && resource_ok && any(&self.operations, &a.operation) && scope_ok && (self.names.is_empty() || self.names.contains(&a.name))
    }
}

/// What matching reads of a request.
struct Attributes {
    group: String,
    version: String,
    resource: String,
    sub_resource: String,
    operation: String,
    namespace: Option<String>,
    name: String,
}

impl Attributes {
    fn of(t: &Target) -> Attributes {
        let o = &t.object;
        let (group, version) = split_api_version(o.api_version);
        let r = t.request;
        Attributes {
            group: group.to_string(),
            version: version.to_string(),
            resource: r.map(|r| r.resource.2.clone()).filter(|x| !x.is_empty()).unwrap_or_else(|| resource_of(o.kind)),
            sub_resource: r.map(|r| r.sub_resource.clone()).unwrap_or_default(),
            operation: r.map(|r| r.operation.clone()).filter(|x| !x.is_empty()).unwrap_or_else(|| "CREATE".into()),
            namespace: o.namespace.filter(|_| !palisade_core::is_cluster_scoped(o.kind)).map(str::to_string),
            name: o.name.to_string(),
        }
    }
}

/// `matchConstraints` or a binding's `matchResources`.
#[derive(Default)]
pub struct Resources {
    rules: Vec<ResourceRule>,
    excluded: Vec<ResourceRule>,
    namespace_selector: Option<Selector>,
    object_selector: Option<Selector>,
    present: bool,
}

impl Resources {
    pub fn read(n: Option<&Node>) -> Result<Resources, String> {
        let Some(n) = n else { return Ok(Resources::default()) };
        let sel = |key: &str| n.get(key).map(|s| Selector::from_node(s).map_err(|e| format!("{key}: {e}"))).transpose();
        Ok(Resources {
            rules: n.get("resourceRules").map(Node::items).unwrap_or(&[]).iter().map(ResourceRule::read).collect(),
            excluded: n.get("excludeResourceRules").map(Node::items).unwrap_or(&[]).iter().map(ResourceRule::read).collect(),
            namespace_selector: sel("namespaceSelector")?,
            object_selector: sel("objectSelector")?,
            present: true,
        })
    }

    /// Whether the request matches; `needs_rules`: the policy's constraints must name the
    /// resource (a binding's may leave the rules out).
    fn matches(&self, t: &Target, a: &Attributes, inventory: &Inventory, needs_rules: bool) -> bool {
        if !self.present {
            return !needs_rules;
        }
        if (needs_rules || !self.rules.is_empty()) && !self.rules.iter().any(|r| r.matches(a)) {
            return false;
        }
        if self.excluded.iter().any(|r| r.matches(a)) {
            return false;
        }
        if let Some(sel) = &self.namespace_selector {
            let is_namespace = t.object.kind == "Namespace";
            let labels = if is_namespace {
                Some(labels_of(t.object.node))
            } else {
                a.namespace.as_deref().map(|ns| inventory.namespace(ns).map(|n| labels_of(&n)).unwrap_or_default())
            };
            if labels.is_some_and(|l| !sel.matches(&l)) {
                return false;
            }
        }
        if let Some(sel) = &self.object_selector {
            let old = t.request.and_then(|r| r.old_object.as_ref());
            if !(sel.matches(&labels_of(t.object.node)) || old.is_some_and(|o| sel.matches(&labels_of(o)))) {
                return false;
            }
        }
        true
    }
}

/// A binding's `paramRef`.
pub struct ParamRef {
    name: Option<String>,
    namespace: Option<String>,
    selector: Option<Selector>,
    /// `parameterNotFoundAction: Deny` (the default) or `Allow`.
    deny_when_missing: bool,
}

/// One binding of a policy.
pub struct Binding {
    pub name: String,
    resources: Resources,
    param_ref: Option<ParamRef>,
    /// `validationActions`, as finding actions (`deny`, `warn`, `audit`).
    pub actions: Vec<&'static str>,
    severity: Option<Severity>,
}

impl Binding {
    pub fn read(n: &Node) -> Result<Binding, String> {
        let spec = n.get("spec").ok_or("a binding without `spec`")?;
        let name = n.get("metadata").and_then(|m| m.get("name")).and_then(Node::as_str).unwrap_or("").to_string();
        let param_ref = spec
            .get("paramRef")
            .map(|p| -> Result<ParamRef, String> {
                Ok(ParamRef {
                    name: p.get("name").and_then(Node::as_str).map(str::to_string),
                    namespace: p.get("namespace").and_then(Node::as_str).map(str::to_string),
                    selector: p.get("selector").map(Selector::from_node).transpose()?,
                    deny_when_missing: p.get("parameterNotFoundAction").and_then(Node::as_str) != Some("Allow"),
                })
            })
            .transpose()?;
        let actions: Vec<&'static str> = strings(spec.get("validationActions")).iter().filter_map(|a| palisade_core::rule::action_named(a).filter(|a| *a != "dryrun")).collect();
        if actions.is_empty() {
            return Err("`validationActions` must name Deny, Warn or Audit".into());
        }
        let resources = Resources::read(spec.get("matchResources"))?;
        Ok(Binding { name, resources, param_ref, actions, severity: crate::load::severity_annotation(n)? })
    }

    /// Whether its matching needs Namespaces' labels.
    pub fn reads_namespaces(&self) -> bool {
        self.resources.namespace_selector.is_some()
    }

    /// The strongest action (a finding carries one): deny, else warn, else audit.
    fn action(&self) -> &'static str {
        ["deny", "warn", "audit"].into_iter().find(|a| self.actions.contains(a)).unwrap_or("audit")
    }
}

/// A ValidatingAdmissionPolicy with its bindings: a rule of the engine.
pub struct Policy {
    pub meta: &'static RuleMeta,
    pub name: String,
    pub checks: CelChecks,
    constraints: Resources,
    /// `paramKind`: apiVersion and kind.
    param_kind: Option<(String, String)>,
    /// `failurePolicy: Fail` (the default): an expression that cannot be evaluated refuses.
    fail_closed: bool,
    pub bindings: Vec<Binding>,
    /// Parameter objects of `param_kind` given with the policies.
    pub params: Vec<Arc<Node>>,
    pub inventory: Arc<Inventory>,
    severity: Option<Severity>,
}

impl Policy {
    /// Reads a policy whose CEL is for API servers of 1.`kubernetes` (`None`: the newest);
    /// an error has the line at fault.
    pub fn read(n: &Node, inventory: Arc<Inventory>, kubernetes: Option<u32>) -> Result<Policy, (u32, String)> {
        let at = |e: String| (n.pos.line, e);
        let name = n.get("metadata").and_then(|m| m.get("name")).and_then(Node::as_str).ok_or(at("a policy without `metadata.name`".into()))?.to_string();
        let spec = n.get("spec").ok_or(at("a policy without `spec`".into()))?;
        let param_kind = spec.get("paramKind").map(|p| {
            (p.get("apiVersion").and_then(Node::as_str).unwrap_or("").to_string(), p.get("kind").and_then(Node::as_str).unwrap_or("").to_string())
        });
        let meta = RuleMeta::user(&format!("vap:{name}"), Severity::High, &format!("ValidatingAdmissionPolicy {name}"), "");
        let checks = CelChecks::read(spec, kubernetes)?;
        let constraints = Resources::read(spec.get("matchConstraints")).map_err(|e| (spec.get("matchConstraints").unwrap_or(spec).pos.line, e))?;
        if constraints.namespace_selector.is_some() || checks.reads.contains(&"namespaceObject") {
            inventory.want(crate::inventory::Wants { namespaces: true, ..Default::default() });
        }
        inventory.want(checks.wants());
        Ok(Policy {
            meta,
            checks,
            constraints,
            param_kind,
            fail_closed: spec.get("failurePolicy").and_then(Node::as_str) != Some("Ignore"),
            bindings: Vec::new(),
            params: Vec::new(),
            inventory,
            severity: crate::load::severity_annotation(n).map_err(at)?,
            name,
        })
    }

    /// Whether an object is a parameter object of this policy's `paramKind`.
    pub fn takes_params(&self, n: &Node) -> bool {
        self.param_kind.as_ref().is_some_and(|(v, k)| n.get("apiVersion").and_then(Node::as_str) == Some(v) && n.get("kind").and_then(Node::as_str) == Some(k))
    }

    /// The parameter objects a binding refers to for a request in `namespace`; `None` when
    /// the binding needs them and none is found.
    fn params_for(&self, b: &Binding, namespace: Option<&str>) -> Option<Vec<Option<Arc<Node>>>> {
        if self.param_kind.is_none() {
            return Some(vec![None]);
        }
        let Some(r) = &b.param_ref else { return None };
        let ns_of = |p: &Node| p.get("metadata").and_then(|m| m.get("namespace")).and_then(Node::as_str).map(str::to_string);
        let want_ns = r.namespace.clone().or_else(|| namespace.map(str::to_string));
        let found: Vec<Option<Arc<Node>>> = self
            .params
            .iter()
            .filter(|p| {
                let ns_ok = match (&want_ns, ns_of(p)) {
                    (Some(w), Some(n)) => *w == n,
                    (_, None) => true,
                    (None, Some(_)) => false,
                };
                let name_ok = match (&r.name, &r.selector) {
                    (Some(name), _) => p.get("metadata").and_then(|m| m.get("name")).and_then(Node::as_str) == Some(name),
                    (None, Some(sel)) => sel.matches(&labels_of(p)),
                    (None, None) => false,
                };
                ns_ok && name_ok
            })
            .cloned()
            .map(Some)
            .collect();
        if found.is_empty() {
            if r.deny_when_missing { None } else { Some(Vec::new()) }
        } else {
            Some(found)
        }
    }

    /// The findings for one target: (message, action, severity).
    pub fn judge(&self, t: &Target) -> Vec<(String, &'static str, Severity)> {
        let a = Attributes::of(t);
        if !self.constraints.matches(t, &a, &self.inventory, true) {
            return Vec::new();
        }
        let input = crate::gatekeeper::cel_input(t);
        let namespace = a.namespace.as_deref().and_then(|ns| self.inventory.namespace(ns));
        let mut out = Vec::new();
        for b in &self.bindings {
            if !b.resources.matches(t, &a, &self.inventory, false) {
                continue;
            }
            let action = b.action();
            let severity = b.severity.or(self.severity).unwrap_or_else(|| severity_of(action));
            let Some(params) = self.params_for(b, a.namespace.as_deref()) else {
                out.push((format!("no params found for policy binding {} of {}", b.name, self.name), action, severity));
                continue;
            };
            for p in params {
                let params = p.as_deref().map(value::cel);
                for o in self.checks.evaluate(input, params.as_ref(), namespace.as_deref(), false, &self.inventory) {
                    match o {
                        Outcome::Violated(m) => out.push((m, action, severity)),
                        Outcome::Error(e) if self.fail_closed => out.push((format!("policy {} could not be evaluated (failurePolicy Fail): {e}", self.name), action, severity)),
                        Outcome::Error(_) => {}
                        Outcome::Annotation(k, v) => out.push((format!("audit annotation {}/{k}: {v}", self.name), "audit", Severity::Info)),
                    }
                }
            }
        }
        out
    }
}

impl Described for Policy {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }
}

impl Check for Policy {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        self.inventory.saw(t);
        out.extend(self.judge(t).into_iter().map(|(m, action, severity)| crate::violation(m, action, severity)));
    }
}

#[cfg(test)]
mod tests {
    use super::resource_of;

    #[test]
    fn variables_are_flattened_outside_strings() {
        assert_eq!(super::flatten_variables("variables.a + 'variables.b' + f(variables.c)"), "__var_a + 'variables.b' + f(__var_c)");
        assert_eq!(super::flatten_variables("has(variables.x) && has(variables.p.y) && myvariables.z"), "true && has(__var_p.y) && myvariables.z");
    }

    #[test]
    fn resources_of_kinds() {
        assert_eq!(resource_of("Pod"), "pods");
        assert_eq!(resource_of("NetworkPolicy"), "networkpolicies");
        assert_eq!(resource_of("Ingress"), "ingresses");
        assert_eq!(resource_of("Endpoints"), "endpoints");
        assert_eq!(resource_of("Gateway"), "gateways");
    }
}
