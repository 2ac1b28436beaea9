use palisade_core::{Context, EnforceLevel, FieldPath, Node, Target, Violation};
use crate::check::Check;

use super::SYSTEM_NAMESPACES;

/// The Pod Security Admission label that sets a namespace's enforced level.
const ENFORCE: &str = "pod-security.kubernetes.io/enforce";

declare_rule! {
    /// ## What it does
    /// Flags Namespaces without the Pod Security Admission label
    /// `pod-security.kubernetes.io/enforce`, with a value that is not a level, or with a level
    /// weaker than the policy's minimum (`namespaces: {pss-level: …}` in the policy file;
    /// `baseline` by default). `kube-system`, `kube-public` and `kube-node-lease` are not
    /// flagged.
    ///
    /// ## Why is this bad?
    /// Without the label, the namespace gets the cluster's default admission level, which is
    /// `privileged` unless someone configured otherwise: any pod, however dangerous, is
    /// admitted. The label is what makes the Pod Security Standards checks in this catalogue
    /// an enforced rule rather than advice.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: restricted
    ///     pod-security.kubernetes.io/enforce-version: latest
    /// ```
    ///
    /// ## Remediation
    /// Label the namespace `pod-security.kubernetes.io/enforce: restricted` (or at least the
    /// policy's minimum level); try it first with the `warn` and `audit` labels.
    ///
    /// ## References
    /// - Kubernetes documentation, "Enforce Pod Security Standards with Namespace Labels"
    /// - CIS Kubernetes Benchmark 1.12, 5.2.1
    pub struct PssNotEnforced {
        id: "NS001",
        name: "namespace-pss-not-enforced",
        severity: Medium,
        summary: "Namespace does not enforce the required Pod Security level",
        controls: ["cis-1.12:5.2.1", "nsa:pod-security", "cncf:7"],
        pss: None,
    }
}

impl Check for PssNotEnforced {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let o = &t.object;
        if o.kind != "Namespace" || o.api_version != "v1" || SYSTEM_NAMESPACES.contains(&o.name) {
            return;
        }
        let minimum = cx.settings().namespace_level;
        let labels = FieldPath::root().keys(&["metadata", "labels"]);
        let label = o.node.get_path(&["metadata", "labels", ENFORCE]);
        let message = match label.map(|l| (l, l.as_str().and_then(|s| s.parse::<EnforceLevel>().ok()))) {
            None => format!("namespace `{}` has no `{ENFORCE}` label (the cluster default, usually privileged, applies)", o.name),
            Some((l, None)) => format!("namespace `{}` sets `{ENFORCE}` to `{}`, which is not a level", o.name, Node::display_scalar(l)),
            Some((_, Some(level))) if level < minimum => {
                format!("namespace `{}` enforces `{level}`, weaker than the policy's minimum `{minimum}`", o.name)
            }
            Some(_) => return,
        };
        out.push(Violation::new(labels.key(ENFORCE), message));
    }
}
