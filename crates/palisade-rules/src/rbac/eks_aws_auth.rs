use palisade_core::{Context, FieldPath, Node, Severity, Target, Violation};
use palisade_source::{Document, Limits};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// On EKS, reads the `aws-auth` ConfigMap of `kube-system` — the provider's mapping of
    /// IAM identities to Kubernetes users and groups, visible through the API — and flags IAM
    /// roles and users mapped to the `system:masters` group, and whole AWS accounts mapped in
    /// (`mapAccounts`). An entry that cannot be read is reported too: the API server's
    /// authenticator would skip it silently.
    ///
    /// ## Why is this bad?
    /// `system:masters` is cluster-admin that no RBAC object grants and none can take away:
    /// whoever can assume the IAM role — a CI runner, a federated SSO group — owns the
    /// cluster, and `palisade rbac` cannot see it. A mapped account lets every IAM identity
    /// of that account authenticate.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ConfigMap
    /// metadata: {name: aws-auth, namespace: kube-system}
    /// data:
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/ci
    ///       username: ci
    ///       groups: [system:masters]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/ci
    ///       username: ci
    ///       groups: [ci-deployers]   # bound by a RoleBinding to what CI needs
    /// ```
    ///
    /// ## Remediation
    /// Map the identity to a group of your own and bind that group with RBAC, or move to EKS
    /// access entries with a scoped access policy.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.1.7 (avoid use of system:masters group)
    /// - Amazon EKS documentation, "Grant IAM users and roles access to Kubernetes APIs"
    pub struct EksAwsAuth {
        id: "RBAC016",
        name: "eks-iam-system-masters",
        severity: High,
        summary: "EKS aws-auth maps IAM identities to system:masters or whole accounts",
        controls: ["cis-1.12:5.1.7", "nsa:rbac"],
        pss: None,
    }
}

impl Check for EksAwsAuth {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let o = &t.object;
        if o.kind != "ConfigMap" || o.api_version != "v1" || o.name != "aws-auth" || o.namespace != Some("kube-system") {
            return;
        }
        for (key, arn_key) in [("mapRoles", "rolearn"), ("mapUsers", "userarn")] {
            let Some(text) = o.node.get_path(&["data", key]).and_then(Node::as_str) else { continue };
            let path = FieldPath::root().keys(&["data", key]);
            let docs = Document::load_all(text.as_bytes(), &Limits::default());
            let entries = match docs.first() {
                Some(Ok(doc)) => doc.root.items().to_vec(),
                Some(Err(e)) => {
                    out.push(Violation::new(path, format!("{} `{key}` cannot be read ({e}); the authenticator skips what it cannot read", t.what())));
                    continue;
                }
                None => continue,
            };
            for entry in &entries {
                let groups = entry.get("groups").map(Node::items).unwrap_or(&[]);
                if groups.iter().any(|g| g.as_str() == Some("system:masters")) {
                    let who = entry.get(arn_key).map(Node::display_scalar).unwrap_or_else(|| "an entry without an ARN".into());
                    out.push(Violation::new(path.clone(), format!("{} maps {who} to system:masters: whoever can act as it is cluster-admin, outside RBAC", t.what())));
                }
            }
        }
        if let Some(accounts) = o.node.get_path(&["data", "mapAccounts"]).and_then(Node::as_str) {
            let listed: Vec<&str> = accounts.lines().map(|l| l.trim().trim_start_matches('-').trim().trim_matches(['"', '\''])).filter(|l| !l.is_empty() && *l != "[]").collect();
            if !listed.is_empty() {
                let mut v = Violation::new(FieldPath::root().keys(&["data", "mapAccounts"]), format!("{} lets every IAM identity of account {} authenticate", t.what(), listed.join(", ")));
                v.severity = Some(Severity::Medium);
                out.push(v);
            }
        }
    }
}
