//! The estate inventory (`palisade inventory`): nodes (OS, kernel, runtime, kubelet,
//! provider), namespaces, workloads with their containers and ServiceAccounts, service
//! accounts, and every exposure — LoadBalancer and NodePort Services, Ingress hosts,
//! hostNetwork pods and hostPorts. Gathered object by object from files or a live cluster
//! alike; images come from [`crate::inventory::ImageInventory`].

use crate::object::{Object, ObjectRef};
use crate::podspec::PodSpecView;
use crate::value::Node;
use std::collections::BTreeMap;

/// A node, from its `status.nodeInfo` and `spec.providerID`.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeInfo {
    pub name: String,
    pub os_image: String,
    pub kernel: String,
    pub runtime: String,
    pub kubelet: String,
    /// `aws`, `azure`, `gce`, … (the providerID's scheme), if any.
    pub provider: Option<String>,
}

/// A namespace and how its pods are admitted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NamespaceInfo {
    /// `pod-security.kubernetes.io/enforce`, if labelled.
    pub enforce: Option<String>,
    pub workloads: usize,
}

/// A workload and what it runs.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadInfo {
    pub object: ObjectRef,
    pub service_account: String,
    /// (container name, image), init and ephemeral containers included.
    pub containers: Vec<(String, String)>,
}

/// A ServiceAccount.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountInfo {
    pub namespace: String,
    pub name: String,
    /// `automountServiceAccountToken`, when set.
    pub automount: Option<bool>,
}

/// One way something is reachable from outside its pod network.
#[derive(Clone, Debug, PartialEq)]
pub struct Exposure {
    /// `LoadBalancer`, `NodePort`, `Ingress`, `hostNetwork`, `hostPort`, `externalIPs`.
    pub how: &'static str,
    pub object: ObjectRef,
    /// Ports, hosts or addresses.
    pub detail: String,
}

/// Everything [`Estate::add`] gathered.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Estate {
    pub nodes: Vec<NodeInfo>,
    pub namespaces: BTreeMap<String, NamespaceInfo>,
    pub workloads: Vec<WorkloadInfo>,
    pub accounts: Vec<AccountInfo>,
    pub exposures: Vec<Exposure>,
}

fn text(node: &Node, keys: &[&str]) -> String {
    node.get_path(keys).map(Node::display_scalar).unwrap_or_default()
}

