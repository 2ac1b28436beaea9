use super::{allowed, detection, event, subject, target, text, who};
use crate::check::Check;
use palisade_core::{Context, Severity, Target, Violation};

declare_rule! {
    /// ## What it does
    /// Detects, in an audit log, a ServiceAccount token minted through the TokenRequest API
    /// (`create` on the `serviceaccounts/token` subresource, allowed) by anyone but a node
    /// (kubelets request tokens for the pods they run, as `system:node:NAME`) or Kubernetes'
    /// own controllers in `kube-system`.
    ///
    /// ## Why is this bad?
    /// A minted token lets its holder act as the ServiceAccount from anywhere until it
    /// expires, outside every pod and every audit trail of the workload: a person or a
    /// workload minting tokens for other accounts is how stolen access is kept and spread
    /// (MITRE ATT&CK T1528, Steal Application Access Token).
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event
    /// verb: create
    /// user: {username: alice@example.com}
    /// objectRef: {resource: serviceaccounts, subresource: token, namespace: ci, name: deployer}
    /// responseStatus: {code: 201}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # the kubelet, for the projected token of a pod it runs
    /// kind: Event
    /// verb: create
    /// user: {username: "system:node:node-1"}
    /// objectRef: {resource: serviceaccounts, subresource: token, namespace: ci, name: deployer}
    /// ```
    ///
    /// ## Remediation
    /// Find out who minted it and for what; take `create` on `serviceaccounts/token` from
    /// roles that do not need it (`palisade rbac who-can create serviceaccounts/token`), and
    /// prefer workload identity or short-lived projected tokens mounted by the kubelet.
    ///
    /// ## References
    /// - MITRE ATT&CK T1528 (Steal Application Access Token)
    /// - <https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/>
    pub struct TokenRequested {
        id: "AUD005",
        name: "token-requested",
        severity: Medium,
        summary: "A ServiceAccount token was minted by someone other than a node",
        controls: ["mitre:T1528"],
        pss: None,
    }
}

impl Check for TokenRequested {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(e) = event(t) else { return };
        if text(e, &["objectRef", "resource"]) != "serviceaccounts" || text(e, &["objectRef", "subresource"]) != "token" || text(e, &["verb"]) != "create" || !allowed(e) {
            return;
        }
        if palisade_core::subjects::mints_pod_tokens(subject(e)) {
            return;
        }
        let lifetime = e.get_path(&["requestObject", "spec", "expirationSeconds"]).and_then(palisade_core::Node::as_i64).map(|s| format!(" valid for {s} s")).unwrap_or_default();
        out.push(detection(&["objectRef", "subresource"], Severity::Medium, format!("{} minted a token{lifetime} for {}", who(e), target(e))));
    }
}
