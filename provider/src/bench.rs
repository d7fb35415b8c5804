//! What the benchmark commands (`provider-bench`, the generator's
//! `gitops-bench`) run against: release binaries built beside them, the
//! workspace server on a free loopback port over a fresh SQLite file, the
//! provider in a filesystem mirror, and Terraform commands bounded in time.
//! Here, in the provider's library, because every bench can reach it.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};

pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/segment-gitops/segment";
const PROVIDER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A binary built beside this one (`cargo build --release` puts them
/// together); `build` is the command that makes it, for the error.
pub fn sibling(name: &str, build: &str) -> anyhow::Result<PathBuf> {
    let path = std::env::current_exe()
        .context("locating this executable")?
        .with_file_name(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    ensure!(
        path.is_file(),
        "no {name} at {}: build it with `{build}`",
        path.display()
    );
    Ok(path)
}

/// `segment_workspace_requests_total` from a `GET /metrics` body, by
/// (method, route template, status): what every bench reports requests
/// from. Other lines are skipped.
pub fn requests_total(metrics: &str) -> std::collections::BTreeMap<(String, String, String), u64> {
    let mut counts = std::collections::BTreeMap::new();
    for line in metrics.lines() {
        let Some(rest) = line.strip_prefix("segment_workspace_requests_total{") else {
            continue;
        };
        let Some((labels, value)) = rest.rsplit_once("} ") else {
            continue;
        };
        let Ok(n) = value.trim().parse::<u64>() else {
            continue;
        };
        let label = |name: &str| {
            let start = labels.find(&format!("{name}=\""))? + name.len() + 2;
            let end = labels[start..].find('"')? + start;
            Some(labels[start..end].to_string())
        };
        if let (Some(m), Some(r), Some(s)) = (label("method"), label("route"), label("status")) {
            counts.insert((m, r, s), n);
        }
    }
    counts
}

/// A fresh random token, `sgw_` and 40 hex digits, from the kernel's RNG.
pub fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 20];
    File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("reading /dev/urandom")?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("sgw_{hex}"))
}

/// A child process killed (and reaped) on drop, however the bench ends.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `segment-workspace serve` on 127.0.0.1 with a database in `dir`, its
/// owner token given by environment (not argv). Returns it and its URL.
pub fn start_server(binary: &Path, dir: &Path, token: &str) -> anyhow::Result<(Guard, String)> {
    // Benchmarks measure the tools, not Segment's limits.
    start_server_limited(binary, dir, token, "off")
}

/// [`start_server`] with `--rate-limits` set: `segment` runs Segment's
/// limits at their real pace. Another server may already serve the same
/// database (SQLite in WAL mode takes several processes).
pub fn start_server_limited(
    binary: &Path,
    dir: &Path,
    token: &str,
    rate_limits: &str,
) -> anyhow::Result<(Guard, String)> {
    let database = format!("sqlite://{}", dir.join("bench.db").display());
    let child = Command::new(binary)
        .args(["serve", "--listen", "127.0.0.1:0", "--database", &database])
        .args(["--rate-limits", rate_limits])
        .env("SEGMENT_WORKSPACE_TOKEN", token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let mut server = Guard(child);
    let stdout = server.0.stdout.take().context("server stdout not piped")?;
    // The server prints its base URL first.
    let first = first_line(stdout, Duration::from_secs(30))
        .context("the server did not print its URL within 30 s")?;
    let base = first.trim().trim_end_matches('/').to_string();
    ensure!(
        base.starts_with("http://"),
        "the server's first line is {first:?}, not its URL"
    );
    Ok((server, base))
}

/// The first line `out` prints, waiting at most `limit`. The rest of the
/// stream is drained in the background so the writer never blocks.
pub fn first_line(out: impl Read + Send + 'static, limit: Duration) -> anyhow::Result<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(out);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    match rx.recv_timeout(limit) {
        Ok(line) if !line.is_empty() => Ok(line),
        Ok(_) => bail!("the process closed its stdout without a line"),
        Err(_) => bail!("no line within {limit:?}"),
    }
}

/// Terraform with the provider installed from a filesystem mirror, as the
/// tests do it: its own CLI configuration, no checkpoint calls.
pub struct Terraform {
    pub cli_config: PathBuf,
    pub token: String,
    pub limit: Duration,
    /// More environment for every command (and so for the provider).
    pub env: Vec<(String, String)>,
}

