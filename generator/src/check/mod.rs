//! `segment-gitops check`: a review of a Terraform plan for the pull
//! request that proposes it.
//!
//! It reads `terraform show -json PLANFILE` ([`plan`]), classifies every
//! change as breaking, caution or safe and says what it means in workspace
//! terms ([`classify`], [`update`], [`schema`]), and writes Markdown for a
//! comment ([`markdown`]) or JSON of a stable shape ([`review`]). The plan
//! JSON holds secrets in clear: only names, ids and attribute paths leave
//! this module.

pub mod classify;
pub mod markdown;
pub mod names;
pub mod plan;
pub mod rehearsal;
pub mod review;
pub mod schema;
pub mod update;

#[cfg(test)]
mod tests;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use review::{Class, Review};

/// Exit status when `--fail-on` finds a change of its class.
pub const FAILED_CHECK: u8 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

/// `check`'s flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan as JSON: `terraform show -json PLANFILE > PLAN.json`
    /// (`-` reads it from stdin). It holds secrets in clear: keep it out of
    /// Git and out of logs.
    #[arg(long, value_name = "PLAN.json", required_unless_present = "rehearse")]
    pub plan: Option<PathBuf>,
    /// Markdown for a pull-request comment, or JSON for policy tools.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: Format,
    /// Exit 3 when a change of this class is present (caution includes
    /// breaking).
    #[arg(long, value_enum, value_name = "CLASS")]
    pub fail_on: Option<FailOn>,
    #[command(flatten)]
    pub rehearsal: rehearsal::RehearseArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Breaking,
    Caution,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("reading the plan {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "--plan {path} is not JSON of a plan ({reason}): give the output of \
         `terraform show -json PLANFILE`"
    )]
    NotJson { path: String, reason: String },
    #[error(
        "--plan {path} is not a plan (no planned values): give the output of \
         `terraform show -json PLANFILE`, not of a state"
    )]
    NotAPlan { path: String },
    #[error(
        "--plan {path} is the plan of a `terraform plan` that failed: fix the errors it \
         reported and plan again"
    )]
    Errored { path: String },
    #[error("the rehearsal could not run: {0}")]
    Rehearse(#[from] crate::rehearse::RehearseError),
}

/// The review of the plan JSON `text`.
pub fn review(text: &str, path: &str) -> Result<Review, CheckError> {
    let parsed: plan::Plan = serde_json::from_str(text).map_err(|e| CheckError::NotJson {
        path: path.to_string(),
        // serde's own message may quote the text it read, a secret maybe.
        reason: format!(
            "{:?} error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ),
    })?;
    if parsed.format_version.is_none() || parsed.planned_values.is_none() {
        return Err(CheckError::NotAPlan {
            path: path.to_string(),
        });
    }
    if parsed.errored {
        return Err(CheckError::Errored {
            path: path.to_string(),
        });
    }
    let index = plan::Index::new(&parsed);
    Ok(Review::new(
        parsed
            .resource_changes
            .iter()
            .filter_map(|rc| classify::classify(rc, &index))
            .collect(),
    ))
}

fn read(path: &Path) -> Result<String, CheckError> {
    let shown = path.display().to_string();
    let fail = |source| CheckError::Read {
        path: shown.clone(),
        source,
    };
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(fail)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(fail)
    }
}

/// Runs `check`: the review on stdout, and the exit status `--fail-on`
/// asks; a rehearsal the replica refused exits 3 too (the apply would fail).
pub async fn run(args: &Args) -> Result<ExitCode, CheckError> {
    let review = match &args.plan {
        Some(path) => Some(review(&read(path)?, &path.display().to_string())?),
        None => None,
    };
    let rehearsed = match args.rehearsal.options() {
        Some(options) => Some(rehearsal::run(&options).await?),
        None => None,
    };
    let out = match args.format {
        Format::Markdown => {
            let mut out = review.as_ref().map(markdown::render).unwrap_or_default();
            if let Some(r) = &rehearsed {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&rehearsal::markdown(r));
            }
            out
        }
        Format::Json => {
            // The review's shape, with `rehearsal` beside it when asked.
            let mut json = review
                .as_ref()
                .and_then(|r| serde_json::to_value(r).ok())
                .unwrap_or_else(|| serde_json::json!({ "version": 1 }));
            if let (Some(r), Some(map)) = (&rehearsed, json.as_object_mut()) {
                map.insert(
                    "rehearsal".into(),
                    serde_json::to_value(r).unwrap_or_default(),
                );
            }
            let mut text = serde_json::to_string_pretty(&json).unwrap_or_else(|_| "{}".into());
            text.push('\n');
            text
        }
    };
    {
        use std::io::Write;
        // A closed stdout (`| head`) is the reader's choice, not an error.
        let _ = std::io::stdout().lock().write_all(out.as_bytes());
    }
    let threshold = args.fail_on.map(|f| match f {
        FailOn::Breaking => Class::Breaking,
        FailOn::Caution => Class::Caution,
    });
    let refused = rehearsed
        .as_ref()
        .is_some_and(|r| !r.base_applied || !r.refusals.is_empty());
    let failed = threshold.is_some_and(|class| review.as_ref().is_some_and(|r| r.has(class)));
    Ok(if failed || refused {
        ExitCode::from(FAILED_CHECK)
    } else {
        ExitCode::SUCCESS
    })
}
