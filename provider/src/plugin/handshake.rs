//! go-plugin's handshake: what Terraform puts in our environment, and the
//! one line we answer with on stdout.

use std::net::SocketAddr;

use base64::Engine as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

/// Terraform's magic cookie: proves Terraform started us (go-plugin's
/// guard against running a plugin by hand).
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// go-plugin's own protocol version (the first field of the line).
const CORE_PROTOCOL_VERSION: u32 = 1;
/// Terraform plugin protocol major version we speak.
pub const PROTOCOL_VERSION: u32 = 5;

/// What the environment asks of us.
#[derive(Debug, Clone)]
pub struct Handshake {
    /// Inclusive port range to listen in, if Terraform gave one.
    pub ports: Option<(u16, u16)>,
    /// Terraform's client certificate (AutoMTLS); `None` means plain TCP,
    /// as when the user sets `TF_DISABLE_PLUGIN_TLS`.
    pub client_cert: Option<CertificateDer<'static>>,
}

#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    #[error("not started by Terraform (no {MAGIC_COOKIE_KEY})")]
    NoCookie,
    #[error("{MAGIC_COOKIE_KEY} has an unexpected value: this plugin speaks only to Terraform")]
    WrongCookie,
    #[error("Terraform offers plugin protocol versions {0:?}, but this provider speaks only version {PROTOCOL_VERSION}")]
    NoCommonVersion(String),
    #[error("PLUGIN_CLIENT_CERT is not a PEM certificate: {0}")]
    ClientCert(String),
}

impl Handshake {
    /// Reads the handshake from `env` (`std::env::var` in production,
    /// a map in tests).
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Self, HandshakeError> {
        match env(MAGIC_COOKIE_KEY) {
            None => return Err(HandshakeError::NoCookie),
            Some(v) if v != MAGIC_COOKIE_VALUE => return Err(HandshakeError::WrongCookie),
            Some(_) => {}
        }
        // Absent means "the plugin's default", which is 5.
        if let Some(versions) = env("PLUGIN_PROTOCOL_VERSIONS") {
            let offered = versions
                .split(',')
                .any(|v| v.trim() == PROTOCOL_VERSION.to_string());
            if !offered {
                return Err(HandshakeError::NoCommonVersion(versions));
            }
        }
        let port = |key| env(key).and_then(|v| v.trim().parse::<u16>().ok());
        let ports = match (port("PLUGIN_MIN_PORT"), port("PLUGIN_MAX_PORT")) {
            (Some(min), Some(max)) if min <= max && min > 0 => Some((min, max)),
            _ => None,
        };
        let client_cert = match env("PLUGIN_CLIENT_CERT") {
            Some(pem) if !pem.trim().is_empty() => Some(
                CertificateDer::from_pem_slice(pem.as_bytes())
                    .map_err(|e| HandshakeError::ClientCert(e.to_string()))?,
            ),
            _ => None,
        };
        Ok(Handshake { ports, client_cert })
    }
}

/// `CORE|APP|NETWORK|ADDR|PROTOCOL|CERT`: the certificate is our server
/// certificate's DER in standard base64 *without* padding (go-plugin's
/// `RawStdEncoding`), or empty without TLS.
pub fn handshake_line(network: &str, addr: &str, server_cert: Option<&[u8]>) -> String {
    let cert = server_cert
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{network}|{addr}|grpc|{cert}")
}

pub fn tcp_handshake_line(addr: SocketAddr, server_cert: Option<&[u8]>) -> String {
    handshake_line("tcp", &addr.to_string(), server_cert)
}

/// Shown to someone who runs the binary by hand.
pub const NOT_A_COMMAND: &str = "\
This is a Terraform plugin: the Segment provider (registry.terraform.io/segment-gitops/segment).
It is not meant to be run directly. Terraform starts it when a configuration uses the provider:

  terraform {
    required_providers {
      segment = { source = \"segment-gitops/segment\" }
    }
  }

To debug the provider, run it with --debug and follow the instructions it prints.";

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const COOKIE: (&str, &str) = (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE);

    #[test]
    fn requires_the_cookie() {
        assert!(matches!(
            Handshake::from_env(env(&[])),
            Err(HandshakeError::NoCookie)
        ));
        let wrong = env(&[(MAGIC_COOKIE_KEY, "nope")]);
        assert!(matches!(
            Handshake::from_env(wrong),
            Err(HandshakeError::WrongCookie)
        ));
    }

    #[test]
    fn requires_protocol_5() {
        for ok in ["5,6", "6,5", "5"] {
            let h = Handshake::from_env(env(&[COOKIE, ("PLUGIN_PROTOCOL_VERSIONS", ok)]));
            assert!(h.is_ok(), "{ok}");
        }
        let only6 = env(&[COOKIE, ("PLUGIN_PROTOCOL_VERSIONS", "6")]);
        assert!(matches!(
            Handshake::from_env(only6),
            Err(HandshakeError::NoCommonVersion(_))
        ));
        assert!(Handshake::from_env(env(&[COOKIE])).is_ok());
    }

    #[test]
    fn reads_port_range() {
        let h = Handshake::from_env(env(&[
            COOKIE,
            ("PLUGIN_MIN_PORT", "10000"),
            ("PLUGIN_MAX_PORT", "25000"),
        ]))
        .expect("valid");
        assert_eq!(h.ports, Some((10000, 25000)));
        assert!(h.client_cert.is_none());
        let backwards = env(&[COOKIE, ("PLUGIN_MIN_PORT", "9"), ("PLUGIN_MAX_PORT", "8")]);
        assert_eq!(Handshake::from_env(backwards).expect("valid").ports, None);
    }

    #[test]
    fn rejects_a_bad_client_cert() {
        let bad = env(&[COOKIE, ("PLUGIN_CLIENT_CERT", "not pem")]);
        assert!(matches!(
            Handshake::from_env(bad),
            Err(HandshakeError::ClientCert(_))
        ));
    }

    #[test]
    fn line_uses_unpadded_base64() {
        let addr: SocketAddr = "127.0.0.1:10001".parse().expect("addr");
        // One byte: padded would be "AQ==".
        assert_eq!(
            tcp_handshake_line(addr, Some(&[1])),
            "1|5|tcp|127.0.0.1:10001|grpc|AQ"
        );
        assert_eq!(
            tcp_handshake_line(addr, None),
            "1|5|tcp|127.0.0.1:10001|grpc|"
        );
    }
}
