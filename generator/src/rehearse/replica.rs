//! The local workspace the rehearsal applies to: `segment-workspace serve`
//! on a free loopback port over a SQLite file in the rehearsal's temporary
//! folder, without rate limits, stopped on every way out ([`Replica`]'s
//! drop). A process of its own, so the generator does not link the server.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

use super::programs::WORKSPACE;
use super::RehearseError;

/// How long the server may take to print its URL.
const START_LIMIT: Duration = Duration::from_secs(30);

pub struct Replica {
    child: Child,
    /// Kept open: the server's later writes to stdout must not fail.
    _stdout: BufReader<ChildStdout>,
    pub url: String,
    pub token: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        // `kill_on_drop` sends the signal too; this also covers a drop
        // outside the runtime, and Tokio reaps the process.
        let _ = self.child.start_kill();
    }
}

impl Replica {
    /// Starts the server; `dir` holds its database and its log.
    pub async fn start(program: &Path, dir: &Path) -> Result<Replica, RehearseError> {
        let token = new_token();
        let database = format!("sqlite://{}", dir.join("replica.db").display());
        let log_path = dir.join("replica.log");
        let log = std::fs::File::create(&log_path).map_err(RehearseError::io(&log_path))?;
        let mut child = Command::new(program)
            .args(["serve", "--listen", "127.0.0.1:0", "--rate-limits", "off"])
            .args(["--database", &database])
            // By environment, not argv: other users can list arguments.
            .env("SEGMENT_WORKSPACE_TOKEN", &token)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| RehearseError::Start {
                program: WORKSPACE,
                path: program.to_path_buf(),
                source,
            })?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.start_kill();
            return Err(replica_error("its output could not be read", &log_path));
        };
        let mut stdout = BufReader::new(stdout);
        let mut first = String::new();
        let read = tokio::time::timeout(START_LIMIT, stdout.read_line(&mut first)).await;
        let url = first.trim().trim_end_matches('/').to_string();
        let started = matches!(read, Ok(Ok(n)) if n > 0) && url.starts_with("http://");
        if !started {
            let _ = child.start_kill();
            let reason = match read {
                Err(_) => format!("it printed no URL within {} s", START_LIMIT.as_secs()),
                Ok(_) => "it stopped before printing its URL".to_string(),
            };
            return Err(replica_error(&reason, &log_path));
        }
        Ok(Replica {
            child,
            _stdout: stdout,
            url,
            token,
        })
    }
}

/// A reason with the end of the server's log, which holds no token.
fn replica_error(reason: &str, log: &Path) -> RehearseError {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let tail: Vec<&str> = text.lines().rev().take(10).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    RehearseError::Replica {
        reason: match tail.is_empty() {
            true => reason.to_string(),
            false => format!("{reason}; its log ends:\n{}", tail.join("\n")),
        },
    }
}

/// A token only this rehearsal knows: the replica listens on loopback,
/// where other local users could reach it.
fn new_token() -> String {
    let bytes: [u8; 24] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("rehearsal_{hex}")
}
