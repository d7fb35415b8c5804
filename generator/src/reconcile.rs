//! Brings the folder in line with the workspace: new objects get a file,
//! known ones (by import block, natural key or Terraform state) are edited
//! in place attribute by attribute, vanished ones are removed.

use std::collections::{BTreeMap, HashMap};

use segment_resources::engine::Engine;

use crate::base::Base;
use crate::deletion::{OnDelete, Removed};
use crate::desired::Desired;
use crate::files::Manifest;
use crate::repo::Folder;

mod declare;
mod draft;
mod existing;
mod identity;
mod removal;

/// What to do with the folder.
pub struct Request<'a> {
    pub desired: &'a [Desired],
    /// `(type, import id)` of objects known to be gone.
    pub gone: &'a [(String, String)],
    /// Everything the folder imports that `desired` lacks is gone too.
    pub full: bool,
    /// `(type, id)` → address, from Terraform state (`--state`); the
    /// folder's own local state counts too.
    pub state: &'a HashMap<(String, String), String>,
    pub manifest: &'a Manifest,
    /// Sync's three-way base; `None`: live wins wherever it differs.
    pub base: Option<&'a Base>,
    /// What becomes of the block of an object the workspace deleted.
    pub on_delete: OnDelete,
}

/// The result: new file contents (`None`: delete) and what changed.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: BTreeMap<String, Option<String>>,
    pub manifest: Manifest,
    pub summary: Vec<String>,
    /// The base after this change (see [`crate::base`]).
    pub base: Base,
    /// What Terraform would reject in files left unedited for it, each with
    /// file, line and the fix.
    pub errors: Vec<String>,
    /// Objects the folder declared that the workspace no longer has (their
    /// blocks removed, or kept under `--on-delete keep`).
    pub removed: Vec<Removed>,
}

/// The steps: place each object (import block, state, natural key, else a
/// new name), declare the placed ones, remove the gone ones, then gather
/// the files and the manifest.
pub fn reconcile(engine: &Engine, folder: &Folder, req: &Request) -> Outcome {
    let started = std::time::Instant::now();
    let mut addresses = identity::declared_addresses(folder, req.manifest);
    let mut placing = identity::Placing::default();
    let unplaced = placing.by_import_or_state(folder, req, &mut addresses);
    let fresh = placing.by_natural_key(engine, folder, unplaced, &mut addresses);
    placing.name_fresh(fresh, &mut addresses);

    let mut draft = draft::Draft::new(engine, folder, req, std::mem::take(&mut placing.skipped));
    for p in &placing.placed {
        draft.declare(p, &addresses);
    }
    draft.remove_gone();
    let out = draft.finish();
    tracing::debug!(
        desired = req.desired.len(),
        files = out.files.len(),
        elapsed = ?started.elapsed(),
        "reconciled"
    );
    out
}

#[cfg(test)]
mod tests;
