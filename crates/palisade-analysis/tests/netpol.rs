//! NetworkPolicy semantics, case by case, with the classic mistakes.

use palisade_analysis::model::{read_object, Model, Plan};
use palisade_analysis::netpol::{Endpoint, Network, Protocol};
use palisade_source::{Document, Limits};

const BASE: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops, labels: {team: ops}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: web:1
          ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: db:1, ports: [{name: pg, containerPort: 5432}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: monitor, namespace: ops}
spec:
  template:
    metadata: {labels: {app: monitor}}
    spec:
      containers: [{name: m, image: m:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ops}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1}]
";

fn network(policies: &str) -> Network {
    let text = format!("{BASE}---\n{policies}");
    let mut model = Model::default();
    for doc in Document::load_all(text.as_bytes(), &Limits::default()) {
        if let Ok((key, facts)) = read_object(&Plan::ALL, &doc.unwrap().root) {
            model.apply(key, facts);
        }
    }
    model.net.to_network()
}

fn reach(net: &Network, src: &str, dst: &str, port: u16, proto: Protocol) -> bool {
    let end = |s: &str| match s.parse() {
        Ok(ip) => Endpoint::Address(ip),
        Err(_) => Endpoint::Pod(net.pods.iter().find(|p| p.name() == s).unwrap_or_else(|| panic!("no pod {s}"))),
    };
    net.can_reach(&end(src), &end(dst), port, proto).allowed
}

const TCP: Protocol = Protocol::Tcp;

#[test]
fn no_policy_allows_and_default_deny_isolates_one_direction() {
    let open = network("");
    assert!(reach(&open, "ops/monitor", "shop/db", 5432, TCP));
    let deny = network("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n");
    assert!(!reach(&deny, "ops/monitor", "shop/db", 5432, TCP));
    assert!(!reach(&deny, "shop/web", "shop/db", 5432, TCP), "default deny covers the namespace's own pods");
    assert!(reach(&deny, "shop/db", "ops/monitor", 80, TCP), "egress is not isolated by an Ingress policy");
    // No policyTypes and an empty ingress list: Ingress is implied, nothing allowed.
    let empty = network("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec: {podSelector: {matchLabels: {app: db}}, ingress: []}\n");
    assert!(!reach(&empty, "shop/web", "shop/db", 5432, TCP));
    assert!(reach(&empty, "ops/monitor", "shop/web", 8080, TCP), "web is not selected");
    // An empty rule allows everything.
    let all = network("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec: {podSelector: {}, ingress: [{}]}\n");
    assert!(reach(&all, "ops/monitor", "shop/db", 1, TCP));
}

#[test]
fn pod_and_namespace_selectors_alone_and_together() {
    let pod_only = network("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]\n");
    assert!(reach(&pod_only, "shop/web", "shop/db", 5432, TCP));
    assert!(!reach(&pod_only, "ops/web", "shop/db", 5432, TCP), "a podSelector alone means the policy's namespace");
    // The classic mistake: one peer with both selectors (AND) versus two peers (OR).
    let and = network("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from:\n        - namespaceSelector: {matchLabels: {team: ops}}\n          podSelector: {matchLabels: {app: monitor}}\n");
    assert!(reach(&and, "ops/monitor", "shop/db", 5432, TCP));
    assert!(!reach(&and, "ops/web", "shop/db", 5432, TCP), "both selectors must match");
    assert!(!reach(&and, "shop/web", "shop/db", 5432, TCP));
    let or = network("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from:\n        - namespaceSelector: {matchLabels: {team: ops}}\n        - podSelector: {matchLabels: {app: monitor}}\n");
    assert!(reach(&or, "ops/web", "shop/db", 5432, TCP), "any pod of ops");
    assert!(!reach(&or, "shop/web", "shop/db", 5432, TCP), "shop has no monitor pod");
    // The automatic kubernetes.io/metadata.name label, and matchExpressions.
    let by_name = network("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [ops]}]\n          podSelector:\n            matchExpressions: [{key: app, operator: NotIn, values: [web]}, {key: app, operator: Exists}]\n");
    assert!(reach(&by_name, "ops/monitor", "shop/web", 8080, TCP));
    assert!(!reach(&by_name, "ops/web", "shop/web", 8080, TCP));
}

#[test]
fn ports_by_number_range_name_and_protocol() {
    let net = network("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n    - ports: [{port: http}, {port: 9000, endPort: 9010}, {protocol: UDP, port: 53}]\n");
    assert!(reach(&net, "ops/monitor", "shop/web", 8080, TCP), "named port http is 8080 on web");
    assert!(!reach(&net, "ops/monitor", "shop/db", 8080, TCP), "db has no port named http");
    assert!(reach(&net, "ops/monitor", "shop/db", 9005, TCP));
    assert!(!reach(&net, "ops/monitor", "shop/db", 9011, TCP));
    assert!(reach(&net, "ops/monitor", "shop/web", 53, Protocol::Udp));
    assert!(!reach(&net, "ops/monitor", "shop/web", 53, TCP), "TCP is the default, UDP was asked");
}

