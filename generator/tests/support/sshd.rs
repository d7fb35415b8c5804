//! A real OpenSSH server on a free loopback port, with generated host and
//! user keys, serving Git repositories under its folder.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::process;

const SSHD: &str = "/usr/sbin/sshd";
const START: Duration = Duration::from_secs(20);

pub struct Sshd {
    pub dir: PathBuf,
    pub port: u16,
    /// `known_hosts` holding this server's host key.
    pub known_hosts: PathBuf,
    child: Child,
}

/// A user key the server accepts.
pub struct UserKey {
    pub private: PathBuf,
}

fn keygen(path: &Path, passphrase: &str) {
    let done = process::run(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", "test", "-f"])
            .arg(path),
        Duration::from_secs(30),
    );
    assert!(done.status.success(), "ssh-keygen\n{}", done.output());
}

impl Sshd {
    /// Starts sshd accepting the keys made by [`Sshd::user_key`]. Fails
    /// (does not skip) when OpenSSH's server is not installed.
    pub fn start(dir: &Path) -> Sshd {
        assert!(
            Path::new(SSHD).is_file(),
            "{SSHD} is missing: install openssh-server (.ci/run does)"
        );
        std::fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        let host_key = dir.join("host_key");
        keygen(&host_key, "");
        let authorized = dir.join("authorized_keys");
        std::fs::write(&authorized, "").expect("authorized_keys");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\n\
                 PasswordAuthentication no\nKbdInteractiveAuthentication no\nStrictModes no\n\
                 PidFile {}\nUsePAM no\n",
                host_key.display(),
                authorized.display(),
                dir.join("sshd.pid").display()
            ),
        )
        .expect("sshd_config");
        // -D: stays our child, so the test's end stops it.
        let child = Command::new(SSHD)
            .arg("-D")
            .arg("-f")
            .arg(&config)
            .arg("-E")
            .arg(dir.join("sshd.log"))
            .stdin(Stdio::null())
            .spawn()
            .expect("start sshd");
        let deadline = Instant::now() + START;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "sshd did not listen on {port} within {START:?}: {}",
                std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let host_pub = std::fs::read_to_string(host_key.with_extension("pub")).expect("host key");
        let mut fields = host_pub.split_whitespace();
        let (kind, blob) = (fields.next().unwrap_or(""), fields.next().unwrap_or(""));
        let known_hosts = dir.join("known_hosts");
        std::fs::write(&known_hosts, format!("[127.0.0.1]:{port} {kind} {blob}\n"))
            .expect("known_hosts");
        Sshd {
            dir: dir.to_path_buf(),
            port,
            known_hosts,
            child,
        }
    }

    /// A new key pair, accepted from now on.
    pub fn user_key(&self, name: &str, passphrase: &str) -> UserKey {
        let private = self.dir.join(name);
        keygen(&private, passphrase);
        let public = std::fs::read_to_string(private.with_extension("pub")).expect("public key");
        let mut authorized =
            std::fs::read_to_string(self.dir.join("authorized_keys")).expect("authorized_keys");
        authorized.push_str(&public);
        std::fs::write(self.dir.join("authorized_keys"), authorized).expect("authorized_keys");
        UserKey { private }
    }

    /// The URL of a repository at `path` on this server, as the current user.
    pub fn url(&self, path: &Path) -> String {
        let me = process::run(Command::new("id").arg("-un"), Duration::from_secs(10));
        let user = me.stdout.trim();
        format!("ssh://{user}@127.0.0.1:{}{}", self.port, path.display())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
