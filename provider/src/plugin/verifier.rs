//! Client authentication for AutoMTLS: accept exactly the certificate
//! Terraform announced in `PLUGIN_CLIENT_CERT`, nothing else.
//!
//! rustls' `WebPkiClientVerifier` cannot be used: Terraform's certificate
//! is self-signed with `CA:TRUE` and used as its own end entity, which webpki
//! rejects (`CaUsedAsEndEntity`), and Terraform then kills the plugin.
//! Pinning the exact DER is the stronger check anyway. Handshake signatures
//! are still verified, so a client must hold the certificate's private key.

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};

#[derive(Debug)]
pub(super) struct PinnedClientCert {
    expected: CertificateDer<'static>,
    /// From the crypto provider: aws-lc-rs includes ECDSA P-521/SHA-512,
    /// which Terraform's certificate uses (ring does not).
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCert {
    pub(super) fn new(
        expected: CertificateDer<'static>,
        algorithms: WebPkiSupportedAlgorithms,
    ) -> Self {
        PinnedClientCert {
            expected,
            algorithms,
        }
    }
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No CA hints: Go's client then offers its only certificate.
        &[]
    }

    /// Validity dates are deliberately not checked: the pin is exact and
    /// Terraform made the certificate seconds ago, so the only thing a date
    /// check could add is failure on a machine with a skewed clock.
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            tracing::warn!("refused a TLS client whose certificate is not Terraform's");
            // Sent as an "access denied" alert.
            Err(Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }
}
