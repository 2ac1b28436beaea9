use palisade_core::{Context, FieldPath, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags kernel sysctls of a node (from `palisade node`, read from `/proc/sys`) that are
    /// weaker than the usual hardening baseline: kernel pointers and `dmesg` hidden from
    /// unprivileged users (`kernel.kptr_restrict` ≥ 1, `kernel.dmesg_restrict` = 1),
    /// unprivileged BPF off (`kernel.unprivileged_bpf_disabled` ≥ 1), ptrace limited
    /// (`kernel.yama.ptrace_scope` ≥ 1), full ASLR (`kernel.randomize_va_space` = 2),
    /// protected links, no core dumps of setuid programs (`fs.suid_dumpable` = 0), and no
    /// ICMP redirects or source routing, with reverse-path filtering on. Only sysctls the
    /// kernel exposes are judged (forwarding, which Kubernetes needs, is not).
    ///
    /// ## Why is this bad?
    /// These are the kernel's own defences against the local privilege escalations a
    /// container escape starts with: leaked kernel addresses defeat KASLR, unprivileged BPF
    /// and ptrace are common exploit paths.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Host
    /// spec: {sysctls: {kernel.kptr_restrict: "0", kernel.unprivileged_bpf_disabled: "0"}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Host
    /// spec: {sysctls: {kernel.kptr_restrict: "1", kernel.unprivileged_bpf_disabled: "2"}}
    /// ```
    ///
    /// ## Remediation
    /// Set them in `/etc/sysctl.d/90-hardening.conf` and `sysctl --system`.
    ///
    /// ## References
    /// - Linux kernel documentation, "Documentation for /proc/sys/kernel/"
    pub struct KernelSysctls {
        id: "HOST003",
        name: "weak-kernel-sysctls",
        severity: Low,
        summary: "A kernel hardening sysctl of the node is off",
        controls: ["cncf:8"],
        pss: None,
    }
}

/// A sysctl, whether a value passes, and what is wanted.
type Wanted = (&'static str, fn(i64) -> bool, &'static str);

const WANTED: &[Wanted] = &[
    ("kernel.kptr_restrict", |v| v >= 1, "1 or 2"),
    ("kernel.dmesg_restrict", |v| v == 1, "1"),
    ("kernel.unprivileged_bpf_disabled", |v| v >= 1, "1 or 2"),
    ("kernel.yama.ptrace_scope", |v| v >= 1, "1 or more"),
    ("kernel.randomize_va_space", |v| v == 2, "2"),
    ("fs.protected_hardlinks", |v| v == 1, "1"),
    ("fs.protected_symlinks", |v| v == 1, "1"),
    ("fs.suid_dumpable", |v| v == 0, "0"),
    ("net.ipv4.conf.all.accept_redirects", |v| v == 0, "0"),
    ("net.ipv4.conf.all.send_redirects", |v| v == 0, "0"),
    ("net.ipv4.conf.all.rp_filter", |v| v == 1 || v == 2, "1 or 2"),
    ("net.ipv4.conf.all.accept_source_route", |v| v == 0, "0"),
];

impl Check for KernelSysctls {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(sysctls) = super::host(t).and_then(|s| s.get("sysctls")) else { return };
        for (name, ok, want) in WANTED {
            let Some(value) = sysctls.get(name) else { continue };
            let text = value.display_scalar();
            if text.trim().parse::<i64>().is_ok_and(|v| !ok(v)) {
                out.push(Violation::new(FieldPath::root().keys(&["spec", "sysctls"]).key(*name), format!("{}: {name} is {text}, not {want}", t.what())));
            }
        }
    }
}
