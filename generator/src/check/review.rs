//! The review of a plan: one entry per change, its class and reasons.
//!
//! `--format json` writes [`Review`] as it is; its shape is stable
//! (`version` changes when it does not stay compatible):
//!
//! ```json
//! {
//!   "version": 1,
//!   "summary": { "breaking": 1, "caution": 0, "safe": 2 },
//!   "changes": [
//!     {
//!       "address": "segment_destination.web_amplitude",
//!       "type": "segment_destination",
//!       "actions": ["delete"],
//!       "class": "breaking",
//!       "reasons": ["source `Web` (id ...) stops sending to destination `Amplitude` (id ...)"]
//!     }
//!   ]
//! }
//! ```
//!
//! `changes` is ordered breaking first, then caution, then safe, each by
//! address; `actions` is Terraform's list as the plan has it; no-ops are
//! left out. No reason holds a settings value or a sensitive value.

use serde::Serialize;

/// How much a reviewer must care, least first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Safe,
    Caution,
    Breaking,
}

/// One reason, with the class it gives its change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub class: Class,
    pub text: String,
}

impl Reason {
    pub fn breaking(text: impl Into<String>) -> Reason {
        Reason {
            class: Class::Breaking,
            text: text.into(),
        }
    }
    pub fn caution(text: impl Into<String>) -> Reason {
        Reason {
            class: Class::Caution,
            text: text.into(),
        }
    }
    pub fn safe(text: impl Into<String>) -> Reason {
        Reason {
            class: Class::Safe,
            text: text.into(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Reviewed {
    pub address: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub actions: Vec<String>,
    pub class: Class,
    pub reasons: Vec<String>,
}

impl Reviewed {
    /// The change's class is its most severe reason's; the reasons are
    /// listed most severe first.
    pub fn new(
        address: &str,
        type_name: &str,
        actions: &[String],
        mut reasons: Vec<Reason>,
    ) -> Reviewed {
        reasons.sort_by_key(|r| std::cmp::Reverse(r.class));
        reasons.dedup();
        Reviewed {
            address: address.to_string(),
            type_name: type_name.to_string(),
            actions: actions.to_vec(),
            class: reasons.first().map_or(Class::Safe, |r| r.class),
            reasons: reasons.into_iter().map(|r| r.text).collect(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub breaking: usize,
    pub caution: usize,
    pub safe: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Review {
    pub version: u32,
    pub summary: Summary,
    pub changes: Vec<Reviewed>,
}

impl Review {
    pub fn new(mut changes: Vec<Reviewed>) -> Review {
        changes.sort_by(|a, b| {
            b.class
                .cmp(&a.class)
                .then_with(|| a.address.cmp(&b.address))
        });
        let count = |c: Class| changes.iter().filter(|x| x.class == c).count();
        Review {
            version: 1,
            summary: Summary {
                breaking: count(Class::Breaking),
                caution: count(Class::Caution),
                safe: count(Class::Safe),
            },
            changes,
        }
    }

    /// Whether a change of `class` or more severe is present.
    pub fn has(&self, class: Class) -> bool {
        self.changes.iter().any(|c| c.class >= class)
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        text.push('\n');
        text
    }
}
