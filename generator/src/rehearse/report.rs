//! What `terraform apply -json` said: each diagnostic with its file and
//! line in the repository, and how many objects it created, changed and
//! deleted.

use serde::Serialize;
use serde_json::Value;

use super::safe::{OVERRIDE_FILE, PROVIDERS_FILE};

/// One diagnostic of an apply: what the workspace (or Terraform) refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// `error` or `warning`.
    pub severity: String,
    pub summary: String,
    pub detail: String,
    /// The resource it concerns, such as `segment_source.web`.
    pub address: Option<String>,
    /// Repository-relative; none when it is no file of the repository's.
    pub file: Option<String>,
    pub line: Option<u64>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub add: u64,
    pub change: u64,
    pub remove: u64,
}

/// The pull request's apply: what its plan held and what was done before
/// it ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub planned: Counts,
    pub applied: Counts,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub errors: Vec<Refusal>,
    pub warnings: Vec<Refusal>,
    pub changes: Changes,
}

/// Reads Terraform's machine-readable UI, one JSON object a line; `path`
/// is the folder inside the repository.
pub fn parse(stdout: &str, path: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        match message["type"].as_str() {
            Some("diagnostic") => {
                let refusal = refusal(&message["diagnostic"], path);
                match refusal.severity.as_str() {
                    "error" => parsed.errors.push(refusal),
                    _ => parsed.warnings.push(refusal),
                }
            }
            Some("change_summary") if message["changes"]["operation"] == "plan" => {
                let c = &message["changes"];
                let n = |k: &str| c[k].as_u64().unwrap_or(0);
                parsed.changes.planned = Counts {
                    add: n("add"),
                    change: n("change"),
                    remove: n("remove"),
                };
            }
            Some("apply_complete") => {
                let applied = &mut parsed.changes.applied;
                match message["hook"]["action"].as_str() {
                    Some("create") => applied.add += 1,
                    Some("update") => applied.change += 1,
                    Some("delete") => applied.remove += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    parsed
}

fn refusal(d: &Value, path: &str) -> Refusal {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let file = d["range"]["filename"]
        .as_str()
        .filter(|f| *f != OVERRIDE_FILE && *f != PROVIDERS_FILE)
        .map(|f| match path.trim_matches('/') {
            "" => f.to_string(),
            dir => format!("{dir}/{f}"),
        });
    Refusal {
        severity: text(&d["severity"]),
        summary: text(&d["summary"]),
        detail: text(&d["detail"]),
        address: d["address"].as_str().map(str::to_string),
        line: file.as_ref().and(d["range"]["start"]["line"].as_u64()),
        file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_name_the_repository_file_and_line_and_changes_are_counted() {
        let out = [
            r#"{"type":"change_summary","changes":{"add":2,"change":1,"import":0,"remove":0,"operation":"plan"}}"#,
            r#"{"type":"apply_complete","hook":{"action":"create"}}"#,
            r#"{"type":"diagnostic","diagnostic":{"severity":"error","summary":"Conflict","detail":"slug taken","address":"segment_source.b","range":{"filename":"sources.tf","start":{"line":7}}}}"#,
            r#"{"type":"diagnostic","diagnostic":{"severity":"warning","summary":"w","detail":"","range":{"filename":"zz_rehearsal_override.tf","start":{"line":2}}}}"#,
            "not json",
        ]
        .join("\n");
        let p = parse(&out, "segment/");
        assert_eq!(
            p.changes.planned,
            Counts {
                add: 2,
                change: 1,
                remove: 0
            }
        );
        assert_eq!(
            p.changes.applied,
            Counts {
                add: 1,
                change: 0,
                remove: 0
            }
        );
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].file.as_deref(), Some("segment/sources.tf"));
        assert_eq!(p.errors[0].line, Some(7));
        assert_eq!(p.errors[0].address.as_deref(), Some("segment_source.b"));
        assert_eq!(
            (p.warnings[0].file.as_ref(), p.warnings[0].line),
            (None, None)
        );
    }
}
