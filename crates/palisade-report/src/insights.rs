//! What the cross-object model knows beyond findings, for the report's views: RBAC
//! escalation paths and who can read each Secret, the network between workloads, the image
//! and secret-source inventories, and the source lines around findings. The caller gathers
//! it (from the model and the inputs) only for formats that show it; the JSON report does
//! not carry it.

use palisade_core::inventory::{ImageInventory, WorkloadSecrets};
use std::collections::BTreeMap;

/// Everything the report's views show besides the findings.
#[derive(Debug, Default)]
pub struct Insights {
    /// Chains from a subject to a powerful capability, each step with who acts and how.
    pub escalations: Vec<Escalation>,
    /// How many escalation paths there were in all (`escalations` may keep fewer).
    pub escalations_total: usize,
    /// Each Secret with the subjects that can read it.
    pub secret_readers: Vec<SecretReaders>,
    /// How many Secrets the input has (`secret_readers` may keep fewer).
    pub secrets_total: usize,
    /// Who can connect to whom, when the input has workloads.
    pub network: Option<Network>,
    pub images: ImageInventory,
    pub secret_sources: Vec<WorkloadSecrets>,
    /// Lines of the input files around findings: file → line number → text.
    pub excerpts: BTreeMap<String, BTreeMap<u32, String>>,
}

/// One escalation path: `subject` reaches `reaches` through `steps`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escalation {
    pub subject: String,
    pub reaches: String,
    /// (who acts, what it does), in order.
    pub steps: Vec<(String, String)>,
}

/// A Secret and its readers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretReaders {
    /// `namespace/name`.
    pub secret: String,
    /// (subject, the verbs it has on the Secret).
    pub readers: Vec<(String, Vec<&'static str>)>,
}

/// The workloads, and the connections NetworkPolicies allow between them: namespace by
/// namespace always, workload by workload when there are few enough to draw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Network {
    /// (namespace, `Kind/name`) of each workload, sorted.
    pub workloads: Vec<(String, String)>,
    pub policies: usize,
    /// The namespaces, sorted, each once.
    pub namespaces: Vec<String>,
    /// (from namespace, to namespace) by index into `namespaces` → the allowed workload
    /// pairs and the distinct port sets they allow (the first few).
    pub between: BTreeMap<(usize, usize), (usize, Vec<String>)>,
    /// (from, to, ports) by index into `workloads`, allowed pairs only; kept when there
    /// are at most `WORKLOAD_GRID` workloads.
    pub edges: Vec<(usize, usize, String)>,
    /// Workloads that can connect to the cloud metadata endpoint, with the ports.
    pub metadata: Vec<(usize, String)>,
    /// Workloads that accept connections from outside the cluster, with the ports.
    pub from_outside: Vec<(usize, String)>,
    /// Why the connections were not worked out, when they were not (too many workloads).
    pub not_computed: Option<String>,
}

/// Lines kept and shown before and after a finding's line.
pub const CONTEXT: u32 = 3;

/// Up to how many workloads the report draws workload by workload.
pub const WORKLOAD_GRID: usize = 60;

impl Network {
    /// How many workloads each namespace has, by index into `namespaces`.
    pub fn sizes(&self) -> Vec<usize> {
        let mut out = vec![0; self.namespaces.len()];
        for (ns, _) in &self.workloads {
            if let Ok(i) = self.namespaces.binary_search(ns) {
                out[i] += 1;
            }
        }
        out
    }
}
