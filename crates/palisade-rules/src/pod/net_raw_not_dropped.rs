use palisade_core::{Context, Target, Violation};
use crate::check::Check;

use super::{capabilities, capability};

declare_rule! {
    /// ## What it does
    /// Flags containers that keep `NET_RAW`: their `securityContext.capabilities.drop` names
    /// neither `NET_RAW` nor `ALL`, or their `add` names `NET_RAW` again. Windows pods are not
    /// flagged.
    ///
    /// When the restricted check `capabilities_restricted` (POD018, drop ALL) runs, it already
    /// reports every such container, so this rule stays quiet unless selected by ID.
    ///
    /// ## Why is this bad?
    /// Most container runtimes grant `NET_RAW` by default. It lets a process craft any packet:
    /// ARP and DNS spoofing of neighbouring pods on the node, and ICMP tricks against the host.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       capabilities:
    ///         drop: ["ALL"]
    /// ```
    ///
    /// ## Remediation
    /// Add `NET_RAW` (better: `ALL`) to `securityContext.capabilities.drop`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.12, 5.2.8
    pub struct NetRawNotDropped {
        id: "POD028",
        name: "net-raw-not-dropped",
        severity: Low,
        summary: "Container keeps the NET_RAW capability",
        controls: ["cis-1.12:5.2.8", "nsa:pod-security", "mitre:T1557"],
        pss: None,
        redundant_with: ["POD018"],
    }
}

impl Check for NetRawNotDropped {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if pod.is_windows() {
            return;
        }
        for c in pod.containers() {
            if let Some(i) = capabilities(c, "add").iter().position(|cap| capability(cap) == "NET_RAW") {
                out.push(Violation::new(
                    c.sc_path(&["capabilities", "add"]).index(i),
                    format!("{} of {} adds NET_RAW", c.describe(), t.what()),
                ));
            } else if !capabilities(c, "drop").iter().any(|cap| matches!(capability(cap).as_str(), "NET_RAW" | "ALL")) {
                out.push(Violation::new(
                    c.sc_path(&["capabilities", "drop"]),
                    format!("{} of {} does not drop NET_RAW", c.describe(), t.what()),
                ));
            }
        }
    }
}
