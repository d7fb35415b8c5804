//! The change being made: edits to existing files, new files, the manifest
//! entries, and the files left unedited because Terraform would reject them.

use std::collections::{BTreeMap, HashSet};

use segment_resources::engine::Engine;

use super::{Outcome, Request};
use crate::files::{Manifest, ManifestEntry};
use crate::kinds;
use crate::repo::edit::Edits;
use crate::repo::{check, Folder};

pub(super) struct Draft<'a> {
    pub engine: &'a Engine,
    pub folder: &'a Folder,
    pub req: &'a Request<'a>,
    pub out: Outcome,
    /// What Terraform would reject, by file.
    pub problems: BTreeMap<String, Vec<String>>,
    /// Files with a problem that this change would have edited.
    pub refused_files: Vec<String>,
    pub edits: BTreeMap<String, Edits>,
    pub new_files: BTreeMap<String, String>,
    /// Lower-cased: macOS and Windows make `Web.tf` and `web.tf` one file.
    pub files_taken: HashSet<String>,
    pub entries: BTreeMap<(String, String), ManifestEntry>,
}

impl<'a> Draft<'a> {
    /// A full export starts from nothing: no base, no manifest, and every
    /// file with a problem is reported.
    pub fn new(
        engine: &'a Engine,
        folder: &'a Folder,
        req: &'a Request<'a>,
        skipped: Vec<String>,
    ) -> Self {
        let problems = check::problems(engine, folder);
        let refused_files = if req.full {
            problems.keys().cloned().collect()
        } else {
            Vec::new()
        };
        Draft {
            engine,
            folder,
            req,
            out: Outcome {
                summary: skipped,
                base: req.base.filter(|_| !req.full).cloned().unwrap_or_default(),
                ..Outcome::default()
            },
            problems,
            refused_files,
            edits: BTreeMap::new(),
            new_files: BTreeMap::new(),
            files_taken: folder.files.keys().map(|f| f.to_lowercase()).collect(),
            entries: req
                .manifest
                .resources
                .iter()
                .filter(|_| !req.full)
                .map(|e| ((e.type_name.clone(), e.import_id.clone()), e.clone()))
                .collect(),
        }
    }

    /// The outcome: the refused files' problems, every edited file's new
    /// text (`None` when nothing is left in it), the manifest parents first.
    pub fn finish(self) -> Outcome {
        let Draft {
            folder,
            req,
            mut out,
            problems,
            mut refused_files,
            edits,
            new_files,
            entries,
            ..
        } = self;
        refused_files.sort();
        refused_files.dedup();
        for f in refused_files {
            out.errors
                .extend(problems.get(&f).into_iter().flatten().cloned());
        }
        for (file, e) in edits {
            if e.is_empty() {
                continue;
            }
            let text = e.apply(&folder.files[&file]);
            let empty = hcl_edit::parser::parse_body(&text).is_ok_and(|b| b.is_empty());
            out.files
                .insert(file, if empty { None } else { Some(text) });
        }
        for (file, text) in new_files {
            out.files.insert(file, Some(text));
        }
        let mut manifest: Vec<ManifestEntry> = entries.into_values().collect();
        manifest.sort_by(|a, b| {
            (kinds::rank(&a.type_name), &a.address).cmp(&(kinds::rank(&b.type_name), &b.address))
        });
        out.manifest = Manifest {
            resources: manifest,
            spaces: req.manifest.spaces.clone(),
            protected: req.manifest.protected.clone(),
        };
        out
    }
}
