//! What sync does with an object the workspace deleted (`--on-delete`):
//! the one place the policy is decided. Reconcile asks [`OnDelete::keeps_block`]
//! while it edits the folder; sync and export ask [`refuse`] before they
//! commit a removal.

use std::fmt;

/// Exit status of a run stopped by `--on-delete fail` (0 done, 1 error,
/// 2 drift, 3 `check`'s findings).
pub const EXIT_REFUSED: u8 = 4;

/// The policy for objects deleted in the workspace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OnDelete {
    /// Delete the block (and its import block and secret variables) in a
    /// commit naming who deleted the object.
    #[default]
    Remove,
    /// Keep the block, drop its import block and the manifest's claim:
    /// the next apply recreates the object.
    Keep,
    /// Stop before the event, with exit status 4, the cursor before it.
    Fail,
}

impl OnDelete {
    /// Whether the resource block stays when its object is gone.
    pub fn keeps_block(self) -> bool {
        self == OnDelete::Keep
    }
}

impl fmt::Display for OnDelete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OnDelete::Remove => "remove",
            OnDelete::Keep => "keep",
            OnDelete::Fail => "fail",
        })
    }
}

/// An object the folder declared and the workspace no longer has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removed {
    pub type_name: String,
    pub import_id: String,
    pub address: String,
}

/// A removal `--on-delete fail` refused: nothing was committed for it.
#[derive(Debug, thiserror::Error)]
#[error(
    "{address} ({type_name} {import_id:?}) was deleted in the workspace by {who}{event}; \
     stopped before that change (--on-delete fail), the cursor stays before it. \
     Run sync again with --on-delete remove to delete its block, or --on-delete keep \
     to keep the block without its import block (the next apply recreates the object)"
)]
pub struct Refused {
    pub address: String,
    pub type_name: String,
    pub import_id: String,
    pub who: String,
    /// ` (event ID, KIND)`, or empty for an export.
    pub event: String,
}

/// `Err` when `policy` forbids the first of `removed`; `who` deleted it
/// (an event's actor), `event` names the event when there is one.
pub fn refuse(
    policy: OnDelete,
    removed: &[Removed],
    who: &str,
    event: Option<(&str, &str)>,
) -> Result<(), Refused> {
    let Some(r) = removed.first().filter(|_| policy == OnDelete::Fail) else {
        return Ok(());
    };
    Err(Refused {
        address: r.address.clone(),
        type_name: r.type_name.clone(),
        import_id: r.import_id.clone(),
        who: who.to_string(),
        event: event
            .map(|(id, kind)| format!(" (event {id}, {kind})"))
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gone() -> Vec<Removed> {
        vec![Removed {
            type_name: "segment_source".into(),
            import_id: "src_1".into(),
            address: "segment_source.web".into(),
        }]
    }

    #[test]
    fn only_fail_refuses_and_its_message_names_object_actor_and_flag() {
        assert!(refuse(OnDelete::Remove, &gone(), "a@b.c", None).is_ok());
        assert!(refuse(OnDelete::Keep, &gone(), "a@b.c", None).is_ok());
        assert!(refuse(OnDelete::Fail, &[], "a@b.c", None).is_ok());
        let e = refuse(
            OnDelete::Fail,
            &gone(),
            "a@b.c",
            Some(("ev1", "Source Deleted")),
        )
        .expect_err("refused")
        .to_string();
        for part in [
            "segment_source.web",
            "\"src_1\"",
            "a@b.c",
            "ev1",
            "--on-delete remove",
            "--on-delete keep",
        ] {
            assert!(e.contains(part), "{part} missing in {e}");
        }
    }
}
