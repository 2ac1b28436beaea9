//! The RBAC authorizer's tricky cases, each with its negative: namespaces, resource names,
//! subresources and their wildcards, non-resource URLs, aggregation, subjects and implicit
//! groups, and bindings to roles that do not exist.

use palisade_analysis::rbac::authorizer::{Identity, Request};
use palisade_analysis::rbac::model::Subject;
use palisade_analysis::rbac::{load, Rbac};
use palisade_source::{Document, Limits};

fn rbac(yaml: &str) -> Rbac {
    let docs: Vec<Document> = Document::load_all(yaml.as_bytes(), &Limits::default()).into_iter().map(|d| d.unwrap()).collect();
    load(docs.iter().map(|d| &d.root))
}

fn req(verb: &str, resource: &str, ns: Option<&str>, name: Option<&str>) -> Request {
    Request::parse(verb, resource, ns, name).unwrap()
}

fn can(r: &Rbac, subject: &str, request: &Request) -> bool {
    !r.can(&Identity::of(&Subject::parse(subject).unwrap()), request).is_empty()
}

const BASICS: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: a}
rules:
  - apiGroups: ['']
    resources: [pods, configmaps]
    verbs: [get, list]
  - apiGroups: ['']
    resources: [secrets]
    resourceNames: [app-config]
    verbs: [get]
  - apiGroups: [apps]
    resources: [deployments/*]
    verbs: [get]
  - apiGroups: ['*']
    resources: ['*/scale']
    verbs: [update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-reads, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
  - {kind: User, name: alice}
  - {kind: ServiceAccount, name: ci}
";

#[test]
fn namespaces_resource_names_and_subresources() {
    let r = rbac(BASICS);
    assert!(can(&r, "user:alice", &req("get", "pods", Some("a"), None)));
    assert!(!can(&r, "user:alice", &req("get", "pods", Some("b"), None)), "a Role in a grants nothing in b");
    assert!(!can(&r, "user:alice", &req("get", "pods", None, None)), "nor cluster-wide");
    assert!(!can(&r, "user:alice", &req("get", "pods/exec", Some("a"), None)), "get pods is not pods/exec");
    assert!(!can(&r, "user:alice", &req("create", "pods/exec", Some("a"), None)));
    assert!(can(&r, "user:alice", &req("get", "secrets", Some("a"), Some("app-config"))));
    assert!(!can(&r, "user:alice", &req("get", "secrets", Some("a"), Some("db"))), "resourceNames limits the grant");
    assert!(!can(&r, "user:alice", &req("get", "secrets", Some("a"), None)), "a named rule does not allow unnamed requests");
    assert!(!can(&r, "user:alice", &req("get", "deployments/scale", Some("a"), None)), "deployments/* is not a wildcard");
    assert!(!can(&r, "user:alice", &req("get", "deployments", Some("a"), None)));
    assert!(can(&r, "user:alice", &req("update", "deployments.apps/scale", Some("a"), None)), "*/scale covers every scale");
    assert!(can(&r, "user:alice", &req("update", "statefulsets/scale", Some("a"), None)));
    assert!(!can(&r, "user:alice", &req("update", "deployments", Some("a"), None)), "*/scale is not the resource itself");
    assert!(can(&r, "sa:a/ci", &req("list", "configmaps", Some("a"), None)), "a RoleBinding's SA defaults to its namespace");
    assert!(!can(&r, "sa:b/ci", &req("list", "configmaps", Some("a"), None)));
    assert!(!can(&r, "user:bob", &req("get", "pods", Some("a"), None)));
}

const CLUSTER: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: health}
rules:
  - nonResourceURLs: ['/healthz', '/metrics/*']
    verbs: [get]
  - apiGroups: ['']
    resources: [nodes]
    verbs: ['*']
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: monitors-health}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: health}
subjects: [{kind: Group, name: monitors}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-health, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: health}
subjects: [{kind: User, name: dave}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: edit-everything}
rules:
  - apiGroups: ['*']
    resources: ['*']
    verbs: ['*']
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team-edit, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit-everything}
subjects:
  - {kind: Group, name: 'system:serviceaccounts:team'}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-health}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: health}
