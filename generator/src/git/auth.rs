//! Who we are to a remote, and who the remote is to us: the credentials
//! libgit2 asks for, tried once each so a wrong one fails instead of
//! looping, and the SSH host key checked against known_hosts.

use std::path::{Path, PathBuf};

use git2::{CertificateCheckStatus, Cred, CredentialType};

use super::known_hosts::{self, Verdict};
use super::remote::Remote;

/// Which credentials this connection has offered already.
#[derive(Default)]
pub(super) struct Attempts {
    username: bool,
    key: bool,
    agent: bool,
    token: bool,
}

/// The next credential to offer, or why there is none.
pub(super) fn credential(
    remote: &Remote,
    tried: &mut Attempts,
    user: Option<&str>,
    allowed: CredentialType,
) -> Result<Cred, git2::Error> {
    // SSH asks for the user name first when the URL has none.
    if allowed.contains(CredentialType::USERNAME) && !tried.username {
        tried.username = true;
        return Cred::username(user.unwrap_or("git"));
    }
    let user_name = user.unwrap_or("git");
    if allowed.contains(CredentialType::SSH_KEY) {
        if let Some(key) = &remote.ssh_key {
            if !tried.key {
                tried.key = true;
                return Cred::ssh_key(user_name, None, key, remote.ssh_passphrase.as_deref());
            }
        } else if !tried.agent && std::env::var_os("SSH_AUTH_SOCK").is_some() {
            tried.agent = true;
            return Cred::ssh_key_from_agent(user_name);
        }
    }
    if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) && !tried.token {
        if let Some(token) = &remote.token {
            tried.token = true;
            // GitHub takes any user name with a token; this one says what it is.
            return Cred::userpass_plaintext(user.unwrap_or("x-access-token"), token);
        }
    }
    Err(git2::Error::from_str(&refusal(
        remote,
        tried,
        allowed.contains(CredentialType::SSH_KEY),
    )))
}

impl Attempts {
    pub(super) fn any(&self) -> bool {
        self.key || self.agent || self.token
    }
}

/// Why authentication failed, and what would make it work.
pub(super) fn refusal(remote: &Remote, tried: &Attempts, ssh: bool) -> String {
    let mut offered = Vec::new();
    if tried.key {
        if let Some(key) = &remote.ssh_key {
            let passphrase = match remote.ssh_passphrase {
                Some(_) => " with the passphrase in SEGMENT_GITOPS_SSH_PASSPHRASE",
                None => "",
            };
            offered.push(format!("the key {}{passphrase}", key.display()));
        }
    }
    if tried.agent {
        offered.push("the ssh-agent's keys".to_string());
    }
    if tried.token {
        offered.push("the token in SEGMENT_GITOPS_GIT_TOKEN".to_string());
    }
    let offered = if offered.is_empty() {
        "no credentials were offered".to_string()
    } else {
        format!("{} did not work", offered.join(" and "))
    };
    let fix = if ssh {
        "give --ssh-key FILE (its passphrase in SEGMENT_GITOPS_SSH_PASSPHRASE) or load the key into an ssh-agent (SSH_AUTH_SOCK)"
    } else {
        "set SEGMENT_GITOPS_GIT_TOKEN to a token that may push to it"
    };
    format!("authentication failed: {offered}; {fix}")
}

/// SSH host keys must be in known_hosts; TLS certificates are left to
/// OpenSSL's own verification against the system's roots.
pub(super) fn check_certificate(
    remote: &Remote,
    cert: &git2::cert::Cert<'_>,
    host: &str,
) -> Result<CertificateCheckStatus, git2::Error> {
    let Some(hostkey) = cert.as_hostkey() else {
        return Ok(CertificateCheckStatus::CertificatePassthrough);
    };
    let Some(key) = hostkey.hostkey() else {
        return Err(git2::Error::from_str(&format!(
            "the SSH server at {host} offered no host key to check"
        )));
    };
    let port = remote.ssh_port();
    let files = known_hosts_files(remote);
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let shown = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(" or ");
    let name = known_hosts::host_pattern(host, port);
    let print = known_hosts::fingerprint(key);
    match known_hosts::check_files(&paths, host, port, key) {
        Verdict::Known => Ok(CertificateCheckStatus::CertificateOk),
        Verdict::Changed => Err(git2::Error::from_str(&format!(
            "the SSH host key of {name} ({print}) does not match the one in {shown}, or is revoked: refusing to connect; if the host's key really changed, replace its line there"
        ))),
        Verdict::Unknown => Err(git2::Error::from_str(&format!(
            "the SSH host key of {name} ({print}) is not in {shown}: check the fingerprint and add it (ssh-keyscan -p {port} {host} >> {}), or give --known-hosts FILE",
            files.first().map(|f| f.display().to_string()).unwrap_or_default()
        ))),
    }
}

/// `--known-hosts`, else the user's and the system's, as OpenSSH reads them.
fn known_hosts_files(remote: &Remote) -> Vec<PathBuf> {
    if let Some(f) = &remote.known_hosts {
        return vec![f.clone()];
    }
    let mut files = Vec::new();
    if let Some(home) = std::env::var_os("HOME") {
        files.push(Path::new(&home).join(".ssh/known_hosts"));
    }
    files.push(PathBuf::from("/etc/ssh/ssh_known_hosts"));
    files
}
