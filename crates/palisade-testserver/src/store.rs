//! What the server holds: resource types (built in, plus every kind its objects use), the
//! objects by resource, a global resourceVersion, and the history of changes for watches.

use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One resource type, as discovery describes it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Resource {
    pub group: String,
    pub version: String,
    /// The plural (`deployments`).
    pub name: String,
    pub kind: String,
    pub namespaced: bool,
}

impl Resource {
    pub fn group_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// The types every cluster serves, so that empty lists answer too: (group/version, kind,
/// plural, namespaced).
const BUILT_IN: &[(&str, &str, &str, bool)] = &[
    ("v1", "Namespace", "namespaces", false),
    ("v1", "Node", "nodes", false),
    ("v1", "Pod", "pods", true),
    ("v1", "Service", "services", true),
    ("v1", "ServiceAccount", "serviceaccounts", true),
    ("v1", "Secret", "secrets", true),
    ("v1", "ConfigMap", "configmaps", true),
    ("v1", "ReplicationController", "replicationcontrollers", true),
    ("v1", "ResourceQuota", "resourcequotas", true),
    ("v1", "LimitRange", "limitranges", true),
    ("v1", "PersistentVolume", "persistentvolumes", false),
    ("v1", "PersistentVolumeClaim", "persistentvolumeclaims", true),
    ("apps/v1", "Deployment", "deployments", true),
    ("apps/v1", "StatefulSet", "statefulsets", true),
    ("apps/v1", "DaemonSet", "daemonsets", true),
    ("apps/v1", "ReplicaSet", "replicasets", true),
    ("batch/v1", "Job", "jobs", true),
    ("batch/v1", "CronJob", "cronjobs", true),
    ("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", true),
    ("networking.k8s.io/v1", "Ingress", "ingresses", true),
    ("rbac.authorization.k8s.io/v1", "Role", "roles", true),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false),
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false),
];

/// The plural Kubernetes would give a kind it does not know: lower case, `y` → `ies`,
/// `s`/`x`/`ch` → `es`, otherwise `s` (what CRDs usually declare).
fn plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'o', 'u'])) {
        format!("{stem}ies")
    } else if lower.ends_with('s') || lower.ends_with('x') || lower.ends_with("ch") {
        format!("{lower}es")
    } else {
        format!("{lower}s")
    }
}

/// One change, for watches.
#[derive(Clone, Debug)]
pub struct Change {
    pub rv: u64,
    pub kind: &'static str,
    pub resource: Resource,
    pub object: Value,
}

/// The server's state.
#[derive(Default)]
pub struct Store {
    pub resources: Vec<Resource>,
    /// Objects per resource, by (namespace, name).
    pub objects: BTreeMap<Resource, BTreeMap<(String, String), Value>>,
    pub rv: u64,
    pub history: Vec<Change>,
    /// Watches from a resourceVersion below this get `410 Gone`.
    pub compacted: u64,
}

impl Store {
    pub fn new(objects: Vec<Value>) -> Result<Store, String> {
        let mut store = Store::default();
        for (gv, kind, name, namespaced) in BUILT_IN {
            let (group, version) = gv.split_once('/').unwrap_or(("", gv));
            store.resources.push(Resource { group: group.into(), version: version.into(), name: (*name).into(), kind: (*kind).into(), namespaced: *namespaced });
        }
        for object in objects {
            store.put(object)?;
        }
        store.compacted = 0;
        Ok(store)
    }

    /// The resource a kind of a group/version is served as, declaring it if needed (from a
    /// CustomResourceDefinition's names when there is one, or by Kubernetes' plural rule).
    fn resource_of(&mut self, api_version: &str, kind: &str, namespaced: bool) -> Resource {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        if let Some(r) = self.resources.iter().find(|r| r.group == group && r.version == version && r.kind == kind) {
            return r.clone();
        }
        let r = Resource { group: group.into(), version: version.into(), name: plural(kind), kind: kind.into(), namespaced };
        self.resources.push(r.clone());
        r
    }

    /// Adds or replaces an object; returns its resource. The object gets a new
    /// resourceVersion (and a uid and creationTimestamp when it has none).
    pub fn put(&mut self, mut object: Value) -> Result<Resource, String> {
        let api_version = object["apiVersion"].as_str().ok_or("an object without apiVersion")?.to_string();
        let kind = object["kind"].as_str().ok_or("an object without kind")?.to_string();
        let name = object["metadata"]["name"].as_str().ok_or_else(|| format!("a {kind} without metadata.name"))?.to_string();
        if kind == "CustomResourceDefinition" {
            self.declare_crd(&object);
        }
        let namespace = object["metadata"]["namespace"].as_str().map(str::to_string);
        let resource = self.resource_of(&api_version, &kind, namespace.is_some());
        let namespace = if resource.namespaced { namespace.unwrap_or_else(|| "default".into()) } else { String::new() };
        self.rv += 1;
        let metadata = object["metadata"].as_object_mut().ok_or("metadata is not a mapping")?;
        if resource.namespaced {
            metadata.insert("namespace".into(), json!(namespace));
        } else {
            metadata.remove("namespace");
        }
        metadata.insert("resourceVersion".into(), json!(self.rv.to_string()));
        metadata.entry("uid").or_insert_with(|| json!(format!("00000000-0000-4000-8000-{:012x}", self.rv)));
        metadata.entry("creationTimestamp").or_insert_with(|| json!("2026-01-01T00:00:00Z"));
        let slot = self.objects.entry(resource.clone()).or_default();
        let kind = if slot.insert((namespace, name), object.clone()).is_some() { "MODIFIED" } else { "ADDED" };
        self.history.push(Change { rv: self.rv, kind, resource: resource.clone(), object });
        Ok(resource)
    }

    /// Deletes an object; `false` when there is none.
    pub fn delete(&mut self, api_version: &str, kind: &str, namespace: &str, name: &str) -> bool {
        let Some(resource) = self.resources.iter().find(|r| r.group_version() == api_version && r.kind == kind).cloned() else { return false };
        let Some(mut object) = self.objects.get_mut(&resource).and_then(|m| m.remove(&(namespace.to_string(), name.to_string()))) else {
            return false;
        };
        self.rv += 1;
        object["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        self.history.push(Change { rv: self.rv, kind: "DELETED", resource, object });
        true
    }

    /// A CustomResourceDefinition declares its kind's plural and scope for every served version.
    fn declare_crd(&mut self, crd: &Value) {
        let spec = &crd["spec"];
        let (Some(group), Some(kind), Some(name)) = (spec["group"].as_str(), spec["names"]["kind"].as_str(), spec["names"]["plural"].as_str()) else { return };
        let namespaced = spec["scope"].as_str() != Some("Cluster");
        for version in spec["versions"].as_array().into_iter().flatten().filter(|v| v["served"].as_bool() != Some(false)) {
            let Some(version) = version["name"].as_str() else { continue };
            if !self.resources.iter().any(|r| r.group == group && r.version == version && r.kind == kind) {
                self.resources.push(Resource { group: group.into(), version: version.into(), name: name.into(), kind: kind.into(), namespaced });
            }
        }
    }

    /// The groups with their versions, in the order discovery lists them (core first).
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for r in &self.resources {
            match out.iter_mut().find(|(g, _)| *g == r.group) {
                Some((_, versions)) if !versions.contains(&r.version) => versions.push(r.version.clone()),
                Some(_) => {}
                None => out.push((r.group.clone(), vec![r.version.clone()])),
            }
        }
        out
    }
}
