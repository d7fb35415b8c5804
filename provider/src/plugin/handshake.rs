//! go-plugin's handshake: what Terraform puts in our environment, and the
//! one line we answer with on stdout.

use std::path::PathBuf;

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
    /// Where to put the socket (go-plugin's `PLUGIN_UNIX_SOCKET_DIR`);
    /// the system's temporary directory when unset.
    pub socket_dir: Option<PathBuf>,
    /// Terraform's client certificate (AutoMTLS); `None` means no TLS, as
    /// when the user sets `TF_DISABLE_PLUGIN_TLS`.
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
        let socket_dir = env("PLUGIN_UNIX_SOCKET_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from);
        let client_cert = match env("PLUGIN_CLIENT_CERT") {
            Some(pem) if !pem.trim().is_empty() => Some(
                CertificateDer::from_pem_slice(pem.as_bytes())
                    .map_err(|e| HandshakeError::ClientCert(e.to_string()))?,
            ),
            _ => None,
        };
        Ok(Handshake {
            socket_dir,
            client_cert,
        })
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

/// The line for a unix socket: what go-plugin's own plugins announce on
/// Linux and macOS (PLUGIN_MIN_PORT and PLUGIN_MAX_PORT are for TCP, which
/// go-plugin uses only on Windows).
pub fn unix_handshake_line(socket: &std::path::Path, server_cert: Option<&[u8]>) -> String {
    handshake_line("unix", &socket.to_string_lossy(), server_cert)
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
    fn reads_the_socket_directory() {
        let h = Handshake::from_env(env(&[COOKIE, ("PLUGIN_UNIX_SOCKET_DIR", "/run/tf")]))
            .expect("valid");
        assert_eq!(h.socket_dir, Some(PathBuf::from("/run/tf")));
        assert!(h.client_cert.is_none());
        let empty = env(&[COOKIE, ("PLUGIN_UNIX_SOCKET_DIR", "")]);
        assert_eq!(Handshake::from_env(empty).expect("valid").socket_dir, None);
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
        let socket = std::path::Path::new("/tmp/plugin1/plugin.sock");
        // One byte: padded would be "AQ==".
        assert_eq!(
            unix_handshake_line(socket, Some(&[1])),
            "1|5|unix|/tmp/plugin1/plugin.sock|grpc|AQ"
        );
        assert_eq!(
            unix_handshake_line(socket, None),
            "1|5|unix|/tmp/plugin1/plugin.sock|grpc|"
        );
    }
}