/// What a finished command printed.
pub struct Finished {
    pub status: ExitStatus,
    pub elapsed: Duration,
    pub output: String,
}

impl Terraform {
    /// Mirrors `provider` under `root` and writes the CLI configuration.
    pub fn install(
        root: &Path,
        provider: &Path,
        token: &str,
        limit: Duration,
    ) -> anyhow::Result<Self> {
        let mirror = root.join("mirror");
        let platform = mirror
            .join(PROVIDER_ADDRESS)
            .join(PROVIDER_VERSION)
            .join("linux_amd64");
        std::fs::create_dir_all(&platform).context("creating the mirror")?;
        let installed = platform.join(format!("terraform-provider-segment_v{PROVIDER_VERSION}"));
        if std::fs::hard_link(provider, &installed).is_err() {
            std::fs::copy(provider, &installed).context("copying the provider")?;
        }
        let cli_config = root.join("terraform.tfrc");
        let cli = format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    \
             include = [\"{PROVIDER_ADDRESS}\"]\n  }}\n  direct {{\n    exclude = \
             [\"{PROVIDER_ADDRESS}\"]\n  }}\n}}\n",
            mirror.display()
        );
        std::fs::write(&cli_config, cli).context("writing the CLI configuration")?;
        Ok(Terraform {
            cli_config,
            token: token.to_string(),
            limit,
            env: Vec::new(),
        })
    }

    /// `terraform ARGS` in `dir`, killed after the time limit; `on_start`
    /// gets the process id (the memory watcher follows its children).
    pub fn run(
        &self,
        dir: &Path,
        args: &[&str],
        on_start: impl FnOnce(u32),
    ) -> anyhow::Result<Finished> {
        let mut cmd = Command::new("terraform");
        cmd.args(args)
            .arg("-no-color")
            .current_dir(dir)
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("PUBLIC_API_TOKEN", &self.token)
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_REATTACH_PROVIDERS")
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .env_remove("TF_DATA_DIR")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        let what = format!("terraform {}", args.join(" "));
        run_bounded(&mut cmd, &what, self.limit, on_start)
    }

    /// Like [`Self::run`], and requires one of `codes` as the exit code.
    pub fn expect(
        &self,
        dir: &Path,
        args: &[&str],
        codes: &[i32],
        on_start: impl FnOnce(u32),
    ) -> anyhow::Result<Duration> {
        let done = self.run(dir, args, on_start)?;
        done.expect(&format!("terraform {}", args.join(" ")), codes)?;
        Ok(done.elapsed)
    }
}

/// Runs `cmd` to its end with stdout and stderr captured together, killing
/// it after `limit`; `on_start` gets its process id. Its time is measured
/// from spawn to exit, seen within 5 ms.
pub fn run_bounded(
    cmd: &mut Command,
    what: &str,
    limit: Duration,
    on_start: impl FnOnce(u32),
) -> anyhow::Result<Finished> {
    // A file, not a pipe: a chatty child never blocks on a full pipe.
    let mut log = tempfile::tempfile().context("creating a log file")?;
    let started = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log.try_clone()?)
        .spawn()
        .with_context(|| format!("starting {what} (is it on PATH?)"))?;
    let mut child = Guard(child);
    on_start(child.0.id());
    let status = loop {
        if let Some(status) = child.0.try_wait()? {
            break status;
        }
        if started.elapsed() > limit {
            bail!("{what} took over {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = started.elapsed();
    let mut output = String::new();
    log.rewind()?;
    let _ = log.read_to_string(&mut output);
    Ok(Finished {
        status,
        elapsed,
        output,
    })
}

impl Finished {
    /// Fails unless the exit code is one of `codes`, with the output's end.
    pub fn expect(&self, what: &str, codes: &[i32]) -> anyhow::Result<()> {
        let code = self.status.code().unwrap_or(-1);
        if !codes.contains(&code) {
            let tail: String = tail(&self.output, 4000);
            bail!("{what} exited {code} (wanted {codes:?}):\n{tail}");
        }
        Ok(())
    }
}

/// The middle value (the upper one of an even count); zero for none.
pub fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs.get(xs.len() / 2).copied().unwrap_or_default()
}

/// How a figure stands against its target, as the reports print it.
pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

fn tail(s: &str, n: usize) -> String {
    let start = s.len().saturating_sub(n);
    let start = (start..=s.len())
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(s.len());
    s[start..].to_string()
}
