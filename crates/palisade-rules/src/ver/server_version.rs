use palisade_core::versions::minor_of;
use palisade_core::{Context, FieldPath, Node, Severity, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags a cluster whose Kubernetes version is past its end of upstream support, or
    /// reaches it within 60 days (low), against the support table shipped with Palisade
    /// (`--versions FILE` replaces it, for a distribution with its own window). Read from the
    /// `ClusterInfo` of a live scan (`palisade cluster`) or of a snapshot.
    ///
    /// ## Why is this bad?
    /// An unsupported minor gets no security patches: every CVE fixed after its end of life
    /// (API server, kubelet, kube-proxy) stays open in the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterInfo
    /// spec: {version: v1.29.4}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: ClusterInfo
    /// spec: {version: v1.35.1}
    /// ```
    ///
    /// ## Remediation
    /// Upgrade the control plane one minor at a time to a supported version, then the
    /// nodes; managed platforms (EKS, AKS, GKE) offer their own upgrade and extended-support
    /// schedules.
    ///
    /// ## References
    /// - Kubernetes documentation, "Releases" and "Version Skew Policy"
    /// - CNCF, 9 Kubernetes security best practices, 1 (upgrade to the latest version)
    pub struct ServerVersion {
        id: "VER001",
        name: "kubernetes-version-unsupported",
        severity: High,
        summary: "The cluster runs a Kubernetes version out of upstream support",
        controls: ["nsa:upgrades", "cncf:1"],
        pss: None,
    }
}

impl Check for ServerVersion {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        if !super::cluster_info(t) {
            return;
        }
        let Some(version) = t.object.node.get_path(&["spec", "version"]).and_then(Node::as_str) else { return };
        let path = FieldPath::root().keys(&["spec", "version"]);
        let versions = cx.settings().versions();
        let supported = super::supported_list(&versions, cx.today);
        let Some(minor) = minor_of(version) else {
            out.push(Violation::new(path, format!("{} reports version `{version}`, which is not a Kubernetes 1.x version", t.what())));
            return;
        };
        let oldest = versions.minors.first().map(|m| m.minor).unwrap_or(0);
        match versions.get(minor) {
            Some(m) if m.end_of_support < cx.today => out.push(Violation::new(
                path,
                format!("Kubernetes {version} has had no upstream support since {} (supported: {supported})", m.end_of_support),
            )),
            Some(m) if m.end_of_support.unix_days() - cx.today.unix_days() <= 60 => {
                let mut v = Violation::new(path, format!("Kubernetes {version} leaves upstream support on {}; plan the upgrade (supported: {supported})", m.end_of_support));
                v.severity = Some(Severity::Low);
                out.push(v);
            }
            None if minor < oldest => out.push(Violation::new(path, format!("Kubernetes {version} is older than any supported version (supported: {supported})"))),
            _ => {}
        }
    }
}
