//! Where a pod's secrets come from: Secrets read through environment variables, volumes and
//! projections, and Secrets Store CSI volumes (a vault behind a SecretProviderClass).

use crate::path::FieldPath;
use crate::podspec::PodSpecView;
use crate::value::Node;

/// How a pod reads a Secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecretUse {
    /// `env[].valueFrom.secretKeyRef`
    EnvVar,
    /// `envFrom[].secretRef`
    EnvFrom,
    /// a `secret` volume
    Volume,
    /// a `projected` volume's `secret` source
    Projected,
    /// `imagePullSecrets`
    ImagePull,
}

impl SecretUse {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretUse::EnvVar => "env",
            SecretUse::EnvFrom => "envFrom",
            SecretUse::Volume => "volume",
            SecretUse::Projected => "projected volume",
            SecretUse::ImagePull => "imagePullSecrets",
        }
    }
}

/// One read of a Secret by a pod.
#[derive(Clone, Debug, PartialEq)]
pub struct SecretRead<'a> {
    pub secret: &'a str,
    pub how: SecretUse,
    /// The container that reads it (`None` for volumes and pull secrets: the pod does).
    pub container: Option<&'a str>,
    pub path: FieldPath,
}

/// A Secrets Store CSI volume: secrets mounted straight from a vault.
#[derive(Clone, Debug, PartialEq)]
pub struct CsiSecretVolume<'a> {
    pub volume: &'a str,
    /// `volumeAttributes.secretProviderClass`.
    pub provider_class: &'a str,
    pub path: FieldPath,
}

/// The Secrets Store CSI driver's name.
pub const SECRETS_STORE_DRIVER: &str = "secrets-store.csi.k8s.io";

fn str_at<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a str> {
    node.get_path(keys).and_then(Node::as_str).filter(|s| !s.is_empty())
}

/// Every Secret the pod reads, in spec order.
pub fn secret_reads<'a>(pod: &PodSpecView<'a>) -> Vec<SecretRead<'a>> {
    let mut out = Vec::new();
    for c in pod.containers() {
        for (i, env) in c.node.get("env").map(Node::items).unwrap_or(&[]).iter().enumerate() {
            if let Some(secret) = str_at(env, &["valueFrom", "secretKeyRef", "name"]) {
                let path = c.path.key("env").index(i).keys(&["valueFrom", "secretKeyRef"]);
                out.push(SecretRead { secret, how: SecretUse::EnvVar, container: Some(c.name), path });
            }
        }
        for (i, from) in c.node.get("envFrom").map(Node::items).unwrap_or(&[]).iter().enumerate() {
            if let Some(secret) = str_at(from, &["secretRef", "name"]) {
                let path = c.path.key("envFrom").index(i).key("secretRef");
                out.push(SecretRead { secret, how: SecretUse::EnvFrom, container: Some(c.name), path });
            }
        }
    }
    let volumes_path = pod.spec_path.key("volumes");
    for (i, volume) in pod.spec.get("volumes").map(Node::items).unwrap_or(&[]).iter().enumerate() {
        if let Some(secret) = str_at(volume, &["secret", "secretName"]) {
            out.push(SecretRead { secret, how: SecretUse::Volume, container: None, path: volumes_path.index(i).key("secret") });
        }
        let sources = volume.get_path(&["projected", "sources"]).map(Node::items).unwrap_or(&[]);
        for (j, source) in sources.iter().enumerate() {
            if let Some(secret) = str_at(source, &["secret", "name"]) {
                let path = volumes_path.index(i).keys(&["projected", "sources"]).index(j).key("secret");
                out.push(SecretRead { secret, how: SecretUse::Projected, container: None, path });
            }
        }
    }
    for (i, pull) in pod.spec.get("imagePullSecrets").map(Node::items).unwrap_or(&[]).iter().enumerate() {
        if let Some(secret) = str_at(pull, &["name"]) {
            let path = pod.spec_path.key("imagePullSecrets").index(i);
            out.push(SecretRead { secret, how: SecretUse::ImagePull, container: None, path });
        }
    }
    out
}

/// The pod's Secrets Store CSI volumes.
pub fn csi_secret_volumes<'a>(pod: &PodSpecView<'a>) -> Vec<CsiSecretVolume<'a>> {
    let volumes = pod.spec.get("volumes").map(Node::items).unwrap_or(&[]);
    volumes
        .iter()
        .enumerate()
        .filter(|(_, v)| str_at(v, &["csi", "driver"]) == Some(SECRETS_STORE_DRIVER))
        .map(|(i, v)| CsiSecretVolume {
            volume: str_at(v, &["name"]).unwrap_or(""),
            provider_class: str_at(v, &["csi", "volumeAttributes", "secretProviderClass"]).unwrap_or(""),
            path: pod.spec_path.key("volumes").index(i).key("csi"),
        })
        .collect()
}

/// The Secrets a vault integration object keeps in sync, with the provider it reads from:
/// an External Secrets `ExternalSecret` (its target, by default its own name) or a Secrets
/// Store CSI `SecretProviderClass` (its `secretObjects`).
pub fn vault_synced_secrets(kind: &str, api_version: &str, node: &Node) -> Vec<String> {
    let group = api_version.split('/').next().unwrap_or("");
    match (kind, group) {
        ("ExternalSecret", "external-secrets.io") => {
            let own = node.get_path(&["metadata", "name"]).and_then(Node::as_str).unwrap_or("");
            let target = str_at(node, &["spec", "target", "name"]).unwrap_or(own);
            vec![target.to_string()]
        }
        ("SecretProviderClass", "secrets-store.csi.x-k8s.io") => node
            .get_path(&["spec", "secretObjects"])
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|o| str_at(o, &["secretName"]).map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// What a live source puts in place of a Secret value (and of a ConfigMap value too large to
/// keep): its length, never the value. Snapshots carry these; rules treat them as absent.
pub fn redacted(len: usize) -> String {
    format!("<redacted: {len} bytes>")
}

/// What a live source puts in place of a ConfigMap value too large to keep.
pub fn omitted(len: usize) -> String {
    format!("<omitted: {len} bytes>")
}

/// Whether a value is a placeholder from [`redacted`] or [`omitted`].
pub fn is_redacted(text: &str) -> bool {
    (text.starts_with("<redacted: ") || text.starts_with("<omitted: ")) && text.ends_with(" bytes>")
}