#[test]
fn egress_ip_blocks_and_both_sides() {
    let net = network("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: egress, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  egress:\n    - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32, 10.0.0.0/8]}}]\n    - to: [{podSelector: {matchLabels: {app: db}}}]\n      ports: [{port: 5432}]\n");
    assert!(reach(&net, "shop/web", "203.0.113.7", 443, TCP));
    assert!(!reach(&net, "shop/web", "169.254.169.254", 80, TCP), "the metadata address is excepted");
    assert!(!reach(&net, "shop/web", "10.1.2.3", 80, TCP));
    assert!(reach(&net, "shop/web", "shop/db", 5432, TCP));
    assert!(!reach(&net, "shop/web", "ops/monitor", 80, TCP), "egress isolated: only the rules' peers");
    assert!(reach(&net, "shop/db", "ops/monitor", 80, TCP), "db is not selected for egress");
    // Traffic needs both sides: web may send to db, but db's ingress is denied.
    let both = network(&format!("{}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: shop}}\nspec: {{podSelector: {{matchLabels: {{app: db}}}}, policyTypes: [Ingress]}}\n",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: egress, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]\n"));
    let v = {
        let web = both.pods.iter().find(|p| p.name() == "shop/web").unwrap();
        let db = both.pods.iter().find(|p| p.name() == "shop/db").unwrap();
        both.can_reach(&Endpoint::Pod(web), &Endpoint::Pod(db), 5432, TCP)
    };
    assert!(!v.allowed);
    assert!(v.reasons.iter().any(|r| r.contains("egress allowed by NetworkPolicy shop/egress")), "{:?}", v.reasons);
    assert!(v.reasons.iter().any(|r| r.contains("ingress isolated by NetworkPolicy shop/deny")), "{:?}", v.reasons);
    // An ipBlock never matches pods (their addresses are not in manifests).
    let block = network("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]\n");
    assert!(!reach(&block, "ops/monitor", "shop/db", 5432, TCP));
    assert!(reach(&block, "198.51.100.1", "shop/db", 5432, TCP));
}

#[test]
fn policies_add_up() {
    let net = network("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: shop}\nspec: {podSelector: {}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: shop}\nspec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: ops}}}]}]}\n");
    assert!(reach(&net, "shop/web", "shop/db", 1, TCP));
    assert!(reach(&net, "ops/web", "shop/db", 1, TCP));
    assert!(!reach(&net, "shop/db", "shop/web", 1, TCP));
}

/// The matrix (port sets, both sides intersected) agrees with `can_reach` port by port, on
/// every policy set of these tests.
#[test]
fn matrix_agrees_with_can_reach() {
    use palisade_analysis::netpol::matrix::{Cell, Ports};
    let sets = [
        "",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n    - ports: [{port: http}, {port: 9000, endPort: 9010}, {protocol: UDP, port: 53}]\n",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: egress, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  egress:\n    - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]\n    - to: [{podSelector: {matchLabels: {app: db}}}]\n      ports: [{port: 5432}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from:\n        - namespaceSelector: {matchLabels: {team: ops}}\n          podSelector: {matchLabels: {app: monitor}}\n    - from: [{podSelector: {}}]\n      ports: [{port: 5400, endPort: 5500}]\n",
    ];
    let probes = [(1, Protocol::Tcp), (53, Protocol::Udp), (53, Protocol::Tcp), (443, Protocol::Tcp), (5432, Protocol::Tcp), (8080, Protocol::Tcp), (9005, Protocol::Tcp)];
    let addresses: Vec<std::net::IpAddr> = vec!["203.0.113.10".parse().unwrap(), "169.254.169.254".parse().unwrap()];
    for policies in sets {
        let net = network(policies);
        let matrix = net.matrix(&addresses);
        let cells: Vec<Cell> = (0..net.pods.len()).map(Cell::Pod).chain(addresses.iter().map(|a| Cell::Address(*a))).collect();
        for (r, src) in cells.iter().enumerate() {
            for (c, dst) in cells.iter().enumerate() {
                let end = |cell: &Cell| match cell {
                    Cell::Pod(i) => Endpoint::Pod(&net.pods[*i]),
                    Cell::Address(a) => Endpoint::Address(*a),
                };
                for (port, proto) in probes {
                    let by_matrix = match matrix[r].iter().find(|(col, _)| *col == c).map(|(_, p)| p) {
                        None => false,
                        Some(Ports::All) => true,
                        Some(Ports::Some(ranges)) => ranges.iter().any(|(p, a, b)| *p == proto && *a <= port && port <= *b),
                    };
                    let by_reach = net.can_reach(&end(src), &end(dst), port, proto).allowed;
                    assert_eq!(by_matrix, by_reach, "{src:?} -> {dst:?} {port}/{proto} with {policies}");
                }
            }
        }
    }
}
