//! The incremental engine against the full scan: random sequences of adds, replaces and
//! removes over objects that depend on each other (namespaces and their labels, workloads,
//! NetworkPolicies with pod, namespace and address peers, quotas, custom resources, roles and
//! bindings, Secrets and their vault sync), under a policy with live, expired and stale
//! waivers, and switches to another policy file and back. After every step the findings held must be exactly those of a full scan of the
//! objects present, and the deltas must add up to them.

use palisade_analysis::model::Model;
use palisade_core::{Date, Finding, Node, Object, ObjectRef, Policy};
use palisade_rules::engine::FRAMEWORKS;
use palisade_rules::incremental::{finding_id, FindingId};
use palisade_rules::{registry, Engine, Incremental, Origin, Selection};
use palisade_source::{Document, Limits};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const POLICY: &str = "
secrets: {require-vault: true}
waivers:
  - rule: POD001
    match: {namespace: a}
    reason: agent needs it
    owner: ops@example.com
    expires: 2030-01-01
  - rule: NET001
    match: {kind: Namespace, name: b}
    reason: migrating
    owner: net@example.com
    expires: 2030-01-01
  - rule: POD002
    reason: lapsed
    owner: ops@example.com
    expires: 2020-01-01
";

/// The policy the sequences switch to and back: other waivers (one of them expired, one
/// that matches NET findings in `a`), a severity override, and NET002 not run.
const OTHER_POLICY: &str = "
severity: {POD001: info}
waivers:
  - rule: NET
    match: {namespace: a}
    reason: network rework
    owner: net@example.com
    expires: 2030-01-01
  - rule: SEC
    reason: lapsed
    owner: sec@example.com
    expires: 2021-01-01
";

fn parse(text: &str) -> Node {
    let mut docs = Document::load_all(text.as_bytes(), &Limits::default());
    docs.remove(0).unwrap_or_else(|e| panic!("{e:?}\n{text}")).root
}

/// The engine under `POLICY` (`other`: under `OTHER_POLICY`, without NET002).
fn engine_with(other: bool) -> Engine {
    let text = if other { OTHER_POLICY } else { POLICY };
    let policy = Policy::from_node(&parse(text), &registry::names_a_rule, FRAMEWORKS).expect("policy");
    let policy = Policy { source: Some("palisade.yaml".into()), ..policy };
    let ignore = if other { vec!["NET002".to_string()] } else { Vec::new() };
    let sel = Selection { policy: Some(Arc::new(policy)), today: Some(Date { year: 2026, month: 6, day: 1 }), ignore, ..Selection::default() };
    Engine::new(&sel).expect("engine")
}

fn engine() -> Engine {
    engine_with(false)
}

fn meta(name: &str, ns: Option<&str>, labels: &str) -> String {
    let ns = ns.map(|n| format!(", namespace: {n}")).unwrap_or_default();
    format!("metadata: {{name: {name}{ns}, labels: {{{labels}}}}}")
}

