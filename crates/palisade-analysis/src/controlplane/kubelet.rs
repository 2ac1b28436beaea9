//! CIS Kubernetes Benchmark 1.12 §4.2: the kubelet's effective configuration. Each setting
//! is read where the kubelet reads it — a command-line flag wins over the config file
//! (`--config`), and what neither sets takes the default, which differs: the config file's
//! API defaults are safe (anonymous auth off, Webhook authorization, read-only port 0), the
//! flags' defaults are not (anonymous auth on, AlwaysAllow, port 10255). Findings say which
//! source decided.

use super::flags::Flags;
use palisade_core::Node;

/// One setting: its flag, its key path in the config file, and its defaults with and
/// without a config file.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    pub flag: &'static str,
    pub key: &'static [&'static str],
    pub default_with_file: Option<&'static str>,
    pub default_without_file: Option<&'static str>,
}

/// How a setting is judged.
#[derive(Clone, Copy, Debug)]
pub enum Test {
    Is(&'static str),
    IsNot(&'static str),
    Excludes(&'static str),
    Given,
    Within(&'static [&'static str]),
}

/// One §4.2 check.
#[derive(Clone, Copy, Debug)]
pub struct KubeletCheck {
    pub id: &'static str,
    pub control: &'static str,
    pub title: &'static str,
    pub severity: &'static str,
    pub setting: Setting,
    pub test: Test,
}

macro_rules! kubelet_check {
    ($id:literal, $severity:literal, $title:literal, $flag:literal, $key:expr, $with:expr, $without:expr, $test:expr) => {
        KubeletCheck {
            id: $id,
            control: concat!("cis-1.12:", $id),
            title: $title,
            severity: $severity,
            setting: Setting { flag: $flag, key: $key, default_with_file: $with, default_without_file: $without },
            test: $test,
        }
    };
}

const STRONG: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
];

use Test::*;

/// The automated §4.2 checks (4.2.7 `--hostname-override` and 4.2.8 the event QPS are
/// judgements about the environment and stay manual).
pub const KUBELET_CHECKS: &[KubeletCheck] = &[
    kubelet_check!("4.2.1", "critical", "Ensure that the --anonymous-auth argument is set to false", "anonymous-auth", &["authentication", "anonymous", "enabled"], Some("false"), Some("true"), Is("false")),
    kubelet_check!("4.2.2", "critical", "Ensure that the --authorization-mode argument is not set to AlwaysAllow", "authorization-mode", &["authorization", "mode"], Some("Webhook"), Some("AlwaysAllow"), Excludes("AlwaysAllow")),
    kubelet_check!("4.2.3", "high", "Ensure that the --client-ca-file argument is set as appropriate", "client-ca-file", &["authentication", "x509", "clientCAFile"], None, None, Given),
    kubelet_check!("4.2.4", "high", "Verify that if defined, the --read-only-port argument is set to 0", "read-only-port", &["readOnlyPort"], Some("0"), Some("10255"), Is("0")),
    kubelet_check!("4.2.5", "medium", "Ensure that the --streaming-connection-idle-timeout argument is not set to 0", "streaming-connection-idle-timeout", &["streamingConnectionIdleTimeout"], Some("4h0m0s"), Some("4h0m0s"), IsNot("0")),
    kubelet_check!("4.2.6", "medium", "Ensure that the --make-iptables-util-chains argument is set to true", "make-iptables-util-chains", &["makeIPTablesUtilChains"], Some("true"), Some("true"), Is("true")),
    kubelet_check!("4.2.9", "medium", "Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate", "tls-cert-file", &["tlsCertFile"], None, None, Given),
    kubelet_check!("4.2.10", "medium", "Ensure that the --rotate-certificates argument is not set to false", "rotate-certificates", &["rotateCertificates"], Some("false"), Some("false"), IsNot("false")),
    kubelet_check!("4.2.12", "medium", "Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers", "tls-cipher-suites", &["tlsCipherSuites"], None, None, Within(STRONG)),
    kubelet_check!("4.2.13", "low", "Ensure that a limit is set on pod PIDs", "pod-max-pids", &["podPidsLimit"], None, None, Given),
    kubelet_check!("4.2.14", "medium", "Ensure that the --seccomp-default parameter is set to true", "seccomp-default", &["seccompDefault"], Some("false"), Some("false"), Is("true")),
];

/// Where a setting's effective value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The command line; the index of the argument.
    Flag(usize),
    /// The config file, at this key.
    Config,
    /// Neither: the default (with or without a config file).
    Default,
}

/// The effective value of a setting, and where it came from.
pub fn effective(setting: &Setting, flags: &Flags, config: Option<&Node>) -> (Option<String>, Source) {
    if let (Some(v), Some(i)) = (flags.get(setting.flag), flags.index(setting.flag)) {
        return (Some(v.to_string()), Source::Flag(i));
    }
    if let Some(node) = config.and_then(|c| c.get_path(setting.key)) {
        let value = match &node.value {
            palisade_core::Value::Seq(items) => items.iter().map(Node::display_scalar).collect::<Vec<_>>().join(","),
            _ => node.display_scalar(),
        };
        return (Some(value), Source::Config);
    }
    let default = if config.is_some() { setting.default_with_file } else { setting.default_without_file };
    (default.map(str::to_string), Source::Default)
}

impl KubeletCheck {
    /// What is wrong with the effective value, if anything.
    pub fn judge(&self, value: Option<&str>) -> Option<String> {
        let shown = value.unwrap_or("unset");
        let bad = match self.test {
            Is(want) => !value.is_some_and(|v| v.eq_ignore_ascii_case(want)),
            IsNot(not) => value.is_some_and(|v| v.eq_ignore_ascii_case(not) || (not == "0" && matches!(v, "0s" | "0m" | "0h"))),
            Excludes(item) => value.is_some_and(|v| v.split(',').any(|m| m.trim() == item)),
            Given => value.is_none_or(str::is_empty),
            Within(allowed) => match value {
                None => true,
                Some(v) => v.split(',').map(str::trim).any(|s| !s.is_empty() && !allowed.contains(&s)),
            },
        };
        bad.then(|| format!("{} is {shown}", self.setting.flag))
    }
}
