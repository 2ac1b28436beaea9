use palisade_core::{Context, FieldPath, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags objects placed in the `default` namespace explicitly (`metadata.namespace:
    /// default`). Objects that name no namespace are not flagged: where they land is decided
    /// when they are applied (`kubectl -n`, Helm's `--namespace`). The API server's own
    /// `kubernetes` Service, Endpoints and EndpointSlice are not flagged.
    ///
    /// ## Why is this bad?
    /// The `default` namespace is where everything lands that nobody placed: it mixes
    /// unrelated workloads under the same quotas, network policies and RBAC, so none of them
    /// can be tightened for one without breaking another.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   name: web
    ///   namespace: default
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// ```
    ///
    /// ## Remediation
    /// Give each application its own namespace, with its own quotas, network policies and
    /// Pod Security level.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.6.4
    /// - CIS Kubernetes Benchmark 1.12, 5.6.1
    pub struct DefaultNamespace {
        id: "POD026",
        name: "default-namespace-used",
        severity: Low,
        summary: "Object is placed in the default namespace",
        controls: ["cis-1.12:5.6.4", "cis-1.12:5.6.1", "cncf:3", "nsa:namespaces"],
        pss: None,
    }
}

impl Check for DefaultNamespace {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let o = &t.object;
        let api_server_own = o.name == "kubernetes" && matches!(o.kind, "Service" | "Endpoints" | "EndpointSlice");
        // Only an explicit `metadata.namespace: default` (an object without one is put in the
        // namespace it is applied to).
        let explicit = o.node.get_path(&["metadata", "namespace"]).and_then(palisade_core::Node::as_str);
        if explicit == Some("default") && !api_server_own {
            out.push(Violation::new(
                FieldPath::root().keys(&["metadata", "namespace"]),
                format!("{} is placed in the default namespace", t.what()),
            ));
        }
    }
}
