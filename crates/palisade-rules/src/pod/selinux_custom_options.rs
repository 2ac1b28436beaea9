use palisade_core::{Context, FieldPath, Node, PssCheck, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Flags `seLinuxOptions` (pod or container) that set a `user` or `role`, or a `type`
    /// other than `container_t`, `container_init_t`, `container_kvm_t`, and from policy
    /// version v1.31 `container_engine_t`.
    ///
    /// ## Why is this bad?
    /// A custom SELinux user, role or type can move the container out of the confined
    /// container domain, for example into `spc_t` ("super privileged container"), which
    /// SELinux does not confine at all.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   seLinuxOptions:
    ///     type: spc_t
    ///     user: system_u
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   seLinuxOptions:
    ///     level: "s0:c123,c456"
    /// ```
    ///
    /// ## Remediation
    /// Remove `seLinuxOptions.user`, `seLinuxOptions.role` and any `type` outside the
    /// container types; setting only `level` (MCS categories) is fine.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "SELinux": <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
    pub struct SelinuxCustomOptions {
        id: "POD007",
        name: "selinux-custom-options",
        severity: Medium,
        summary: "Custom SELinux user, role or type",
        controls: ["pss-baseline:seLinuxOptions", "nsa:pod-security", "cncf:7"],
        pss: PssCheck::baseline("seLinuxOptions", 0),
    }
}

const TYPES: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];

fn check_options(options: &Node, path: &FieldPath, who: &str, cx: &Context, out: &mut Vec<Violation>) {
    if let Some(ty) = options.field("type") {
        let ty = ty.display_scalar();
        let allowed = TYPES.contains(&ty.as_str()) || (cx.version.at_least(31) && ty == "container_engine_t");
        if !allowed {
            out.push(Violation::new(path.key("type"), format!("{who} sets SELinux type `{ty}`")));
        }
    }
    for field in ["user", "role"] {
        if let Some(value) = options.field(field) {
            if !value.display_scalar().is_empty() {
                out.push(Violation::new(
                    path.key(field),
                    format!("{who} sets SELinux {field} `{}`", value.display_scalar()),
                ));
            }
        }
    }
}

impl Check for SelinuxCustomOptions {
    fn check(&self, cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(pod) = &t.pod else { return };
        if let Some(options) = pod.sc_field("seLinuxOptions") {
            check_options(options, &pod.sc_path(&["seLinuxOptions"]), t.what(), cx, out);
        }
        for c in pod.containers() {
            if let Some(options) = c.sc_field("seLinuxOptions") {
                let who = format!("{} of {}", c.describe(), t.what());
                check_options(options, &c.sc_path(&["seLinuxOptions"]), &who, cx, out);
            }
        }
    }
}
