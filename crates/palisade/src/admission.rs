//! Admission decisions: an admission request judged by the same engine, policy file and
//! waivers as `scan`, and what the webhook answers.
//!
//! - `DELETE` and `CONNECT` are allowed; exempt namespaces, users and runtime classes are
//!   allowed unjudged (as Pod Security Admission's exemptions).
//! - The object is judged with its own rules (every pod-carrying kind, so a Deployment is
//!   refused when it is applied, not when its ReplicaSet later fails to make pods). On
//!   `UPDATE`, only findings the old object did not have (same rule, same field) can block:
//!   a label change on a legacy workload is not refused for what it already was.
//! - What a finding does is the mode's: `enforce` refuses findings at or above the blocking
//!   severity and warns of the rest; `warn` allows with every finding as a warning; `audit`
//!   allows and only records. A namespace chooses its own with Pod Security-style labels:
//!   `palisade.io/enforce`, `palisade.io/warn`, `palisade.io/audit`, each set to a level —
//!   `privileged` (nothing), `baseline` or `restricted` (the Pod Security Standards' checks
//!   at that level), or `default` (the server's selection); without any of them the server's
//!   `--mode` applies at `default`.
//! - Findings that refused a request, and those audit mode saw, are recorded with their action
//!   (unless the request is a dry run); warnings go back to the client.

use palisade_core::{Finding, Node, Severity};
use palisade_rules::Engine;
use palisade_serve::admission::{Admit, Decision};
use palisade_source::admission::Request;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::sync::{Arc, RwLock};

/// What findings do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    Enforce,
    Warn,
    Audit,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Warn => "warn",
            Mode::Audit => "audit",
        }
    }

    /// The namespace label that sets this mode.
    fn label(self) -> String {
        format!("palisade.io/{}", self.as_str())
    }
}

/// Which rules a mode runs in a namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
    Default,
}

impl Level {
    fn parse(value: &str) -> Option<Level> {
        match value {
            "privileged" => Some(Level::Privileged),
            "baseline" => Some(Level::Baseline),
            "restricted" => Some(Level::Restricted),
            "default" => Some(Level::Default),
            _ => None,
        }
    }
}

/// Requests that are allowed unjudged.
#[derive(Clone, Debug, Default)]
pub struct Exemptions {
    pub namespaces: HashSet<String>,
    pub usernames: HashSet<String>,
    pub runtime_classes: HashSet<String>,
}

/// The engines of the levels: the server's selection, and the Pod Security Standards' checks
/// at baseline and restricted, all under the same policy file.
pub struct Engines {
    pub default: Engine,
    pub baseline: Engine,
    pub restricted: Engine,
}

/// One finding the webhook acted on, for the record.
#[derive(Debug)]
pub struct Acted {
    pub action: &'static str,
    pub finding: Finding,
}

/// Where refused and audited findings go (standard output as JSON lines).
pub type Recorder = Box<dyn Fn(&Request, &[&Acted]) + Send + Sync>;

/// The admission judge.
pub struct Admission {
    pub engines: Engines,
    pub mode: Mode,
    /// Findings at or above it block (in `enforce`).
    pub blocking: Severity,
    pub exempt: Exemptions,
    /// Namespaces' labels, kept current by a watch when there is a cluster to ask.
    pub namespaces: Arc<RwLock<HashMap<String, BTreeMap<String, String>>>>,
    pub record: Recorder,
}

/// The most warnings one answer carries (the API server shows them all to the client).
const MAX_WARNINGS: usize = 20;

/// The first sentence of each rule's remediation, read from its documentation once.
fn fix_of(id: &str) -> &'static str {
    static FIXES: std::sync::OnceLock<HashMap<&'static str, String>> = std::sync::OnceLock::new();
    let fixes = FIXES.get_or_init(|| palisade_rules::registry::all().iter().map(|r| (r.meta().id, first_sentence(&r.meta().remediation()).to_string())).collect());
    fixes.get(id).map(String::as_str).unwrap_or("")
}

/// A finding as one line: rule, field, message and fix.
fn describe(f: &Finding) -> String {
    let fix = fix_of(f.rule.id);
    let fix = if fix.is_empty() { String::new() } else { format!(" (fix: {fix})") };
    format!("{} {} at {}: {}{fix}", f.rule.id, f.rule.name, f.path, f.message)
}

