//! The control plane: which component a command line runs, its flags, and the CIS
//! Kubernetes Benchmark checks over them ([`checks`]). Pure logic over argument lists:
//! static-pod manifests, live static pods and running processes (the node audit) all feed
//! the same checks.

pub mod checks;
pub mod files;
pub mod flags;
pub mod kubelet;

pub use checks::{Check, Verdict, CHECKS};
pub use flags::Flags;

/// How the model counts a cluster whose ClusterInfo names a managed platform (EKS, AKS,
/// GKE): its provider runs the control plane.
pub const MANAGED: &str = "platform/managed";

/// How the model counts a Host that runs a kubelet (or holds its config).
pub const KUBELET: &str = "component/kubelet";

/// A control-plane component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Component {
    ApiServer,
    ControllerManager,
    Scheduler,
    Etcd,
}

impl Component {
    /// The binary's name.
    pub fn binary(self) -> &'static str {
        match self {
            Component::ApiServer => "kube-apiserver",
            Component::ControllerManager => "kube-controller-manager",
            Component::Scheduler => "kube-scheduler",
            Component::Etcd => "etcd",
        }
    }

    /// How the model counts pods running it (`component/kube-apiserver`).
    pub fn counted(self) -> &'static str {
        match self {
            Component::ApiServer => "component/kube-apiserver",
            Component::ControllerManager => "component/kube-controller-manager",
            Component::Scheduler => "component/kube-scheduler",
            Component::Etcd => "component/etcd",
        }
    }

    /// The component a command runs, from the binary's file name (`/usr/local/bin/etcd`,
    /// `kube-apiserver`).
    pub fn of_binary(program: &str) -> Option<Component> {
        let name = program.rsplit('/').next().unwrap_or(program);
        [Component::ApiServer, Component::ControllerManager, Component::Scheduler, Component::Etcd].into_iter().find(|c| c.binary() == name)
    }
}

impl Component {
    /// The component a container runs, and its arguments after the binary (`command` then
    /// `args`; `hyperkube COMPONENT` counts as COMPONENT).
    pub fn of_container(container: &palisade_core::Node) -> Option<Component> {
        let mut words = ["command", "args"].into_iter().flat_map(|k| container.get(k).map(palisade_core::Node::items).unwrap_or(&[])).filter_map(palisade_core::Node::as_str);
        let mut program = words.next()?;
        if program.rsplit('/').next() == Some("hyperkube") {
            program = words.next()?;
        }
        Component::of_binary(program)
    }
}

/// What the model counts of an object for the compliance view: the component a pod runs,
/// the components a `Host`'s processes run, or [`MANAGED`] for a ClusterInfo that names a
/// managed platform.
pub fn counted(object: &palisade_core::Object, node: &palisade_core::Node, pod: Option<&palisade_core::PodSpecView>) -> Vec<&'static str> {
    use palisade_core::Node;
    let ours = object.api_version == "palisade.io/v1";
    match object.kind {
        "ClusterInfo" if ours => node.get_path(&["spec", "platform", "name"]).map(|_| MANAGED).into_iter().collect(),
        "Host" if ours => {
            let mut out: Vec<&'static str> = node
                .get_path(&["spec", "processes"])
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(|p| p.get("argv").map(Node::items).and_then(<[Node]>::first).and_then(Node::as_str).and_then(Component::of_binary))
                .map(Component::counted)
                .collect();
            if node.get_path(&["spec", "kubelet"]).is_some_and(|k| !k.is_null()) {
                out.push(KUBELET);
            }
            out.sort();
            out.dedup();
            out
        }
        _ => pod.and_then(|p| p.containers().find_map(|c| Component::of_container(c.node))).map(Component::counted).into_iter().collect(),
    }
}