impl Estate {
    pub fn add(&mut self, object: &Object, node: &Node) {
        let reference = object.reference();
        let core = object.api_version == "v1";
        match object.kind {
            "Node" if core => {
                let info = |k: &str| text(node, &["status", "nodeInfo", k]);
                let provider = node.get_path(&["spec", "providerID"]).and_then(Node::as_str).and_then(|id| id.split_once("://")).map(|(p, _)| p.to_string());
                self.nodes.push(NodeInfo {
                    name: object.name.to_string(),
                    os_image: info("osImage"),
                    kernel: info("kernelVersion"),
                    runtime: info("containerRuntimeVersion"),
                    kubelet: info("kubeletVersion"),
                    provider,
                });
            }
            "Namespace" if core => {
                let enforce = node.get_path(&["metadata", "labels", "pod-security.kubernetes.io/enforce"]).and_then(Node::as_str).map(str::to_string);
                self.namespaces.entry(object.name.to_string()).or_default().enforce = enforce;
            }
            "ServiceAccount" if core => self.accounts.push(AccountInfo {
                namespace: object.namespace.unwrap_or("default").to_string(),
                name: object.name.to_string(),
                automount: node.get("automountServiceAccountToken").and_then(Node::as_bool),
            }),
            "Service" if core => {
                let spec = node.get("spec");
                let kind = spec.and_then(|s| s.get("type")).and_then(Node::as_str).unwrap_or("ClusterIP");
                let ports = spec.and_then(|s| s.get("ports")).map(Node::items).unwrap_or(&[]);
                let port_list = |key: &str| ports.iter().filter_map(|p| p.get(key).map(Node::display_scalar)).collect::<Vec<_>>().join(",");
                match kind {
                    "LoadBalancer" => {
                        let ranges = spec.and_then(|s| s.get("loadBalancerSourceRanges")).map(Node::items).unwrap_or(&[]);
                        let from = if ranges.is_empty() { "from anywhere".to_string() } else { format!("from {}", ranges.iter().map(Node::display_scalar).collect::<Vec<_>>().join(",")) };
                        self.exposures.push(Exposure { how: "LoadBalancer", object: reference.clone(), detail: format!("ports {} {from}", port_list("port")) });
                    }
                    "NodePort" => self.exposures.push(Exposure { how: "NodePort", object: reference.clone(), detail: format!("node ports {}", port_list("nodePort")) }),
                    _ => {}
                }
                if let Some(ips) = spec.and_then(|s| s.get("externalIPs")).map(Node::items).filter(|i| !i.is_empty()) {
                    self.exposures.push(Exposure { how: "externalIPs", object: reference.clone(), detail: ips.iter().map(Node::display_scalar).collect::<Vec<_>>().join(",") });
                }
            }
            "Ingress" if object.api_version.starts_with("networking.k8s.io/") || object.api_version.starts_with("extensions/") => {
                let rules = node.get_path(&["spec", "rules"]).map(Node::items).unwrap_or(&[]);
                let hosts: Vec<String> = rules.iter().map(|r| r.get("host").map(Node::display_scalar).unwrap_or_else(|| "*".into())).collect();
                let tls = node.get_path(&["spec", "tls"]).is_some_and(|t| !t.items().is_empty());
                let hosts = if hosts.is_empty() { "*".to_string() } else { hosts.join(",") };
                self.exposures.push(Exposure { how: "Ingress", object: reference.clone(), detail: format!("hosts {hosts}{}", if tls { " (TLS)" } else { " (no TLS)" }) });
            }
            _ => {}
        }
        let Some(pod) = PodSpecView::of(object) else { return };
        let namespace = object.namespace.unwrap_or("default").to_string();
        self.namespaces.entry(namespace).or_default().workloads += 1;
        let service_account = ["serviceAccountName", "serviceAccount"].iter().find_map(|k| pod.spec.get(k).and_then(Node::as_str)).filter(|s| !s.is_empty()).unwrap_or("default");
        let containers: Vec<(String, String)> = pod.containers().map(|c| (c.name.to_string(), text(c.node, &["image"]))).collect();
        if pod.spec.get("hostNetwork").and_then(Node::as_bool) == Some(true) {
            self.exposures.push(Exposure { how: "hostNetwork", object: reference.clone(), detail: "shares the node's network".into() });
        }
        for c in pod.containers() {
            for p in c.node.get("ports").map(Node::items).unwrap_or(&[]) {
                if let Some(host) = p.field("hostPort").filter(|h| h.as_i64() != Some(0)) {
                    self.exposures.push(Exposure { how: "hostPort", object: reference.clone(), detail: format!("container {} host port {}", c.name, host.display_scalar()) });
                }
            }
        }
        self.workloads.push(WorkloadInfo { object: reference, service_account: service_account.to_string(), containers });
    }

    pub fn merge(&mut self, other: Estate) {
        self.nodes.extend(other.nodes);
        for (name, info) in other.namespaces {
            let mine = self.namespaces.entry(name).or_default();
            mine.workloads += info.workloads;
            if info.enforce.is_some() {
                mine.enforce = info.enforce;
            }
        }
        self.workloads.extend(other.workloads);
        self.accounts.extend(other.accounts);
        self.exposures.extend(other.exposures);
    }

    /// Everything in a stable order (inputs are read in parallel).
    pub fn sort(&mut self) {
        self.nodes.sort_by(|a, b| a.name.cmp(&b.name));
        self.workloads.sort_by(|a, b| a.object.cmp(&b.object));
        self.accounts.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        self.exposures.sort_by(|a, b| (&a.object, a.how, &a.detail).cmp(&(&b.object, b.how, &b.detail)));
    }
}
