use palisade_core::{Context, FieldPath, Node, Severity, Target, Violation};
use crate::check::Check;

declare_rule! {
    /// ## What it does
    /// Judges the SSH daemon of a node (from `palisade node`), when it runs (or, for an
    /// image, when it is configured), by its effective configuration — `sshd_config` and the
    /// files it `Include`s, the first value of each keyword winning as sshd reads them, up to
    /// the first `Match` block: root login allowed (`PermitRootLogin` other than `no`;
    /// the default `prohibit-password` still lets root in with a key), password
    /// authentication (on by default), empty passwords, X11 forwarding, and no second factor
    /// (neither `AuthenticationMethods` requiring two methods nor a one-time-password PAM
    /// module in `/etc/pam.d/sshd`). Findings name the file and line that decided.
    ///
    /// ## Why is this bad?
    /// A node's shell is the cluster's soft underbelly: from it, the kubelet's credentials,
    /// every container's filesystem and the runtime socket are a step away. Practitioners
    /// turn SSH off where it is not needed and require keys and a second factor where it is.
    ///
    /// ## Example
    /// ```yaml
    /// # /etc/ssh/sshd_config: PermitRootLogin yes, PasswordAuthentication yes
    /// kind: Host
    /// spec:
    ///   programs: [sshd]
    ///   sshd: {settings: {permitrootlogin: {value: "yes"}, passwordauthentication: {value: "yes"}}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # PermitRootLogin no, PasswordAuthentication no,
    /// # AuthenticationMethods publickey,keyboard-interactive
    /// kind: Host
    /// spec:
    ///   programs: [sshd]
    ///   sshd:
    ///     settings:
    ///       permitrootlogin: {value: "no"}
    ///       passwordauthentication: {value: "no"}
    ///       authenticationmethods: {value: "publickey,keyboard-interactive"}
    /// ```
    ///
    /// ## Remediation
    /// Stop and disable sshd on nodes that do not need it (use `kubectl debug node/…`);
    /// otherwise set the keywords in `/etc/ssh/sshd_config` (before any `Match`) and reload.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide (authentication)
    /// - OpenSSH `sshd_config(5)`
    pub struct SshdHardening {
        id: "HOST001",
        name: "sshd-weak-configuration",
        severity: Medium,
        summary: "The node's SSH daemon allows root, passwords or no second factor",
        controls: ["cncf:8"],
        pss: None,
    }
}

impl Check for SshdHardening {
    fn check(&self, _cx: &Context, t: &Target, out: &mut Vec<Violation>) {
        let Some(spec) = super::host(t) else { return };
        let Some(sshd) = spec.get("sshd").filter(|s| !s.is_null()) else { return };
        if super::runs(spec, "sshd") == Some(false) {
            return;
        }
        let settings = sshd.get("settings");
        let get = |key: &str| settings.and_then(|s| s.get(key));
        let value = |key: &str| get(key).and_then(|s| s.get("value")).and_then(Node::as_str).map(str::to_ascii_lowercase);
        let at = |key: &str| match get(key) {
            Some(s) => {
                let file = s.get("file").map(Node::display_scalar).unwrap_or_default();
                let line = s.get("line").and_then(Node::as_i64).unwrap_or(1) as u32;
                (FieldPath::root().keys(&["spec", "sshd", "settings"]).key(key.to_string()), format!(" ({file}:{line})"), Some((file, line)))
            }
            None => (FieldPath::root().keys(&["spec", "sshd"]), " (the default)".to_string(), None),
        };
        let mut flag = |key: &str, severity: Severity, message: String| {
            let (path, place, file) = at(key);
            let mut v = Violation::new(path, format!("sshd on {}: {message}{place}", t.what()));
            v.severity = Some(severity);
            out.push(v.in_file(file));
        };
        let root = value("permitrootlogin").unwrap_or_else(|| "prohibit-password".into());
        if root != "no" {
            flag("permitrootlogin", if root == "yes" { Severity::High } else { Severity::Medium }, format!("PermitRootLogin is {root}: root may log in"));
        }
        if value("passwordauthentication").unwrap_or_else(|| "yes".into()) != "no" {
            flag("passwordauthentication", Severity::Medium, "PasswordAuthentication is on: passwords can be guessed".into());
        }
        if value("permitemptypasswords").as_deref() == Some("yes") {
            flag("permitemptypasswords", Severity::Critical, "PermitEmptyPasswords is yes".into());
        }
        if value("x11forwarding").as_deref() == Some("yes") {
            flag("x11forwarding", Severity::Low, "X11Forwarding is yes".into());
        }
        let two_methods = value("authenticationmethods").is_some_and(|m| m.split_whitespace().all(|list| list.split(',').count() >= 2));
        let otp = sshd.get("pam_second_factor").is_some_and(|p| !p.is_null());
        if !two_methods && !otp {
            flag("authenticationmethods", Severity::Medium, "no second factor: AuthenticationMethods does not require two methods and no one-time-password PAM module guards sshd".into());
        }
    }
}
