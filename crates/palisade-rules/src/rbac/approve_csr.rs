use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::{allowed_verb, at_rule, role_rules};

declare_rule! {
    /// ## What it does
    /// Flags rules of Roles and ClusterRoles that allow `update` or `patch` on `certificatesigningrequests/approval`, directly or through
    /// wildcards (rules narrowed by `resourceNames` are not flagged). Kubernetes' default
    /// roles are not flagged.
    ///
    /// ## Why is this bad?
    /// Approving a CSR for a signer the cluster trusts mints a client certificate for whatever
    /// identity the request names — a node, or a member of `system:masters`.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["certificates.k8s.io"]
    ///     resources: ["certificatesigningrequests/approval"]
    ///     verbs: ["update"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["certificates.k8s.io"]
    ///     resources: ["certificatesigningrequests"]
    ///     verbs: ["get", "list"]
    /// ```
    ///
    /// ## Remediation
    /// Leave approval to the controllers that need it, limited to their signer (the `approve`
    /// verb on `signers` with `resourceNames`).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.11
    pub struct ApproveCsr {
        id: "RBAC007",
        name: "role-approves-csrs",
        severity: High,
        summary: "Role allows approving certificate signing requests",
        controls: ["cis-1.12:5.1.11", "nsa:rbac"],
        pss: None,
    }
}

impl Check for ApproveCsr {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        for (i, rule) in role_rules(t) {
            if let Some(verb) = allowed_verb(&rule, &["update", "patch"], "certificates.k8s.io", "certificatesigningrequests", "approval") {
                out.push(at_rule(i, format!("{} allows `{verb}` on `certificatesigningrequests/approval` (rule {})", t.what(), i + 1)));
            }
        }
    }
}
