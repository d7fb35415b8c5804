//! Running child processes with a deadline.

use std::fs::File;
use std::io::{Read, Seek};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// Both streams, for assertion messages.
    pub fn output(&self) -> String {
        format!(
            "exit: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Runs `cmd` to completion, killing it and failing the test if it takes
/// longer than `timeout`. Output goes through files, so a chatty process
/// never blocks on a full pipe.
pub fn run(cmd: &mut Command, timeout: Duration) -> Finished {
    let mut out = tempfile::tempfile().expect("temporary file");
    let mut err = tempfile::tempfile().expect("temporary file");
    let program = format!("{:?}", cmd.get_program());
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("clone file handle"))
        .stderr(err.try_clone().expect("clone file handle"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let status = wait_with_deadline(&mut child, timeout);
    let timed_out = status.is_none();
    let status = match status {
        Some(status) => status,
        None => {
            let _ = child.kill();
            child.wait().expect("wait for killed child")
        }
    };
    let finished = Finished {
        status,
        stdout: read_all(&mut out),
        stderr: read_all(&mut err),
    };
    if timed_out {
        panic!(
            "{program} did not finish within {timeout:?}\n{}",
            finished.output()
        );
    }
    finished
}

/// Waits for `child` to exit, up to `timeout`; `None` if it is still running.
pub fn wait_with_deadline(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("poll child") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn read_all(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind();
    let _ = file.read_to_string(&mut text);
    text
}
