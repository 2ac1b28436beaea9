//! The control catalogues behind `palisade compliance`: every control of CIS Kubernetes
//! Benchmark 1.12 §1.1–1.4, §2, §3.2, §4.1–4.2 and §5, the NSA/CISA Kubernetes Hardening Guide, the CNCF's nine best practices
//! and the Pod Security Standards, each either automated (decided by the rules that carry
//! its control reference) or manual with the reason.

use crate::registry;
use palisade_core::compliance::{Compliance, ControlResult, Status};
use palisade_core::{Finding, PssLevel, RuleMeta, Suppression};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// The objects a control is about: when the input has none, it is not applicable.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// Objects with a pod spec.
    Workloads,
    /// Objects of these kinds.
    Kinds(&'static [&'static str]),
    /// Workloads or objects of these kinds.
    WorkloadsOr(&'static [&'static str]),
    /// Pods running one of these control-plane components (`kube-apiserver`).
    Components(&'static [&'static str]),
}

/// How a control is decided.
#[derive(Clone, Copy, Debug)]
pub enum Decided {
    /// By the rules carrying `<framework>:<id>`, over the objects in scope.
    Automated(Scope),
    /// Not from manifests; the reason.
    Manual(&'static str),
}

/// One control of a framework.
#[derive(Clone, Copy, Debug)]
pub struct Control {
    pub id: &'static str,
    pub title: &'static str,
    pub decided: Decided,
}

/// A framework's catalogue.
pub struct Framework {
    pub name: &'static str,
    pub title: &'static str,
    pub controls: Vec<Control>,
}

/// The frameworks `palisade compliance` assesses.
pub const COMPLIANCE_FRAMEWORKS: &[&str] = &["cis-1.12", "nsa", "cncf", "pss-baseline", "pss-restricted"];

use Decided::{Automated as A, Manual as M};
use Scope::{Kinds, Workloads, WorkloadsOr};

/// The objects RBAC controls are about.
const RBAC_KINDS: &[&str] = &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

const CIS: &[Control] = &[
    Control { id: "5.1.1", title: "Ensure that the cluster-admin role is only used where required", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "5.1.2", title: "Minimize access to secrets", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "5.1.3", title: "Minimize wildcard use in Roles and ClusterRoles", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "5.1.4", title: "Minimize access to create pods", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "5.1.5", title: "Ensure that default service accounts are not actively used", decided: A(Workloads) },
    Control { id: "5.1.6", title: "Ensure that Service Account Tokens are only mounted where necessary", decided: A(Workloads) },
    Control { id: "5.1.7", title: "Avoid use of system:masters group", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "5.1.8", title: "Limit use of the Bind, Impersonate and Escalate permissions", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "5.1.9", title: "Minimize access to create persistent volumes", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "5.1.10", title: "Minimize access to the proxy sub-resource of nodes", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "5.1.11", title: "Minimize access to the approval sub-resource of certificatesigningrequests", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "5.1.12", title: "Minimize access to webhook configuration objects", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "5.1.13", title: "Minimize access to the service account token creation", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "5.2.1", title: "Ensure that the cluster has at least one active policy control mechanism in place", decided: A(Kinds(&["Namespace"])) },
    Control { id: "5.2.2", title: "Minimize the admission of privileged containers", decided: A(Workloads) },
    Control { id: "5.2.3", title: "Minimize the admission of containers wishing to share the host process ID namespace", decided: A(Workloads) },
    Control { id: "5.2.4", title: "Minimize the admission of containers wishing to share the host IPC namespace", decided: A(Workloads) },
    Control { id: "5.2.5", title: "Minimize the admission of containers wishing to share the host network namespace", decided: A(Workloads) },
    Control { id: "5.2.6", title: "Minimize the admission of containers with allowPrivilegeEscalation", decided: A(Workloads) },
    Control { id: "5.2.7", title: "Minimize the admission of root containers", decided: A(Workloads) },
    Control { id: "5.2.8", title: "Minimize the admission of containers with the NET_RAW capability", decided: A(Workloads) },
    Control { id: "5.2.9", title: "Minimize the admission of containers with capabilities assigned", decided: A(Workloads) },
    Control { id: "5.2.10", title: "Minimize the admission of Windows HostProcess containers", decided: A(Workloads) },
    Control { id: "5.2.11", title: "Minimize the admission of HostPath volumes", decided: A(Workloads) },
    Control { id: "5.2.12", title: "Minimize the admission of containers which use HostPorts", decided: A(Workloads) },
    Control { id: "5.3.1", title: "Ensure that the CNI in use supports NetworkPolicies", decided: M("a property of the cluster's network plugin, not of any manifest") },
    Control { id: "5.3.2", title: "Ensure that all Namespaces have NetworkPolicies defined", decided: A(Kinds(&["Namespace"])) },
    Control { id: "5.4.1", title: "Prefer using Secrets as files over Secrets as environment variables", decided: A(WorkloadsOr(&["ConfigMap"])) },
    Control { id: "5.4.2", title: "Consider external secret storage", decided: A(Kinds(&["Secret"])) },
    Control { id: "5.5.1", title: "Configure Image Provenance using ImagePolicyWebhook admission controller", decided: M("an API server admission setting; IMG003 checks the registries of what is deployed") },
    Control { id: "5.6.1", title: "Create administrative boundaries between resources using namespaces", decided: A(WorkloadsOr(&["Namespace"])) },
    Control { id: "5.6.2", title: "Ensure that the seccomp profile is set to docker/default in your Pod definitions", decided: A(Workloads) },
    Control { id: "5.6.3", title: "Apply SecurityContext to your Pods and Containers", decided: A(Workloads) },
    Control { id: "5.6.4", title: "The default namespace should not be used", decided: A(WorkloadsOr(&["Service", "ConfigMap", "Secret"])) },
];

const NSA: &[Control] = &[
    Control { id: "non-root-containers", title: "Use containers built to run applications as non-root users", decided: A(Workloads) },
    Control { id: "immutable-filesystem", title: "Run containers with immutable file systems where possible", decided: A(Workloads) },
    Control { id: "supply-chain", title: "Build and deploy images from trusted, pinned sources", decided: A(Workloads) },
    Control { id: "image-scanning", title: "Scan images for vulnerabilities and misconfigurations", decided: M("needs the images' contents, not the manifests") },
    Control { id: "pod-security", title: "Enforce pod security: no privileged containers, host namespaces, host paths or added capabilities", decided: A(Workloads) },
    Control { id: "service-account-tokens", title: "Protect pod service account tokens", decided: A(WorkloadsOr(&["Secret"])) },
    Control { id: "sandboxing", title: "Harden container environments (sandboxed runtimes for untrusted workloads)", decided: M("which workloads are untrusted is a judgement, not a manifest field") },
    Control { id: "namespaces", title: "Use namespaces to isolate resources", decided: A(WorkloadsOr(&["Namespace"])) },
    Control { id: "network-separation", title: "Separate and restrict network traffic (network policies, exposure)", decided: A(Kinds(&["Namespace", "Service", "Ingress"])) },
    Control { id: "resource-limits", title: "Set resource policies (quotas, limit ranges, container limits)", decided: A(WorkloadsOr(&["Namespace"])) },
    Control { id: "secrets", title: "Keep secrets out of manifests and environment variables; encrypt and externalise them", decided: A(WorkloadsOr(&["Secret", "ConfigMap"])) },
    Control { id: "control-plane", title: "Harden the control plane (API server, etcd, kubeconfig files)", decided: A(Scope::Components(&["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"])) },
    Control { id: "authentication", title: "Use strong authentication; disable anonymous access", decided: M("API server configuration, not manifests") },
    Control { id: "rbac", title: "Use least-privilege RBAC", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "audit-logging", title: "Enable audit logging and threat detection", decided: M("API server and node configuration, not manifests") },
    Control { id: "upgrades", title: "Upgrade and patch promptly", decided: A(Kinds(&["ClusterInfo"])) },
];

const CNCF: &[Control] = &[
    Control { id: "1", title: "Upgrade to the latest version", decided: A(Kinds(&["ClusterInfo"])) },
    Control { id: "2", title: "Enable Role-Based Access Control (RBAC)", decided: A(Kinds(RBAC_KINDS)) },
    Control { id: "3", title: "Use namespaces to establish security boundaries", decided: A(WorkloadsOr(&["Namespace"])) },
    Control { id: "4", title: "Separate sensitive workloads", decided: M("node pools, taints and tolerations reflect which workloads are sensitive, a judgement") },
    Control { id: "5", title: "Secure cloud metadata access", decided: A(Workloads) },
    Control { id: "6", title: "Create and define cluster network policies", decided: A(Kinds(&["Namespace"])) },
    Control { id: "7", title: "Run a cluster-wide pod security policy", decided: A(WorkloadsOr(&["Namespace"])) },
    Control { id: "8", title: "Harden node security", decided: A(Kinds(&["Host"])) },
    Control { id: "9", title: "Turn on audit logging", decided: M("API server configuration, not manifests") },
];

/// CIS: the control-plane checks (from `palisade_analysis::controlplane`, decided by the CP
/// rules over the static pods of each component), then §5.
fn cis_controls() -> Vec<Control> {
    use palisade_analysis::controlplane::{checks::Test, CHECKS};
    let out: Vec<Control> = CHECKS
        .iter()
        .map(|c| Control {
            id: c.id,
            title: c.title,
            decided: match c.test {
                Test::Manual(reason) => M(reason),
                Test::FromFile(_) => A(Kinds(&["EncryptionConfiguration"])),
                _ => A(Scope::Components(match c.component.binary() {
                    "kube-apiserver" => &["kube-apiserver"],
                    "kube-controller-manager" => &["kube-controller-manager"],
                    "kube-scheduler" => &["kube-scheduler"],
                    _ => &["etcd"],
                })),
            },
        })
        .collect();
    // §1.1 and §4.1: the files of a node audit; CNI files (1.1.9, 1.1.10) depend on the plugin.
    // A file check applies where an audited node has its file ("if it exists").
    let files = palisade_analysis::controlplane::files::FILE_CHECKS.iter().map(|c| Control { id: c.id, title: c.title, decided: A(Kinds(std::slice::from_ref(&c.counted))) });
    let cni = [
        Control { id: "1.1.9", title: "Ensure that the Container Network Interface file permissions are set to 600 or more restrictive", decided: M("the CNI's files depend on the network plugin's own layout") },
        Control { id: "1.1.10", title: "Ensure that the Container Network Interface file ownership is set to root:root", decided: M("the CNI's files depend on the network plugin's own layout") },
    ];
    let mut section_1_1: Vec<Control> = files.chain(cni).collect();
    let order = |id: &str| -> Vec<u32> { id.split('.').filter_map(|p| p.parse().ok()).collect() };
    section_1_1.sort_by_key(|c| order(c.id));
    // §4.2: the kubelet's effective configuration; 4.2.7, 4.2.8 and 4.2.11 are judgements.
    section_1_1.extend(palisade_analysis::controlplane::kubelet::KUBELET_CHECKS.iter().map(|c| Control { id: c.id, title: c.title, decided: A(Scope::Components(&["kubelet"])) }));
    section_1_1.extend([
        Control { id: "4.2.7", title: "Ensure that the --hostname-override argument is not set", decided: M("some cloud providers need it; whether it is wanted depends on the platform") },
        Control { id: "4.2.8", title: "Ensure that the eventRecordQPS argument is set to a level which ensures appropriate event capture", decided: M("the right rate depends on the cluster's event volume") },
        Control { id: "4.2.11", title: "Verify that the RotateKubeletServerCertificate argument is set to true", decided: M("a feature gate on by default since 1.12; serving-certificate approval happens off the node") },
    ]);
    section_1_1.sort_by_key(|c| order(c.id));
    let (node_files, master_files): (Vec<Control>, Vec<Control>) = section_1_1.into_iter().partition(|c| c.id.starts_with("4."));
    let mut all = master_files;
    for c in out {
        // §3.1 (authentication) comes before §3.2: judgements about how people log in.
        if c.id == "3.2.1" {
            all.extend([
                Control { id: "3.1.1", title: "Client certificate authentication should not be used for users", decided: M("who holds client certificates is known to the CA's operator, not the cluster") },
                Control { id: "3.1.2", title: "Service account token authentication should not be used for users", decided: M("whether a token is used by a person is not visible in the cluster") },
                Control { id: "3.1.3", title: "Bootstrap token authentication should not be used for users", decided: M("whether a token is used by a person is not visible in the cluster") },
            ]);
        }
        all.push(c);
    }
    all.extend(node_files);
    all.push(Control { id: "4.3.1", title: "Ensure that the kube-proxy metrics service is bound to localhost", decided: M("kube-proxy's configuration lives in its ConfigMap or flags, not yet read") });
    all.extend_from_slice(CIS);
    all
}

/// The catalogue of a framework.
pub fn framework(name: &str) -> Option<Framework> {
    let (title, controls): (&'static str, Vec<Control>) = match name {
        "cis-1.12" => ("CIS Kubernetes Benchmark 1.12: §1–§4 (control plane, etcd, logging, nodes) and §5 (policies)", cis_controls()),
        "nsa" => ("NSA/CISA Kubernetes Hardening Guide", NSA.to_vec()),
        "cncf" => ("CNCF: 9 Kubernetes security best practices (2019)", CNCF.to_vec()),
        "pss-baseline" => ("Pod Security Standards, Baseline", pss_controls(PssLevel::Baseline)),
        "pss-restricted" => ("Pod Security Standards, Restricted", pss_controls(PssLevel::Restricted)),
        _ => return None,
    };
    let name = COMPLIANCE_FRAMEWORKS.iter().find(|f| **f == name)?;
    Some(Framework { name, title, controls })
}

/// The PSS checks of a level (restricted includes baseline), titled by their rules.
fn pss_controls(level: PssLevel) -> Vec<Control> {
    registry::all()
        .iter()
        .filter_map(|r| r.meta().pss.map(|p| (p, r.meta())))
        .filter(|(p, _)| p.level <= level)
        .map(|(p, m)| Control { id: p.check_id, title: m.summary, decided: A(Workloads) })
        .collect()
}

/// The control IDs of `framework` a finding counts against. At the restricted level a
/// baseline check's findings carry `pss-baseline:<id>`.
fn controls_of<'f>(f: &'f Finding, framework: &'f str) -> impl Iterator<Item = &'f str> + 'f {
    f.controls.iter().filter_map(move |c| {
        let (fw, id) = c.split_once(':')?;
        (fw == framework || (framework == "pss-restricted" && fw == "pss-baseline")).then_some(id)
    })
}

