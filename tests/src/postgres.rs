//! A real PostgreSQL for the tests, started by the test binary itself.
//!
//! [`server`] starts one cluster per test binary (a `OnceLock`) from the
//! machine's own server programs: `initdb`, `postgres` and `psql` are looked
//! for on `PATH`, then in Debian's `/usr/lib/postgresql/<version>/bin` (not
//! on `PATH`; `.ci/run` installs the `postgresql` package when they are
//! missing). Without them the tests fail with a message naming that package;
//! they never skip. [`Postgres::create_database`] gives each workspace a
//! fresh database.
//!
//! - **Not as root**: `initdb` and `postgres` refuse to run as root, so when
//!   the tests run as root both run as `nobody` (uid and gid 65534) through
//!   `setpriv`, and the cluster's folder is handed to that user. `setpriv`
//!   (util-linux, on every Debian) rather than `runuser` because it also
//!   sets the parent-death signal after changing the user, which is what
//!   keeps a killed test binary from leaving PostgreSQL behind (below).
//! - **Loopback only**: it listens on `127.0.0.1` on a free port with trust
//!   authentication, its unix socket in the cluster's own folder.
//! - **Fast, not careless**: `fsync=off`, so nothing waits for the disk; a
//!   commit still reaches the kernel before it is acknowledged, so killing
//!   PostgreSQL (not the machine) loses nothing acknowledged.
//! - **Stopped at exit**: an `atexit` handler runs `pg_ctl stop -m
//!   immediate` and deletes the folder when the test binary exits. When it
//!   is killed instead, the kernel kills `postgres` with it (`setpriv
//!   --pdeathsig KILL`; the parent is a thread that lives until the process
//!   ends, since the signal follows the parent thread, not the process),
//!   and the next test binary to start one deletes the folders whose test
//!   binary is gone (`segment-e2e-pg-*` in the temporary folder, each with
//!   the pid of the binary that made it).
//!
//! Only the standard library and `anyhow`, so the server's own tests can
//! include this file with `#[path]` too.

// Included by test binaries that use only part of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};

/// How long PostgreSQL may take to accept connections after starting.
const START_LIMIT: Duration = Duration::from_secs(60);
/// How long one `psql` command may take (seconds, as `PGCONNECT_TIMEOUT`).
const PSQL_CONNECT_SECONDS: &str = "10";
/// `nobody` on Debian: the user PostgreSQL runs as when the tests are root.
const NOBODY: u32 = 65534;
/// Prefix of a cluster's temporary folder: stale ones are found by it.
const DIR_PREFIX: &str = "segment-e2e-pg-";
/// What to install when the server programs are missing.
const PACKAGE_HINT: &str =
    "PostgreSQL's programs (initdb, postgres, pg_ctl, psql, pg_dump) were not \
    found on PATH or in /usr/lib/postgresql/*/bin; the PostgreSQL tests need them: install \
    Debian's package `postgresql` (apt-get install postgresql), as .ci/run does";

/// A running PostgreSQL cluster on loopback, one per test binary.
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    databases: AtomicU32,
    as_nobody: bool,
    /// The postmaster's pid; it changes when [`Postgres::kill_and_restart`] runs.
    pid: AtomicU32,
}

static SERVER: OnceLock<Result<Postgres, String>> = OnceLock::new();

/// The test binary's PostgreSQL, started on first use. An error (as when
/// the programs are missing) is the same for every test that asks.
pub fn server() -> anyhow::Result<&'static Postgres> {
    SERVER
        .get_or_init(|| start().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow!("starting PostgreSQL for the tests: {e}"))
}

impl Postgres {
    /// Makes an empty database and returns its URL,
    /// `postgres://postgres@127.0.0.1:PORT/ws_N`.
    pub fn create_database(&self) -> anyhow::Result<String> {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let name = format!("ws_{n}");
        self.psql("postgres", &format!("CREATE DATABASE {name}"))?;
        Ok(self.url(&name))
    }

