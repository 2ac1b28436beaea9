use crate::check::{Check, Scope};
use palisade_analysis::model::audit::FactKind;
use palisade_core::subjects::is_control_plane;
use palisade_analysis::model::Model;
use palisade_core::{Anchor, Context, FieldPath, Severity, Violation};
use std::collections::BTreeMap;
use std::sync::Arc;

declare_rule! {
    /// ## What it does
    /// Detects, across an audit log, Secrets read through the API (`get`, `list`, `watch`,
    /// allowed) by a subject other than the workloads that use them: a person, a CI account,
    /// or a ServiceAccount that no workload using that Secret runs as. The cluster's own
    /// machinery is left out (kubelets fetching what their pods mount, the control-plane
    /// components, the controllers' ServiceAccounts in `kube-system`). Which workload uses
    /// which Secret (volumes, `env`, `envFrom`) and the ServiceAccount it runs as come from
    /// the workloads the log shows being created (and, in a scan, from the input). Each
    /// subject and Secret is reported once, at the first read, with the number of reads;
    /// listing or watching every Secret of a namespace is rated higher than reading one.
    ///
    /// ## Why is this bad?
    /// A Secret's value is meant for the workload that mounts it. Anyone else reading it —
    /// by hand, from a laptop, from a pipeline — holds a copy outside every control on the
    /// workload, and a stolen credential reading Secrets is how an attacker collects the keys
    /// to everything else (MITRE ATT&CK T1552.007, Container API credentials).
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event
    /// verb: get
    /// user: {username: carol@example.com}
    /// objectRef: {resource: secrets, namespace: shop, name: db-password}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # the kubelet fetching the Secret for the pod that mounts it
    /// kind: Event
    /// verb: get
    /// user: {username: "system:node:node-1"}
    /// objectRef: {resource: secrets, namespace: shop, name: db-password}
    /// ```
    ///
    /// ## Remediation
    /// Ask the subject why it read the Secret; rotate the Secret if the read was not
    /// expected; take `get`/`list`/`watch` on `secrets` from roles that do not need them
    /// (`palisade rbac who-can get secrets -n NS`).
    ///
    /// ## References
    /// - MITRE ATT&CK T1552.007 (Unsecured Credentials: Container API)
    /// - <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
    pub struct SecretReadByStranger {
        id: "AUD008",
        name: "secret-read-by-stranger",
        severity: Medium,
        summary: "A Secret was read by a subject other than the workloads that use it",
        controls: ["mitre:T1552.007"],
        pss: None,
    }
}

impl Check for SecretReadByStranger {
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        if scope != Scope::Cluster {
            return;
        }
        // (subject, namespace, Secret) → the first read (by time, then place in the log), its
        // verb, and how many reads there were.
        type First<'m> = ((i64, u32), &'m Arc<Anchor>, &'m str, usize);
        let mut reads: BTreeMap<(&str, &str, Option<&str>), First> = BTreeMap::new();
        for fact in model.audit().facts() {
            let FactKind::SecretRead { verb, namespace, name } = &fact.what else { continue };
            if is_control_plane(&fact.subject) {
                continue;
            }
            // A ServiceAccount of the Secret's namespace that a workload using it runs as.
            let account = fact.subject.strip_prefix("system:serviceaccount:").and_then(|s| s.split_once(':'));
            if let (Some((ns, sa)), Some(secret)) = (account, name) {
                if ns == namespace && model.accounts_reading(ns, secret).any(|a| a == sa) {
                    continue;
                }
            }
            let when = (fact.at_ms, fact.anchor.location.as_ref().map_or(0, |l| l.line));
            let entry = reads.entry((&fact.subject, namespace, name.as_deref())).or_insert((when, &fact.anchor, verb, 0));
            if when < entry.0 {
                (entry.0, entry.1, entry.2) = (when, &fact.anchor, verb);
            }
            entry.3 += 1;
        }
        for ((subject, namespace, name), (_, anchor, verb, n)) in reads {
            let who = match subject.strip_prefix("system:serviceaccount:").and_then(|s| s.split_once(':')) {
                Some((ns, sa)) => format!("serviceaccount {ns}/{sa}"),
                None => format!("user {subject}"),
            };
            let times = if n == 1 { String::new() } else { format!(" ({n} times)") };
            let (severity, what) = match name {
                Some(name) => (Severity::Medium, format!("read Secret {namespace}/{name}{times}, which no workload running as it uses")),
                None if namespace.is_empty() => (Severity::High, format!("{verb} every Secret of the cluster{times}")),
                None => (Severity::High, format!("{verb} every Secret of namespace {namespace}{times}")),
            };
            let mut v = Violation::new(FieldPath::root().keys(&["objectRef", "resource"]), format!("{who} {what}"));
            v.severity = Some(severity);
            out.push(((*anchor).clone(), v));
        }
    }
}
