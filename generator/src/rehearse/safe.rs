//! Makes a copy of the folder safe to apply to the replica: import blocks
//! blanked (the replica starts empty; their lines stay, so Terraform's line
//! numbers are the repository's), and an override file that points every
//! configuration of the Segment provider at the replica and the state at a
//! local file, whatever the provider blocks or the backend say.
//!
//! Terraform's override rules ("Override Files" in its documentation):
//! override files are merged after the others, in lexicographic order; a
//! `provider` block merges into the one with the same name and `alias`
//! (an override with no such block is an error, so blocks the folder lacks
//! go in an ordinary file); a `backend` block in an override replaces the
//! original's `backend`, and is used over an original `cloud` block.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, BlockLabel, Body};
use hcl_edit::Span;

use super::copy::Files;
use super::RehearseError;
use crate::hcl::write::quote;

/// Ours: sorts after the names people give override files.
pub const OVERRIDE_FILE: &str = "zz_rehearsal_override.tf";
/// Provider blocks the folder does not have (an override needs a base).
pub const PROVIDERS_FILE: &str = "zz_rehearsal_providers.tf";
/// What a secret variable left null holds in the rehearsal.
pub const PLACEHOLDER: &str = "rehearsal-placeholder";

/// The copy to write, and what the rehearsal must give Terraform.
#[derive(Debug, Default)]
pub struct Prepared {
    pub files: Files,
    /// Variables to set with `TF_VAR_<name>` = [`PLACEHOLDER`].
    pub secrets: BTreeSet<String>,
}

#[derive(Default)]
struct Seen {
    /// Local names that mean the Segment provider.
    names: BTreeSet<String>,
    /// Those that `required_providers` declares.
    declared: BTreeSet<String>,
    /// (local name, alias) of every provider block of those names.
    blocks: BTreeSet<(String, Option<String>)>,
    /// Provider blocks of any name, checked once `names` is complete.
    any_blocks: Vec<(String, Result<Option<String>, String>)>,
}

/// `files` made safe; `url` is the replica's, `state` the local state file.
pub fn prepare(
    files: &Files,
    rev: &str,
    url: &str,
    state: &str,
) -> Result<Prepared, RehearseError> {
    let unsafe_ = |reason: String| RehearseError::Unsafe {
        rev: rev.to_string(),
        reason,
    };
    let mut seen = Seen::default();
    seen.names.insert("segment".into());
    let mut out = Prepared::default();
    for (name, text) in files {
        if is_override(name) && name.as_str() >= OVERRIDE_FILE {
            return Err(unsafe_(format!(
                "{name} is an override file that Terraform would merge after the rehearsal's \
                 own ({OVERRIDE_FILE}), so it could point the provider back at production; \
                 rename it to sort before {OVERRIDE_FILE}"
            )));
        }
        let body: Body = hcl_edit::parser::parse_body(text).map_err(|e| RehearseError::Syntax {
            rev: rev.to_string(),
            file: name.clone(),
            message: e.to_string(),
        })?;
        let mut blank: Vec<Range<usize>> = Vec::new();
        for block in body.blocks() {
            match (block.ident.value().as_str(), label(block)) {
                ("import", _) => blank.extend(block.span()),
                ("module", l) => {
                    return Err(unsafe_(format!(
                        "module \"{}\" in {name}: a module's own provider blocks and backend \
                         are outside the folder the rehearsal overrides; rehearse a folder \
                         without module blocks",
                        l.unwrap_or_default()
                    )))
                }
                ("terraform", _) => segment_names(&block.body, &mut seen.declared),
                ("provider", Some(local)) => {
                    seen.any_blocks.push((local, alias(&block.body)));
                }
                ("variable", Some(var)) if secret_without_value(&block.body) => {
                    out.secrets.insert(var);
                }
                _ => {}
            }
        }
        out.files.insert(name.clone(), blanked(text, &blank));
    }
    seen.names.extend(seen.declared.iter().cloned());
    for (local, alias) in std::mem::take(&mut seen.any_blocks) {
        if !seen.names.contains(&local) {
            continue;
        }
        let alias = alias.map_err(|why| {
            unsafe_(format!(
                "provider \"{local}\" has an alias the rehearsal cannot read ({why}), so it \
                 cannot point that configuration at the replica; write the alias as a \
                 quoted string"
            ))
        })?;
        seen.blocks.insert((local, alias));
    }
    out.files
        .insert(OVERRIDE_FILE.into(), override_text(&seen, url, state));
    if let Some(extra) = missing_defaults(&seen, url) {
        out.files.insert(PROVIDERS_FILE.into(), extra);
    }
    Ok(out)
}

