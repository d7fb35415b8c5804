//! The provider binary started the way Terraform starts it: handshake
//! environment in, one handshake line out.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine as _;

/// Terraform's go-plugin cookie (from Terraform's source, not ours: the
/// test checks we accept exactly what Terraform sends).
pub const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// How long the binary may take to print its handshake line.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The parsed `1|5|unix|SOCKET|grpc|CERT` line.
#[derive(Debug, Clone)]
pub struct HandshakeLine {
    pub raw: String,
    pub network: String,
    pub addr: String,
    /// DER of the server certificate (empty without TLS).
    pub server_cert: Vec<u8>,
}

impl HandshakeLine {
    pub fn parse(raw: &str) -> Self {
        let parts: Vec<&str> = raw.trim_end_matches('\n').split('|').collect();
        assert_eq!(parts.len(), 6, "handshake line {raw:?} must have 6 fields");
        assert_eq!(parts[0], "1", "core protocol version in {raw:?}");
        assert_eq!(parts[1], "5", "plugin protocol version in {raw:?}");
        assert_eq!(parts[4], "grpc", "protocol in {raw:?}");
        let server_cert = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5])
            .unwrap_or_else(|e| panic!("certificate is not unpadded base64 ({e}) in {raw:?}"));
        HandshakeLine {
            raw: raw.to_owned(),
            network: parts[2].to_owned(),
            addr: parts[3].to_owned(),
            server_cert,
        }
    }
}

/// A running provider process; killed when dropped.
pub struct PluginProcess {
    pub child: Child,
    pub handshake: HandshakeLine,
    /// Everything printed on stdout after the handshake line, delivered at EOF.
    rest_of_stdout: mpsc::Receiver<String>,
}

impl PluginProcess {
    /// Starts `binary` with Terraform's handshake environment plus `env`,
    /// and waits (bounded) for the handshake line.
    pub fn start(binary: &Path, env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(binary);
        cmd.env(MAGIC_COOKIE.0, MAGIC_COOKIE.1)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env_remove("PLUGIN_CLIENT_CERT")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start the provider");
        let stdout = child.stdout.take().expect("piped stdout");
        let (line_tx, line_rx) = mpsc::channel();
        let (rest_tx, rest_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = line_tx.send(line);
            let mut rest = String::new();
            let _ = reader.read_to_string(&mut rest);
            let _ = rest_tx.send(rest);
        });
        let line = match line_rx.recv_timeout(HANDSHAKE_TIMEOUT) {
            Ok(line) if !line.is_empty() => line,
            other => {
                let _ = child.kill();
                panic!("no handshake line within {HANDSHAKE_TIMEOUT:?}: {other:?}");
            }
        };
        PluginProcess {
            child,
            handshake: HandshakeLine::parse(&line),
            rest_of_stdout: rest_rx,
        }
    }

    /// What the process printed on stdout after the handshake line, once
    /// it has exited (bounded wait).
    pub fn rest_of_stdout(&self, timeout: Duration) -> Option<String> {
        self.rest_of_stdout.recv_timeout(timeout).ok()
    }
}

impl Drop for PluginProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
