use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::{allowed_verb, at_rule, role_rules};

declare_rule! {
    /// ## What it does
    /// Flags rules of Roles and ClusterRoles that allow `get`, `list` or `watch` on Secrets
    /// (directly or through wildcards), for any Secret — rules narrowed by `resourceNames` are
    /// not flagged. Kubernetes' default roles are not flagged.
    ///
    /// ## Why is this bad?
    /// Reading Secrets means reading every credential of the namespace (or cluster): database
    /// passwords, API keys, TLS keys and the tokens of more powerful ServiceAccounts. `list`
    /// and `watch` return the values too.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["secrets"]
    ///     verbs: ["get", "list"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["secrets"]
    ///     resourceNames: ["app-config"]
    ///     verbs: ["get"]
    /// ```
    ///
    /// ## Remediation
    /// Grant `get` on the named Secrets the workload needs (`resourceNames`), or mount them
    /// instead of reading them through the API.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.2
    pub struct ReadSecrets {
        id: "RBAC001",
        name: "role-reads-secrets",
        severity: Medium,
        summary: "Role allows reading every Secret",
        controls: ["cis-1.12:5.1.2", "nsa:rbac", "cncf:2", "mitre:T1552"],
        pss: None,
    }
}

impl Check for ReadSecrets {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        for (i, rule) in role_rules(t) {
            if let Some(verb) = allowed_verb(&rule, &["get", "list", "watch"], "", "secrets", "") {
                out.push(at_rule(i, format!("{} allows `{verb}` on every Secret (rule {})", t.what(), i + 1)));
            }
        }
    }
}