fn is_override(name: &str) -> bool {
    let stem = name.strip_suffix(".tf").unwrap_or(name);
    stem == "override" || stem.ends_with("_override")
}

fn label(block: &Block) -> Option<String> {
    block.labels.first().map(|l| match l {
        BlockLabel::Ident(i) => i.value().as_str().to_string(),
        BlockLabel::String(s) => s.value().clone(),
    })
}

/// Local names in `required_providers` whose source is a Segment provider
/// (ours, `segment-gitops/segment`, or the official `segmentio/segment`).
fn segment_names(terraform: &Body, names: &mut BTreeSet<String>) {
    for required in terraform.get_blocks("required_providers") {
        for attr in required.body.attributes() {
            let Expression::Object(spec) = &attr.value else {
                continue;
            };
            let source = spec.iter().find_map(|(k, v)| {
                let key = match k {
                    ObjectKey::Ident(i) => i.value().as_str(),
                    ObjectKey::Expression(e) => e.as_str()?,
                };
                (key == "source").then(|| v.expr().as_str()).flatten()
            });
            if source.is_some_and(|s| s.rsplit('/').next() == Some("segment")) {
                names.insert(attr.key.value().as_str().to_string());
            }
        }
    }
}

/// The block's alias: none, a literal, or why it is neither.
fn alias(provider: &Body) -> Result<Option<String>, String> {
    let Some(attr) = provider.get_attribute("alias") else {
        return Ok(None);
    };
    match &attr.value {
        Expression::String(s) => Ok(Some(s.value().clone())),
        // `alias = eu` is accepted by Terraform as a bare word, too.
        Expression::Variable(v) => Ok(Some(v.value().as_str().to_string())),
        other => Err(format!("`alias = {}`", other.to_string().trim())),
    }
}

/// `sensitive = true` and no value but null: the generator's secret
/// variables (`files::variable_block`), which a replica needs filled.
fn secret_without_value(variable: &Body) -> bool {
    let sensitive = variable
        .get_attribute("sensitive")
        .is_some_and(|a| matches!(&a.value, Expression::Bool(b) if *b.value()));
    let default_null = variable
        .get_attribute("default")
        .is_none_or(|a| a.value.is_null());
    sensitive && default_null
}

/// `text` with every range replaced by its newlines alone.
fn blanked(text: &str, ranges: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        out.push_str(&text[at..r.start]);
        out.extend(text[r.clone()].chars().filter(|c| *c == '\n'));
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

fn provider_block(local: &str, alias: Option<&str>, url: &str) -> String {
    let alias = alias.map_or(String::new(), |a| format!("  alias = {}\n", quote(a)));
    // The token comes from PUBLIC_API_TOKEN (the replica's): null here
    // drops whatever the folder's block says, and no file holds a token.
    format!(
        "provider {} {{\n{alias}  url   = {}\n  token = null\n}}\n",
        quote(local),
        quote(url)
    )
}

fn override_text(seen: &Seen, url: &str, state: &str) -> String {
    let mut text = format!(
        "# Written by the rehearsal: the replica, never production.\nterraform {{\n  backend \"local\" {{\n    path = {}\n  }}\n}}\n",
        quote(state)
    );
    for (local, alias) in &seen.blocks {
        text.push('\n');
        text.push_str(&provider_block(local, alias.as_deref(), url));
    }
    text
}

/// Default (unaliased) blocks for Segment names the folder configures
/// only by environment, so that the URL is the replica's by configuration.
fn missing_defaults(seen: &Seen, url: &str) -> Option<String> {
    let mut with_block: BTreeMap<&str, bool> = BTreeMap::new();
    for (local, alias) in &seen.blocks {
        *with_block.entry(local).or_default() |= alias.is_none();
    }
    let used: BTreeSet<&str> = seen
        .declared
        .iter()
        .map(String::as_str)
        .chain(with_block.keys().copied())
        .collect();
    let missing: Vec<String> = used
        .into_iter()
        .filter(|n| !with_block.get(n).copied().unwrap_or(false))
        .map(|n| provider_block(n, None, url))
        .collect();
    (!missing.is_empty()).then(|| missing.join("\n"))
}

#[cfg(test)]
#[path = "safe_tests.rs"]
mod tests;
