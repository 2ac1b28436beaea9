use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::{allowed_verb, at_rule, role_rules};

declare_rule! {
    /// ## What it does
    /// Flags rules of Roles and ClusterRoles that allow changing `mutatingwebhookconfigurations` or `validatingwebhookconfigurations`, directly or through
    /// wildcards (rules narrowed by `resourceNames` are not flagged). Kubernetes' default
    /// roles are not flagged.
    ///
    /// ## Why is this bad?
    /// A mutating webhook sees and can rewrite every object the API server admits — Secrets
    /// included; deleting a validating webhook switches off a policy engine.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["admissionregistration.k8s.io"]
    ///     resources: ["mutatingwebhookconfigurations"]
    ///     verbs: ["create", "update", "patch"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["admissionregistration.k8s.io"]
    ///     resources: ["mutatingwebhookconfigurations"]
    ///     resourceNames: ["my-webhook"]
    ///     verbs: ["get", "update"]
    /// ```
    ///
    /// ## Remediation
    /// Limit webhook controllers to their own configuration (`resourceNames`), and people to
    /// read access.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.12
    pub struct WebhookConfigurations {
        id: "RBAC008",
        name: "role-changes-webhooks",
        severity: High,
        summary: "Role allows changing admission webhook configurations",
        controls: ["cis-1.12:5.1.12", "nsa:rbac", "mitre:T1562"],
        pss: None,
    }
}

impl Check for WebhookConfigurations {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        for (i, rule) in role_rules(t) {
            let verb = ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"]
                .iter()
                .find_map(|r| allowed_verb(&rule, &["create", "update", "patch", "delete"], "admissionregistration.k8s.io", r, ""));
            if let Some(verb) = verb {
                out.push(at_rule(i, format!("{} allows `{verb}` on admission webhook configurations (rule {})", t.what(), i + 1)));
            }
        }
    }
}
