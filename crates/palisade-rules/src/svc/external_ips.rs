use palisade_core::{Context, FieldPath, Node, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags Services that set `spec.externalIPs`.
    ///
    /// ## Why is this bad?
    /// Whoever may create a Service with `externalIPs` can make kube-proxy capture traffic
    /// for any address — including other tenants' services and external sites — and read or
    /// redirect it (CVE-2020-8554, unfixable in Kubernetes itself). Clusters are advised to
    /// forbid the field with an admission policy; manifests should not need it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   externalIPs: ["203.0.113.10"]
    ///   ports: [{port: 80}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: LoadBalancer
    ///   loadBalancerSourceRanges: ["203.0.113.0/24"]
    ///   ports: [{port: 80}]
    /// ```
    ///
    /// ## Remediation
    /// Remove `externalIPs`; expose the workload through a LoadBalancer or Ingress, and block
    /// the field cluster-wide with an admission policy (the DenyServiceExternalIPs admission
    /// plugin).
    ///
    /// ## References
    /// - CVE-2020-8554, Kubernetes issue #97076
    /// - MITRE ATT&CK for containers, T1557 Adversary-in-the-Middle
    pub struct ExternalIps {
        id: "SVC003",
        name: "service-external-ips",
        severity: High,
        summary: "Service sets externalIPs (CVE-2020-8554)",
        controls: ["nsa:network-separation", "mitre:T1557"],
        pss: None,
    }
}

impl Check for ExternalIps {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        if t.object.kind != "Service" || t.object.api_version != "v1" {
            return;
        }
        let ips = t.object.node.get_path(&["spec", "externalIPs"]).map(Node::items).unwrap_or(&[]);
        if !ips.is_empty() {
            let list: Vec<String> = ips.iter().map(Node::display_scalar).collect();
            out.push(Violation::new(
                FieldPath::root().keys(&["spec", "externalIPs"]),
                format!("{} claims external IPs {} (CVE-2020-8554)", t.what(), list.join(", ")),
            ));
        }
    }
}
