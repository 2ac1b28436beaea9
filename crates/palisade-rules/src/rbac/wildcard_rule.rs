use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::{at_rule, role_rules};

declare_rule! {
    /// ## What it does
    /// Flags rules of Roles and ClusterRoles that use `*` in `verbs`, `resources` or
    /// `apiGroups`. Kubernetes' default roles (cluster-admin among them) are not flagged.
    ///
    /// ## Why is this bad?
    /// A wildcard grants everything that exists today and everything added tomorrow: new
    /// resources, new subresources, new verbs. Nobody reviewing the role can know what it
    /// allows.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["*"]
    ///     verbs: ["*"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["get", "list", "watch", "update", "patch"]
    /// ```
    ///
    /// ## Remediation
    /// List the verbs, resources and API groups the subject needs.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.3
    pub struct WildcardRule {
        id: "RBAC002",
        name: "role-uses-wildcards",
        severity: Medium,
        summary: "Role uses `*` in verbs, resources or API groups",
        controls: ["cis-1.12:5.1.3", "nsa:rbac", "cncf:2"],
        pss: None,
    }
}

impl Check for WildcardRule {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        for (i, rule) in role_rules(t) {
            let fields: Vec<&str> = [("verbs", &rule.verbs), ("resources", &rule.resources), ("apiGroups", &rule.api_groups)]
                .into_iter()
                .filter(|(_, values)| values.iter().any(|v| v == "*"))
                .map(|(name, _)| name)
                .collect();
            if !fields.is_empty() {
                out.push(at_rule(i, format!("{} uses `*` in {} (rule {})", t.what(), fields.join(", "), i + 1)));
            }
        }
    }
}