fn first_sentence(text: &str) -> &str {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    line.split_once(". ").map(|(s, _)| s).unwrap_or(line).trim_end_matches('.')
}

/// The runtime class an object's pods ask for.
fn runtime_class(object: &Node) -> Option<&str> {
    [&["spec", "runtimeClassName"][..], &["spec", "template", "spec", "runtimeClassName"], &["spec", "jobTemplate", "spec", "template", "spec", "runtimeClassName"]]
        .iter()
        .find_map(|path| object.get_path(path).and_then(Node::as_str))
}

impl Admission {
    /// Why the request is exempt, if it is.
    fn exemption(&self, r: &Request) -> Option<String> {
        if let Some(ns) = r.namespace.as_deref().filter(|ns| self.exempt.namespaces.contains(*ns)) {
            return Some(format!("namespace {ns} is exempt"));
        }
        if self.exempt.usernames.contains(&r.username) {
            return Some(format!("user {} is exempt", r.username));
        }
        let class = r.object.as_ref().and_then(runtime_class)?;
        self.exempt.runtime_classes.contains(class).then(|| format!("runtime class {class} is exempt"))
    }

    /// The (mode, level) pairs that apply in the request's namespace.
    fn modes(&self, r: &Request) -> Vec<(Mode, Level)> {
        let labels = r.namespace.as_deref().and_then(|ns| self.namespaces.read().ok().and_then(|m| m.get(ns).cloned()));
        let chosen: Vec<(Mode, Level)> = [Mode::Enforce, Mode::Warn, Mode::Audit]
            .into_iter()
            .filter_map(|m| Some((m, labels.as_ref()?.get(&m.label()).and_then(|v| Level::parse(v))?)))
            .collect();
        if chosen.is_empty() { vec![(self.mode, Level::Default)] } else { chosen }
    }

    fn engine(&self, level: Level) -> Option<&Engine> {
        match level {
            Level::Privileged => None,
            Level::Baseline => Some(&self.engines.baseline),
            Level::Restricted => Some(&self.engines.restricted),
            Level::Default => Some(&self.engines.default),
        }
    }

    /// The findings of `object` in request `r` under `engine`; waived ones are left out.
    fn findings(engine: &Engine, r: &Request, object: &Node) -> Result<Vec<Finding>, String> {
        let mut outcome = palisade_rules::engine::RootOutcome::default();
        engine.evaluate_request(object, &r.context, None, None, &mut outcome);
        match outcome.skipped.into_iter().next() {
            Some((_, why)) if outcome.objects == 0 => Err(format!("the object is not a Kubernetes object: {why}")),
            _ => Ok(outcome.findings),
        }
    }
}

