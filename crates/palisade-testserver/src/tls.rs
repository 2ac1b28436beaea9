//! Certificates for the test server: a throwaway CA, a server certificate for 127.0.0.1 and
//! localhost, and a client certificate the server accepts as an authenticated user.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use std::sync::Arc;

/// PEM text of the CA and of a client certificate and key signed by it.
pub struct Certs {
    pub ca_pem: String,
    pub client_cert_pem: String,
    pub client_key_pem: String,
    /// The server's certificate (for `localhost` and `127.0.0.1`) and key, for servers
    /// started from files (a real etcd).
    pub server_cert_pem: String,
    pub server_key_pem: String,
    pub server: Arc<rustls::ServerConfig>,
}

fn issue(params: CertificateParams, ca: &rcgen::Issuer<'_, KeyPair>) -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().expect("key");
    let cert = params.signed_by(&key, ca).expect("certificate");
    (cert, key)
}

/// Generates everything; the server asks for client certificates but does not require them
/// (bearer tokens work too).
pub fn generate() -> Certs {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.distinguished_name.push(DnType::CommonName, "palisade-testserver-ca");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_key = KeyPair::generate().expect("ca key");
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca");
    let ca_pem = ca_cert.pem();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let mut server_params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).expect("server params");
    server_params.distinguished_name.push(DnType::CommonName, "palisade-testserver");
    let (server_cert, server_key) = issue(server_params, &issuer);
    let mut client_params = CertificateParams::new(Vec::<String>::new()).expect("client params");
    client_params.distinguished_name.push(DnType::CommonName, "palisade-client");
    client_params.distinguished_name.push(DnType::OrganizationName, "palisade-readers");
    let (client_cert, client_key) = issue(client_params, &issuer);

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_cert.der().clone()).expect("ca root");
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .expect("client verifier");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![server_cert.der().clone(), ca_cert.der().clone()], key)
        .expect("server config");
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Certs {
        ca_pem,
        client_cert_pem: client_cert.pem(),
        client_key_pem: client_key.serialize_pem(),
        server_cert_pem: server_cert.pem(),
        server_key_pem: server_key.serialize_pem(),
        server: Arc::new(server),
    }
}
