//! TLS as a stranger sees it: a handshake that accepts any certificate (the probe judges
//! certificates, it does not trust them), remembers the server's certificate and whether the
//! server asked for a client certificate, and offers none.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::ResolvesClientCert;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What one handshake saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// The server's certificate (DER), as sent.
    pub certificate: Mutex<Option<Vec<u8>>>,
    /// Whether the server sent a CertificateRequest.
    pub client_certificate_asked: AtomicBool,
}

#[derive(Debug)]
struct AcceptAny {
    seen: Arc<Seen>,
    schemes: Vec<SignatureScheme>,
}

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(&self, end_entity: &CertificateDer<'_>, _: &[CertificateDer<'_>], _: &ServerName<'_>, _: &[u8], _: UnixTime) -> Result<ServerCertVerified, rustls::Error> {
        *self.seen.certificate.lock().unwrap_or_else(|e| e.into_inner()) = Some(end_entity.to_vec());
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(&self, _: &[u8], _: &CertificateDer<'_>, _: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }
    fn verify_tls13_signature(&self, _: &[u8], _: &CertificateDer<'_>, _: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

#[derive(Debug)]
struct NoClientCert(Arc<Seen>);

impl ResolvesClientCert for NoClientCert {
    fn resolve(&self, _: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<rustls::sign::CertifiedKey>> {
        self.0.client_certificate_asked.store(true, Ordering::Relaxed);
        None
    }
    fn has_certs(&self) -> bool {
        false
    }
}

/// A client configuration that records into `seen`.
pub fn config(seen: Arc<Seen>) -> Arc<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let schemes = provider.signature_verification_algorithms.supported_schemes();
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAny { seen: seen.clone(), schemes }))
        .with_client_cert_resolver(Arc::new(NoClientCert(seen)));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time.
pub fn rfc3339(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!("{}T{:02}:{:02}:{:02}Z", palisade_core::Date::from_unix_days(days), rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The facts of a certificate: subject, issuer, SANs, validity, whether it signs itself.
pub fn certificate_facts(der: &[u8], now: i64) -> Value {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return json!({"unreadable": true});
    };
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        for name in &ext.value.general_names {
            match name {
                x509_parser::extensions::GeneralName::DNSName(d) => sans.push(d.to_string()),
                x509_parser::extensions::GeneralName::IPAddress(ip) => match ip.len() {
                    4 => sans.push(std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).to_string()),
                    16 => sans.push(std::net::Ipv6Addr::from(<[u8; 16]>::try_from(*ip).unwrap_or([0; 16])).to_string()),
                    _ => {}
                },
                _ => {}
            }
        }
    }
    let not_after = cert.validity().not_after.timestamp();
    json!({
        "subject": cert.subject().to_string(),
        "issuer": cert.issuer().to_string(),
        "sans": sans,
        "not_before": rfc3339(cert.validity().not_before.timestamp()),
        "not_after": rfc3339(not_after),
        "expired": not_after < now,
        "days_left": (not_after - now).div_euclid(86_400),
        "self_signed": cert.subject().as_raw() == cert.issuer().as_raw(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_civil() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_796_300_345), "2026-12-03T12:19:05Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
