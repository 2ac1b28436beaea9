//! End-to-end tests of `palisade rbac`: the JSON interface other tools script against.

use crate::common;

use common::{palisade, tempdir, write};
use serde_json::Value;

const RBAC: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: shop}
rules:
  - apiGroups: ['']
    resources: [secrets]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-reads-secrets, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
subjects:
  - {kind: ServiceAccount, name: web, namespace: shop}
  - {kind: Group, name: shop-devs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: olga}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: broken, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: no-such-role}
subjects: [{kind: User, name: nobody}]
";

fn json(args: &[&str]) -> (i32, Value) {
    let out = palisade(args, None);
    (out.code, serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr)))
}

#[test]
fn who_can_and_can_answer_in_json() {
    let dir = tempdir("rbac");
    let file = write(&dir, "rbac.yaml", RBAC);
    let (code, v) = json(&["rbac", "who-can", "get", "secrets", "-n", "shop", "-f", &file, "--format", "json"]);
    assert_eq!(code, 0);
    let subjects: Vec<&str> = v["subjects"].as_array().unwrap().iter().map(|s| s["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["sa:shop/web", "group:shop-devs", "user:olga"], "cluster-admin is built in and grants everything");
    assert_eq!(v["subjects"][0]["via"][0], serde_json::json!({"binding": "RoleBinding shop/web-reads-secrets", "role": "Role shop/secret-reader", "rule": 0, "builtin": false}));
    let (_, v) = json(&["rbac", "who-can", "get", "secrets", "-n", "other", "-f", &file, "--format", "json"]);
    assert_eq!(v["subjects"].as_array().unwrap().len(), 1, "only olga outside shop: {v}");

    let (code, v) = json(&["rbac", "can", "sa:shop/web", "list", "secrets", "-n", "shop", "-f", &file, "--format", "json"]);
    assert_eq!((code, v["allowed"].as_bool()), (0, Some(true)));
    let (code, v) = json(&["rbac", "can", "sa:shop/web", "delete", "secrets", "-n", "shop", "-f", &file, "--format", "json"]);
    assert_eq!((code, v["allowed"].as_bool()), (1, Some(false)), "exit 1 when not allowed, like kubectl auth can-i");
    assert_eq!(v["via"], serde_json::json!([]));
    let (_, v) = json(&["rbac", "can", "sa:shop/web", "-f", &file, "--format", "json"]);
    assert_eq!(v["groups"], serde_json::json!(["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"]));
    assert_eq!(v["grants"][0]["role"], "Role shop/secret-reader");
    // A binding to a role that does not exist is reported, not crashed on.
    let out = palisade(&["rbac", "who-can", "get", "pods", "-n", "shop", "-f", &file], None);
    assert!(out.stderr.contains("RoleBinding shop/broken references Role no-such-role, which does not exist"), "{}", out.stderr);
    // Usage errors.
    assert_eq!(palisade(&["rbac", "can", "alice", "get", "pods", "-f", &file], None).code, 2);
    assert_eq!(palisade(&["rbac", "who-can", "get", "pods"], None).code, 2, "-f is required");
}

#[test]
fn bindings_to_default_roles_use_their_builtin_definitions_unless_told_not_to() {
    let dir = tempdir("rbac-builtin");
    let file = write(
        &dir,
        "rbac.yaml",
        "
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer-edits, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
",
    );
    let (_, v) = json(&["rbac", "who-can", "get", "secrets", "-n", "shop", "-f", &file, "--format", "json"]);
    let deployer = v["subjects"].as_array().unwrap().iter().find(|s| s["subject"] == "sa:ci/deployer").expect("edit reads Secrets");
    assert_eq!(deployer["via"][0]["role"], "ClusterRole edit");
    assert_eq!(deployer["via"][0]["builtin"], true);
    let out = palisade(&["rbac", "who-can", "get", "secrets", "-n", "shop", "-f", &file], None);
    assert!(out.stdout.contains("→ ClusterRole edit (built-in)"), "{}", out.stdout);
    assert!(out.stderr.contains("answers use their built-in definitions"), "{}", out.stderr);
    // edit creates pods in shop, so the deployer runs as shop's ServiceAccounts and lists its Secrets.
    let (_, v) = json(&["rbac", "paths", "sa:ci/deployer", "-f", &file, "--format", "json"]);
    let reaches: Vec<&str> = v["paths"].as_array().unwrap().iter().map(|p| p["reaches"].as_str().unwrap()).collect();
    assert!(reaches.contains(&"secrets:shop"), "{v}");

    let args = ["rbac", "who-can", "get", "secrets", "-n", "shop", "-f", &file, "--format", "json", "--no-builtin-roles"];
    let (_, v) = json(&args);
    assert!(v["subjects"].as_array().unwrap().iter().all(|s| s["subject"] != "sa:ci/deployer"), "{v}");
    let out = palisade(&args, None);
    assert!(out.stderr.contains("whose rules are not in the input (edit)"), "{}", out.stderr);
    let (_, v) = json(&["rbac", "paths", "sa:ci/deployer", "-f", &file, "--format", "json", "--no-builtin-roles"]);
    assert_eq!(v["paths"], serde_json::json!([]));
}

#[test]
fn paths_and_secret_readers() {
    let dir = tempdir("rbac-paths");
    let file = write(
        &dir,
        "rbac.yaml",
        format!(
            "{RBAC}---
apiVersion: v1
kind: Secret
metadata: {{name: db, namespace: shop, creationTimestamp: \"2020-01-01T00:00:00Z\"}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: pod-maker, namespace: shop}}
rules: [{{apiGroups: [''], resources: [pods], verbs: [create]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: intern-pods, namespace: shop}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-maker}}
subjects: [{{kind: User, name: intern}}]
"
        ),
    );
    let (code, v) = json(&["rbac", "paths", "user:intern", "-f", &file, "--format", "json"]);
    assert_eq!(code, 0);
    // The intern creates a pod in shop running as sa:shop/web, which reads shop's Secrets.
    let paths = v["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 1, "{v}");
    assert_eq!(paths[0]["subject"], "user:intern");
    assert_eq!(paths[0]["reaches"], "secrets:shop");
    let steps: Vec<&str> = paths[0]["steps"].as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
    assert_eq!(steps, ["creates a pod in shop that runs as sa:shop/web", "lists the Secrets of shop"]);
    assert_eq!(paths[0]["steps"][1]["actor"], "sa:shop/web");
    let dot = palisade(&["rbac", "paths", "user:intern", "-f", &file, "--format", "dot"], None).stdout;
    assert!(dot.starts_with("digraph escalation {") && dot.trim_end().ends_with('}'), "{dot}");
    assert!(dot.contains(r#""user:intern" -> "sa:shop/web" [label="creates a pod in shop that runs as sa:shop/web"];"#), "{dot}");
    assert!(dot.contains(r#""sa:shop/web" -> "secrets:shop""#), "{dot}");
    assert_eq!(palisade(&["rbac", "who-can", "get", "pods", "-f", &file, "--format", "dot"], None).code, 2, "dot is for paths");
    let (_, v) = json(&["rbac", "paths", "user:olga", "-f", &file, "--format", "json"]);
    assert_eq!(v["paths"][0]["reaches"], "cluster-admin");

    let (code, v) = json(&["rbac", "secrets", "-f", &file, "--format", "json", "--max-age", "90d"]);
    assert_eq!(code, 1, "an old secret fails the rotation period");
    let s = &v["secrets"][0];
    assert_eq!(s["secret"], "shop/db");
    assert_eq!(s["too_old"], true);
    let readers: Vec<&str> = s["readers"].as_array().unwrap().iter().map(|r| r["subject"].as_str().unwrap()).collect();
    assert_eq!(readers, ["sa:shop/web", "group:shop-devs", "user:olga"]);
    assert_eq!(s["readers"][0]["verbs"], serde_json::json!(["get", "list", "watch"]));
    let (code, _) = json(&["rbac", "secrets", "-f", &file, "--format", "json"]);
    assert_eq!(code, 0, "no rotation period, no failure");
}

#[test]
fn a_roster_turns_bindings_to_people_who_left_into_findings() {
    let dir = tempdir("rbac-roster");
    let file = write(&dir, "rbac.yaml", RBAC);
    let csv = write(&dir, "roster.csv", "type,name\nuser,alice\ngroup,shop-devs\n");
    let (code, v) = json(&["rbac", "risks", "-f", &file, "--roster", &csv, "--format", "json"]);
    assert_eq!(code, 1);
    let stale: Vec<&str> = v["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "RBAC014").map(|f| f["message"].as_str().unwrap()).collect();
    assert_eq!(stale.len(), 2, "olga and nobody are not in the roster: {stale:?}");
    assert!(stale.iter().any(|m| m.starts_with("user:olga is not in the identity roster") && m.contains("ClusterRole cluster-admin cluster-wide")));
    // The same roster as YAML, named by the policy file.
    write(&dir, "people.yaml", "users: [alice, olga, nobody]\ngroups: [shop-devs]\n");
    write(&dir, "palisade.yaml", "roster: people.yaml\n");
    let (_, v) = json(&["scan", dir.to_str().unwrap(), "--select", "RBAC014", "--format", "json"]);
    assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{v}");
    // A broken roster is an error with its file.
    let bad = write(&dir, "bad.csv", "robot,r2d2\n");
    let out = palisade(&["rbac", "risks", "-f", &file, "--roster", &bad], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("bad.csv: line 1: `robot` is neither user nor group"), "{}", out.stderr);
}