subjects: [{kind: Group, name: 'system:unauthenticated'}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ghost}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: does-not-exist}
subjects: [{kind: User, name: mallory}]
";

#[test]
fn non_resource_urls_cluster_roles_in_namespaces_and_implicit_groups() {
    let r = rbac(CLUSTER);
    assert!(can(&r, "group:monitors", &req("get", "/healthz", None, None)));
    assert!(can(&r, "group:monitors", &req("get", "/metrics/cadvisor", None, None)), "trailing * is a prefix");
    assert!(!can(&r, "group:monitors", &req("get", "/metricsfoo", None, None)));
    assert!(!can(&r, "group:monitors", &req("post", "/healthz", None, None)));
    assert!(!can(&r, "user:dave", &req("get", "/healthz", None, None)), "RoleBindings grant no non-resource URLs");
    assert!(can(&r, "user:dave", &req("delete", "nodes", Some("dev"), None)), "a RoleBinding to a ClusterRole grants in its namespace");
    assert!(!can(&r, "user:dave", &req("delete", "nodes", None, None)));
    assert!(can(&r, "sa:team/builder", &req("create", "pods", Some("team"), None)), "implicit group system:serviceaccounts:team");
    assert!(can(&r, "sa:team/builder", &req("create", "deployments.apps/scale", Some("team"), None)));
    assert!(!can(&r, "sa:other/builder", &req("create", "pods", Some("team"), None)));
    assert!(!can(&r, "user:carol", &req("create", "pods", Some("team"), None)));
    assert!(can(&r, "user:system:anonymous", &req("get", "/healthz", None, None)), "anonymous is in system:unauthenticated");
    assert!(!can(&r, "user:carol", &req("get", "/metrics/x", None, None)), "authenticated users are not unauthenticated");
    assert!(!can(&r, "user:mallory", &req("get", "pods", Some("a"), None)), "a binding to a missing role grants nothing");
    assert_eq!(r.dangling().map(|b| b.to_string()).collect::<Vec<_>>(), ["ClusterRoleBinding ghost"]);
    assert!(can(&r, "user:system:serviceaccount:team:x", &req("get", "pods", Some("team"), None)), "SA user names are SAs");
}

#[test]
fn who_can_lists_the_subjects_named_in_bindings() {
    let r = rbac(CLUSTER);
    let who = r.who_can(&req("get", "/healthz", None, None));
    let names: Vec<String> = who.iter().map(|a| a.subject.to_string()).collect();
    assert_eq!(names, ["group:monitors", "group:system:unauthenticated"], "groups are not expanded; dave's RoleBinding does not count");
    assert_eq!(who[0].via[0].binding, "ClusterRoleBinding monitors-health");
    assert_eq!(who[0].via[0].role, "ClusterRole health");
    assert_eq!(who[0].via[0].rule, 0);
    let in_team = r.who_can(&req("delete", "secrets", Some("team"), Some("x")));
    assert_eq!(in_team.iter().map(|a| a.subject.to_string()).collect::<Vec<_>>(), ["group:system:serviceaccounts:team"]);
}

const AGGREGATION: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors:
    - matchLabels: {rbac.example.com/aggregate-to-monitoring: 'true'}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring-endpoints
  labels: {rbac.example.com/aggregate-to-monitoring: 'true'}
rules:
  - apiGroups: ['']
    resources: [services, endpoints, pods]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: nested
  labels: {rbac.example.com/aggregate-to-monitoring: 'true'}
aggregationRule:
  clusterRoleSelectors:
    - matchExpressions: [{key: tier, operator: In, values: [deep]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: deep
  labels: {tier: deep}
rules:
  - apiGroups: ['']
    resources: [nodes/metrics]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: unlabelled
rules:
  - apiGroups: ['']
    resources: [secrets]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: prometheus}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
subjects: [{kind: ServiceAccount, name: prometheus, namespace: monitoring}]
";

#[test]
fn aggregated_cluster_roles_hold_their_selected_roles_rules() {
    let r = rbac(AGGREGATION);
    assert!(can(&r, "sa:monitoring/prometheus", &req("watch", "endpoints", None, None)));
    assert!(can(&r, "sa:monitoring/prometheus", &req("get", "nodes/metrics", None, None)), "aggregation of an aggregated role");
    assert!(!can(&r, "sa:monitoring/prometheus", &req("get", "secrets", Some("x"), None)), "unselected roles do not count");
}

const ESCALATION: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-maker, namespace: ci}
rules:
  - {apiGroups: [''], resources: [pods], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer-makes-pods, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-maker}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-builder-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: builder, namespace: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-lister}
