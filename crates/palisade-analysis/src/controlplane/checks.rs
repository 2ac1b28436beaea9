//! CIS Kubernetes Benchmark 1.12 §1.2 (API server), §1.3 (controller manager), §1.4
//! (scheduler), §2 (etcd) and §3.2 (logging), each written once over a [`Flags`] set so that
//! static-pod manifests, live static pods and the flags of running processes are judged by
//! the same code. The check list and titles are the benchmark's (data; `../shared/corpus/cis/`
//! has them); the judgements are Palisade's own, with each component's real defaults: an
//! unset `--profiling` is `true`, an unset `--authorization-mode` is `AlwaysAllow`, an
//! unset `--bind-address` is `0.0.0.0`.

use super::flags::Flags;
use super::Component;

/// How a flag is judged.
#[derive(Clone, Copy, Debug)]
pub enum Test {
    /// Equal to `want`; unset means `default`.
    Is { flag: &'static str, want: &'static str, default: &'static str },
    /// Every flag given, with a value.
    Given(&'static [&'static str]),
    /// Not given at all.
    Absent(&'static str),
    /// The list includes `item`; unset means `default`.
    Includes { flag: &'static str, item: &'static str, default: &'static [&'static str] },
    /// The list does not include `item`; unset means `default`.
    Excludes { flag: &'static str, item: &'static str, default: &'static [&'static str] },
    /// A number of at least `min`; unset fails.
    AtLeast { flag: &'static str, min: i64 },
    /// Given, and every item one of `allowed`.
    Within { flag: &'static str, allowed: &'static [&'static str] },
    /// Judged from a configuration file the API server reads, given as an object of this
    /// kind (`EncryptionConfiguration`), by its own rule.
    FromFile(&'static str),
    /// Not judged from flags: the reason says what to look at.
    Manual(&'static str),
}

/// One benchmark check.
#[derive(Clone, Copy, Debug)]
pub struct Check {
    /// `1.2.1`.
    pub id: &'static str,
    /// `cis-1.12:1.2.1`.
    pub control: &'static str,
    pub component: Component,
    /// The benchmark's recommendation.
    pub title: &'static str,
    /// `critical`, `high`, `medium`, `low` or `info`, as Palisade ranks the exposure.
    pub severity: &'static str,
    pub test: Test,
}

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// Failed: what is wrong, and the flag to point at (when it is given).
    Fail { reason: String, flag: Option<&'static str> },
    /// Cannot be judged from flags.
    Manual(&'static str),
}

/// The admission plugins kube-apiserver enables when `--enable-admission-plugins` does not
/// name them (Kubernetes 1.30+ defaults, `kube-apiserver --help`).
pub const DEFAULT_ADMISSION: &[&str] = &[
    "NamespaceLifecycle", "LimitRanger", "ServiceAccount", "TaintNodesByCondition", "PodSecurity", "Priority",
    "DefaultTolerationSeconds", "DefaultStorageClass", "StorageObjectInUseProtection", "PersistentVolumeClaimResize",
    "RuntimeClass", "CertificateApproval", "CertificateSigning", "ClusterTrustBundleAttest", "CertificateSubjectRestriction",
    "DefaultIngressClass", "MutatingAdmissionWebhook", "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook", "ResourceQuota",
];

/// TLS 1.2 suites with forward secrecy and AEAD, and the TLS 1.3 suites (CIS 1.2.29).
const STRONG_CIPHERS: &[&str] = &[
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

use Component::{ApiServer, ControllerManager, Etcd, Scheduler};
use Test::*;

macro_rules! check {
    ($id:literal, $component:expr, $severity:literal, $title:literal, $test:expr) => {
        Check { id: $id, control: concat!("cis-1.12:", $id), component: $component, title: $title, severity: $severity, test: $test }
    };
}

/// Every check, in benchmark order.
pub const CHECKS: &[Check] = &[
    check!("1.2.1", ApiServer, "high", "Ensure that the --anonymous-auth argument is set to false", Is { flag: "anonymous-auth", want: "false", default: "true" }),
    check!("1.2.2", ApiServer, "high", "Ensure that the --token-auth-file parameter is not set", Absent("token-auth-file")),
    check!("1.2.3", ApiServer, "medium", "Ensure that the DenyServiceExternalIPs admission plugin is set", Includes { flag: "enable-admission-plugins", item: "DenyServiceExternalIPs", default: DEFAULT_ADMISSION }),
    check!("1.2.4", ApiServer, "high", "Ensure that the --kubelet-client-certificate and --kubelet-client-key arguments are set as appropriate", Given(&["kubelet-client-certificate", "kubelet-client-key"])),
    check!("1.2.5", ApiServer, "high", "Ensure that the --kubelet-certificate-authority argument is set as appropriate", Given(&["kubelet-certificate-authority"])),
    check!("1.2.6", ApiServer, "critical", "Ensure that the --authorization-mode argument is not set to AlwaysAllow", Excludes { flag: "authorization-mode", item: "AlwaysAllow", default: &["AlwaysAllow"] }),
    check!("1.2.7", ApiServer, "high", "Ensure that the --authorization-mode argument includes Node", Includes { flag: "authorization-mode", item: "Node", default: &["AlwaysAllow"] }),
    check!("1.2.8", ApiServer, "high", "Ensure that the --authorization-mode argument includes RBAC", Includes { flag: "authorization-mode", item: "RBAC", default: &["AlwaysAllow"] }),
    check!("1.2.9", ApiServer, "low", "Ensure that the admission control plugin EventRateLimit is set", Includes { flag: "enable-admission-plugins", item: "EventRateLimit", default: DEFAULT_ADMISSION }),
    check!("1.2.10", ApiServer, "critical", "Ensure that the admission control plugin AlwaysAdmit is not set", Excludes { flag: "enable-admission-plugins", item: "AlwaysAdmit", default: DEFAULT_ADMISSION }),
    check!("1.2.11", ApiServer, "low", "Ensure that the admission control plugin AlwaysPullImages is set", Includes { flag: "enable-admission-plugins", item: "AlwaysPullImages", default: DEFAULT_ADMISSION }),
    check!("1.2.12", ApiServer, "high", "Ensure that the admission control plugin ServiceAccount is set", Excludes { flag: "disable-admission-plugins", item: "ServiceAccount", default: &[] }),
    check!("1.2.13", ApiServer, "medium", "Ensure that the admission control plugin NamespaceLifecycle is set", Excludes { flag: "disable-admission-plugins", item: "NamespaceLifecycle", default: &[] }),
    check!("1.2.14", ApiServer, "high", "Ensure that the admission control plugin NodeRestriction is set", Includes { flag: "enable-admission-plugins", item: "NodeRestriction", default: DEFAULT_ADMISSION }),
    check!("1.2.15", ApiServer, "low", "Ensure that the --profiling argument is set to false", Is { flag: "profiling", want: "false", default: "true" }),
    check!("1.2.16", ApiServer, "high", "Ensure that the --audit-log-path argument is set", Given(&["audit-log-path"])),
    check!("1.2.17", ApiServer, "low", "Ensure that the --audit-log-maxage argument is set to 30 or as appropriate", AtLeast { flag: "audit-log-maxage", min: 30 }),
    check!("1.2.18", ApiServer, "low", "Ensure that the --audit-log-maxbackup argument is set to 10 or as appropriate", AtLeast { flag: "audit-log-maxbackup", min: 10 }),
    check!("1.2.19", ApiServer, "low", "Ensure that the --audit-log-maxsize argument is set to 100 or as appropriate", AtLeast { flag: "audit-log-maxsize", min: 100 }),
    check!("1.2.20", ApiServer, "info", "Ensure that the --request-timeout argument is set as appropriate", Manual("the right timeout depends on the cluster's clients; the default is 60s")),
    check!("1.2.21", ApiServer, "medium", "Ensure that the --service-account-lookup argument is set to true", Is { flag: "service-account-lookup", want: "true", default: "true" }),
    check!("1.2.22", ApiServer, "high", "Ensure that the --service-account-key-file argument is set as appropriate", Given(&["service-account-key-file"])),
    check!("1.2.23", ApiServer, "high", "Ensure that the --etcd-certfile and --etcd-keyfile arguments are set as appropriate", Given(&["etcd-certfile", "etcd-keyfile"])),
    check!("1.2.24", ApiServer, "high", "Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate", Given(&["tls-cert-file", "tls-private-key-file"])),
    check!("1.2.25", ApiServer, "high", "Ensure that the --client-ca-file argument is set as appropriate", Given(&["client-ca-file"])),
    check!("1.2.26", ApiServer, "high", "Ensure that the --etcd-cafile argument is set as appropriate", Given(&["etcd-cafile"])),
    check!("1.2.27", ApiServer, "high", "Ensure that the --encryption-provider-config argument is set as appropriate", Given(&["encryption-provider-config"])),
    check!("1.2.28", ApiServer, "info", "Ensure that encryption providers are appropriately configured", FromFile("EncryptionConfiguration")),
    check!("1.2.29", ApiServer, "medium", "Ensure that the API Server only makes use of Strong Cryptographic Ciphers", Within { flag: "tls-cipher-suites", allowed: STRONG_CIPHERS }),
    check!("1.2.30", ApiServer, "medium", "Ensure that the --service-account-extend-token-expiration parameter is set to false", Is { flag: "service-account-extend-token-expiration", want: "false", default: "true" }),
    check!("1.3.1", ControllerManager, "low", "Ensure that the --terminated-pod-gc-threshold argument is set as appropriate", Given(&["terminated-pod-gc-threshold"])),
    check!("1.3.2", ControllerManager, "low", "Ensure that the --profiling argument is set to false", Is { flag: "profiling", want: "false", default: "true" }),
    check!("1.3.3", ControllerManager, "high", "Ensure that the --use-service-account-credentials argument is set to true", Is { flag: "use-service-account-credentials", want: "true", default: "false" }),
    check!("1.3.4", ControllerManager, "high", "Ensure that the --service-account-private-key-file argument is set as appropriate", Given(&["service-account-private-key-file"])),
    check!("1.3.5", ControllerManager, "medium", "Ensure that the --root-ca-file argument is set as appropriate", Given(&["root-ca-file"])),
    check!("1.3.6", ControllerManager, "medium", "Ensure that the RotateKubeletServerCertificate argument is set to true", Excludes { flag: "feature-gates", item: "RotateKubeletServerCertificate=false", default: &[] }),
    check!("1.3.7", ControllerManager, "medium", "Ensure that the --bind-address argument is set to 127.0.0.1", Is { flag: "bind-address", want: "127.0.0.1", default: "0.0.0.0" }),
    check!("1.4.1", Scheduler, "low", "Ensure that the --profiling argument is set to false", Is { flag: "profiling", want: "false", default: "true" }),
    check!("1.4.2", Scheduler, "medium", "Ensure that the --bind-address argument is set to 127.0.0.1", Is { flag: "bind-address", want: "127.0.0.1", default: "0.0.0.0" }),
    check!("2.1", Etcd, "high", "Ensure that the --cert-file and --key-file arguments are set as appropriate", Given(&["cert-file", "key-file"])),
    check!("2.2", Etcd, "critical", "Ensure that the --client-cert-auth argument is set to true", Is { flag: "client-cert-auth", want: "true", default: "false" }),
    check!("2.3", Etcd, "high", "Ensure that the --auto-tls argument is not set to true", Is { flag: "auto-tls", want: "false", default: "false" }),
    check!("2.4", Etcd, "high", "Ensure that the --peer-cert-file and --peer-key-file arguments are set as appropriate", Given(&["peer-cert-file", "peer-key-file"])),
    check!("2.5", Etcd, "high", "Ensure that the --peer-client-cert-auth argument is set to true", Is { flag: "peer-client-cert-auth", want: "true", default: "false" }),
    check!("2.6", Etcd, "high", "Ensure that the --peer-auto-tls argument is not set to true", Is { flag: "peer-auto-tls", want: "false", default: "false" }),
    check!("2.7", Etcd, "info", "Ensure that a unique Certificate Authority is used for etcd", Manual("compare --trusted-ca-file with the API server's --client-ca-file: they must differ")),
    check!("3.2.1", ApiServer, "medium", "Ensure that a minimal audit policy is created", Given(&["audit-policy-file"])),
    check!("3.2.2", ApiServer, "info", "Ensure that the audit policy covers key security concerns", Manual("judged from the audit policy file itself")),
];

/// The checks of one component.
pub fn checks_of(component: Component) -> impl Iterator<Item = &'static Check> {
    CHECKS.iter().filter(move |c| c.component == component)
}

impl Check {
    /// Judges the check over a component's flags.
    pub fn judge(&self, flags: &Flags) -> Verdict {
        let fail = |reason: String, flag: &'static str| Verdict::Fail { reason, flag: flags.get(flag).is_some().then_some(flag) };
        match self.test {
            Is { flag, want, default } => {
                let value = flags.get(flag);
                let actual = value.unwrap_or(default);
                if actual.eq_ignore_ascii_case(want) {
                    Verdict::Pass
                } else if value.is_none() {
                    fail(format!("--{flag} is not set, so it is {default}"), flag)
                } else {
                    fail(format!("--{flag} is {actual}"), flag)
                }
            }
            Given(names) => match names.iter().find(|n| flags.get(n).is_none_or(str::is_empty)) {
                None => Verdict::Pass,
                Some(missing) => fail(format!("--{missing} is not set"), missing),
            },
            Absent(flag) => match flags.get(flag) {
                None => Verdict::Pass,
                Some(_) => fail(format!("--{flag} is set"), flag),
            },
            Includes { flag, item, default } => {
                let items = flags.list(flag);
                let effective: Vec<&str> = items.clone().unwrap_or_else(|| default.to_vec());
                if effective.contains(&item) || (flag == "enable-admission-plugins" && default.contains(&item) && !disabled(flags, item)) {
                    Verdict::Pass
                } else if items.is_none() {
                    let what = if default.len() > 3 { "only the defaults".to_string() } else { default.join(",") };
                    fail(format!("--{flag} is not set, so it is {what}, without {item}"), flag)
                } else {
                    fail(format!("--{flag} does not include {item}"), flag)
                }
            }
            Excludes { flag, item, default } => {
                let items = flags.list(flag);
                if items.clone().unwrap_or_else(|| default.to_vec()).contains(&item) {
                    match items {
                        Some(_) => fail(format!("--{flag} includes {item}"), flag),
                        None => fail(format!("--{flag} is not set, so it is {}", default.join(",")), flag),
                    }
                } else {
                    Verdict::Pass
                }
            }
            AtLeast { flag, min } => match flags.get(flag).map(|v| v.parse::<i64>()) {
                Some(Ok(n)) if n >= min => Verdict::Pass,
                Some(Ok(n)) => fail(format!("--{flag} is {n}, below {min}"), flag),
                Some(Err(_)) => fail(format!("--{flag} is not a number"), flag),
                None => fail(format!("--{flag} is not set"), flag),
            },
            Within { flag, allowed } => match flags.list(flag) {
                None => fail(format!("--{flag} is not set, so Go's defaults, weak suites included, are offered"), flag),
                Some(items) => match items.iter().filter(|i| !allowed.contains(i)).collect::<Vec<_>>() {
                    weak if weak.is_empty() => Verdict::Pass,
                    weak => fail(format!("--{flag} offers {}", weak.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")), flag),
                },
            },
            FromFile(_) => Verdict::Manual("judged from the configuration file itself"),
            Manual(reason) => Verdict::Manual(reason),
        }
    }
}

/// Whether `--disable-admission-plugins` turns a default plugin off.
fn disabled(flags: &Flags, plugin: &str) -> bool {
    flags.list("disable-admission-plugins").is_some_and(|l| l.contains(&plugin))
}
