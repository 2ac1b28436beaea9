//! What a live source could read: each resource type it tried, and what a gap hides from
//! the analysis. A forbidden resource is a coverage gap to report, never a failure.

/// How reading one resource type went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadState {
    /// Listed: this many objects went into the scan.
    Read { objects: usize },
    /// The API server answered 403.
    Forbidden(String),
    /// Anything else went wrong (the message says what).
    Failed(String),
    /// Not read on purpose (the reason says why).
    Skipped(String),
}

impl ReadState {
    pub fn label(&self) -> &'static str {
        match self {
            ReadState::Read { .. } => "read",
            ReadState::Forbidden(_) => "forbidden",
            ReadState::Failed(_) => "failed",
            ReadState::Skipped(_) => "skipped",
        }
    }

    /// The state in words: `forbidden: <the server's message>`.
    pub fn describe(&self) -> String {
        match self {
            ReadState::Read { objects } => format!("read ({objects} objects)"),
            ReadState::Forbidden(m) | ReadState::Failed(m) | ReadState::Skipped(m) => format!("{}: {m}", self.label()),
        }
    }
}

/// One resource type: `plural` of `group` (empty: the core group) at `version`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceRead {
    pub group: String,
    pub version: String,
    pub resource: String,
    pub kind: String,
    pub namespaced: bool,
    pub state: ReadState,
    /// Objects left out because a controller that is checked instead owns them (a Pod of a
    /// ReplicaSet, a ReplicaSet of a Deployment, a Job of a CronJob).
    pub owned: usize,
    /// Lists restarted because a continue token expired (410).
    pub relists: u32,
}

impl ResourceRead {
    /// `secrets`, `deployments.apps`.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        }
    }

    /// What a gap in this resource hides from the analysis.
    pub fn hides(&self) -> String {
        let group = self.group.as_str();
        match (group, self.resource.as_str()) {
            ("", "secrets") => "SEC and RBAC secret-reader analysis incomplete".into(),
            ("rbac.authorization.k8s.io", _) => "RBAC analysis incomplete".into(),
            ("networking.k8s.io", "networkpolicies") => "NET analysis incomplete".into(),
            ("", "namespaces") => "namespace rules (PSA labels, quotas, NetworkPolicies) incomplete".into(),
            ("", "nodes") => "node inventory and version checks incomplete".into(),
            ("", "serviceaccounts") => "ServiceAccount token checks incomplete".into(),
            ("", "pods") | ("apps", _) | ("batch", _) | ("", "replicationcontrollers") => {
                format!("workload checks (PSS, hardening, images) skip every {}", self.kind)
            }
            _ => format!("{} objects are not checked", self.kind),
        }
    }
}

/// Everything a live source tried to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// The server read (`https://…`) and the kubeconfig context, when there is one.
    pub server: String,
    pub context: Option<String>,
    /// The server's `gitVersion`.
    pub version: Option<String>,
    /// The managed platform that runs the control plane (`EKS`, `AKS`, `GKE`) and how it
    /// was seen.
    pub platform: Option<(String, String)>,
    pub resources: Vec<ResourceRead>,
}

impl Coverage {
    /// How many resource types are in each state: (read, forbidden, failed, skipped).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let count = |label: &str| self.resources.iter().filter(|r| r.state.label() == label).count();
        (count("read"), count("forbidden"), count("failed"), count("skipped"))
    }

    /// Objects read, in all.
    pub fn objects(&self) -> usize {
        self.resources.iter().map(|r| if let ReadState::Read { objects } = r.state { objects } else { 0 }).sum()
    }
}