    /// The URL of database `name` on this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs one SQL command in `database` with `psql` and returns its
    /// unaligned output.
    pub fn psql(&self, database: &str, sql: &str) -> anyhow::Result<String> {
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                database,
            ])
            .args(["-c", sql])
            .env("PGCONNECT_TIMEOUT", PSQL_CONNECT_SECONDS)
            .env("PGOPTIONS", "-c statement_timeout=60000")
            .stdin(Stdio::null())
            .output()
            .context("running psql")?;
        ensure_ok(&out, &format!("psql {sql:?}"))?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// `pg_dump` of database `name`: its schema and every row, as text.
    pub fn dump(&self, name: &str) -> anyhow::Result<Vec<u8>> {
        let out = Command::new(self.bin.join("pg_dump"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                name,
            ])
            .env("PGCONNECT_TIMEOUT", PSQL_CONNECT_SECONDS)
            .stdin(Stdio::null())
            .output()
            .context("running pg_dump")?;
        ensure_ok(&out, "pg_dump")?;
        Ok(out.stdout)
    }

    /// Kills the postmaster with SIGKILL, as a crash would, and starts it
    /// again on the same port and data (crash recovery replays the WAL).
    /// Other tests of the binary share the cluster: call it only from a
    /// binary whose tests expect it.
    pub fn kill_and_restart(&self) -> anyhow::Result<()> {
        self.kill()?;
        self.restart()
    }

    /// SIGKILL to the postmaster; [`Postgres::restart`] brings it back.
    pub fn kill(&self) -> anyhow::Result<()> {
        let pid = self.pid.load(Ordering::SeqCst);
        let out = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .output()?;
        ensure_ok(&out, "kill -KILL postgres")
    }

    /// Starts the postmaster again on the same data after [`Postgres::kill`].
    pub fn restart(&self) -> anyhow::Result<()> {
        // Its backends leave when they notice; until then the old shared
        // memory is in use and a new postmaster refuses to start.
        let deadline = Instant::now() + START_LIMIT;
        loop {
            match launch(&self.bin, &self.dir, self.as_nobody, self.port) {
                Ok(pid) => {
                    self.pid.store(pid, Ordering::SeqCst);
                    return Ok(());
                }
                Err(e) if Instant::now() > deadline => return Err(e),
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }

    /// The cluster's data folder.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }
}

fn ensure_ok(out: &Output, what: &str) -> anyhow::Result<()> {
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
    Ok(())
}

/// The folder holding `initdb`, `postgres` and `psql`: `PATH` first, then
/// Debian's versioned folders, newest version first.
pub fn find_binaries() -> anyhow::Result<PathBuf> {
    let has_all = |dir: &Path| {
        ["initdb", "postgres", "psql", "pg_ctl", "pg_dump"]
            .iter()
            .all(|p| dir.join(p).is_file())
    };
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(dir) = on_path.into_iter().find(|d| has_all(d)) {
        return Ok(dir);
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, bin)| has_all(bin))
        .collect();
    debian.sort();
    debian
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| anyhow!(PACKAGE_HINT))
}

