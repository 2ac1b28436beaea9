//! Inventories built from objects: every image with the workloads that run it, and where each
//! workload's secrets come from (plain Secrets, External Secrets, Secrets Store CSI).
//! Gathered object by object, merged across inputs, resolved at the end.

use crate::finding::Location;
use crate::image::ImageRef;
use crate::object::{Object, ObjectRef};
use crate::podspec::PodSpecView;
use crate::secrets::{csi_secret_volumes, secret_reads};
use crate::value::{Node, Pos};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A container that runs an image.
#[derive(Clone, Debug)]
pub struct ImageUse {
    pub workload: Arc<ObjectRef>,
    pub container: String,
    pub location: Option<Location>,
}

/// One image reference and its uses.
#[derive(Clone, Debug)]
pub struct ImageEntry {
    /// As written (`nginx:1.27`).
    pub reference: String,
    pub image: ImageRef,
    pub uses: Vec<ImageUse>,
}

/// Every image of the input, by reference as written.
#[derive(Debug, Default)]
pub struct ImageInventory {
    pub entries: BTreeMap<String, ImageEntry>,
}

impl ImageInventory {
    /// Adds the images of an object's pod spec; `locate` turns a position in `node` into a
    /// location (none for live objects).
    pub fn add(&mut self, object: &Object, node: &Node, locate: &dyn Fn(Pos) -> Option<Location>) {
        let Some(pod) = PodSpecView::of(object) else { return };
        let workload = Arc::new(object.reference());
        for c in pod.containers() {
            let Some(text) = c.node.get("image").and_then(Node::as_str) else { continue };
            let Some(image) = ImageRef::parse(text) else { continue };
            let pos = c.path.key("image").locate(node).0;
            let entry = self
                .entries
                .entry(text.to_string())
                .or_insert_with(|| ImageEntry { reference: text.to_string(), image, uses: Vec::new() });
            entry.uses.push(ImageUse { workload: workload.clone(), container: c.name.to_string(), location: locate(pos) });
        }
    }

    pub fn merge(&mut self, other: ImageInventory) {
        for (k, e) in other.entries {
            match self.entries.get_mut(&k) {
                Some(mine) => mine.uses.extend(e.uses),
                None => {
                    self.entries.insert(k, e);
                }
            }
        }
    }
}

/// Where a workload's secret comes from, resolved.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A Secret nothing in the input keeps in sync from a vault.
    PlainSecret,
    /// A Secret an ExternalSecret creates from a (Cluster)SecretStore.
    ExternalSecret { external_secret: String, store: String, provider: Option<String> },
    /// A Secret a SecretProviderClass syncs from its vault.
    CsiSynced { class: String, provider: Option<String> },
    /// Mounted straight from a vault by the Secrets Store CSI driver.
    Csi { class: String, provider: Option<String> },
}

impl Origin {
    /// `secret`, `external-secret`, `secrets-store-csi-sync`, `secrets-store-csi`.
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::PlainSecret => "secret",
            Origin::ExternalSecret { .. } => "external-secret",
            Origin::CsiSynced { .. } => "secrets-store-csi-sync",
            Origin::Csi { .. } => "secrets-store-csi",
        }
    }

    /// Whether the value comes from a vault.
    pub fn from_vault(&self) -> bool {
        !matches!(self, Origin::PlainSecret)
    }
}

/// One secret a workload reads.
#[derive(Clone, Debug)]
pub struct SecretSource {
    /// The Secret's name (for CSI volumes, the volume's name).
    pub name: String,
    /// `env`, `envFrom`, `volume`, `projected volume`, `imagePullSecrets`, `csi volume`.
    pub how: &'static str,
    pub container: Option<String>,
    pub location: Option<Location>,
    pub origin: Origin,
}

/// A workload and its secrets.
#[derive(Clone, Debug)]
pub struct WorkloadSecrets {
    pub workload: Arc<ObjectRef>,
    pub sources: Vec<SecretSource>,
}

/// Secrets' origins, gathered; [`SecretInventory::resolve`] joins them.
#[derive(Debug, Default)]
pub struct SecretInventory {
    workloads: Vec<WorkloadSecrets>,
    /// (namespace, Secret) → (ExternalSecret, store kind, store name).
    external: BTreeMap<(String, String), (String, String, String)>,
    /// (store kind, namespace or "" for cluster stores, name) → provider.
    stores: BTreeMap<(String, String, String), String>,
    /// (namespace, SecretProviderClass) → provider.
    classes: BTreeMap<(String, String), String>,
    /// (namespace, Secret) → SecretProviderClass that syncs it.
    synced: BTreeMap<(String, String), String>,
}

