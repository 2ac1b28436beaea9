//! RBAC rules (`RBAC…`): risky grants in Roles and ClusterRoles, and risky bindings, mapped to
//! CIS Kubernetes Benchmark 1.12 §5.1. Grants are matched with the RBAC authorizer's exact
//! semantics (`palisade_analysis::rbac::authorizer`). Kubernetes' own defaults (names starting
//! with `system:`, or labelled `kubernetes.io/bootstrapping: rbac-defaults`) are not flagged.

pub mod approve_csr;
pub mod bind_escalate_impersonate;
pub mod cluster_binding_one_namespace;
pub mod cluster_admin_binding;
pub mod create_persistent_volumes;
pub mod create_pods;
pub mod eks_aws_auth;
pub mod missing_role;
pub mod nodes_proxy;
pub mod public_group_binding;
pub mod read_secrets;
pub mod stale_subject;
pub mod system_masters;
pub mod token_create;
pub mod webhook_configurations;
pub mod wildcard_rule;

use palisade_analysis::rbac::authorizer::{rule_allows, Request};
use palisade_analysis::rbac::model::{policy_rule, PolicyRule, GROUP};
use palisade_core::{FieldPath, Node, Object, Target, Violation};

/// Kubernetes' own RBAC objects.
pub(crate) fn system_default(o: &Object) -> bool {
    o.name.starts_with("system:")
        || o.node.get_path(&["metadata", "labels", "kubernetes.io/bootstrapping"]).and_then(Node::as_str) == Some("rbac-defaults")
}

/// The rules of a Role or ClusterRole that is not a Kubernetes default, with their indices.
pub(crate) fn role_rules(t: &Target) -> Vec<(usize, PolicyRule)> {
    let o = &t.object;
    if !matches!(o.kind, "Role" | "ClusterRole") || o.api_version.split('/').next() != Some(GROUP) || system_default(o) {
        return Vec::new();
    }
    o.node.get("rules").map(Node::items).unwrap_or(&[]).iter().map(policy_rule).enumerate().collect()
}

/// The first of `verbs` the rule allows on `group`/`resource`[/`subresource`], for any object
/// name (rules limited by `resourceNames` do not count: they are already narrowed).
pub(crate) fn allowed_verb<'v>(rule: &PolicyRule, verbs: &[&'v str], group: &str, resource: &str, subresource: &str) -> Option<&'v str> {
    verbs.iter().copied().find(|verb| {
        let request = Request::Resource {
            verb: verb.to_string(),
            group: group.into(),
            resource: resource.into(),
            subresource: subresource.into(),
            name: String::new(),
            namespace: None,
        };
        rule_allows(rule, &request)
    })
}

/// A violation at `rules[i]` of the role.
pub(crate) fn at_rule(i: usize, message: String) -> Violation {
    Violation::new(FieldPath::root().key("rules").index(i), message)
}

/// Whether `t` is a RoleBinding or ClusterRoleBinding.
pub(crate) fn binding(t: &Target) -> bool {
    let o = &t.object;
    matches!(o.kind, "RoleBinding" | "ClusterRoleBinding") && o.api_version.split('/').next() == Some(GROUP)
}

/// Whether `t` is a binding that is not a Kubernetes default.
pub(crate) fn user_binding(t: &Target) -> bool {
    binding(t) && !system_default(&t.object)
}

/// The subjects of a binding: (index, kind, name).
pub(crate) fn subjects<'a>(t: &Target<'a>) -> impl Iterator<Item = (usize, &'a str, &'a str)> {
    t.object.node.get("subjects").map(Node::items).unwrap_or(&[]).iter().enumerate().filter_map(|(i, s)| {
        Some((i, s.get("kind").and_then(Node::as_str)?, s.get("name").and_then(Node::as_str)?))
    })
}
