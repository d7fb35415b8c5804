//! OpenSSH `known_hosts` checking for SSH remotes: a push goes only to a
//! host whose key the user has recorded, as `git push` over OpenSSH does.

use std::path::Path;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// What the known_hosts files say of a host's key.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Known,
    /// The host is listed with other keys (or this key is revoked).
    Changed,
    Unknown,
}

/// How the host appears in known_hosts: `host`, or `[host]:port` off 22.
pub fn host_pattern(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    }
}

/// Checks the raw key blob the server offered against `text`, the
/// contents of a known_hosts file.
pub fn check(text: &str, host: &str, port: u16, key: &[u8]) -> Verdict {
    let name = host_pattern(host, port);
    let mut listed = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let Some(mut hosts) = fields.next() else {
            continue;
        };
        let mut revoked = false;
        if let Some(marker) = hosts.strip_prefix('@') {
            match marker {
                "revoked" => revoked = true,
                // Host certificates are not something libgit2 hands us.
                _ => continue,
            }
            let Some(h) = fields.next() else { continue };
            hosts = h;
        }
        let (Some(_key_type), Some(blob)) = (fields.next(), fields.next()) else {
            continue;
        };
        if !hosts_match(hosts, &name) {
            continue;
        }
        let Ok(blob) = base64::engine::general_purpose::STANDARD.decode(blob) else {
            continue;
        };
        if blob == key {
            if revoked {
                return Verdict::Changed;
            }
            return Verdict::Known;
        }
        listed |= !revoked;
    }
    if listed {
        Verdict::Changed
    } else {
        Verdict::Unknown
    }
}

/// Reads each file that exists and checks them in order, as OpenSSH reads
/// its user file and then the system one.
pub fn check_files(files: &[&Path], host: &str, port: u16, key: &[u8]) -> Verdict {
    let mut verdict = Verdict::Unknown;
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        match check(&text, host, port, key) {
            Verdict::Known => return Verdict::Known,
            Verdict::Changed => verdict = Verdict::Changed,
            Verdict::Unknown => {}
        }
    }
    verdict
}

/// `SHA256:…`, as `ssh-keygen -l` prints a key's fingerprint.
pub fn fingerprint(key: &[u8]) -> String {
    let digest = Sha256::digest(key);
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    )
}

/// A comma-separated pattern list: hashed entries, globs, and negations
/// (a matching `!pattern` rules the line out).
fn hosts_match(patterns: &str, name: &str) -> bool {
    if let Some(hashed) = patterns.strip_prefix("|1|") {
        return hashed_match(hashed, name);
    }
    let mut matched = false;
    for p in patterns.split(',') {
        match p.strip_prefix('!') {
            Some(neg) if glob(neg, name) => return false,
            Some(_) => {}
            None => matched |= glob(p, name),
        }
    }
    matched
}

/// `|1|salt|hash`: HMAC-SHA1 of the name keyed by the salt (HashKnownHosts).
fn hashed_match(salt_and_hash: &str, name: &str) -> bool {
    let engine = base64::engine::general_purpose::STANDARD;
    let Some((salt, hash)) = salt_and_hash.split_once('|') else {
        return false;
    };
    let (Ok(salt), Ok(hash)) = (engine.decode(salt), engine.decode(hash)) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&salt) else {
        return false;
    };
    mac.update(name.as_bytes());
    mac.verify_slice(&hash).is_ok()
}

/// OpenSSH's `*` and `?` wildcards, case-insensitive as host names are.
fn glob(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"\0\0\0\x0bssh-ed25519\0\0\0\x20abcdefghijklmnopqrstuvwxyz012345";

    fn line(hosts: &str, key: &[u8]) -> String {
        format!(
            "{hosts} ssh-ed25519 {} comment\n",
            base64::engine::general_purpose::STANDARD.encode(key)
        )
    }

    #[test]
    fn a_listed_key_is_known_on_its_port_only() {
        let text = line("[127.0.0.1]:2222,other", KEY);
        assert_eq!(check(&text, "127.0.0.1", 2222, KEY), Verdict::Known);
        assert_eq!(check(&text, "127.0.0.1", 22, KEY), Verdict::Unknown);
        assert_eq!(check(&text, "OTHER", 22, KEY), Verdict::Known);
    }

    #[test]
    fn another_key_for_a_listed_host_is_a_change() {
        let text = line("git.example.com", b"another key");
        assert_eq!(check(&text, "git.example.com", 22, KEY), Verdict::Changed);
        let revoked = format!("@revoked {}", line("*", KEY));
        assert_eq!(
            check(&revoked, "git.example.com", 22, KEY),
            Verdict::Changed
        );
    }

    #[test]
    fn wildcards_and_negations_follow_openssh() {
        let text = line("*.example.com,!bad.example.com", KEY);
        assert_eq!(check(&text, "git.example.com", 22, KEY), Verdict::Known);
        assert_eq!(check(&text, "bad.example.com", 22, KEY), Verdict::Unknown);
        assert_eq!(check(&text, "example.org", 22, KEY), Verdict::Unknown);
    }

    #[test]
    fn hashed_entries_match_their_host() {
        // `ssh-keygen -H` of "git.example.com" with this salt.
        let salt = b"0123456789abcdefghij";
        let mut mac = Hmac::<Sha1>::new_from_slice(salt).expect("key");
        mac.update(b"git.example.com");
        let engine = base64::engine::general_purpose::STANDARD;
        let hosts = format!(
            "|1|{}|{}",
            engine.encode(salt),
            engine.encode(mac.finalize().into_bytes())
        );
        let text = line(&hosts, KEY);
        assert_eq!(check(&text, "git.example.com", 22, KEY), Verdict::Known);
        assert_eq!(check(&text, "git.example.org", 22, KEY), Verdict::Unknown);
    }

    #[test]
    fn fingerprints_read_like_ssh_keygen() {
        assert!(fingerprint(KEY).starts_with("SHA256:"));
        assert!(!fingerprint(KEY).ends_with('='));
    }
}