/// A readable name for a vault provider key.
fn provider_name(key: &str) -> String {
    match key {
        "azure" | "azurekv" => "Azure Key Vault".into(),
        "aws" => "AWS Secrets Manager".into(),
        "gcp" | "gcpsm" => "GCP Secret Manager".into(),
        "vault" => "HashiCorp Vault".into(),
        other => other.into(),
    }
}

fn text<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
    node.get_path(path).and_then(Node::as_str).filter(|s| !s.is_empty())
}

impl SecretInventory {
    pub fn add(&mut self, object: &Object, node: &Node, locate: &dyn Fn(Pos) -> Option<Location>) {
        let ns = object.namespace.unwrap_or("").to_string();
        let group = object.api_version.split('/').next().unwrap_or("");
        match (object.kind, group) {
            ("ExternalSecret", "external-secrets.io") => {
                let target = crate::secrets::vault_synced_secrets(object.kind, object.api_version, node).pop().unwrap_or_default();
                let store_kind = text(node, &["spec", "secretStoreRef", "kind"]).unwrap_or("SecretStore").to_string();
                let store = text(node, &["spec", "secretStoreRef", "name"]).unwrap_or("").to_string();
                self.external.insert((ns, target), (object.name.to_string(), store_kind, store));
                return;
            }
            ("SecretStore" | "ClusterSecretStore", "external-secrets.io") => {
                let provider = node.get_path(&["spec", "provider"]).and_then(|p| p.entries().first()).map(|e| e.key.as_str());
                let scope = if object.kind == "SecretStore" { ns } else { String::new() };
                if let Some(p) = provider {
                    self.stores.insert((object.kind.to_string(), scope, object.name.to_string()), provider_name(p));
                }
                return;
            }
            ("SecretProviderClass", "secrets-store.csi.x-k8s.io") => {
                if let Some(p) = text(node, &["spec", "provider"]) {
                    self.classes.insert((ns.clone(), object.name.to_string()), provider_name(p));
                }
                for name in crate::secrets::vault_synced_secrets(object.kind, object.api_version, node) {
                    self.synced.insert((ns.clone(), name), object.name.to_string());
                }
                return;
            }
            _ => {}
        }
        let Some(pod) = PodSpecView::of(object) else { return };
        let mut sources = Vec::new();
        for read in secret_reads(&pod) {
            sources.push(SecretSource {
                name: read.secret.to_string(),
                how: read.how.as_str(),
                container: read.container.map(str::to_string),
                location: locate(read.path.locate(node).0),
                origin: Origin::PlainSecret,
            });
        }
        for v in csi_secret_volumes(&pod) {
            sources.push(SecretSource {
                name: v.volume.to_string(),
                how: "csi volume",
                container: None,
                location: locate(v.path.locate(node).0),
                origin: Origin::Csi { class: v.provider_class.to_string(), provider: None },
            });
        }
        if !sources.is_empty() {
            self.workloads.push(WorkloadSecrets { workload: Arc::new(object.reference()), sources });
        }
    }

    pub fn merge(&mut self, other: SecretInventory) {
        self.workloads.extend(other.workloads);
        self.external.extend(other.external);
        self.stores.extend(other.stores);
        self.classes.extend(other.classes);
        self.synced.extend(other.synced);
    }

    /// Every workload with its secrets' origins resolved across the input.
    pub fn resolve(self) -> Vec<WorkloadSecrets> {
        let mut out = self.workloads;
        for w in &mut out {
            let ns = w.workload.namespace.clone().unwrap_or_default();
            for s in &mut w.sources {
                s.origin = match &s.origin {
                    Origin::Csi { class, .. } => {
                        Origin::Csi { class: class.clone(), provider: self.classes.get(&(ns.clone(), class.clone())).cloned() }
                    }
                    _ => {
                        let key = (ns.clone(), s.name.clone());
                        if let Some((es, kind, store)) = self.external.get(&key) {
                            let scope = if kind == "SecretStore" { ns.clone() } else { String::new() };
                            Origin::ExternalSecret {
                                external_secret: es.clone(),
                                store: format!("{kind}/{store}"),
                                provider: self.stores.get(&(kind.clone(), scope, store.clone())).cloned(),
                            }
                        } else if let Some(class) = self.synced.get(&key) {
                            Origin::CsiSynced { class: class.clone(), provider: self.classes.get(&(ns.clone(), class.clone())).cloned() }
                        } else {
                            Origin::PlainSecret
                        }
                    }
                };
            }
        }
        out
    }
}
