//! TLS for the standalone Space API, as kube-apiserver serves: a given certificate and key
//! (`--tls-cert-file`, `--tls-private-key-file`), or a self-signed one for `localhost`,
//! `127.0.0.1` and `::1`, made once and kept in the data directory (kube-apiserver's
//! `--cert-dir`). kubectl sends bearer tokens only over TLS, so token authentication needs it.

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

/// A certificate chain and its key, as PEM.
pub struct CertifiedKey {
    /// The certificate chain (PEM); for a self-signed one, also what clients trust.
    pub cert_pem: String,
    /// The private key (PEM).
    pub key_pem: String,
}

/// Reads a certificate and key from files.
pub fn from_files(cert: &Path, key: &Path) -> crate::Result<CertifiedKey> {
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .map_err(|e| crate::Error::Config(format!("cannot read {}: {e}", path.display())))
    };
    Ok(CertifiedKey { cert_pem: read(cert)?, key_pem: read(key)? })
}

/// The self-signed certificate kept in `dir` (`apiserver.crt`, `apiserver.key`), made the
/// first time.
pub fn self_signed(dir: &Path) -> crate::Result<CertifiedKey> {
    let (cert_path, key_path) = (dir.join("apiserver.crt"), dir.join("apiserver.key"));
    if cert_path.is_file() && key_path.is_file() {
        return from_files(&cert_path, &key_path);
    }
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    let made = rcgen::generate_simple_self_signed(names)
        .map_err(|e| crate::Error::Config(format!("cannot make a TLS certificate: {e}")))?;
    let pair =
        CertifiedKey { cert_pem: made.cert.pem(), key_pem: made.signing_key.serialize_pem() };
    write_private(&key_path, &pair.key_pem)?;
    std::fs::write(&cert_path, &pair.cert_pem)
        .map_err(|e| crate::Error::Config(format!("cannot write {}: {e}", cert_path.display())))?;
    Ok(pair)
}

fn write_private(path: &Path, text: &str) -> crate::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| crate::Error::Config(format!("cannot write {}: {e}", path.display())))
}

/// The acceptor for a certificate and key (TLS 1.2 or 1.3, ring's crypto), offering
/// HTTP/1.1, and HTTP/2 first when `http2` (browsers then multiplex every request and
/// stream of a page over one connection instead of six).
pub fn acceptor(pair: &CertifiedKey, http2: bool) -> crate::Result<TlsAcceptor> {
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        crate::Error::Config(format!("the TLS {what} cannot be used: {e}"))
    };
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(pair.cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| bad("certificate", &e))?;
    let key = PrivateKeyDer::from_pem_slice(pair.key_pem.as_bytes()).map_err(|e| bad("key", &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("configuration", &e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| bad("certificate", &e))?;
    config.alpn_protocols = match http2 {
        true => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        false => vec![b"http/1.1".to_vec()],
    };
    Ok(TlsAcceptor::from(Arc::new(config)))
}
