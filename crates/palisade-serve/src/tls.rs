//! TLS for Palisade's servers, from a certificate and key in PEM files that are read again
//! when they change (cert-manager and kubelet-mounted Secrets rotate them in place): the
//! files' modification times are looked at, at most once a second, when a client connects;
//! a new pair that does not load is reported and the old one kept.

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Reads a certificate chain and its private key.
pub fn load(cert: &Path, key: &Path, provider: &CryptoProvider) -> Result<CertifiedKey, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{}: no PEM certificate in it", cert.display()));
    }
    let der = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: no PEM private key in it ({e})", key.display()))?;
    let signer = provider.key_provider.load_private_key(der).map_err(|e| format!("{}: {e}", key.display()))?;
    let certified = CertifiedKey::new(chain, signer);
    certified.keys_match().map_err(|e| format!("{} and {} do not belong together: {e}", cert.display(), key.display()))?;
    Ok(certified)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

struct State {
    key: Arc<CertifiedKey>,
    stamps: (Option<SystemTime>, Option<SystemTime>),
    looked: Instant,
}

/// A certificate resolver that follows its files.
pub struct Reloading {
    cert: PathBuf,
    key: PathBuf,
    provider: Arc<CryptoProvider>,
    state: Mutex<State>,
}

impl std::fmt::Debug for Reloading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloading").field("cert", &self.cert).field("key", &self.key).finish()
    }
}

impl Reloading {
    pub fn new(cert: &Path, key: &Path, provider: Arc<CryptoProvider>) -> Result<Reloading, String> {
        let loaded = load(cert, key, &provider)?;
        Ok(Reloading {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            state: Mutex::new(State { key: Arc::new(loaded), stamps: (modified(cert), modified(key)), looked: Instant::now() }),
            provider,
        })
    }

    /// The pair in use, read again first if the files changed.
    fn current(&self) -> Arc<CertifiedKey> {
        let mut state = self.state.lock().expect("tls state");
        if state.looked.elapsed() >= Duration::from_secs(1) {
            state.looked = Instant::now();
            let stamps = (modified(&self.cert), modified(&self.key));
            if stamps != state.stamps {
                match load(&self.cert, &self.key, &self.provider) {
                    Ok(key) => {
                        state.key = Arc::new(key);
                        state.stamps = stamps;
                        eprintln!("tls: {} reloaded", self.cert.display());
                    }
                    // Half-written files (the certificate renewed, the key not yet): the old
                    // pair serves until both load.
                    Err(e) => eprintln!("warning: tls: keeping the previous certificate: {e}"),
                }
            }
        }
        state.key.clone()
    }
}

impl ResolvesServerCert for Reloading {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

/// A server configuration over `--tls-cert`/`--tls-key`, reloaded when they change; HTTP/1.1
/// (what the API server's webhook clients speak).
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let resolver = Arc::new(Reloading::new(cert, key, provider.clone())?);
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
