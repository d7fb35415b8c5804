//! Whether a file can be written where a commit puts it, asked before the
//! commit: once a commit built on HEAD has moved the branch, a work-tree
//! write that fails would fail again at every restart's recovery.

use std::path::{Component, Path};

use super::Repo;

/// Longest file name Linux, macOS and Windows all take, in bytes.
const MAX_NAME: usize = 255;

impl Repo {
    /// Why `path` (repository-relative) cannot be written as a file in
    /// HEAD's tree and the work tree, with what a person can do about it;
    /// `None` when it can.
    pub fn cannot_place(&self, path: &str) -> Option<String> {
        let head = self.repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        self.cannot_place_in(head.as_ref(), path)
    }

    /// Each of `paths` that cannot be placed, with why: HEAD read once
    /// for all of an export's files.
    pub fn unplaceable<'a>(&self, paths: impl Iterator<Item = &'a str>) -> Vec<(&'a str, String)> {
        let head = self.repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        paths
            .filter_map(|p| Some((p, self.cannot_place_in(head.as_ref(), p)?)))
            .collect()
    }

    fn cannot_place_in(&self, head: Option<&git2::Tree>, path: &str) -> Option<String> {
        let rel = Path::new(path);
        if let Some(long) = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => n.to_str(),
                _ => None,
            })
            .find(|n| n.len() > MAX_NAME)
        {
            return Some(format!(
                "{path}: the name {}... has {} bytes, more than a file system takes ({MAX_NAME})",
                long.get(..40).unwrap_or(long),
                long.len()
            ));
        }
        let mut at = self.root.clone();
        let mut so_far = String::new();
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            if !so_far.is_empty() {
                so_far.push('/');
            }
            so_far.push_str(part);
            let last = i + 1 == parts.len();
            // What HEAD holds there: a person's committed folder is never
            // replaced by a file, nor their file by a folder.
            let in_head = head
                .and_then(|t| t.get_path(Path::new(&so_far)).ok())
                .map(|e| e.kind() == Some(git2::ObjectType::Tree));
            match (in_head, last) {
                (Some(true), true) => {
                    return Some(format!(
                        "{so_far} is a folder in the repository, where this file goes: rename or move that folder and commit"
                    ))
                }
                (Some(false), false) => {
                    return Some(format!(
                        "{so_far} is a file in the repository, where a folder is needed: rename or move it and commit"
                    ))
                }
                _ => {}
            }
            let Ok(meta) = std::fs::symlink_metadata(&at) else {
                continue;
            };
            if last && meta.is_dir() {
                return Some(format!(
                    "{so_far} is a folder in the work tree, where this file goes: move it away"
                ));
            }
            if !last && !meta.is_dir() {
                return Some(format!(
                    "{so_far} is a file in the work tree, where a folder is needed: move it away"
                ));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::Author;
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn a_folder_or_a_file_in_the_way_is_named_and_a_free_path_is_fine() {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repo::open(dir.path(), None).expect("open");
        let files = BTreeMap::from([("kept/notes.md".to_string(), Some("mine\n".to_string()))]);
        repo.commit(&files, &Author::generator(), "first")
            .expect("commit");
        assert_eq!(repo.cannot_place("a.tf"), None);
        assert_eq!(repo.cannot_place("kept/b.tf"), None);
        std::fs::create_dir_all(dir.path().join("x.tf")).expect("folder");
        let why = repo
            .cannot_place("x.tf")
            .expect("a folder in the work tree");
        assert!(why.contains("x.tf is a folder in the work tree"), "{why}");
        let why = repo.cannot_place("kept").expect("a folder in HEAD");
        assert!(why.contains("folder in the repository"), "{why}");
        let why = repo
            .cannot_place("kept/notes.md/c.tf")
            .expect("a file in HEAD");
        assert!(why.contains("kept/notes.md is a file"), "{why}");
        let long = format!("{}.tf", "n".repeat(300));
        let why = repo.cannot_place(&long).expect("too long");
        assert!(why.contains("303 bytes"), "{why}");
    }
}
