//! Measurements around the provider process itself: time from start to the
//! handshake line, and peak resident memory while Terraform drives it.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};

use terraform_provider_segment::bench::{first_line, Guard};

/// Terraform's go-plugin cookie.
const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// A client certificate shaped like Terraform's (ECDSA P-521, self-signed,
/// CA, CN=localhost), as PEM for `PLUGIN_CLIENT_CERT`.
fn terraform_like_cert() -> anyhow::Result<String> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512)
        .context("generating a P-521 key")?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    Ok(params.self_signed(&key)?.pem())
}

/// Starts `provider` the way Terraform does `runs` times and returns each
/// time from spawn to the handshake line, sorted.
pub fn handshakes(provider: &Path, runs: usize) -> anyhow::Result<Vec<Duration>> {
    let cert = terraform_like_cert()?;
    // Each killed provider leaves its socket's directory: here, not in /tmp.
    let sockets = tempfile::tempdir().context("creating a socket directory")?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let child = Command::new(provider)
            .env(MAGIC_COOKIE.0, MAGIC_COOKIE.1)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5")
            .env("PLUGIN_CLIENT_CERT", &cert)
            .env("PLUGIN_UNIX_SOCKET_DIR", sockets.path())
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", provider.display()))?;
        let mut child = Guard(child);
        let stdout = child.0.stdout.take().context("provider stdout not piped")?;
        let line = first_line(stdout, Duration::from_secs(10)).context("provider handshake")?;
        times.push(started.elapsed());
        ensure!(
            line.starts_with("1|5|unix|"),
            "unexpected handshake line {line:?}"
        );
        drop(child);
    }
    times.sort();
    Ok(times)
}

/// Polls `/proc` every 20 ms for provider processes (comm starting with
/// `terraform-provi`) whose parent is the watched Terraform process, and
/// keeps the largest `VmHWM` seen.
pub struct MemoryWatch {
    stop: Arc<AtomicBool>,
    parent: Arc<AtomicU32>,
    thread: JoinHandle<(u64, usize)>,
}

pub struct Peak {
    pub kib: u64,
    pub processes: usize,
}

impl MemoryWatch {
    pub fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let parent = Arc::new(AtomicU32::new(0));
        let (s, p) = (stop.clone(), parent.clone());
        let thread = std::thread::spawn(move || {
            let mut peak = 0;
            let mut seen = BTreeSet::new();
            while !s.load(Ordering::Relaxed) {
                let parent = p.load(Ordering::Relaxed);
                if parent != 0 {
                    for (pid, hwm) in providers_of(parent) {
                        seen.insert(pid);
                        peak = peak.max(hwm);
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            (peak, seen.len())
        });
        MemoryWatch {
            stop,
            parent,
            thread,
        }
    }

    /// The Terraform process whose providers to watch.
    pub fn follow(&self, pid: u32) {
        self.parent.store(pid, Ordering::Relaxed);
    }

    pub fn finish(self) -> Peak {
        self.stop.store(true, Ordering::Relaxed);
        let (kib, processes) = self.thread.join().unwrap_or((0, 0));
        Peak { kib, processes }
    }
}

/// `(pid, VmHWM in kB)` of each provider process that `parent` started.
fn providers_of(parent: u32) -> Vec<(u32, u64)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if !comm.starts_with("terraform-provi") {
            continue;
        }
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok())
        };
        if field("PPid:") == Some(u64::from(parent)) {
            if let Some(hwm) = field("VmHWM:") {
                found.push((pid, hwm));
            }
        }
    }
    found
}
