//! Pod-spec views: every workload kind reduced to the pod spec it runs, with the metadata
//! that belongs to that pod (for templates, the template's own metadata) and the path of both.

use crate::object::Object;
use crate::path::FieldPath;
use crate::value::Node;

/// The pod spec an object carries, if any.
#[derive(Clone, Debug)]
pub struct PodSpecView<'a> {
    pub spec: &'a Node,
    pub spec_path: FieldPath,
    /// The pod's metadata (the object's for a Pod, the template's for workloads).
    pub meta: Option<&'a Node>,
    pub meta_path: FieldPath,
    /// Init containers, then containers, then ephemeral containers, as Kubernetes visits them.
    containers: Vec<ContainerView<'a>>,
}

/// Which list of the pod spec a container comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }

    /// The word used in messages: `container`, `init container`, `ephemeral container`.
    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

/// One container of a pod spec, with its path.
#[derive(Clone, Debug)]
pub struct ContainerView<'a> {
    pub node: &'a Node,
    pub path: FieldPath,
    pub name: &'a str,
    pub kind: ContainerKind,
}

impl<'a> ContainerView<'a> {
    /// `securityContext`, unless unset or null.
    pub fn security_context(&self) -> Option<&'a Node> {
        self.node.field("securityContext")
    }

    /// A field of the container's securityContext, unless unset or null.
    pub fn sc_field(&self, key: &str) -> Option<&'a Node> {
        self.security_context().and_then(|sc| sc.field(key))
    }

    pub fn sc_path(&self, keys: &[&'static str]) -> FieldPath {
        self.path.key("securityContext").keys(keys)
    }

    /// `container `app``, `init container `setup``: how messages name it.
    pub fn describe(&self) -> String {
        format!("{} `{}`", self.kind.noun(), self.name)
    }
}

/// Kinds whose pod template sits at `spec.template`.
const TEMPLATE_KINDS: &[&str] =
    &["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"];

impl<'a> PodSpecView<'a> {
    /// Finds the pod spec of Pods, PodTemplates, the built-in workload kinds, CronJobs, and any
    /// other kind (an Argo Rollout, a Knative revision template…) whose `spec.template.spec`
    /// holds `containers`.
    pub fn of(obj: &Object<'a>) -> Option<PodSpecView<'a>> {
        let root = FieldPath::root();
        let (template, template_path) = match obj.kind {
            "Pod" => {
                let spec = obj.node.field("spec")?;
                return Some(PodSpecView::new(spec, root.key("spec"), obj.node.field("metadata"), root.key("metadata")));
            }
            "PodTemplate" => (obj.node.field("template")?, root.key("template")),
            "CronJob" => (
                obj.node.get_path(&["spec", "jobTemplate", "spec", "template"])?,
                root.keys(&["spec", "jobTemplate", "spec", "template"]),
            ),
            kind if TEMPLATE_KINDS.contains(&kind) => {
                (obj.node.get_path(&["spec", "template"])?, root.keys(&["spec", "template"]))
            }
            _ => {
                let t = obj.node.get_path(&["spec", "template"])?;
                t.get_path(&["spec", "containers"])?;
                (t, root.keys(&["spec", "template"]))
            }
        };
        Some(PodSpecView::new(
            template.field("spec")?,
            template_path.key("spec"),
            template.field("metadata"),
            template_path.key("metadata"),
        ))
    }

    fn new(spec: &'a Node, spec_path: FieldPath, meta: Option<&'a Node>, meta_path: FieldPath) -> PodSpecView<'a> {
        let mut containers = Vec::new();
        for kind in [ContainerKind::Init, ContainerKind::Regular, ContainerKind::Ephemeral] {
            let list = spec.get(kind.field()).map(Node::items).unwrap_or(&[]);
            let list_path = spec_path.key(kind.field());
            containers.extend(list.iter().enumerate().map(|(i, node)| ContainerView {
                node,
                path: list_path.index(i),
                name: node.get("name").and_then(Node::as_str).unwrap_or(""),
                kind,
            }));
        }
        PodSpecView { spec, spec_path, meta, meta_path, containers }
    }

    /// Init containers, then containers, then ephemeral containers, as Kubernetes visits them.
    pub fn containers(&self) -> impl Iterator<Item = &ContainerView<'a>> + '_ {
        self.containers.iter()
    }

    /// The pod-level `securityContext`, unless unset or null.
    pub fn security_context(&self) -> Option<&'a Node> {
        self.spec.field("securityContext")
    }

    /// A field of the pod-level securityContext, unless unset or null.
    pub fn sc_field(&self, key: &str) -> Option<&'a Node> {
        self.security_context().and_then(|sc| sc.field(key))
    }

    pub fn sc_path(&self, keys: &[&'static str]) -> FieldPath {
        self.spec_path.key("securityContext").keys(keys)
    }

    /// `spec.os.name: windows`.
    pub fn is_windows(&self) -> bool {
        self.spec.get_path(&["os", "name"]).and_then(Node::as_str) == Some("windows")
    }

    /// `spec.hostUsers: false`: the pod runs in its own user namespace.
    pub fn in_user_namespace(&self) -> bool {
        self.spec.get("hostUsers").and_then(Node::as_bool) == Some(false)
    }

    /// The pod's annotations, as (key, value node) pairs.
    pub fn annotations(&self) -> impl Iterator<Item = (&'a str, &'a Node)> {
        self.meta
            .and_then(|m| m.get("annotations"))
            .map(Node::entries)
            .unwrap_or(&[])
            .iter()
            .map(|e| (&*e.key, &e.value))
    }

    pub fn annotation_path(&self, key: &str) -> FieldPath {
        self.meta_path.key("annotations").key(key.to_string())
    }
}
