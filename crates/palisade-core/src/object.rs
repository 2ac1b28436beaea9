//! Kubernetes objects over the value tree, and the references that name them in findings.

use crate::value::Node;
use std::fmt;

/// A Kubernetes object: a mapping with `apiVersion`, `kind` and `metadata`.
#[derive(Clone, Copy, Debug)]
pub struct Object<'a> {
    pub node: &'a Node,
    pub api_version: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
}

impl<'a> Object<'a> {
    /// Reads the identifying fields, or says why this is not a Kubernetes object.
    pub fn from_node(node: &'a Node) -> Result<Object<'a>, String> {
        if node.is_null() {
            return Err("empty document".into());
        }
        if !node.is_map() {
            return Err("not a mapping, so not a Kubernetes object".into());
        }
        let kind = match node.get("kind").map(|k| k.as_str()) {
            Some(Some(k)) if !k.is_empty() => k,
            Some(_) => return Err("`kind` is not a non-empty string".into()),
            None => return Err("no `kind`, so not a Kubernetes object".into()),
        };
        let api_version = match node.get("apiVersion").map(|k| k.as_str()) {
            Some(Some(v)) if !v.is_empty() => v,
            Some(_) => return Err(format!("{kind}: `apiVersion` is not a non-empty string")),
            None => return Err(format!("{kind}: no `apiVersion`, so not a Kubernetes object")),
        };
        let meta = node.get("metadata");
        let name = meta
            .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
            .and_then(Node::as_str)
            .unwrap_or("");
        let namespace = meta.and_then(|m| m.get("namespace")).and_then(Node::as_str);
        Ok(Object { node, api_version, kind, name, namespace })
    }

    /// `List` and every `*List` kind whose `items` is a sequence: its items are the objects.
    pub fn is_list(&self) -> bool {
        self.kind.ends_with("List") && matches!(self.node.get("items").map(|n| &n.value), Some(crate::Value::Seq(_)))
    }

    /// The object as the API server would store it when applied to `namespace` (`kubectl
    /// apply -n`): a namespaced kind without `metadata.namespace` is put there.
    pub fn in_namespace(mut self, namespace: &'a str) -> Object<'a> {
        self.namespace = placed(self.kind, self.namespace, namespace);
        self
    }

    pub fn reference(&self) -> ObjectRef {
        ObjectRef {
            api_version: self.api_version.into(),
            kind: self.kind.into(),
            namespace: self.namespace.map(Into::into),
            name: self.name.into(),
        }
    }
}

/// The namespace an object of `kind` is stored in when applied to `default`.
fn placed<'n>(kind: &str, namespace: Option<&'n str>, default: &'n str) -> Option<&'n str> {
    match namespace {
        None if !is_cluster_scoped(kind) => Some(default),
        other => other,
    }
}

/// Kinds that live outside namespaces: Kubernetes' own (and its components' configuration
/// files), and the custom kinds that follow
/// the `Cluster…` naming convention (ClusterIssuer, ClusterSecretStore, ClusterPolicy).
/// Every other kind is taken to be namespaced.
pub fn is_cluster_scoped(kind: &str) -> bool {
    const KINDS: &[&str] = &[
        "Namespace", "Node", "PersistentVolume", "StorageClass", "CustomResourceDefinition", "APIService",
        "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
        "PriorityClass", "RuntimeClass", "IngressClass", "CSIDriver", "CSINode", "VolumeAttachment",
        "CertificateSigningRequest", "PodSecurityPolicy", "FlowSchema", "PriorityLevelConfiguration",
        "ComponentStatus", "IPAddress", "ServiceCIDR", "DeviceClass", "ConstraintTemplate",
        "SelfSubjectReview", "TokenReview", "SubjectAccessReview", "SelfSubjectAccessReview",
        // Configuration files of the components (apiserver.config.k8s.io, kubelet.config.k8s.io):
        // read from disk, never stored in a namespace.
        "EncryptionConfiguration", "AdmissionConfiguration", "AuthenticationConfiguration",
        "AuthorizationConfiguration", "TracingConfiguration", "KubeletConfiguration",
        "KubeSchedulerConfiguration", "KubeProxyConfiguration", "EgressSelectorConfiguration",
        // What Palisade's live, node and probe sources report of a cluster, a host and an
        // endpoint (palisade.io/v1 `Endpoint`, not the core `Endpoints`).
        "ClusterInfo", "Host", "Endpoint",
    ];
    KINDS.contains(&kind) || kind.starts_with("Cluster")
}

/// Names an object in a finding: `Deployment default/web`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    /// The reference as the object is stored when applied to `namespace`
    /// ([`Object::in_namespace`]).
    pub fn in_namespace(mut self, namespace: &str) -> ObjectRef {
        self.namespace = placed(&self.kind, self.namespace.as_deref(), namespace).map(str::to_string);
        self
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.name.is_empty() { "<unnamed>" } else { &self.name };
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, name),
            None => write!(f, "{} {}", self.kind, name),
        }
    }
}
