use palisade_core::{Context, Node, PssCheck, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags pod `securityContext.sysctls` outside the safe set of the policy version:
    /// `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, `net.ipv4.tcp_syncookies`,
    /// `net.ipv4.ping_group_range`, `net.ipv4.ip_unprivileged_port_start`; from v1.27
    /// `net.ipv4.ip_local_reserved_ports`; from v1.29 `net.ipv4.tcp_keepalive_time`,
    /// `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`,
    /// `net.ipv4.tcp_keepalive_probes`; from v1.32 `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`;
    /// from v1.37 `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat`.
    ///
    /// ## Why is this bad?
    /// Other sysctls are either not namespaced (they change the whole node) or not isolated
    /// between pods; they can disable security mechanisms or starve other workloads.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   sysctls:
    ///     - name: kernel.msgmax
    ///       value: "65536"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   sysctls:
    ///     - name: net.ipv4.ip_local_port_range
    ///       value: "32768 60999"
    /// ```
    ///
    /// ## Remediation
    /// Use only the safe sysctls; tune anything else on the node itself, for the workloads
    /// that are scheduled there on purpose.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Sysctls": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    /// - <https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/>
    pub struct UnsafeSysctl {
        id: "POD010",
        name: "unsafe-sysctl",
        severity: Medium,
        summary: "Pod sets a sysctl outside the safe set",
        controls: ["pss-baseline:sysctls", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::baseline("sysctls", 0),
    }
}

/// The safe sysctls, each with the policy version that first allows it, as Pod Security
/// Admission's `check_sysctls.go` defines them (`sysctlsAllowedV1Dot0`, `…V1Dot27`,
/// `…V1Dot29`, `…V1Dot32`, and `…V1Dot37` from kubernetes/kubernetes PR #138389).
const SAFE: &[(&str, u16)] = &[
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

impl Check for UnsafeSysctl {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        let sysctls = pod.sc_field("sysctls").map(Node::items).unwrap_or(&[]);
        for (i, sysctl) in sysctls.iter().enumerate() {
            let name = sysctl.get("name").map(Node::display_scalar).unwrap_or_default();
            let safe = SAFE.iter().any(|(n, since)| *n == name && cx.version.at_least(*since));
            if !safe {
                out.push(Violation::new(
                    pod.sc_path(&["sysctls"]).index(i).key("name"),
                    format!("{} sets sysctl `{name}`, which is not safe at {}", t.what(), cx.version),
                ));
            }
        }
    }
}
