//! End-to-end tests of the inventories: `palisade images` and `palisade secrets`.

use crate::common;

use common::{palisade, tempdir, write};
use serde_json::Value;

fn json_of(args: &[&str]) -> Value {
    let out = palisade(args, None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

#[test]
fn images_lists_each_reference_with_its_parts_and_users() {
    let dir = tempdir("images");
    let file = write(
        &dir,
        "apps.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      initContainers: [{name: init, image: busybox}]\n      containers:\n        - {name: web, image: \"registry.example.com:5000/shop/web:2.1@sha256:abc\"}\n---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: debug, namespace: shop}\n    spec:\n      containers: [{name: sh, image: busybox}]\n",
    );
    let v = json_of(&["images", &file, "--format", "json"]);
    let images = v["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    let busybox = images.iter().find(|i| i["image"] == "busybox").unwrap();
    assert_eq!((busybox["registry"].as_str(), busybox["repository"].as_str()), (Some("docker.io"), Some("library/busybox")));
    assert!(busybox["tag"].is_null() && busybox["digest"].is_null());
    let users: Vec<&str> = busybox["workloads"].as_array().unwrap().iter().map(|w| w["object"]["name"].as_str().unwrap()).collect();
    assert_eq!(users, ["web", "debug"], "the List item is an object too");
    assert_eq!(busybox["workloads"][1]["location"]["line"], 18);
    let web = images.iter().find(|i| i["registry"] == "registry.example.com:5000").unwrap();
    assert_eq!((web["tag"].as_str(), web["digest"].as_str()), (Some("2.1"), Some("sha256:abc")));
    let table = palisade(&["images", &file], None);
    assert!(table.stdout.contains("2 images, 1 pinned by digest"), "{}", table.stdout);
    assert_eq!(palisade(&["images", "/nonexistent"], None).code, 2);
}

#[test]
fn secrets_resolves_where_each_secret_comes_from() {
    let dir = tempdir("secrets");
    write(
        &dir,
        "app.yaml",
        "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          env:
            - {name: DB, valueFrom: {secretKeyRef: {name: db-synced, key: password}}}
            - {name: K, valueFrom: {secretKeyRef: {name: plain, key: k}}}
      volumes:
        - name: vault
          csi: {driver: secrets-store.csi.k8s.io, volumeAttributes: {secretProviderClass: kv}}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: db, namespace: shop}
spec:
  secretStoreRef: {name: vault, kind: ClusterSecretStore}
  target: {name: db-synced}
---
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: vault}
spec:
  provider:
    vault: {server: https://vault.example.com}
---
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: {name: kv, namespace: shop}
spec: {provider: azure}
",
    );
    let d = dir.to_str().unwrap();
    let v = json_of(&["secrets", d, "--format", "json"]);
    let sources = v["workloads"][0]["sources"].as_array().unwrap();
    let by_name = |n: &str| sources.iter().find(|s| s["name"] == n).unwrap()["origin"].clone();
    assert_eq!(by_name("db-synced"), serde_json::json!({"kind": "external-secret", "external_secret": "db", "store": "ClusterSecretStore/vault", "provider": "HashiCorp Vault"}));
    assert_eq!(by_name("plain"), serde_json::json!({"kind": "secret"}));
    assert_eq!(by_name("vault"), serde_json::json!({"kind": "secrets-store-csi", "secret_provider_class": "kv", "provider": "Azure Key Vault"}));
    // With a policy that requires a vault, the table marks the plain Secret, and scan finds it.
    write(&dir, "palisade.yaml", "secrets: {require-vault: true}\n");
    let table = palisade(&["secrets", d], None);
    assert!(table.stdout.contains("plain Secret (the policy requires a vault)"), "{}", table.stdout);
    assert!(table.stdout.contains("2 come from a vault"));
    let scan = palisade(&["scan", d, "--select", "SEC005", "--format", "json"], None);
    let report: Value = serde_json::from_str(&scan.stdout).unwrap();
    let found: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("`plain`"));
}

#[test]
fn objects_without_a_namespace_are_where_dash_n_puts_them() {
    let dir = tempdir("inventory-ns");
    write(
        &dir,
        "app.yaml",
        "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - {name: api, image: api:1, env: [{name: P, valueFrom: {secretKeyRef: {name: creds, key: p}}}]}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: creds}
spec:
  secretStoreRef: {name: vault, kind: SecretStore}
  target: {name: creds}
",
    );
    let dir = dir.to_str().unwrap();
    let namespaces = |v: &Value| -> Vec<String> { v["images"][0]["workloads"].as_array().unwrap().iter().map(|w| w["object"]["namespace"].to_string()).collect() };
    assert_eq!(namespaces(&json_of(&["images", dir, "--format", "json"])), ["\"default\""]);
    assert_eq!(namespaces(&json_of(&["images", dir, "--format", "json", "-n", "shop"])), ["\"shop\""]);
    // The ExternalSecret and the workload meet in the same namespace either way.
    let v = json_of(&["secrets", dir, "--format", "json", "-n", "shop"]);
    assert_eq!(v["workloads"][0]["object"]["namespace"], "shop");
    assert_eq!(v["workloads"][0]["sources"][0]["origin"]["external_secret"], "creds", "{v}");
}