rules:
  - {apiGroups: [''], resources: [secrets], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reads-payments, namespace: payments}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-lister}
subjects: [{kind: User, name: intern}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: impersonator}
rules:
  - {apiGroups: [''], resources: [groups], verbs: [impersonate], resourceNames: [developers]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: support-impersonates}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: impersonator}
subjects: [{kind: User, name: support}]
";

#[test]
fn escalation_paths_chain_steps_to_what_they_reach() {
    let r = rbac(ESCALATION);
    let paths = r.paths(&Subject::parse("sa:ci/deployer").unwrap());
    let admin = paths.iter().find(|p| p.reaches.to_string() == "cluster-admin").expect("deployer reaches cluster-admin");
    let steps: Vec<String> = admin.steps.iter().map(|s| format!("{} {}", s.actor, s.action)).collect();
    assert_eq!(steps, [
        "sa:ci/deployer creates a pod in ci that runs as sa:ci/builder",
        "sa:ci/builder holds every verb on every resource cluster-wide",
    ]);
    let intern = r.paths(&Subject::parse("user:intern").unwrap());
    assert_eq!(intern.iter().map(|p| p.reaches.to_string()).collect::<Vec<_>>(), ["secrets:payments"]);
    assert!(r.paths(&Subject::parse("user:support").unwrap()).is_empty(), "impersonating one ordinary group is no path");
    assert!(r.paths(&Subject::parse("user:nobody").unwrap()).is_empty());
}

#[test]
fn reading_a_token_secret_is_becoming_its_service_account() {
    let yaml = format!(
        "{ESCALATION}---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: token-peek, namespace: ci}}
rules: [{{apiGroups: [''], resources: [secrets], resourceNames: [builder-token], verbs: [get]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: peeker, namespace: ci}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: token-peek}}
subjects: [{{kind: User, name: peeker}}]
"
    );
    let mut r = rbac(&yaml);
    let peeker = Subject::parse("user:peeker").unwrap();
    assert!(r.paths(&peeker).is_empty(), "without the token Secret in the input there is no step");
    r.token_secrets.push(("ci".into(), "builder-token".into(), "builder".into()));
    let paths = r.paths(&peeker);
    assert_eq!(paths.len(), 1);
    assert_eq!(paths[0].reaches.to_string(), "cluster-admin");
    assert_eq!(paths[0].steps[0].action, "reads the token Secret ci/builder-token of sa:ci/builder");
}

/// The RBAC view of a model holding the objects (workloads with their ServiceAccounts too).
fn model_rbac(yaml: &str) -> Rbac {
    use palisade_analysis::model::{read_object, Model, Plan};
    let mut model = Model::default();
    for doc in Document::load_all(yaml.as_bytes(), &Limits::default()) {
        let (key, facts) = read_object(&Plan::ALL, &doc.unwrap().root).unwrap();
        model.apply(key, facts);
    }
    model.rbac()
}

