use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::{allowed_verb, at_rule, role_rules};

declare_rule! {
    /// ## What it does
    /// Flags rules of Roles and ClusterRoles that allow `create` on PersistentVolumes, directly or through
    /// wildcards (rules narrowed by `resourceNames` are not flagged). Kubernetes' default
    /// roles are not flagged.
    ///
    /// ## Why is this bad?
    /// A PersistentVolume can be a `hostPath` volume: whoever creates one and binds a claim to
    /// it mounts any directory of a node into their pod, whatever Pod Security says about
    /// `hostPath` in pod specs.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["persistentvolumes"]
    ///     verbs: ["create"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["persistentvolumeclaims"]
    ///     verbs: ["create"]
    /// ```
    ///
    /// ## Remediation
    /// Let workloads request storage with PersistentVolumeClaims and a StorageClass; leave
    /// creating PersistentVolumes to the storage provisioner.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.9
    pub struct CreatePersistentVolumes {
        id: "RBAC005",
        name: "role-creates-persistent-volumes",
        severity: Medium,
        summary: "Role allows creating PersistentVolumes",
        controls: ["cis-1.12:5.1.9", "nsa:rbac", "mitre:T1611"],
        pss: None,
    }
}

impl Check for CreatePersistentVolumes {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        for (i, rule) in role_rules(t) {
            if let Some(verb) = allowed_verb(&rule, &["create"], "", "persistentvolumes", "") {
                out.push(at_rule(i, format!("{} allows `{verb}` on PersistentVolumes (rule {})", t.what(), i + 1)));
            }
        }
    }
}
