//! The client side of AutoMTLS, as Terraform does it: a throwaway ECDSA
//! P-521/SHA-512 certificate (self-signed, CA:TRUE, CN=localhost) and a
//! server certificate pinned from the handshake line.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{aws_lc_rs, verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::net::UnixStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint};

/// Bound on connecting and on each test RPC.
pub const RPC_TIMEOUT: Duration = Duration::from_secs(10);

pub struct ClientIdentity {
    pub cert: CertificateDer<'static>,
    /// What Terraform puts in `PLUGIN_CLIENT_CERT`.
    pub cert_pem: String,
    key: PrivatePkcs8KeyDer<'static>,
}

/// A client certificate shaped like Terraform's.
pub fn terraform_like_identity() -> ClientIdentity {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).expect("self-signed certificate");
    ClientIdentity {
        cert_pem: cert.pem(),
        cert: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(aws_lc_rs::default_provider())
}

/// Connects to the unix socket at `socket` over TLS, pinning `server_cert`, presenting `identity` (or no
/// certificate). Returns once the client side of the handshake is done; in
/// TLS 1.3 a server's refusal of the client certificate arrives after
/// that, on the first read.
pub async fn connect(
    socket: &str,
    server_cert: &[u8],
    identity: Option<&ClientIdentity>,
) -> std::io::Result<TlsStream<UnixStream>> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer {
            cert: server_cert.to_vec(),
            provider: provider(),
        }));
    let mut config = match identity {
        Some(id) => builder
            .with_client_auth_cert(
                vec![id.cert.clone()],
                PrivateKeyDer::Pkcs8(id.key.clone_key()),
            )
            .expect("client certificate"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let stream = tokio::time::timeout(RPC_TIMEOUT, UnixStream::connect(socket))
        .await
        .map_err(|_| std::io::Error::other("connect timed out"))??;
    let name = ServerName::try_from("localhost").expect("server name");
    tokio::time::timeout(
        RPC_TIMEOUT,
        TlsConnector::from(Arc::new(config)).connect(name, stream),
    )
    .await
    .map_err(|_| std::io::Error::other("TLS handshake timed out"))?
}

/// A gRPC channel over one such TLS connection.
pub async fn channel(socket: &str, server_cert: &[u8], identity: &ClientIdentity) -> Channel {
    let tls = connect(socket, server_cert, Some(identity))
        .await
        .expect("TLS connect");
    let slot = Arc::new(std::sync::Mutex::new(Some(tls)));
    let connector = tower::service_fn(move |_| {
        let stream = slot.lock().ok().and_then(|mut s| s.take());
        async move {
            stream
                .map(TokioIo::new)
                .ok_or_else(|| std::io::Error::other("this test channel connects only once"))
        }
    });
    Endpoint::from_static("http://localhost")
        .timeout(RPC_TIMEOUT)
        .connect_with_connector(connector)
        .await
        .expect("gRPC channel")
}

/// Trusts exactly one server certificate, like Terraform does.
#[derive(Debug)]
struct PinnedServer {
    cert: Vec<u8>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "server certificate is not the pinned one".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
