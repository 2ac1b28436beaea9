use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::{allowed_verb, at_rule, role_rules};

declare_rule! {
    /// ## What it does
    /// Flags rules of Roles and ClusterRoles that allow `create` on `serviceaccounts/token`, directly or through
    /// wildcards (rules narrowed by `resourceNames` are not flagged). Kubernetes' default
    /// roles are not flagged.
    ///
    /// ## Why is this bad?
    /// Creating a token for a ServiceAccount is acting as it: any permission of any
    /// ServiceAccount in reach becomes the creator's.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["serviceaccounts/token"]
    ///     verbs: ["create"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["serviceaccounts/token"]
    ///     resourceNames: ["ci-deployer"]
    ///     verbs: ["create"]
    /// ```
    ///
    /// ## Remediation
    /// Limit token creation to the named ServiceAccounts that need it (`resourceNames`).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.13
    pub struct TokenCreate {
        id: "RBAC009",
        name: "role-creates-service-account-tokens",
        severity: Medium,
        summary: "Role allows creating ServiceAccount tokens",
        controls: ["cis-1.12:5.1.13", "nsa:service-account-tokens", "mitre:T1528"],
        pss: None,
    }
}

impl Check for TokenCreate {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        for (i, rule) in role_rules(t) {
            if let Some(verb) = allowed_verb(&rule, &["create"], "", "serviceaccounts", "token") {
                out.push(at_rule(i, format!("{} allows `{verb}` on `serviceaccounts/token` (rule {})", t.what(), i + 1)));
            }
        }
    }
}
