//! The work tree and index following a branch that sync moved: a path
//! that holds what the old commit held takes the new commit's version; a
//! person's uncommitted edit is merged with the change, or kept and
//! reported.
//!
//! Compared by blob id, with the texts this run committed remembered
//! ([`super::texts`]): reading the old and new blobs of every path and
//! staging the file again (hashing and compressing it) made up most of a
//! sync event once `base.json` weighed megabytes.

use std::path::Path;

use anyhow::{Context, Result};
use git2::{FileMode, IndexEntry, IndexTime, ObjectType, Oid, Tree};

use super::bulk::index_entry;
use super::commit::write_atomic;
use super::Repo;

/// A path's blob in a tree.
pub(super) fn held(tree: &Tree, path: &str) -> Option<Oid> {
    tree.get_path(Path::new(path)).ok().map(|e| e.id())
}

pub(super) fn entry(path: &str, id: Oid, size: usize) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: u32::from(FileMode::Blob),
        uid: 0,
        gid: 0,
        file_size: u32::try_from(size).unwrap_or(u32::MAX),
        id,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// A person's file as it is in the work tree, compared with blobs lazily.
struct Work {
    bytes: Option<Vec<u8>>,
    id: Option<Oid>,
}

impl Repo {
    /// Whether the work file `bytes` holds blob `id` (`None`: no file).
    fn work_is(&self, path: &str, work: &mut Work, id: Option<Oid>) -> Result<bool> {
        let (Some(bytes), Some(id)) = (&work.bytes, id) else {
            return Ok(work.bytes.is_none() && id.is_none());
        };
        if let Some(text) = self.texts.text(path, id) {
            return Ok(text.as_bytes() == bytes.as_slice());
        }
        let hashed = match work.id {
            Some(h) => h,
            None => {
                let h = Oid::hash_object(ObjectType::Blob, bytes)?;
                work.id = Some(h);
                h
            }
        };
        Ok(hashed == id)
    }

    /// The content of blob `id` at `path`.
    fn content(&self, path: &str, id: Oid) -> Result<Vec<u8>> {
        if let Some(text) = self.texts.text(path, id) {
            return Ok(text.as_bytes().to_vec());
        }
        Ok(self.repo.find_blob(id)?.content().to_vec())
    }

    /// Brings `paths` from `old` to `new` in the work tree and index,
    /// where they hold what `old` held; returns the paths kept as a person
    /// left them.
    pub(super) fn follow(&self, old: &Tree, new: &Tree, paths: &[&str]) -> Result<Vec<String>> {
        let repo = &self.repo;
        // From disk when it changed there (libgit2 compares the file's
        // stamp): a person's `git add` or `git commit` since we last looked
        // is in it, and an unchanged 10,000-entry index is not parsed again.
        let mut index = repo.index()?;
        index.read(false)?;
        let mut kept = Vec::new();
        for &path in paths {
            let before = held(old, path);
            let after = held(new, path);
            let full = self.root.join(path);
            let mut work = Work {
                bytes: match std::fs::read(&full) {
                    Ok(b) => Some(b),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => return Err(e).with_context(|| format!("reading {}", full.display())),
                },
                id: None,
            };
            // Whether the work tree ends up holding exactly the new version.
            let current = if self.work_is(path, &mut work, after)? {
                true
            } else if self.work_is(path, &mut work, before)? {
                match after {
                    Some(id) => {
                        write_atomic(&full, &String::from_utf8_lossy(&self.content(path, id)?))?
                    }
                    None => match std::fs::remove_file(&full) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                        _ => {}
                    },
                }
                true
            } else {
                match self.merge(path, before, &work.bytes, after)? {
                    // Both changes are in the file: nothing of theirs is kept aside.
                    Some(merged) => {
                        write_atomic(&full, &String::from_utf8_lossy(&merged))?;
                        match after {
                            Some(id) => self.content(path, id)? == merged,
                            None => false,
                        }
                    }
                    None => {
                        kept.push(path.to_string());
                        false
                    }
                }
            };
            // The index follows where it held HEAD's version (a person's
            // staged change stays staged).
            let staged = index.get_path(Path::new(path), 0).map(|e| e.id);
            if staged != before {
                continue;
            }
            match after {
                // As `git add` records it, without hashing and storing the
                // file again: Git sees it clean.
                Some(id) if current => {
                    let meta = std::fs::metadata(&full)
                        .with_context(|| format!("reading {}", full.display()))?;
                    index.add(&index_entry(path, &meta, id))?
                }
                Some(id) => {
                    let size = repo.find_blob(id)?.size();
                    index.add(&entry(path, id, size))?
                }
                None => {
                    let _ = index.remove_path(Path::new(path));
                }
            }
        }
        index.write()?;
        Ok(kept)
    }

    /// A three-way merge of a person's uncommitted `work` with the change
    /// from `before` to `after`: the result when the two touch different
    /// lines, `None` when they overlap (the person's text stays).
    fn merge(
        &self,
        path: &str,
        before: Option<Oid>,
        work: &Option<Vec<u8>>,
        after: Option<Oid>,
    ) -> Result<Option<Vec<u8>>> {
        let (Some(b), Some(w), Some(a)) = (before, work, after) else {
            return Ok(None);
        };
        let w = self.repo.blob(w)?;
        let result = self.repo.merge_file_from_index(
            &entry(path, b, 0),
            &entry(path, w, 0),
            &entry(path, a, 0),
            None,
        )?;
        Ok(result.is_automergeable().then(|| result.content().to_vec()))
    }
}
