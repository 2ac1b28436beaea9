//! Pod Security Standards semantics that depend on the policy version, the level, or on how
//! pod-level settings reach containers — beyond what one fixture file per rule shows.

use palisade_core::{PssVersion, Severity};
use palisade_rules::{Engine, Origin, Selection};
use palisade_source::{Document, Limits};

struct Hit {
    id: &'static str,
    path: String,
    line: u32,
    severity: Severity,
    controls: Vec<&'static str>,
}

fn run(yaml: &str, sel: Selection) -> Vec<Hit> {
    let engine = Engine::new(&sel).unwrap();
    let mut out = Vec::new();
    for doc in Document::load_all(yaml.as_bytes(), &Limits::default()) {
        for f in engine.evaluate_root(&doc.unwrap().root, &origin()).findings {
            let line = f.location.as_ref().unwrap().line;
            out.push(Hit { id: f.rule.id, path: f.path, line, severity: f.severity, controls: f.controls.to_vec() });
        }
    }
    out
}

fn origin() -> Origin {
    Origin { file: "test.yaml".into(), document: 1, template: None }
}

/// The Pod Security Standards at version v1.`minor`, restricted level (baseline included).
fn at(minor: u16) -> Selection {
    Selection { version: Some(PssVersion(minor)), framework: Some("pss-restricted".into()), ..Selection::default() }
}

fn ids(hits: &[Hit]) -> Vec<&'static str> {
    let mut v: Vec<_> = hits.iter().map(|h| h.id).collect();
    v.sort();
    v.dedup();
    v
}

const USERNS_ROOT: &str = "
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostUsers: false
  securityContext: {runAsUser: 0, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: a
      image: a:1
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
        procMount: Unmasked
";

#[test]
fn user_namespace_relaxations_start_at_v1_35() {
    assert_eq!(ids(&run(USERNS_ROOT, at(34))), ["POD008", "POD015", "POD016"]);
    // From v1.35 runAsNonRoot/runAsUser relax, and procMount moves to the restricted check.
    assert_eq!(ids(&run(USERNS_ROOT, at(35))), ["POD019"]);
    let baseline = Selection { framework: Some("pss-baseline".into()), ..at(35) };
    assert!(run(USERNS_ROOT, baseline).is_empty(), "baseline allows Unmasked in a user namespace from v1.35");
    let baseline34 = Selection { framework: Some("pss-baseline".into()), ..at(34) };
    assert_eq!(ids(&run(USERNS_ROOT, baseline34)), ["POD008"]);
}

const WINDOWS: &str = "
apiVersion: v1
kind: Pod
metadata: {name: w}
spec:
  os: {name: windows}
  securityContext: {runAsNonRoot: true}
  containers: [{name: a, image: a:win}]
";

#[test]
fn windows_exemptions_start_at_v1_25() {
    assert_eq!(ids(&run(WINDOWS, at(24))), ["POD014", "POD017", "POD018"]);
    assert!(run(WINDOWS, at(25)).is_empty());
}

#[test]
fn selinux_container_engine_t_allowed_from_v1_31() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {seLinuxOptions: {type: container_engine_t}}
  containers: [{name: a, image: a:1}]
";
    let baseline = |v| Selection { framework: Some("pss-baseline".into()), ..at(v) };
    assert_eq!(ids(&run(yaml, baseline(30))), ["POD007"]);
    assert!(run(yaml, baseline(31)).is_empty());
}

#[test]
fn safe_sysctls_grow_by_version() {
    let yaml = |name: &str| {
        format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext:\n    sysctls: [{{name: {name}, value: '1'}}]\n  containers: [{{name: a, image: a:1}}]\n")
    };
    let flagged = |name: &str, v: u16| {
        let sel = Selection { select: vec!["POD010".into()], ..at(v) };
        !run(&yaml(name), sel).is_empty()
    };
    assert!(flagged("net.ipv4.ip_local_reserved_ports", 26) && !flagged("net.ipv4.ip_local_reserved_ports", 27));
    assert!(flagged("net.ipv4.tcp_keepalive_time", 28) && !flagged("net.ipv4.tcp_keepalive_time", 29));
    assert!(flagged("net.ipv4.tcp_rmem", 31) && !flagged("net.ipv4.tcp_rmem", 32));
    assert!(flagged("net.ipv4.tcp_notsent_lowat", 36) && !flagged("net.ipv4.tcp_notsent_lowat", 37));
    assert!(flagged("net.ipv4.tcp_slow_start_after_idle", 36) && !flagged("net.ipv4.tcp_slow_start_after_idle", 37));
    assert!(!flagged("kernel.shm_rmid_forced", 0));
}

#[test]
fn legacy_seccomp_annotations_before_v1_19() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: unconfined
    container.seccomp.security.alpha.kubernetes.io/a: docker/default
    container.seccomp.security.alpha.kubernetes.io/b: unconfined
spec:
  containers: [{name: a, image: a:1}, {name: b, image: b:1}]
";
    let sel = |v| Selection { select: vec!["POD009".into()], ..at(v) };
    let hits = run(yaml, sel(18));
    let paths: Vec<_> = hits.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "metadata.annotations['seccomp.security.alpha.kubernetes.io/pod']",
            "metadata.annotations['container.seccomp.security.alpha.kubernetes.io/b']"
        ]
    );
    assert_eq!(hits[0].line, 7, "the annotation line (the text starts with a newline)");
    assert!(run(yaml, sel(19)).is_empty(), "annotations are ignored from v1.19");
}

