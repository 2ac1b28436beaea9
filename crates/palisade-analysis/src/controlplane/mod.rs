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

/// Whether a command line runs `program` (by the binary's file name: `/usr/bin/kubelet`
/// runs `kubelet`).
pub fn runs<S: AsRef<str>>(argv: &[S], program: &str) -> bool {
    argv.first().is_some_and(|p| p.as_ref().rsplit('/').next() == Some(program))
}

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
    /// The component a command line runs, and the index where its flags start
    /// (`hyperkube COMPONENT …` runs COMPONENT).
    pub fn of_command<S: AsRef<str>>(argv: &[S]) -> Option<(Component, usize)> {
        let first = argv.first()?.as_ref();
        if first.rsplit('/').next() == Some("hyperkube") {
            return Some((Component::of_binary(argv.get(1)?.as_ref())?, 2));
        }
        Some((Component::of_binary(first)?, 1))
    }

    /// The component a container runs (`command` then `args`).
    pub fn of_container(container: &palisade_core::Node) -> Option<Component> {
        let words: Vec<&str> = ["command", "args"].into_iter().flat_map(|k| container.get(k).map(palisade_core::Node::items).unwrap_or(&[])).filter_map(palisade_core::Node::as_str).take(2).collect();
        Component::of_command(&words).map(|(c, _)| c)
    }
}

/// What the model counts of an object for the compliance view: the component a pod runs,
/// the components a `Host`'s processes run and the file checks whose files it has
/// (`file/1.1.1`), or [`MANAGED`] for a ClusterInfo that names a
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
                .filter_map(|p| {
                    let argv: Vec<&str> = p.get("argv").map(Node::items).unwrap_or(&[]).iter().take(2).filter_map(Node::as_str).collect();
                    Component::of_command(&argv).map(|(c, _)| c)
                })
                .map(Component::counted)
                .collect();
            if node.get_path(&["spec", "kubelet"]).is_some_and(|k| !k.is_null()) {
                out.push(KUBELET);
            }
            if let Some(spec) = node.get("spec") {
                let files = files::NodeFiles::of_host(spec);
                out.extend(files::FILE_CHECKS.iter().filter(|c| !files.paths(c).is_empty()).map(|c| c.counted));
            }
            out.sort();
            out.dedup();
            out
        }
        _ => pod.and_then(|p| p.containers().find_map(|c| Component::of_container(c.node))).map(Component::counted).into_iter().collect(),
    }
}