fn running_as_root() -> bool {
    // /proc/self belongs to the effective user: no libc call needed.
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `program args...`, as `nobody` when running as root, killed with the
/// calling thread when `pdeathsig`.
fn command(bin: &Path, program: &str, as_nobody: bool, pdeathsig: bool) -> Command {
    let mut cmd = Command::new("setpriv");
    if as_nobody {
        let id = NOBODY.to_string();
        cmd.args(["--reuid", &id, "--regid", &id, "--clear-groups"]);
    }
    if pdeathsig {
        cmd.args(["--pdeathsig", "KILL"]);
    }
    cmd.arg("--").arg(bin.join(program));
    cmd
}

fn start() -> anyhow::Result<Postgres> {
    let bin = find_binaries()?;
    remove_stale_clusters(&bin);
    let as_nobody = running_as_root();
    let dir = std::env::temp_dir().join(format!(
        "{DIR_PREFIX}{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join("owner.pid"), std::process::id().to_string())?;
    if as_nobody {
        std::os::unix::fs::chown(&dir, Some(NOBODY), Some(NOBODY))
            .with_context(|| format!("giving {} to nobody", dir.display()))?;
    }
    register_stop_at_exit(&bin, &dir, as_nobody);
    let data = dir.join("data");
    let out = command(&bin, "initdb", as_nobody, false)
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "--encoding=UTF8",
            "--locale=C",
        ])
        .stdin(Stdio::null())
        .output()
        .context("running initdb through setpriv")?;
    ensure_ok(&out, "initdb")?;
    // A free port may be taken between our look and PostgreSQL's bind: try again.
    let mut last = None;
    for _ in 0..3 {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        match launch(&bin, &dir, as_nobody, port) {
            Ok(pid) => {
                return Ok(Postgres {
                    bin,
                    dir,
                    port,
                    databases: AtomicU32::new(0),
                    as_nobody,
                    pid: AtomicU32::new(pid),
                })
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| anyhow!("PostgreSQL did not start")))
}

/// Starts `postgres` on `port` and waits, bounded, until it answers;
/// returns its pid.
fn launch(bin: &Path, dir: &Path, as_nobody: bool, port: u16) -> anyhow::Result<u32> {
    let log_path = dir.join(format!("postgres-{port}.log"));
    let log = std::fs::File::create(&log_path)?;
    let mut cmd = command(bin, "postgres", as_nobody, true);
    cmd.arg("-D")
        .arg(dir.join("data"))
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .arg("-k")
        .arg(dir)
        .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
        .args(["-c", "max_connections=400", "-c", "shared_buffers=32MB"])
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    let exited = Arc::new(AtomicBool::new(false));
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let flag = exited.clone();
    // The parent-death signal follows the thread that spawned the child:
    // this thread waits on PostgreSQL and so lives as long as it does.
    std::thread::Builder::new()
        .name("postgres".into())
        .spawn(move || match cmd.spawn() {
            Ok(mut child) => {
                let _ = started_tx.send(Ok(child.id()));
                let _ = child.wait();
                flag.store(true, Ordering::SeqCst);
            }
            Err(e) => {
                let _ = started_tx.send(Err(e));
            }
        })?;
    // setpriv execs postgres: the child's pid is the postmaster's.
    let pid = started_rx
        .recv_timeout(START_LIMIT)
        .context("the postgres thread did not start")?
        .context("starting postgres through setpriv")?;
    let probe = Postgres {
        bin: bin.to_path_buf(),
        dir: dir.to_path_buf(),
        port,
        databases: AtomicU32::new(0),
        as_nobody,
        pid: AtomicU32::new(pid),
    };
    let deadline = Instant::now() + START_LIMIT;
    loop {
        if probe.psql("postgres", "SELECT 1").is_ok() {
            return Ok(pid);
        }
        if exited.load(Ordering::SeqCst) || Instant::now() > deadline {
            let mut text = String::new();
            let _ = std::fs::File::open(&log_path).and_then(|mut f| f.read_to_string(&mut text));
            let tail: String = text
                .lines()
                .rev()
                .take(15)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n");
            bail!("PostgreSQL on port {port} did not accept connections within {START_LIMIT:?}; its log:\n{tail}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Deletes clusters of test binaries that are gone (killed before their
/// `atexit` ran). PostgreSQL died with them; one still running is stopped.
fn remove_stale_clusters(bin: &Path) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(|n| n.starts_with(DIR_PREFIX)) {
            continue;
        }
        let dir = entry.path();
        let owner = std::fs::read_to_string(dir.join("owner.pid")).unwrap_or_default();
        let alive = owner.trim().parse::<u32>().is_ok_and(process_alive);
        if alive {
            continue;
        }
        if dir.join("data/postmaster.pid").exists() {
            let _ = stop_cluster(bin, &dir, running_as_root());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Whether `pid` runs: a killed binary its parent has not reaped yet is a
/// zombie, listed in /proc but gone.
fn process_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // "pid (name) S ...": the state follows the name's closing parenthesis.
        let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start());
        !state.is_some_and(|s| s.starts_with('Z'))
    })
}

/// `pg_ctl stop -m immediate`, bounded by its own `-t`.
fn stop_cluster(bin: &Path, dir: &Path, as_nobody: bool) -> anyhow::Result<()> {
    let out = command(bin, "pg_ctl", as_nobody, false)
        .args(["stop", "-m", "immediate", "-t", "10", "-D"])
        .arg(dir.join("data"))
        .stdin(Stdio::null())
        .output()?;
    ensure_ok(&out, "pg_ctl stop")
}

/// What the `atexit` handler stops: set once, when the cluster is made.
static AT_EXIT: OnceLock<(PathBuf, PathBuf, bool)> = OnceLock::new();

extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
}

extern "C" fn stop_at_exit() {
    if let Some((bin, dir, as_nobody)) = AT_EXIT.get() {
        let _ = stop_cluster(bin, dir, *as_nobody);
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn register_stop_at_exit(bin: &Path, dir: &Path, as_nobody: bool) {
    if AT_EXIT
        .set((bin.to_path_buf(), dir.to_path_buf(), as_nobody))
        .is_ok()
    {
        // SAFETY: `atexit` takes a plain function with no arguments; the
        // handler reads only a static set before it is registered.
        unsafe {
            atexit(stop_at_exit);
        }
    }
}

/// Whether `name` (an environment value) asks for PostgreSQL.
pub fn wants_postgres(value: Option<&OsStr>) -> bool {
    value
        .is_some_and(|v| v.eq_ignore_ascii_case("postgres") || v.eq_ignore_ascii_case("postgresql"))
}

/// One server key for every `serve` process a test binary starts: servers
/// on one PostgreSQL database must share it to read each other's tokens
/// and sealed secrets (`--secrets-key-file`; PostgreSQL has no folder to
/// keep it beside, as SQLite's file has).
pub fn shared_key_file() -> &'static str {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("segment-e2e-key-{}", std::process::id()));
        let path = dir.join("server.key");
        // A test's key need not be secret, only shared.
        let written =
            std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, "5e".repeat(32)));
        if let Err(e) = written {
            panic!("writing the test server key {}: {e}", path.display());
        }
        path.display().to_string()
    })
}
