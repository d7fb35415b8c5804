//! The large texts this run committed or compared, with their blob ids.
//!
//! Every sync event commits `base.json` (2 MB at 10,000 resources) and
//! compares the manifest (4 MB) with HEAD's. Hashing them (SHA-1 with
//! collision detection, ~30 instructions a byte), and reading HEAD's copy
//! back to tell a person's edit from ours, cost more than the rest of the
//! event. A blob id is a function of the text alone, so a remembered
//! `(id, text)` pair never goes stale: whoever moves HEAD, a text equal to
//! the remembered one has its id, and a blob with the remembered id has its
//! text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use git2::{ObjectType, Oid};

/// Smaller texts hash in microseconds: not worth their memory.
const REMEMBERED_FROM: usize = 16 * 1024;

/// Texts kept per path: the one a commit wrote and the one before it, which
/// the work tree still holds while the commit is being followed there.
const KEPT: usize = 2;

/// A text and its blob id.
type Known = (Oid, Arc<str>);

#[derive(Default)]
pub(super) struct Texts {
    /// Newest last.
    by_path: Mutex<HashMap<String, Vec<Known>>>,
}

impl Texts {
    /// The blob id of `text` at `path`: remembered, else hashed.
    pub fn id(&self, path: &str, text: &str) -> Result<Oid, git2::Error> {
        if let Some(id) = self.known(path, text) {
            return Ok(id);
        }
        let id = Oid::hash_object(ObjectType::Blob, text.as_bytes())?;
        self.remember(path, id, text);
        Ok(id)
    }

    /// The id of `text` when it is the text remembered at `path`.
    pub fn known(&self, path: &str, text: &str) -> Option<Oid> {
        let by_path = self.by_path.lock().unwrap_or_else(PoisonError::into_inner);
        by_path
            .get(path)?
            .iter()
            .find(|(_, t)| t.as_ref() == text)
            .map(|(id, _)| *id)
    }

    /// The text of blob `id` at `path`, when remembered.
    pub fn text(&self, path: &str, id: Oid) -> Option<Arc<str>> {
        let by_path = self.by_path.lock().unwrap_or_else(PoisonError::into_inner);
        by_path
            .get(path)?
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, t)| t.clone())
    }

    pub fn remember(&self, path: &str, id: Oid, text: &str) {
        if text.len() < REMEMBERED_FROM {
            return;
        }
        let mut by_path = self.by_path.lock().unwrap_or_else(PoisonError::into_inner);
        let kept = by_path.entry(path.to_string()).or_default();
        kept.retain(|(known, _)| *known != id);
        kept.push((id, Arc::from(text)));
        if kept.len() > KEPT {
            kept.remove(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_text_gives_the_id_git_would() {
        let texts = Texts::default();
        let big = "x".repeat(REMEMBERED_FROM);
        let id = texts.id("base.json", &big).expect("hash");
        assert_eq!(
            id,
            Oid::hash_object(ObjectType::Blob, big.as_bytes()).expect("hash")
        );
        assert_eq!(texts.known("base.json", &big), Some(id));
        assert_eq!(texts.text("base.json", id).as_deref(), Some(big.as_str()));
        let other = format!("{big}y");
        assert_eq!(texts.known("base.json", &other), None, "another text");
        assert_eq!(texts.known("manifest.json", &big), None, "another path");
        let newer = texts.id("base.json", &other).expect("hash");
        let newest = texts.id("base.json", &format!("{other}z")).expect("hash");
        assert_eq!(
            texts.text("base.json", newer).as_deref(),
            Some(other.as_str())
        );
        assert!(texts.text("base.json", newest).is_some());
        assert_eq!(texts.text("base.json", id), None, "two texts are kept");
        let small = texts.id("a.tf", "1\n").expect("hash");
        assert_eq!(texts.text("a.tf", small), None, "small texts are hashed");
    }
}
