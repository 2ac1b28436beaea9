use palisade_core::versions::{minor_of, KUBELET_SKEW};
use palisade_core::{Context, FieldPath, Node, Severity, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags nodes whose kubelet is newer than the API server, or more than three minor
    /// versions older (the skew Kubernetes supports since 1.28), and kubelets whose own minor
    /// is past its end of upstream support. Read from the `ClusterInfo` of a live scan or a
    /// snapshot, which lists every node's kubelet.
    ///
    /// ## Why is this bad?
    /// An unsupported skew is untested: features and security fixes the API server relies on
    /// may be missing on the node. A kubelet out of support gets no security patches, and it
    /// runs as root on every node.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterInfo
    /// spec: {version: v1.35.1, nodes: [{name: worker-1, kubelet: v1.30.2}]}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: ClusterInfo
    /// spec: {version: v1.35.1, nodes: [{name: worker-1, kubelet: v1.35.1}]}
    /// ```
    ///
    /// ## Remediation
    /// Upgrade (or replace) the node: drain it, upgrade kubelet and the container runtime to
    /// the control plane's minor, uncordon.
    ///
    /// ## References
    /// - Kubernetes documentation, "Version Skew Policy"
    pub struct KubeletVersion {
        id: "VER002",
        name: "kubelet-version-skew",
        severity: High,
        summary: "A kubelet is unsupported or skewed beyond what Kubernetes supports",
        controls: ["nsa:upgrades", "cncf:1"],
        pss: None,
    }
}

impl Check for KubeletVersion {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        if !super::cluster_info(t) {
            return;
        }
        let server = t.object.node.get_path(&["spec", "version"]).and_then(Node::as_str).and_then(minor_of);
        let versions = cx.settings().versions();
        for (i, node) in t.object.node.get_path(&["spec", "nodes"]).map(Node::items).unwrap_or(&[]).iter().enumerate() {
            let name = node.get("name").and_then(Node::as_str).unwrap_or("?");
            let Some(kubelet) = node.get("kubelet").and_then(Node::as_str) else { continue };
            let Some(minor) = minor_of(kubelet) else { continue };
            let path = FieldPath::root().keys(&["spec", "nodes"]).index(i).key("kubelet");
            match server {
                Some(s) if minor > s => out.push(Violation::new(path, format!("node {name} runs kubelet {kubelet}, newer than the API server (1.{s}): not supported"))),
                Some(s) if s - minor > KUBELET_SKEW => out.push(Violation::new(
                    path,
                    format!("node {name} runs kubelet {kubelet}, {} minor versions behind the API server (1.{s}); at most {KUBELET_SKEW} are supported", s - minor),
                )),
                _ => match versions.get(minor) {
                    Some(m) if m.end_of_support < cx.today => {
                        let mut v = Violation::new(path, format!("node {name} runs kubelet {kubelet}, out of upstream support since {}", m.end_of_support));
                        v.severity = Some(Severity::Medium);
                        out.push(v);
                    }
                    _ => {}
                },
            }
        }
    }
}