#[test]
fn restricted_override_keeps_the_baseline_control_and_severity() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: a
      image: a:1
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL], add: [SYS_ADMIN]}
  volumes: [{name: h, hostPath: {path: /}}, {name: n, nfs: {server: s, path: /}}]
";
    let hits = run(yaml, at(37));
    let by_path = |p: &str| hits.iter().find(|h| h.path.ends_with(p)).unwrap_or_else(|| panic!("no finding at {p}"));
    let host = by_path("volumes[0].hostPath");
    assert_eq!((host.id, host.severity), ("POD013", Severity::High));
    assert_eq!(host.controls.iter().copied().filter(|c| c.starts_with("pss-")).collect::<Vec<_>>(), ["pss-restricted:restrictedVolumes", "pss-baseline:hostPathVolumes"]);
    let nfs = by_path("volumes[1].nfs");
    assert_eq!(nfs.severity, Severity::Medium);
    assert!(!nfs.controls.contains(&"pss-baseline:hostPathVolumes"));
    let cap = by_path("capabilities.add[0]");
    assert_eq!((cap.id, cap.severity), ("POD018", Severity::High));
    assert!(cap.controls.contains(&"pss-baseline:capabilities_baseline"));
    assert_eq!(hits.len(), 3);
}

#[test]
fn list_items_are_objects_with_paths_from_the_document_root() {
    let yaml = "
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: a}
    spec:
      containers:
        - name: c
          image: c:1
          securityContext: {privileged: true}
  - kind: NotAnObject
";
    let engine = Engine::new(&Selection { select: vec!["POD001".into()], ..Selection::default() }).unwrap();
    let doc = Document::load_all(yaml.as_bytes(), &Limits::default()).pop().unwrap().unwrap();
    let outcome = engine.evaluate_root(&doc.root, &origin());
    assert_eq!(outcome.objects, 1);
    assert_eq!(outcome.findings.len(), 1);
    let f = &outcome.findings[0];
    assert_eq!(f.path, "items[0].spec.containers[0].securityContext.privileged");
    assert_eq!(f.location.as_ref().unwrap().line, 12);
    assert_eq!(outcome.skipped.len(), 1);
    assert!(outcome.skipped[0].1.contains("items[1]"), "{:?}", outcome.skipped);
}

#[test]
fn pod_level_seccomp_and_run_as_non_root_reach_every_container_kind() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  initContainers: [{name: i, image: i:1}]
  containers: [{name: c, image: c:1}]
  ephemeralContainers: [{name: e, image: e:1}]
";
    let sel = Selection { select: vec!["POD015".into(), "POD017".into()], ..Selection::default() };
    assert!(run(yaml, sel).is_empty());
    let bare = yaml.replace("  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n", "");
    assert!(!bare.contains("securityContext"));
    let sel = Selection { select: vec!["POD015".into(), "POD017".into()], ..Selection::default() };
    assert_eq!(run(&bare, sel).len(), 6, "three containers, two rules");
}

#[test]
fn every_workload_kind_is_evaluated_on_its_pod_template() {
    let pod_spec = "containers: [{name: c, image: c:1, securityContext: {privileged: true}}]";
    let cases = [
        ("v1", "Pod", format!("spec: {{{pod_spec}}}")),
        ("v1", "PodTemplate", format!("template: {{spec: {{{pod_spec}}}}}")),
        ("apps/v1", "ReplicaSet", format!("spec: {{template: {{spec: {{{pod_spec}}}}}}}")),
        ("v1", "ReplicationController", format!("spec: {{template: {{spec: {{{pod_spec}}}}}}}")),
        ("apps/v1", "Deployment", format!("spec: {{template: {{spec: {{{pod_spec}}}}}}}")),
        ("apps/v1", "StatefulSet", format!("spec: {{template: {{spec: {{{pod_spec}}}}}}}")),
        ("apps/v1", "DaemonSet", format!("spec: {{template: {{spec: {{{pod_spec}}}}}}}")),
        ("batch/v1", "Job", format!("spec: {{template: {{spec: {{{pod_spec}}}}}}}")),
        ("batch/v1", "CronJob", format!("spec: {{jobTemplate: {{spec: {{template: {{spec: {{{pod_spec}}}}}}}}}}}")),
        ("argoproj.io/v1alpha1", "Rollout", format!("spec: {{template: {{spec: {{{pod_spec}}}}}}}")),
    ];
    for (api, kind, body) in cases {
        let yaml = format!("apiVersion: {api}\nkind: {kind}\nmetadata: {{name: x}}\n{body}\n");
        let hits = run(&yaml, Selection { select: vec!["POD001".into()], ..Selection::default() });
        assert_eq!(hits.len(), 1, "{kind}: {yaml}");
        assert!(hits[0].path.ends_with("containers[0].securityContext.privileged"), "{kind}: {}", hits[0].path);
        assert_eq!(hits[0].line, 4, "{kind}: the flow-style spec line");
    }
    // A custom resource whose template has no containers is not a workload.
    let crd = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {template: {spec: {privileged: true}}}\n";
    assert!(run(crd, at(37)).is_empty());
}
