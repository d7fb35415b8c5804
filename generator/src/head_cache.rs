//! The folder and manifest as HEAD holds them, kept between sync's events.
//!
//! Each event used to read and parse every file of the folder and the
//! whole manifest again: at 10,000 resources that was most of an event's
//! time. HEAD moves by sync's own commits and by people's, so the cache
//! is keyed by blob ids: each use lists HEAD's tree (no file read) and
//! parses again only the files whose blob changed, whoever changed them.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use git2::{Oid, Repository};

use crate::files::Manifest;
use crate::repo::at_rev::{self, Blobs};
use crate::repo::scan::ScanError;
use crate::repo::state::{self, LOCAL_STATE};
use crate::repo::Folder;

#[derive(Default)]
pub struct HeadCache {
    folder: Mutex<Option<Kept>>,
    manifest: Mutex<Option<KeptManifest>>,
}

struct KeptManifest {
    id: Oid,
    manifest: Manifest,
    /// Whether the blob's text is what rendering `manifest` gives: then a
    /// manifest equal to it needs neither rendering nor hashing (4 MB at
    /// 10,000 resources) to be known unchanged.
    canonical: bool,
}

struct Kept {
    blobs: Blobs,
    folder: Folder,
    /// The local state file's modification time and length when read.
    state_stamp: Option<(SystemTime, u64)>,
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl HeadCache {
    /// Runs `f` on the folder at HEAD (`path` in the repository, local
    /// state from `work_dir`), brought up to date first.
    pub fn with_folder<T>(
        &self,
        repo: &Repository,
        path: &str,
        work_dir: &Path,
        f: impl FnOnce(&Folder) -> T,
    ) -> Result<T, ScanError> {
        let mut guard = self.folder.lock().unwrap_or_else(PoisonError::into_inner);
        let blobs = at_rev::blobs_at(repo, "HEAD", path)?;
        let mut kept = match guard.take() {
            Some(mut kept) => {
                let mut changed: BTreeMap<String, Option<String>> = BTreeMap::new();
                for (name, id) in &blobs {
                    if kept.blobs.get(name) != Some(id) {
                        let text = at_rev::blob_text(repo, "HEAD", name, *id)?;
                        changed.insert(name.clone(), Some(text));
                    }
                }
                for name in kept.blobs.keys().filter(|n| !blobs.contains_key(*n)) {
                    changed.insert(name.clone(), None);
                }
                // On an error the kept folder is part-updated: it is
                // dropped (taken above), and the next use reads it whole.
                kept.folder.update(&changed)?;
                kept.blobs = blobs;
                kept
            }
            None => Kept {
                folder: Folder::at_rev(repo, "HEAD", path, work_dir)?,
                blobs,
                state_stamp: stamp(&work_dir.join(LOCAL_STATE)),
            },
        };
        let local = work_dir.join(LOCAL_STATE);
        let now = stamp(&local);
        if now != kept.state_stamp {
            kept.folder.state = match now {
                Some(_) => state::read(&local)?,
                None => Default::default(),
            };
            kept.state_stamp = now;
        }
        let out = f(&kept.folder);
        *guard = Some(kept);
        Ok(out)
    }

    /// The manifest in blob `id` (its text from `read`), parsed once per blob.
    pub fn manifest(&self, id: Oid, read: impl FnOnce() -> Option<String>) -> Option<Manifest> {
        let mut guard = self.manifest.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(kept) = guard.as_ref().filter(|k| k.id == id) {
            return Some(kept.manifest.clone());
        }
        let text = read()?;
        let manifest = Manifest::parse(&text)?;
        *guard = Some(KeptManifest {
            id,
            canonical: manifest.render() == text,
            manifest: manifest.clone(),
        });
        Some(manifest)
    }

    /// Whether blob `id` is known to hold `manifest` exactly as rendered.
    pub fn holds_manifest(&self, id: Oid, manifest: &Manifest) -> bool {
        let guard = self.manifest.lock().unwrap_or_else(PoisonError::into_inner);
        guard
            .as_ref()
            .is_some_and(|k| k.id == id && k.canonical && &k.manifest == manifest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(repo: &Repository, files: &[(&str, Option<&str>)]) {
        let root = repo.workdir().expect("a work tree").to_path_buf();
        let mut index = repo.index().expect("index");
        for (name, text) in files {
            match text {
                Some(t) => {
                    std::fs::write(root.join(name), t).expect("write");
                    index.add_path(Path::new(name)).expect("add");
                }
                None => {
                    std::fs::remove_file(root.join(name)).expect("remove");
                    index.remove_path(Path::new(name)).expect("remove");
                }
            }
        }
        index.write().expect("index written");
        let tree = repo
            .find_tree(index.write_tree().expect("tree"))
            .expect("tree");
        let who = git2::Signature::now("Person", "person@example.com").expect("signature");
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        repo.commit(Some("HEAD"), &who, &who, "change", &tree, &parents)
            .expect("commit");
    }

    fn source(name: &str) -> String {
        format!("resource \"segment_source\" \"{name}\" {{\n  slug = \"{name}\"\n}}\n")
    }

    fn addresses(cache: &HeadCache, repo: &Repository, dir: &Path) -> Vec<String> {
        let mut out = cache
            .with_folder(repo, "", dir, |f| {
                f.resources.iter().map(|r| r.address()).collect::<Vec<_>>()
            })
            .expect("the folder");
        out.sort();
        out
    }

    // Sync keeps the folder between events: a person's commit in between
    // (a file changed, added, removed) and Terraform's state written
    // beside the files must show at the next event, as a fresh read would.
    #[test]
    fn the_kept_folder_follows_every_commit_and_the_local_state() {
        let dir = tempfile::tempdir().expect("dir");
        let repo = Repository::init(dir.path()).expect("repo");
        let cache = HeadCache::default();
        assert!(addresses(&cache, &repo, dir.path()).is_empty(), "no commit");
        commit(&repo, &[("a.tf", Some(&source("a")))]);
        assert_eq!(addresses(&cache, &repo, dir.path()), ["segment_source.a"]);
        let both = format!("{}{}", source("a"), source("a2"));
        commit(
            &repo,
            &[("a.tf", Some(&both)), ("b.tf", Some(&source("b")))],
        );
        assert_eq!(
            addresses(&cache, &repo, dir.path()),
            ["segment_source.a", "segment_source.a2", "segment_source.b"]
        );
        commit(&repo, &[("a.tf", None)]);
        assert_eq!(addresses(&cache, &repo, dir.path()), ["segment_source.b"]);

        let state = r#"{"resources":[{"mode":"managed","type":"segment_source","name":"b","instances":[{"attributes":{"id":"s1"}}]}]}"#;
        std::fs::write(dir.path().join(LOCAL_STATE), state).expect("state");
        let managed = cache
            .with_folder(&repo, "", dir.path(), |f| f.state.clone())
            .expect("the folder");
        assert_eq!(
            managed.get(&("segment_source".to_string(), "s1".to_string())),
            Some(&"segment_source.b".to_string())
        );
        assert_eq!(
            addresses(&cache, &repo, dir.path()),
            ["segment_source.b"],
            "an event with no commit between keeps what it had"
        );
        let kept_state = cache
            .with_folder(&repo, "", dir.path(), |f| f.state.len())
            .expect("the folder");
        assert_eq!(kept_state, 1, "the state survives an update");
    }
}