const ADMIN_SA: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: api-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: api-admin, namespace: shop}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec: {template: {spec: {serviceAccountName: api-admin, containers: [{name: api, image: api:1}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop}
spec: {serviceAccountName: api-admin, containers: [{name: sh, image: busybox:1}]}
";

fn granted(rules: &str) -> String {
    format!(
        "{ADMIN_SA}---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: dev, namespace: shop}}
rules: {rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: dev, namespace: shop}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: dev}}
subjects: [{{kind: User, name: dev}}]
"
    )
}

fn first_steps(rules: &str) -> Vec<String> {
    let r = model_rbac(&granted(rules));
    r.paths(&Subject::parse("user:dev").unwrap())
        .into_iter()
        .filter(|p| p.reaches.to_string() == "cluster-admin")
        .map(|p| p.steps[0].action.clone())
        .collect()
}

#[test]
fn creating_any_pod_creating_workload_is_running_as_the_namespaces_service_accounts() {
    for (group, resource, kind) in [
        ("apps", "deployments", "Deployment"),
        ("apps", "statefulsets", "StatefulSet"),
        ("apps", "daemonsets", "DaemonSet"),
        ("apps", "replicasets", "ReplicaSet"),
        ("batch", "jobs", "Job"),
        ("batch", "cronjobs", "CronJob"),
        ("''", "replicationcontrollers", "ReplicationController"),
    ] {
        let steps = first_steps(&format!("[{{apiGroups: [{group}], resources: [{resource}], verbs: [create]}}]"));
        assert_eq!(steps, [format!("creates a {kind} in shop whose pods run as sa:shop/api-admin")], "{resource}");
    }
    // Near misses: reading workloads, scaling them, or creating in another API group.
    for rules in [
        "[{apiGroups: [apps], resources: [deployments], verbs: [get, list, watch]}]",
        "[{apiGroups: [apps], resources: [deployments/scale], verbs: [create, update]}]",
        "[{apiGroups: [extensions], resources: [jobs], verbs: [create]}]",
    ] {
        assert!(first_steps(rules).is_empty(), "{rules}");
    }
}

#[test]
fn getting_into_a_workloads_pods_is_becoming_its_service_account() {
    let exec = first_steps("[{apiGroups: [''], resources: [pods/exec], verbs: [create]}]");
    assert!(exec.contains(&"execs into the pods of Deployment shop/api, which run as sa:shop/api-admin".to_string()), "{exec:?}");
    let attach = first_steps("[{apiGroups: [''], resources: [pods/attach], verbs: [create]}]");
    assert!(attach[0].starts_with("attaches to the pods of "), "{attach:?}");
    let ephemeral = first_steps("[{apiGroups: [''], resources: [pods/ephemeralcontainers], verbs: [patch]}]");
    assert!(ephemeral[0].starts_with("adds an ephemeral container to the pods of "), "{ephemeral:?}");
    // Limited to one pod by name: only that bare Pod, not a controller's generated pods.
    let named = first_steps("[{apiGroups: [''], resources: [pods/exec], resourceNames: [debug], verbs: [create]}]");
    assert_eq!(named, ["execs into the pods of Pod shop/debug, which run as sa:shop/api-admin"]);
    // Reading logs or exec with `get` only (no longer enough since Kubernetes 1.30's
    // websocket exec needs create) are not steps.
    assert!(first_steps("[{apiGroups: [''], resources: [pods/log, pods], verbs: [get, list]}]").is_empty());
}

const BUILTIN: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: vic}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: eve}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: auth-reader, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
subjects: [{kind: ServiceAccount, name: metrics, namespace: monitoring}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: controller}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:controller:job-controller}
subjects: [{kind: User, name: jc}]
---
# A CRD operator's role, aggregated into the built-in view (and so edit and admin).
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: 'true'}
rules: [{apiGroups: [acme.io], resources: [widgets], verbs: [get]}]
";

#[test]
fn bindings_to_default_roles_use_the_shipped_definitions() {
    let r = rbac(BUILTIN);
    assert!(can(&r, "user:vic", &req("list", "pods", Some("shop"), None)));
    assert!(!can(&r, "user:vic", &req("get", "secrets", Some("shop"), None)), "view does not read Secrets");
    assert!(!can(&r, "user:vic", &req("list", "pods", Some("other"), None)));
    assert!(can(&r, "user:eve", &req("get", "secrets", Some("shop"), None)), "edit reads Secrets");
    assert!(can(&r, "user:eve", &req("create", "deployments.apps", Some("shop"), None)));
    assert!(!can(&r, "user:eve", &req("create", "rolebindings.rbac.authorization.k8s.io", Some("shop"), None)), "only admin binds");
    assert!(can(&r, "user:vic", &req("get", "widgets.acme.io", Some("shop"), None)), "aggregated through view");
    assert!(can(&r, "user:eve", &req("get", "widgets.acme.io", Some("shop"), None)), "view aggregates into edit");
    let reader = req("get", "configmaps", Some("kube-system"), Some("extension-apiserver-authentication"));
    assert!(can(&r, "sa:monitoring/metrics", &reader), "kube-system's shipped Role");
    assert!(!can(&r, "sa:monitoring/metrics", &req("get", "configmaps", Some("kube-system"), Some("other"))));
    let via = r.can(&Identity::of(&Subject::parse("user:vic").unwrap()), &req("list", "pods", Some("shop"), None));
    assert!(via.iter().all(|v| v.builtin && v.role == "ClusterRole view"), "{via:?}");
    let shipped: Vec<String> = r.using_builtin().map(|b| b.to_string()).collect();
    assert_eq!(shipped, ["RoleBinding shop/viewers", "RoleBinding shop/editors", "RoleBinding kube-system/auth-reader"]);
    let unmodelled: Vec<String> = r.unmodelled().map(|b| b.to_string()).collect();
    assert_eq!(unmodelled, ["ClusterRoleBinding controller"], "controllers' roles are not shipped");
    assert_eq!(r.dangling().count(), 0, "built-in names are never dangling");
}

