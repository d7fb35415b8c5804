//! The server's key: token digests keyed with it (HMAC-SHA-256), and
//! settings secrets sealed with it at rest (AES-256-GCM).
//!
//! One 32-byte key, read from `--secrets-key-file` or, on SQLite without
//! one, from a file beside the database (`<db>.key`, mode 0600) made on
//! first start. Two subkeys are derived from it, so a digest never doubles as
//! an encryption key. Everything here sits above the [`crate::store::Store`]
//! trait ([`sealed::Sealed`] wraps any backend), so every backend gets it.

pub mod file;
pub mod sealed;

use std::path::Path;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::hmac;
use base64::Engine;

pub use file::{sqlite_file, KeyError};

/// Marks a sealed value: a stored string that starts with it is ciphertext.
pub const SEALED_PREFIX: &str = "sealed:v1:";

/// The keys derived from the server key.
pub struct Keys {
    tokens: hmac::Key,
    settings: LessSafeKey,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key material, not even in a debug print.
        f.write_str("Keys(..)")
    }
}

/// A sealed value that does not open: another key, or altered bytes.
#[derive(Debug, thiserror::Error)]
#[error("a sealed setting does not open with this server's key (another --secrets-key-file?)")]
pub struct OpenError;

fn derive(master: &hmac::Key, purpose: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(hmac::sign(master, purpose.as_bytes()).as_ref());
    out
}

impl Keys {
    /// Keys derived from a 32-byte server key.
    pub fn from_master(master: &[u8; 32]) -> Keys {
        let master = hmac::Key::new(hmac::HMAC_SHA256, master);
        let tokens = derive(&master, "segment-workspace token digests v1");
        let settings = derive(&master, "segment-workspace settings secrets v1");
        let unbound = match UnboundKey::new(&AES_256_GCM, &settings) {
            Ok(k) => k,
            // 32 bytes is AES-256's key length; no other input reaches here.
            Err(_) => unreachable!("a 32-byte AES-256 key"),
        };
        Keys {
            tokens: hmac::Key::new(hmac::HMAC_SHA256, &tokens),
            settings: LessSafeKey::new(unbound),
        }
    }

    /// A key that lives as long as the process: in-memory databases only.
    pub fn ephemeral() -> Result<Keys, KeyError> {
        Ok(Keys::from_master(&file::random_key()?))
    }

    /// The server key for `database_url`: from `key_file` when given, else
    /// beside a SQLite database (made on first start).
    pub fn load(database_url: &str, key_file: Option<&Path>) -> Result<Keys, KeyError> {
        Ok(Keys::from_master(&file::master_key(
            database_url,
            key_file,
        )?))
    }

    /// The digest stored for a token: HMAC-SHA-256 under the server key, so
    /// a leaked database cannot be reversed by a lookup table.
    pub fn token_hash(&self, token: &str) -> String {
        hex(hmac::sign(&self.tokens, token.as_bytes()).as_ref())
    }

    /// Seals `plain` with a fresh random nonce, bound to `field`.
    pub fn seal(&self, field: &str, plain: &str) -> Result<String, KeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| KeyError::Random)?;
        let mut data = plain.as_bytes().to_vec();
        self.settings
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(field.as_bytes()),
                &mut data,
            )
            .map_err(|_| KeyError::Random)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(out);
        Ok(format!("{SEALED_PREFIX}{b64}"))
    }

    /// Opens a value [`Keys::seal`] made for `field`.
    pub fn open(&self, field: &str, sealed: &str) -> Result<String, OpenError> {
        let b64 = sealed.strip_prefix(SEALED_PREFIX).ok_or(OpenError)?;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(b64)
            .map_err(|_| OpenError)?;
        if bytes.len() < NONCE_LEN {
            return Err(OpenError);
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenError)?;
        let mut data = data.to_vec();
        let plain = self
            .settings
            .open_in_place(nonce, Aad::from(field.as_bytes()), &mut data)
            .map_err(|_| OpenError)?;
        String::from_utf8(plain.to_vec()).map_err(|_| OpenError)
    }
}

/// Tokens stored before digests were keyed: plain SHA-256. Still admitted,
/// and re-stored keyed on first use (see `auth.rs`).
pub fn legacy_token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Every request hashes its token: one allocation, not one per byte.
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored digests must not change with the encoding code: a known digest.
    #[test]
    fn legacy_hash_is_lowercase_hex_sha256() {
        assert_eq!(
            legacy_token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// The keyed digest depends on the key: another server's database does
    /// not admit this one's tokens, and neither matches plain SHA-256.
    #[test]
    fn token_digests_are_keyed() {
        let a = Keys::from_master(&[1; 32]);
        let b = Keys::from_master(&[2; 32]);
        assert_eq!(a.token_hash("t"), a.token_hash("t"));
        assert_ne!(a.token_hash("t"), b.token_hash("t"));
        assert_ne!(a.token_hash("t"), legacy_token_hash("t"));
        assert_eq!(a.token_hash("t").len(), 64);
    }

    /// A sealed value opens with its key and field only, and two seals of
    /// one value differ (a fresh nonce each).
    #[test]
    fn sealed_values_open_only_with_their_key_and_field() {
        let keys = Keys::from_master(&[7; 32]);
        let sealed = keys.seal("apiKey", "s3cret").unwrap();
        assert!(sealed.starts_with(SEALED_PREFIX) && !sealed.contains("s3cret"));
        assert_ne!(sealed, keys.seal("apiKey", "s3cret").unwrap());
        assert_eq!(keys.open("apiKey", &sealed).unwrap(), "s3cret");
        assert!(keys.open("password", &sealed).is_err());
        assert!(Keys::from_master(&[8; 32]).open("apiKey", &sealed).is_err());
    }
}