impl Admit for Admission {
    fn admit(&self, r: &Request) -> Result<Decision, String> {
        let allow = Decision { allowed: true, ..Decision::default() };
        // Built-in rules judge what is created or changed; user policies may judge deletes.
        let judged = match r.operation.as_str() {
            "CREATE" | "UPDATE" => true,
            "DELETE" => self.engines.default.rules().iter().any(|rule| palisade_core::rule::is_user_policy_ref(rule.meta().id)),
            _ => false,
        };
        if !judged || self.exemption(r).is_some() {
            return Ok(allow);
        }
        let Some(object) = r.object.as_ref().or(r.context.old_object.as_ref().filter(|_| r.operation == "DELETE")) else { return Ok(allow) };
        let mut acted: Vec<Acted> = Vec::new();
        // Per level: the object's findings, and the (rule, field) pairs its old version had.
        type Judged = (Level, Vec<Finding>, HashSet<(&'static str, String)>);
        let mut cache: Vec<Judged> = Vec::new();
        for (mode, level) in self.modes(r) {
            let Some(engine) = self.engine(level) else { continue };
            if !cache.iter().any(|(l, ..)| *l == level) {
                let found = Admission::findings(engine, r, object)?;
                // On UPDATE, what the old object already had (rule and field) under the
                // built-in rules; user policies see the old object themselves.
                let before: HashSet<(&'static str, String)> = match (&r.operation[..], &r.context.old_object) {
                    ("UPDATE", Some(old)) => engine.evaluate_live(old).findings.into_iter().filter(|f| f.action.is_none()).map(|f| (f.rule.id, f.path)).collect(),
                    _ => HashSet::new(),
                };
                cache.push((level, found, before));
            }
            let (_, found, before) = cache.iter().find(|(l, ..)| *l == level).expect("cached");
            for f in found {
                let new = !before.contains(&(f.rule.id, f.path.clone()));
                let action = match (f.action, mode) {
                    // A user policy's own action, within the server's mode.
                    (Some("deny"), Mode::Enforce) => "deny",
                    (Some("deny" | "warn"), Mode::Enforce | Mode::Warn) => "warn",
                    (Some(_), _) => "audit",
                    (None, Mode::Enforce) if new && f.severity >= self.blocking => "deny",
                    (None, Mode::Enforce | Mode::Warn) => "warn",
                    (None, Mode::Audit) => "audit",
                };
                acted.push(Acted { action, finding: f.clone() });
            }
        }
        if acted.is_empty() {
            return Ok(allow);
        }
        // One action per finding: the strongest of the modes that saw it.
        let rank = |a: &str| match a {
            "deny" => 0,
            "warn" => 1,
            _ => 2,
        };
        acted.sort_by(|a, b| (a.finding.rule.id, &a.finding.path, rank(a.action)).cmp(&(b.finding.rule.id, &b.finding.path, rank(b.action))));
        acted.dedup_by(|b, a| a.finding.rule.id == b.finding.rule.id && a.finding.path == b.finding.path);
        let denied: Vec<&Acted> = acted.iter().filter(|a| a.action == "deny").collect();
        let object_name = acted[0].finding.object.to_string();
        let message = (!denied.is_empty()).then(|| {
            let mut m = format!("palisade refused {object_name}: {} finding{} at or above {}:", denied.len(), if denied.len() == 1 { "" } else { "s" }, self.blocking.as_str());
            for a in &denied {
                m.push_str(&format!("\n- {}", describe(&a.finding)));
            }
            m
        });
        let mut warnings: Vec<String> = acted.iter().filter(|a| a.action == "warn").map(|a| format!("palisade: {}", describe(&a.finding))).collect();
        if warnings.len() > MAX_WARNINGS {
            let more = warnings.len() - (MAX_WARNINGS - 1);
            warnings.truncate(MAX_WARNINGS - 1);
            warnings.push(format!("palisade: and {more} more findings"));
        }
        // What was refused and what audit mode saw are recorded; warnings went back to the
        // client that asked.
        let recorded: Vec<&Acted> = acted.iter().filter(|a| a.action != "warn").collect();
        if !r.dry_run && !recorded.is_empty() {
            (self.record)(r, &recorded);
        }
        Ok(Decision { allowed: denied.is_empty(), message, warnings, verdicts: acted.iter().map(|a| (a.finding.rule.id, a.action)).collect() })
    }
}

/// What `palisade admission manifests` is asked for.
#[derive(Clone, Debug)]
pub struct ManifestOptions {
    pub namespace: String,
    pub image: String,
    pub ca_bundle: Option<std::path::PathBuf>,
    pub tls_secret: String,
    /// `failurePolicy: Fail` (else `Ignore`).
    pub fail_closed: bool,
    pub timeout_seconds: u8,
    pub mode: &'static str,
    pub framework: Option<String>,
}

/// The kinds the webhook judges: pods and everything that makes them.
const JUDGED: &[(&str, &[&str])] = &[
    ("", &["pods", "replicationcontrollers", "podtemplates"]),
    ("apps", &["deployments", "replicasets", "statefulsets", "daemonsets"]),
    ("batch", &["jobs", "cronjobs"]),
];

/// The manifests that install the admission webhook, as YAML documents.
pub fn manifests(o: &ManifestOptions) -> Result<String, String> {
    use serde_json::json;
    let ns = o.namespace.as_str();
    let name = "palisade-admission";
    let labels = json!({"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "palisade"});
    let ca_bundle = match &o.ca_bundle {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| format!("--ca-bundle {}: {e}", path.display()))?;
            if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err(format!("--ca-bundle {}: no PEM certificate in it", path.display()));
            }
            Some(palisade_core::encoding::base64(&pem))
        }
        None => None,
    };
    let mut args = vec!["serve", "--admission", "0.0.0.0:8443", "--tls-cert", "/tls/tls.crt", "--tls-key", "/tls/tls.key", "--mode", o.mode, "--exempt-namespace", "kube-system"];
    if let Some(fw) = &o.framework {
        args.extend(["--framework", fw.as_str()]);
    }
    let probe = |path: &str| json!({"httpGet": {"path": path, "port": 8443, "scheme": "HTTPS"}, "periodSeconds": 10});
    let container = json!({
        "name": "palisade", "image": o.image, "imagePullPolicy": "IfNotPresent", "args": args,
        "ports": [{"name": "https", "containerPort": 8443, "protocol": "TCP"}],
        "readinessProbe": probe("/readyz"), "livenessProbe": probe("/healthz"),
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}},
        "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [
            {"name": "tls", "mountPath": "/tls", "readOnly": true},
            {"name": "token", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}
        ]
    });
    let pod_spec = json!({
        "serviceAccountName": name,
        // The token is projected explicitly (short-lived) instead of auto-mounted.
        "automountServiceAccountToken": false,
        "securityContext": {"runAsNonRoot": true, "runAsUser": 65532, "runAsGroup": 65532, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container],
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": labels}}],
        "volumes": [
            {"name": "tls", "secret": {"secretName": o.tls_secret}},
            {"name": "token", "projected": {"sources": [
                {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}}]}}
            ]}}
        ]
    });
    let meta = |n: &str| json!({"name": n, "namespace": ns, "labels": labels});
    let mut webhook = json!({
        "name": "validate.palisade.io",
        "admissionReviewVersions": ["v1"],
        "clientConfig": {"service": {"name": name, "namespace": ns, "path": "/validate", "port": 443}},
        "rules": JUDGED.iter().map(|(group, resources)| json!({"apiGroups": [group], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"], "resources": resources, "scope": "Namespaced"})).collect::<Vec<_>>(),
        "failurePolicy": if o.fail_closed { "Fail" } else { "Ignore" },
        "sideEffects": "None",
        "timeoutSeconds": o.timeout_seconds,
        "matchPolicy": "Equivalent",
        // Kubernetes' own namespace and the webhook's: a webhook that judges itself cannot
        // come back after an outage.
        "namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system", ns]}]}
    });
    let mut configuration_meta = json!({"name": "palisade", "labels": labels});
    match ca_bundle {
        Some(ca) => webhook["clientConfig"]["caBundle"] = json!(ca),
        None => configuration_meta["annotations"] = json!({"cert-manager.io/inject-ca-from": format!("{ns}/{}", o.tls_secret)}),
    }
    let objects = [
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {
            "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest"}}}),
        json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta(name), "spec": {"hard": {"requests.cpu": "1", "requests.memory": "512Mi", "limits.cpu": "4", "limits.memory": "1Gi", "pods": "6"}}}),
        json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": meta(name), "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"}, "defaultRequest": {"cpu": "100m", "memory": "64Mi"}}]}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name), "automountServiceAccountToken": false}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name, "labels": labels},
            "rules": [{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "list", "watch"]}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": name, "labels": labels},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": ns}]}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name), "spec": {
            "replicas": 2, "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": pod_spec}}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": meta(name), "spec": {
            "selector": labels, "ports": [{"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP"}]}}),
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(name), "spec": {"minAvailable": 1, "selector": {"matchLabels": labels}}}),
        // The API server calls in on 8443 from the cluster's private addresses (no pod
        // selector names it; narrow the blocks to the control plane's); the webhook
        // calls out only to the API server, never to the metadata endpoint.
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(name), "spec": {
            "podSelector": {"matchLabels": labels}, "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}, {"ipBlock": {"cidr": "172.16.0.0/12"}}, {"ipBlock": {"cidr": "192.168.0.0/16"}}], "ports": [{"port": 8443, "protocol": "TCP"}]}],
            "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}}], "ports": [{"port": 443, "protocol": "TCP"}, {"port": 6443, "protocol": "TCP"}]}]}}),
        json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration", "metadata": configuration_meta, "webhooks": [webhook]}),
    ];
    let mut out = Vec::new();
    writeln!(out, "# Palisade's admission webhook (`palisade admission manifests`). The serving certificate is the").ok();
    writeln!(out, "# kubernetes.io/tls Secret {ns}/{}, for {name}.{ns}.svc.", o.tls_secret).ok();
    for object in &objects {
        crate::snapshot::document(&mut out, object).map_err(|e| e.to_string())?;
    }
    String::from_utf8(out).map_err(|e| e.to_string())
}
