//! The base an event moved without a commit. Events that change no file
//! make no commit, but they do move the base (the value sync last saw
//! live): lose that and a person's later commit to the same attribute
//! looks like a change of theirs to the workspace's older value, and the
//! next event writes the workspace's value over it. So the moved base
//! waits in the Git directory (never in the work tree, never committed),
//! keyed by HEAD's cursor file: it extends that commit's state only, and a
//! person's commit, which leaves the cursor alone, keeps it valid.

use serde::{Deserialize, Serialize};

use crate::base::Base;
use crate::files;
use crate::session::Session;

#[derive(Serialize, Deserialize)]
struct Pending {
    /// HEAD's cursor file when the base moved (`None`: no cursor yet).
    head_cursor: Option<String>,
    base: String,
}

fn path(session: &Session) -> std::path::PathBuf {
    let folder = session.in_folder(files::CURSOR).replace(['/', '\\'], "_");
    session
        .repo
        .repo
        .path()
        .join("segment-gitops")
        .join(format!("pending-base-{folder}"))
}

/// The moved base, when it extends HEAD's cursor `head_cursor`.
pub fn read(session: &Session, head_cursor: &Option<String>) -> Option<Base> {
    let text = std::fs::read_to_string(path(session)).ok()?;
    let pending: Pending = serde_json::from_str(&text).ok()?;
    if &pending.head_cursor != head_cursor {
        return None;
    }
    Base::parse(&pending.base)
}

/// Keeps `base` for a restart. A failure costs only what it guards, so it
/// is reported and sync goes on.
pub fn write(session: &Session, head_cursor: &Option<String>, base: &Base) {
    let file = path(session);
    let pending = Pending {
        head_cursor: head_cursor.clone(),
        base: base.render(),
    };
    let written = serde_json::to_string(&pending)
        .map_err(std::io::Error::other)
        .and_then(|text| {
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = file.with_extension("tmp");
            std::fs::write(&tmp, text)?;
            std::fs::rename(&tmp, &file)
        });
    if let Err(e) = written {
        eprintln!(
            "segment-gitops: could not keep the base of an event that changed no file ({}): {e}",
            file.display()
        );
    }
}

/// A commit carried the base: nothing waits any more.
pub fn clear(session: &Session) {
    let _ = std::fs::remove_file(path(session));
}
