//! `--debug`: serve on a unix socket without TLS, print the
//! TF_REATTACH_PROVIDERS value, and let real Terraform attach to it.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value as Json;
use support::process;
use support::terraform::{provider_address, provider_config, TerraformDir};

/// A `--debug` process; killed when dropped.
struct DebugProvider {
    child: Child,
    reattach: String,
}

impl DebugProvider {
    fn start() -> Self {
        let mut child = Command::new(support::provider_binary())
            .arg("--debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the provider in debug mode");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("TF_REATTACH_PROVIDERS='").nth(1) {
                    let _ = tx.send(rest.trim_end_matches('\'').to_owned());
                }
            }
        });
        let reattach = match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(reattach) => reattach,
            Err(e) => {
                let _ = child.kill();
                panic!("no TF_REATTACH_PROVIDERS line: {e}");
            }
        };
        DebugProvider { child, reattach }
    }
}

impl Drop for DebugProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn terraform_attaches_to_a_debug_provider() {
    let mut provider = DebugProvider::start();
    let config: Json = serde_json::from_str(&provider.reattach).expect("reattach JSON");
    let entry = &config[provider_address()];
    assert_eq!(entry["Protocol"], "grpc");
    assert_eq!(entry["ProtocolVersion"], 5);
    assert_eq!(entry["Pid"], provider.child.id());
    assert_eq!(entry["Addr"]["Network"], "unix");
    let socket = entry["Addr"]["String"]
        .as_str()
        .expect("socket path")
        .to_owned();
    assert!(std::path::Path::new(&socket).exists(), "{socket}");

    // Two Terraform commands against the same process: Terraform must not
    // stop a provider it only attached to.
    let tf = TerraformDir::new().env("TF_REATTACH_PROVIDERS", &provider.reattach);
    tf.write("main.tf", &provider_config("http://127.0.0.1:1"));
    tf.terraform_ok(&["init", "-input=false"]);
    let schema = tf.terraform_ok(&["providers", "schema", "-json"]);
    assert!(
        schema.stdout.contains(r#""sensitive":true"#),
        "{}",
        schema.output()
    );
    tf.terraform_ok(&["plan", "-input=false"]);
    assert!(
        provider.child.try_wait().expect("poll").is_none(),
        "debug provider exited after Terraform detached"
    );

    // Ctrl-C ends it and removes the socket.
    let mut kill = Command::new("kill");
    kill.args(["-INT", &provider.child.id().to_string()]);
    assert!(process::run(&mut kill, Duration::from_secs(5))
        .status
        .success());
    let status = process::wait_with_deadline(&mut provider.child, Duration::from_secs(5));
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    assert!(
        !std::path::Path::new(&socket).exists(),
        "socket left behind"
    );
}