/// Every object variant the sequences draw from. Variants share references (same kind,
/// namespace and name with other contents), so applying one after another is a replace.
fn pool() -> Vec<String> {
    let mut out = Vec::new();
    let namespaces = [Some("a"), Some("b"), Some("c"), None];
    // `default` too: objects without a namespace are there, and its rules must see them.
    for ns in ["a", "b", "c", "default"] {
        for labels in ["team: x", "team: y", "team: x, pod-security.kubernetes.io/enforce: restricted"] {
            out.push(format!("apiVersion: v1\nkind: Namespace\n{}\n", meta(ns, None, labels)));
        }
    }
    for ns in namespaces {
        for (name, labels, extra) in [
            ("web", "app: web", "securityContext: {privileged: true}"),
            ("web", "app: web, tier: front", "securityContext: {runAsNonRoot: true}"),
            ("db", "app: db", "securityContext: {allowPrivilegeEscalation: true}"),
            ("db", "app: db, tier: back", "env: [{name: P, valueFrom: {secretKeyRef: {name: s1, key: p}}}]"),
        ] {
            out.push(format!(
                "apiVersion: apps/v1\nkind: Deployment\n{}\nspec:\n  template:\n    metadata: {{labels: {{{labels}}}}}\n    spec:\n      containers:\n        - name: c\n          image: nginx:1.25\n          ports: [{{name: http, containerPort: 8080}}]\n          {extra}\n",
                meta(name, ns, "")
            ));
        }
    }
    let policies = [
        ("deny", "podSelector: {}\n  policyTypes: [Ingress, Egress]"),
        ("deny", "podSelector: {}\n  policyTypes: [Ingress]"),
        ("web", "podSelector: {matchLabels: {app: web}}\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {team: x}}, podSelector: {matchLabels: {app: db}}}]\n      ports: [{port: http}]"),
        ("web", "podSelector: {matchLabels: {app: web}}\n  ingress:\n    - from: [{ipBlock: {cidr: 0.0.0.0/0}}]\n  egress:\n    - to: [{ipBlock: {cidr: 169.254.169.254/32}}]"),
        ("tiers", "podSelector: {matchExpressions: [{key: tier, operator: Exists}]}\n  ingress:\n    - from: [{namespaceSelector: {}}]\n      ports: [{port: metrics}]"),
        ("tiers", "podSelector: {matchLabels: {app: cache}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: nothing}}}]"),
    ];
    for ns in namespaces {
        for (name, spec) in policies {
            out.push(format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n{}\nspec:\n  {spec}\n", meta(name, ns, "")));
        }
    }
    for ns in ["a", "b"] {
        out.push(format!("apiVersion: v1\nkind: ResourceQuota\n{}\n", meta("q", Some(ns), "")));
        out.push(format!("apiVersion: v1\nkind: LimitRange\n{}\n", meta("l", Some(ns), "")));
        out.push(format!("apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\n{}\n", meta("p", Some(ns), "")));
        out.push(format!("apiVersion: v1\nkind: Secret\n{}\n", meta("s1", Some(ns), "")));
        out.push(format!("apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\n{}\nspec: {{target: {{name: s1}}}}\n", meta("s1", Some(ns), "")));
        for (role_kind, role) in [("Role", "r1"), ("ClusterRole", "cr1"), ("Role", "gone")] {
            out.push(format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n{}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {role}}}\nsubjects: [{{kind: ServiceAccount, name: sa}}]\n",
                meta("rb", Some(ns), "")
            ));
        }
        out.push(format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n{}\nrules: [{{apiGroups: [''], resources: [secrets], verbs: [get]}}]\n",
            meta("r1", Some(ns), "")
        ));
    }
    for rules in ["[{apiGroups: [''], resources: [pods], verbs: [get]}]", "[{apiGroups: [''], resources: [nodes], verbs: [get]}]"] {
        out.push(format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n{}\nrules: {rules}\n", meta("cr1", None, "")));
    }
    for ns in ["a", "b"] {
        out.push(format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n{}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr1}}\nsubjects: [{{kind: ServiceAccount, name: sa, namespace: {ns}}}]\n",
            meta("crb", None, "")
        ));
    }
    out
}

type Ids = BTreeMap<FindingId, usize>;

fn ids<'a>(findings: impl Iterator<Item = &'a Finding>) -> Ids {
    let mut out = Ids::new();
    for f in findings {
        *out.entry(finding_id(f)).or_default() += 1;
    }
    out
}

/// A full scan of the objects, as `palisade scan` runs one: (findings, suppressed).
fn full_scan(objects: &BTreeMap<ObjectRef, Node>, other_policy: bool) -> (Ids, Ids) {
    let engine = engine_with(other_policy);
    let mut model = Model::default();
    let (mut findings, mut suppressed) = (Vec::new(), Vec::new());
    for (i, node) in objects.values().enumerate() {
        let outcome = engine.evaluate_root(node, &Origin { file: "f.yaml".into(), document: i as u32 + 1, template: None });
        findings.extend(outcome.findings);
        suppressed.extend(outcome.suppressed.into_iter().map(|(f, _)| f));
        for (key, facts) in outcome.facts {
            model.apply(key, facts);
        }
    }
    let end = engine.finish(&model);
    findings.extend(end.findings);
    suppressed.extend(end.suppressed.into_iter().map(|(f, _)| f));
    (ids(findings.iter()), ids(suppressed.iter()))
}

