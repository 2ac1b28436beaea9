use palisade_core::policy::Roster;
use palisade_core::{Context, FieldPath, Node, Target, Violation};
use crate::check::Check;

use super::{subjects, user_binding};

declare_rule! {
    /// ## What it does
    /// With an identity roster (`--roster FILE`, or `roster:` in the policy file: the users
    /// and groups the identity provider still has), flags each User and Group subject of a
    /// binding that is not in it: a grant that outlived the person or team it was made for.
    /// Kubernetes' own identities (`system:*`) and ServiceAccounts are not judged; without a
    /// roster the rule finds nothing. The message names the role and where it applies;
    /// `palisade rbac can user:NAME` and `palisade rbac paths user:NAME` show everything the
    /// identity can still do and reach.
    ///
    /// ## Why is this bad?
    /// Former employees and dissolved teams keep their permissions until someone removes the
    /// binding. If their credentials still work somewhere (a cached kubeconfig, a
    /// certificate, an IdP group re-created with the same name), so do the grants.
    ///
    /// ## Example
    /// ```yaml
    /// # roster.csv has user,alice and group,platform — but not bob
    /// subjects:
    ///   - {kind: User, name: bob}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// subjects:
    ///   - {kind: Group, name: platform}
    /// ```
    ///
    /// ## Remediation
    /// Remove the subject (or the binding); bind roles to IdP groups rather than to
    /// individual users, so leaving the group removes the grant.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.1 (bindings reviewed for need)
    /// - NSA/CISA Kubernetes Hardening Guide, "Authentication and authorization"
    pub struct StaleSubject {
        id: "RBAC014",
        name: "stale-rbac-subject",
        severity: Medium,
        summary: "Binding grants a role to a user or group not in the identity roster",
        controls: ["nsa:rbac", "cncf:2", "mitre:T1078"],
        pss: None,
    }
}

impl Check for StaleSubject {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(roster) = &cx.settings().roster else { return };
        if !user_binding(t) {
            return;
        }
        let role_ref = t.object.node.get("roleRef");
        let role = format!(
            "{} {}",
            role_ref.and_then(|r| r.get("kind")).map(Node::display_scalar).unwrap_or_default(),
            role_ref.and_then(|r| r.get("name")).map(Node::display_scalar).unwrap_or_default()
        );
        let scope = match t.object.namespace {
            Some(ns) if t.object.kind == "RoleBinding" => format!("in namespace {ns}"),
            _ => "cluster-wide".into(),
        };
        for (i, kind, name) in subjects(t) {
            let known = match kind {
                "User" => roster.users.contains(name),
                "Group" => roster.groups.contains(name),
                _ => true,
            };
            if !known && Roster::judges(name) {
                out.push(Violation::new(
                    FieldPath::root().key("subjects").index(i),
                    format!(
                        "{} is not in the identity roster, yet {} still grants it {role} {scope} (see `palisade rbac can {}:{name}`)",
                        format_args!("{}:{name}", kind.to_ascii_lowercase()),
                        t.what(),
                        kind.to_ascii_lowercase()
                    ),
                ));
            }
        }
    }
}
