//! `check --rehearse`: the rehearsal's answer in the review. The replica's
//! refusals come from Terraform's diagnostics, which name attributes and
//! the API's messages, never a settings value.

use std::path::PathBuf;

use crate::rehearse::{self, Refusal, Rehearsal, RehearseOptions, Revision};

/// `check`'s rehearsal flags.
#[derive(Debug, Clone, clap::Args)]
pub struct RehearseArgs {
    /// Apply the base, then the pull request, to a local replica (the
    /// `segment-workspace` program on PATH, nothing sent to production) and
    /// report what it refused, with file and line. Needs --base.
    #[arg(long, requires = "base")]
    pub rehearse: bool,
    /// The revision production runs (the pull request's target branch).
    #[arg(long, value_name = "REF", requires = "rehearse")]
    pub base: Option<String>,
    /// The pull request's revision (default: HEAD; `worktree` for the
    /// files on disk, committed or not).
    #[arg(
        long,
        value_name = "REF",
        default_value = "HEAD",
        requires = "rehearse"
    )]
    pub head: String,
    /// The repository.
    #[arg(long, default_value = ".", requires = "rehearse")]
    pub repo: PathBuf,
    /// The exported folder inside it (`--path` of export).
    #[arg(long, default_value = "", requires = "rehearse")]
    pub path: String,
}

impl RehearseArgs {
    pub fn options(&self) -> Option<RehearseOptions> {
        let base = self.base.as_deref().filter(|_| self.rehearse)?;
        let mut options = RehearseOptions::new(&self.repo, &self.path, base);
        options.head = match self.head.as_str() {
            "worktree" => Revision::WorkTree,
            rev => Revision::Commit(rev.to_string()),
        };
        Some(options)
    }
}

pub async fn run(options: &RehearseOptions) -> Result<Rehearsal, rehearse::RehearseError> {
    rehearse::rehearse(options).await
}

/// The rehearsal as a section of the pull-request comment.
pub fn markdown(r: &Rehearsal) -> String {
    let mut out = String::from("### Rehearsal on a local replica\n\n");
    if !r.base_applied {
        out.push_str(
            "The base did not apply to an empty replica, so the pull request was not \
             rehearsed (the replica cannot hold production's configuration; this is not \
             the pull request's doing):\n\n",
        );
        list(&mut out, &r.base_refusals);
        return out;
    }
    let (p, a) = (r.changes.planned, r.changes.applied);
    if r.refusals.is_empty() {
        out.push_str(&format!(
            "The pull request applied cleanly: {} added, {} changed, {} removed.\n",
            a.add, a.change, a.remove
        ));
    } else {
        out.push_str(&format!(
            "**The replica refused {} change(s)**; production would too, after applying \
             {} of the {} planned change(s):\n\n",
            r.refusals.len(),
            a.add + a.change + a.remove,
            p.add + p.change + p.remove
        ));
        list(&mut out, &r.refusals);
    }
    if !r.warnings.is_empty() {
        out.push_str("\nWarnings:\n\n");
        list(&mut out, &r.warnings);
    }
    out
}

fn list(out: &mut String, refusals: &[Refusal]) {
    for f in refusals {
        let place = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!("`{file}:{line}` "),
            (Some(file), None) => format!("`{file}` "),
            _ => String::new(),
        };
        let address = f
            .address
            .as_deref()
            .map(|a| format!("`{a}`: "))
            .unwrap_or_default();
        let detail = f.detail.lines().next().unwrap_or("").trim();
        out.push_str(&format!("- {place}{address}{}", f.summary.trim()));
        if !detail.is_empty() {
            out.push_str(&format!(" ({detail})"));
        }
        out.push('\n');
    }
}
