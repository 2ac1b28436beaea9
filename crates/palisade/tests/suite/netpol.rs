//! End-to-end tests of `palisade netpol can-reach`: the interface other tools script against.

use crate::common;

use common::{palisade, tempdir, write};
use serde_json::Value;

const NET: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: db:1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  egress:
    - to: [{podSelector: {matchLabels: {app: db}}}]
    - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]
      ports: [{port: 443}]
";

fn reach(file: &str, src: &str, dst: &str) -> (i32, Value) {
    let out = palisade(&["netpol", "can-reach", src, dst, "-f", file, "--format", "json"], None);
    (out.code, serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr)))
}

#[test]
fn can_reach_answers_with_reasons() {
    let dir = tempdir("netpol");
    let file = write(&dir, "net.yaml", NET);
    let (code, v) = reach(&file, "shop/web", "shop/db:5432");
    assert_eq!((code, v["allowed"].as_bool()), (0, Some(true)));
    assert_eq!(v["reasons"], serde_json::json!([
        "shop/web: egress allowed by NetworkPolicy shop/web-egress",
        "shop/db: ingress allowed by NetworkPolicy shop/db-from-web",
    ]));
    let (code, v) = reach(&file, "shop/web", "shop/db:5433");
    assert_eq!((code, v["allowed"].as_bool()), (1, Some(false)), "exit 1 when not allowed");
    let (_, v) = reach(&file, "shop/web", "external:443");
    assert_eq!(v["allowed"], true);
    let (_, v) = reach(&file, "shop/web", "169.254.169.254:80");
    assert_eq!(v["allowed"], false, "the metadata endpoint is excepted");
    let (_, v) = reach(&file, "shop/web", "169.254.169.254:443");
    assert_eq!(v["allowed"], false);
    // The classic surprise: web-egress has no policyTypes, so Ingress is implied too, and with
    // no ingress rules it isolates web's ingress completely.
    let (_, v) = reach(&file, "shop/db", "shop/web:8080");
    assert_eq!(v["allowed"], false);
    assert!(v["reasons"][1].as_str().unwrap().contains("ingress isolated by NetworkPolicy shop/web-egress"), "{v}");
    let (_, v) = reach(&file, "shop/statefulset/db", "external:53/UDP");
    assert_eq!(v["allowed"], true, "NAMESPACE/KIND/NAME; db's egress is not isolated");
    assert_eq!(palisade(&["netpol", "can-reach", "shop/nope", "shop/web:80", "-f", &file], None).code, 2);
    assert_eq!(palisade(&["netpol", "can-reach", "shop/web", "shop/db", "-f", &file], None).code, 2, "a port is required");
}

#[test]
fn matrix_formats_list_allowed_pairs_with_ports() {
    let out = palisade(&["netpol", "matrix", "-f", "examples/demo", "--format", "json"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let row = |from: &str| v["matrix"].as_array().unwrap().iter().find(|r| r["from"] == from).unwrap()["to"].clone();
    assert_eq!(row("shop/frontend")["payments/payments-api"], "8080/TCP");
    assert!(row("shop/cart-cache").get("payments/payments-api").is_none(), "payments is closed to everyone else");
    assert_eq!(row("shop/cart-cache")["metadata (169.254.169.254)"], "all", "nothing stops egress to the metadata endpoint");
    assert!(row("external").get("payments/payments-migrate").is_none());
    let csv = palisade(&["netpol", "matrix", "-f", "examples/demo", "--format", "csv"], None).stdout;
    assert!(csv.starts_with("from,to,ports\n"));
    assert!(csv.contains("shop/frontend,payments/payments-api,\"8080/TCP\"\n"), "{csv}");
    let dot = palisade(&["netpol", "matrix", "-f", "examples/demo", "--format", "dot"], None).stdout;
    assert!(dot.contains("\"shop/frontend\" -> \"payments/payments-api\" [label=\"8080/TCP\"];"));
}