/// One step: apply (0–6), remove (7–8) or switch the policy file (9), on a pool object.
fn run(steps: &[(u8, usize)]) {
    let pool: Vec<Node> = pool().iter().map(|t| parse(t)).collect();
    let mut live = Incremental::new(engine());
    let mut present: BTreeMap<ObjectRef, Node> = BTreeMap::new();
    let mut running: HashMap<FindingId, isize> = HashMap::new();
    for f in live.findings() {
        *running.entry(finding_id(f)).or_default() += 1;
    }
    let mut other_policy = false;
    for (step, &(what, i)) in steps.iter().enumerate() {
        let node = &pool[i % pool.len()];
        let reference = Object::from_node(node).unwrap().reference();
        let delta = match what {
            0..=6 => {
                present.insert(reference, node.clone());
                live.apply(node).expect("an object")
            }
            7 | 8 => {
                present.remove(&reference);
                live.remove(&reference)
            }
            _ => {
                other_policy = !other_policy;
                let (delta, errors) = live.set_engine(engine_with(other_policy), present.values());
                assert!(errors.is_empty());
                delta
            }
        };
        let action = ["apply", "apply", "apply", "apply", "apply", "apply", "apply", "remove", "remove", "policy switch"][usize::from(what)];
        for f in &delta.opened {
            *running.entry(finding_id(f)).or_default() += 1;
        }
        for f in &delta.resolved {
            *running.entry(finding_id(f)).or_default() -= 1;
        }
        running.retain(|_, n| *n != 0);
        let held = ids(live.findings());
        let from_deltas: Ids = running.iter().map(|(k, n)| (k.clone(), usize::try_from(*n).expect("never negative"))).collect();
        assert_eq!(from_deltas, held, "step {step}: the deltas do not add up to the findings held");
        let (want, want_suppressed) = full_scan(&present, other_policy);
        assert_eq!(held, want, "step {step} ({} {}): incremental findings differ from a full scan", action, i % pool.len());
        assert_eq!(ids(live.suppressed().map(|(f, _)| f)), want_suppressed, "step {step}: suppressed findings differ");
    }
    // Starting from the final objects at once (an initial list) gives the same.
    let (loaded, errors) = Incremental::with_objects(engine_with(other_policy), present.values());
    assert!(errors.is_empty());
    assert_eq!(ids(loaded.findings()), ids(live.findings()), "loading at once differs from applying one by one");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn incremental_findings_equal_a_full_scan(steps in prop::collection::vec((0u8..10, 0usize..1000), 1..60)) {
        run(&steps);
    }
}

#[test]
fn dependents_change_with_a_namespace_label() {
    // A NetworkPolicy admitting pods of `team: x` namespaces: whether the peer selects
    // anything (NET007) follows the other namespace's labels.
    let mut live = Incremental::new(engine());
    let apply = |live: &mut Incremental, text: &str| live.apply(&parse(text)).unwrap();
    apply(&mut live, &format!("apiVersion: v1\nkind: Namespace\n{}\n", meta("a", None, "team: y")));
    apply(&mut live, &format!("apiVersion: v1\nkind: Namespace\n{}\n", meta("b", None, "team: y")));
    apply(&mut live, &pool().into_iter().find(|t| t.contains("kind: Deployment") && t.contains("name: db, namespace: b") && t.contains("app: db}")).unwrap());
    let policy = pool().into_iter().find(|t| t.contains("team: x}}, podSelector") && t.contains("namespace: a")).unwrap();
    let opened = apply(&mut live, &policy).opened;
    assert!(opened.iter().any(|f| f.rule.id == "NET007"), "no namespace has team: x yet: {opened:?}");
    let delta = apply(&mut live, &format!("apiVersion: v1\nkind: Namespace\n{}\n", meta("b", None, "team: x")));
    assert!(delta.resolved.iter().any(|f| f.rule.id == "NET007" && f.object.name == "web"), "labelling b resolves it: {delta:?}");
}

#[test]
fn a_policy_change_rejudges_everything() {
    let pool: Vec<Node> = pool().iter().map(|t| parse(t)).collect();
    let web = pool.iter().find(|n| {
        let o = Object::from_node(n).unwrap();
        o.kind == "Deployment" && o.namespace == Some("a") && o.name == "web" && n.get_path(&["spec", "template"]).is_some_and(|t| format!("{t:?}").contains("privileged"))
    });
    let web = web.expect("a privileged web in a").clone();
    let mut live = Incremental::new(engine());
    live.apply(&web).unwrap();
    let pod001 = |i: &Incremental| i.findings().filter(|f| f.rule.id == "POD001").count();
    assert_eq!(pod001(&live), 0, "waived in a under the first policy");
    let (delta, errors) = live.set_engine(engine_with(true), [&web]);
    assert!(errors.is_empty());
    let opened: Vec<&Finding> = delta.opened.iter().filter(|f| f.rule.id == "POD001").collect();
    assert_eq!(opened.len(), 1, "the waiver is gone: {delta:?}");
    assert_eq!(opened[0].severity, palisade_core::Severity::Info, "the new policy's severity");
    assert!(delta.opened.iter().any(|f| f.rule.id == "POL001" && f.message.contains("2021-01-01")), "the new policy's expired waiver");
    assert!(delta.resolved.iter().any(|f| f.rule.id == "POL001"), "the old policy's expired waiver is gone");
    let (back, _) = live.set_engine(engine(), [&web]);
    assert!(back.resolved.iter().any(|f| f.rule.id == "POD001"));
}
