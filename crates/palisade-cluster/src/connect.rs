//! Connecting as kubectl would: `--kubeconfig FILE`, else `KUBECONFIG` (several files,
//! merged), else `~/.kube/config`, else the in-cluster ServiceAccount; `--context` picks a
//! context. Exec credential plugins, client certificates and bearer tokens are kube-rs's;
//! `insecure-skip-tls-verify` is honoured with a warning.

use kube::config::{Config, KubeConfigOptions, Kubeconfig};
use std::path::PathBuf;

/// Which cluster to read.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
}

/// A client, and what it is connected to.
pub struct Connection {
    pub client: kube::Client,
    /// The server URL.
    pub server: String,
    /// The kubeconfig context used (`None` in-cluster).
    pub context: Option<String>,
    /// Things the user should know (TLS verification off).
    pub warnings: Vec<String>,
}

fn kubeconfig(target: &Target) -> Result<Option<(Kubeconfig, String)>, String> {
    if let Some(path) = &target.kubeconfig {
        let config = Kubeconfig::read_from(path).map_err(|e| format!("{}: cannot read the kubeconfig: {e}", path.display()))?;
        return Ok(Some((config, path.display().to_string())));
    }
    match Kubeconfig::from_env() {
        Ok(Some(config)) => return Ok(Some((config, "$KUBECONFIG".into()))),
        Ok(None) => {}
        Err(e) => return Err(format!("$KUBECONFIG: cannot read the kubeconfig: {e}")),
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).map(|h| h.join(".kube").join("config"));
    match home {
        Some(path) if path.exists() => {
            let config = Kubeconfig::read_from(&path).map_err(|e| format!("{}: cannot read the kubeconfig: {e}", path.display()))?;
            Ok(Some((config, path.display().to_string())))
        }
        _ => Ok(None),
    }
}

/// Builds the client for the target (nothing is sent yet).
pub async fn connect(target: &Target) -> Result<Connection, String> {
    let (config, context) = match kubeconfig(target)? {
        Some((file, source)) => {
            let context = target.context.clone().or_else(|| file.current_context.clone());
            if let Some(name) = &target.context {
                if !file.contexts.iter().any(|c| &c.name == name) {
                    let known: Vec<&str> = file.contexts.iter().map(|c| c.name.as_str()).collect();
                    return Err(format!("{source}: no context `{name}` (contexts: {})", if known.is_empty() { "none".into() } else { known.join(", ") }));
                }
            }
            let options = KubeConfigOptions { context: target.context.clone(), ..KubeConfigOptions::default() };
            let config = Config::from_custom_kubeconfig(file, &options).await.map_err(|e| format!("{source}: {e}"))?;
            (config, context)
        }
        None if target.context.is_some() => return Err("--context needs a kubeconfig, and none was found ($KUBECONFIG, ~/.kube/config)".into()),
        None => {
            let config = Config::incluster().map_err(|e| format!("no kubeconfig ($KUBECONFIG, ~/.kube/config, --kubeconfig) and not running in a cluster: {e}"))?;
            (config, None)
        }
    };
    let mut warnings = Vec::new();
    if config.accept_invalid_certs {
        warnings.push(format!("insecure-skip-tls-verify is set for {}: the server's certificate is not checked", config.cluster_url));
    }
    let server = config.cluster_url.to_string().trim_end_matches('/').to_string();
    let client = kube::Client::try_from(config).map_err(|e| format!("cannot build a client for {server}: {e}"))?;
    Ok(Connection { client, server, context, warnings })
}
