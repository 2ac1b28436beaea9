use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::{allowed_verb, at_rule, role_rules};

/// Pods and the kinds that create pods: (group, resource).
const POD_CREATORS: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

declare_rule! {
    /// ## What it does
    /// Flags rules of Roles and ClusterRoles that allow `create` on Pods or on a kind that
    /// creates Pods (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs,
    /// ReplicationControllers), directly or through wildcards. Kubernetes' default roles are
    /// not flagged.
    ///
    /// ## Why is this bad?
    /// Whoever can create a pod can run it as any ServiceAccount of the namespace (and so
    /// gain its permissions), mount any Secret of the namespace, and — unless Pod Security
    /// admission stops it — run it privileged on a node.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["create", "update"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## Remediation
    /// Leave workload creation to the deployment pipeline's own identity; give people and
    /// other workloads read access, and enforce Pod Security on every namespace.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.4
    pub struct CreatePods {
        id: "RBAC003",
        name: "role-creates-pods",
        severity: Medium,
        summary: "Role allows creating pods or workloads",
        controls: ["cis-1.12:5.1.4", "nsa:rbac", "mitre:T1610"],
        pss: None,
    }
}

impl Check for CreatePods {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        for (i, rule) in role_rules(t) {
            let kinds: Vec<&str> = POD_CREATORS
                .iter()
                .filter(|(group, resource)| allowed_verb(&rule, &["create"], group, resource, "").is_some())
                .map(|(_, resource)| *resource)
                .collect();
            if !kinds.is_empty() {
                out.push(at_rule(i, format!("{} allows creating {} (rule {})", t.what(), kinds.join(", "), i + 1)));
            }
        }
    }
}
