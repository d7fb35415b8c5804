//! One object's change to the folder, built on HEAD: what an event commits
//! and what a retry of an unwritten object commits.

use std::collections::BTreeMap;

use crate::base::Base;
use crate::deletion::Removed;
use crate::desired;
use crate::inventory::Live;
use crate::reconcile::{self, Request};
use crate::session::Session;
use crate::unwritten::{judge, Failure};

/// Files to commit (repository-relative; `None` deletes), what changed,
/// and the base after it (committed with the change, or carried to the
/// next commit when no file changed).
pub struct Change {
    pub files: BTreeMap<String, Option<String>>,
    pub summary: Vec<String>,
    pub base: Base,
    /// Objects the workspace deleted that the folder declared.
    pub removed: Vec<Removed>,
}

/// Re-reads the object live (`import_id` when known, else found by its
/// audit id) and builds the folder's change for it. A read the workspace
/// refuses for this object alone, or a file that cannot be placed, is the
/// object's own failure.
pub async fn object_change(
    session: &Session,
    type_name: &'static str,
    audit_id: &str,
    import_id: Option<&str>,
    base: Option<&Base>,
) -> Result<Change, Failure> {
    let manifest = session.manifest();
    let live = match import_id {
        Some(id) => Some(Live {
            type_name,
            import_id: id.to_string(),
            audit_id: audit_id.to_string(),
        }),
        None => match super::locate::locate(session, &manifest, type_name, audit_id).await {
            Ok(l) => l,
            Err(e) => return Err(judge(&session.api, e, None).await),
        },
    };
    let import_id = live.as_ref().map(|l| l.import_id.clone());
    let found = match &live {
        Some(l) => match desired::read_one(&session.engine, &session.api, l.clone()).await {
            Ok(found) => found,
            Err(e) => return Err(judge(&session.api, e.into(), import_id.as_deref()).await),
        },
        None => None,
    };
    let gone: Vec<(String, String)> = match (&live, &found) {
        (Some(l), None) => vec![(l.type_name.to_string(), l.import_id.clone())],
        _ => Vec::new(),
    };
    let desired: Vec<_> = found.into_iter().collect();
    let build = |folder: &crate::repo::Folder| {
        let outcome = reconcile::reconcile(
            &session.engine,
            folder,
            &Request {
                desired: &desired,
                gone: &gone,
                full: false,
                state: session.state(),
                manifest: &manifest,
                base,
                on_delete: session.on_delete,
            },
        );
        // Asked before the commit: after it, a failing write would fail
        // again at every restart.
        if let Some(reason) = outcome
            .files
            .keys()
            .find_map(|f| session.repo.cannot_place(&session.in_folder(f)))
        {
            return Err(Failure::Object {
                import_id: import_id.clone(),
                reason,
            });
        }
        let mut files = session.framing(folder, &outcome.manifest);
        for (file, text) in &outcome.files {
            files.insert(session.in_folder(file), text.clone());
        }
        for e in &outcome.errors {
            eprintln!("segment-gitops: {e}; this file was left as it is: fix it and commit, and a later sync writes the workspace's values");
        }
        Ok(Change {
            files,
            summary: outcome.summary,
            base: outcome.base,
            removed: outcome.removed,
        })
    };
    // HEAD, not the work tree: a person's uncommitted edits are not the
    // repository's, and a change already in the work tree but not in HEAD
    // still goes into the commit.
    session.with_head_folder(build).map_err(Failure::Fatal)?
}