/// The rules that decide control `id` of `framework`.
pub fn rules_for(framework: &str, id: &str) -> Vec<&'static RuleMeta> {
    let refs = [format!("{framework}:{id}"), format!("pss-baseline:{id}")];
    let baseline_too = framework == "pss-restricted";
    registry::all()
        .iter()
        .map(|r| r.meta())
        .filter(|m| m.controls.iter().any(|c| *c == refs[0] || (baseline_too && *c == refs[1])))
        .collect()
}

/// Assesses a framework over a scan's findings: each control passes, fails, does not apply
/// (nothing in scope in the input), or is manual.
pub fn assess(
    name: &str,
    findings: &[Finding],
    suppressed: &[(Finding, Arc<Suppression>)],
    kinds: &BTreeMap<String, usize>,
    workloads: usize,
) -> Option<Compliance> {
    let fw = framework(name)?;
    let has = |ks: &[&str]| ks.iter().any(|k| kinds.get(*k).is_some_and(|n| *n > 0));
    // One pass over the findings: per control, the failing findings and their objects.
    #[derive(Default)]
    struct Tally<'f> {
        findings: usize,
        waived: usize,
        seen: HashSet<&'f palisade_core::ObjectRef>,
        objects: Vec<Arc<palisade_core::ObjectRef>>,
    }
    let mut tallies: HashMap<&str, Tally> = HashMap::new();
    for f in findings {
        for id in controls_of(f, fw.name) {
            let t = tallies.entry(id).or_default();
            t.findings += 1;
            if t.seen.insert(&*f.object) {
                t.objects.push(f.object.clone());
            }
        }
    }
    for (f, _) in suppressed {
        for id in controls_of(f, fw.name) {
            tallies.entry(id).or_default().waived += 1;
        }
    }
    let controls = fw
        .controls
        .iter()
        .map(|c| {
            let rules: Vec<&'static str> = rules_for(fw.name, c.id).iter().map(|m| m.id).collect();
            let tally = tallies.remove(c.id).unwrap_or_default();
            let (status, note) = match c.decided {
                Decided::Manual(why) => (Status::Manual, Some(why)),
                Decided::Automated(_) if tally.findings > 0 => (Status::Fail, None),
                Decided::Automated(Scope::Components(_)) if has(&[palisade_analysis::controlplane::MANAGED]) => {
                    (Status::NotApplicable, Some("a managed platform (EKS, AKS or GKE) runs the control plane: its provider answers for these settings"))
                }
                Decided::Automated(scope) => {
                    let applicable = match scope {
                        Scope::Workloads => workloads > 0,
                        Scope::Kinds(ks) => has(ks),
                        Scope::WorkloadsOr(ks) => workloads > 0 || has(ks),
                        Scope::Components(cs) => cs.iter().any(|c| kinds.get(&format!("component/{c}")).is_some_and(|n| *n > 0)),
                    };
                    (if applicable { Status::Pass } else { Status::NotApplicable }, None)
                }
            };
            ControlResult {
                id: c.id.to_string(),
                title: c.title.to_string(),
                status,
                rules,
                findings: tally.findings,
                waived: tally.waived,
                objects: tally.objects,
                note,
            }
        })
        .collect();
    Some(Compliance { framework: fw.name.to_string(), title: fw.title, controls })
}