#[test]
fn a_definition_in_the_input_wins_over_the_shipped_one() {
    let own_view = "
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view}
rules: [{apiGroups: [''], resources: [secrets], verbs: [get]}]
";
    let r = rbac(&format!("{BUILTIN}---{own_view}"));
    assert!(can(&r, "user:vic", &req("get", "secrets", Some("shop"), None)), "the input's view");
    assert!(!can(&r, "user:vic", &req("list", "pods", Some("shop"), None)), "not the shipped view");
    let via = r.can(&Identity::of(&Subject::parse("user:vic").unwrap()), &req("get", "secrets", Some("shop"), None));
    assert!(!via[0].builtin);
    assert!(can(&r, "user:eve", &req("get", "secrets", Some("shop"), None)), "edit still shipped, aggregating the input's view");
}

#[test]
fn without_builtin_roles_bindings_to_them_grant_nothing() {
    let docs: Vec<Document> = Document::load_all(BUILTIN.as_bytes(), &Limits::default()).into_iter().map(|d| d.unwrap()).collect();
    let mut model = palisade_analysis::model::Model::default();
    for d in &docs {
        let (key, facts) = palisade_analysis::model::read::read_object(&palisade_analysis::model::read::Plan::ALL, &d.root).unwrap();
        model.load(key, facts);
    }
    assert!(can(&model.rbac(), "user:vic", &req("list", "pods", Some("shop"), None)));
    assert!(model.cluster_role("edit").is_some_and(|r| r.builtin));
    model.set_builtin_roles(false);
    let r = model.rbac();
    assert!(!can(&r, "user:vic", &req("list", "pods", Some("shop"), None)));
    assert!(model.cluster_role("edit").is_none());
    assert_eq!(r.unmodelled().count(), 4);
    assert!(r.roles.iter().any(|r| r.name == "cluster-admin"), "cluster-admin's meaning is fixed");
}

#[test]
fn the_shipped_roles_are_what_the_bootstrap_policy_creates() {
    use palisade_analysis::rbac::builtin::{is_builtin_role, role, roles};
    assert_eq!(roles().len(), 38, "31 ClusterRoles and 7 Roles of kube-system and kube-public");
    let admin = role(&(true, None, "cluster-admin".into())).unwrap();
    assert_eq!(admin.rules.len(), 2);
    assert_eq!(admin.rules[1].non_resource_urls, ["*"]);
    let node = role(&(true, None, "system:node".into())).unwrap();
    assert_eq!(node.rules.len(), 22);
    assert!(node.rules.iter().any(|r| r.resources == ["configmaps", "secrets"] && r.api_groups == [""]));
    let approver = role(&(true, None, "system:certificates.k8s.io:kube-apiserver-client-approver".into())).unwrap();
    assert_eq!(approver.rules[0].resource_names, ["kubernetes.io/kube-apiserver-client"]);
    assert!(roles().iter().all(|r| r.builtin && r.labels.get("kubernetes.io/bootstrapping").map(String::as_str) == Some("rbac-defaults")));
    assert!(is_builtin_role(false, Some("kube-public"), "system:controller:bootstrap-signer"));
    assert!(!is_builtin_role(false, Some("shop"), "system:controller:bootstrap-signer"));
    assert!(is_builtin_role(true, None, "system:controller:job-controller"));
    assert!(!is_builtin_role(true, None, "viewer"));
}
