//! What a live scan learns about the cluster as a whole — the server, its version, the
//! managed platform that runs it (and how that was seen), and every node's kubelet — given to
//! the engine as one `palisade.io/v1` `ClusterInfo` object, so that rules judge it like any
//! other object and a snapshot carries it too.

use serde_json::{json, Value};

/// Watches the objects as they stream past.
#[derive(Default)]
pub struct Observer {
    nodes: Vec<(String, String)>,
    evidence: Vec<(&'static str, String)>,
}

/// Node labels that only a managed platform's node pools carry.
const LABELS: &[(&str, &str)] = &[
    ("eks.amazonaws.com/nodegroup", "EKS"),
    ("eks.amazonaws.com/compute-type", "EKS"),
    ("cloud.google.com/gke-nodepool", "GKE"),
    ("cloud.google.com/gke-os-distribution", "GKE"),
    ("kubernetes.azure.com/cluster", "AKS"),
    ("kubernetes.azure.com/agentpool", "AKS"),
];

impl Observer {
    pub fn see(&mut self, object: &Value) {
        if object["kind"] != "Node" || object["apiVersion"] != "v1" {
            return;
        }
        let name = object["metadata"]["name"].as_str().unwrap_or("").to_string();
        let kubelet = object["status"]["nodeInfo"]["kubeletVersion"].as_str().unwrap_or("").to_string();
        if let Some(labels) = object["metadata"]["labels"].as_object() {
            for (label, platform) in LABELS {
                if labels.contains_key(*label) {
                    self.evidence.push((platform, format!("node {name} has the label {label}")));
                }
            }
        }
        self.nodes.push((name, kubelet));
    }

    /// The managed platform, if one shows (`EKS`, `AKS`, `GKE`), and how it was seen: the
    /// server's version string first, node-pool labels otherwise.
    pub fn platform(&self, version: Option<&str>) -> Option<(String, String)> {
        if let Some(v) = version {
            for (mark, platform) in [("-eks-", "EKS"), ("-gke.", "GKE")] {
                if v.contains(mark) {
                    return Some((platform.to_string(), format!("the server's version is {v}")));
                }
            }
        }
        self.evidence.first().map(|(p, how)| (p.to_string(), how.clone()))
    }

    /// The `ClusterInfo` object, once everything was read.
    pub fn cluster_info(&self, server: &str, context: Option<&str>, version: Option<&str>) -> Value {
        let platform = self.platform(version).map(|(name, how)| json!({"name": name, "evidence": how}));
        let mut nodes = self.nodes.clone();
        nodes.sort();
        json!({
            "apiVersion": "palisade.io/v1",
            "kind": "ClusterInfo",
            "metadata": {"name": context.unwrap_or("cluster")},
            "spec": {
                "server": server,
                "version": version,
                "platform": platform,
                "nodes": nodes.iter().map(|(n, k)| json!({"name": n, "kubelet": k})).collect::<Vec<_>>(),
            }
        })
    }
}
