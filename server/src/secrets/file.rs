//! Where the server key lives: a file of 64 hex digits, mode 0600.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the server key file {path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error(
        "the database {url:?} is not a SQLite file: give the server key with --secrets-key-file PATH \
         (a file of 64 hex digits, e.g. from `openssl rand -hex 32`)"
    )]
    NeedKeyFile { url: String },
    #[error("the system's random number generator failed")]
    Random,
}

/// The SQLite database file `url` names; `None` for an in-memory database
/// or another backend.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") || url.contains("mode=memory") {
        return None;
    }
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let name = options.get_filename();
    let text = name.to_string_lossy();
    if text == ":memory:" || text.starts_with("file:") {
        return None;
    }
    Some(name.to_path_buf())
}

pub(super) fn random_key() -> Result<[u8; 32], KeyError> {
    let mut key = [0u8; 32];
    aws_lc_rs::rand::fill(&mut key).map_err(|_| KeyError::Random)?;
    Ok(key)
}

pub(super) fn master_key(url: &str, key_file: Option<&Path>) -> Result<[u8; 32], KeyError> {
    if let Some(path) = key_file {
        return read_key(path);
    }
    if url.starts_with("sqlite:") && sqlite_file(url).is_none() {
        // An in-memory database dies with the process; so may its key.
        return random_key();
    }
    let Some(db) = sqlite_file(url) else {
        return Err(KeyError::NeedKeyFile {
            url: redact(url).to_string(),
        });
    };
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".key");
    let path = db.with_file_name(name);
    if !path.exists() {
        create_key_file(&path)?;
    }
    read_key(&path)
}

/// A database URL without its password, for an error message.
fn redact(url: &str) -> &str {
    match url.find('@') {
        Some(at) => &url[at + 1..],
        None => url,
    }
}

fn file_error(path: &Path, reason: impl std::fmt::Display) -> KeyError {
    KeyError::File {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

fn read_key(path: &Path) -> Result<[u8; 32], KeyError> {
    let text = std::fs::read_to_string(path).map_err(|e| file_error(path, e))?;
    let text = text.trim();
    let bad = || {
        file_error(
            path,
            "must hold 64 hex digits (32 bytes), e.g. from `openssl rand -hex 32`",
        )
    };
    if text.len() != 64 || !text.is_ascii() {
        return Err(bad());
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(key)
}

/// Writes a new key beside the database, mode 0600 from the start. Two
/// servers starting at once on one database must agree on one key: each
/// writes a file of its own and links it into place, and the loser reads
/// the winner's.
fn create_key_file(path: &Path) -> Result<(), KeyError> {
    let key = random_key()?;
    let text: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        writeln!(f, "{text}")?;
        f.sync_all()
    })();
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(file_error(path, e)),
    }
}
