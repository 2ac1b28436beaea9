use palisade_core::{Context, FieldPath, Node, Target, Violation};
use crate::check::Check;

use super::service_type;

/// Annotations by which cloud providers make a load balancer internal, with the values that
/// do (`None`: any value but `false`).
const INTERNAL: &[(&str, Option<&str>)] = &[
    ("service.beta.kubernetes.io/aws-load-balancer-internal", None),
    ("service.beta.kubernetes.io/aws-load-balancer-scheme", Some("internal")),
    ("networking.gke.io/load-balancer-type", Some("Internal")),
    ("cloud.google.com/load-balancer-type", Some("Internal")),
    ("service.beta.kubernetes.io/azure-load-balancer-internal", Some("true")),
    ("service.beta.kubernetes.io/oci-load-balancer-internal", Some("true")),
    ("service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type", Some("private")),
];

/// The annotation some providers read source ranges from.
const RANGES_ANNOTATION: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";

fn open_to_all(range: &str) -> bool {
    matches!(range.trim(), "0.0.0.0/0" | "::/0")
}

declare_rule! {
    /// ## What it does
    /// Flags Services of type `LoadBalancer` that accept traffic from anywhere: no
    /// `spec.loadBalancerSourceRanges` (nor the `service.beta.kubernetes.io/load-balancer-source-ranges`
    /// annotation), or a range of `0.0.0.0/0` or `::/0`. Load balancers made internal by
    /// their cloud provider's annotation (AWS, GCP, Azure, OCI, IBM) are not flagged.
    ///
    /// ## Why is this bad?
    /// A public load balancer puts the workload on the internet, where it is scanned within
    /// minutes. Most internal tools, admin interfaces and databases should be reachable only
    /// from known networks.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: LoadBalancer
    ///   ports: [{port: 443}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: LoadBalancer
    ///   loadBalancerSourceRanges: ["203.0.113.0/24"]
    ///   ports: [{port: 443}]
    /// ```
    ///
    /// ## Remediation
    /// Set `loadBalancerSourceRanges` to the networks that need access, or make the load
    /// balancer internal; put public services behind an Ingress or Gateway with TLS and a WAF.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide, "Network separation and hardening"
    /// - Kubernetes documentation, "Service: type LoadBalancer"
    pub struct LoadBalancerOpen {
        id: "SVC002",
        name: "load-balancer-open-to-all",
        severity: Medium,
        summary: "LoadBalancer Service accepts traffic from any address",
        controls: ["nsa:network-separation", "mitre:T1133"],
        pss: None,
    }
}

impl Check for LoadBalancerOpen {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        if service_type(t) != Some("LoadBalancer") {
            return;
        }
        let node = t.object.node;
        let annotations = node.get_path(&["metadata", "annotations"]);
        let annotation = |key: &str| annotations.and_then(|a| a.get(key)).map(Node::display_scalar);
        let internal = INTERNAL.iter().any(|(key, want)| match (annotation(key), want) {
            (Some(v), Some(want)) => v.eq_ignore_ascii_case(want),
            (Some(v), None) => !v.eq_ignore_ascii_case("false"),
            (None, _) => false,
        });
        if internal {
            return;
        }
        let ranges = node.get_path(&["spec", "loadBalancerSourceRanges"]).map(Node::items).unwrap_or(&[]);
        let spec_ranges: Vec<String> = ranges.iter().map(Node::display_scalar).collect();
        let annotated: Vec<String> =
            annotation(RANGES_ANNOTATION).map(|a| a.split(',').map(|r| r.trim().to_string()).collect()).unwrap_or_default();
        let path = FieldPath::root().keys(&["spec", "loadBalancerSourceRanges"]);
        if let Some(i) = spec_ranges.iter().position(|r| open_to_all(r)) {
            out.push(Violation::new(path.index(i), format!("{} admits `{}` to its load balancer", t.what(), spec_ranges[i])));
        } else if spec_ranges.is_empty() && annotated.iter().all(|r| r.is_empty() || open_to_all(r)) {
            out.push(Violation::new(path, format!("{} is a LoadBalancer open to every address (no loadBalancerSourceRanges)", t.what())));
        }
    }
}
