//! Brings the folder in line with the workspace: new objects get a file,
//! known ones (by import block, natural key or Terraform state) are edited
//! in place attribute by attribute, vanished ones are removed.

use std::collections::{BTreeMap, HashMap, HashSet};

use segment_resources::engine::Engine;
use segment_resources::value::Value;

use crate::base::{self, Base};
use crate::desired::{self, Desired};
use crate::files::{self, Manifest, ManifestEntry};
use crate::hcl::eval::{self, Ev};
use crate::hcl::{align, write};
use crate::kinds;
use crate::naming::{self, Addresses};
use crate::repo::edit::Edits;
use crate::repo::{check, Folder, ResourceDecl};

mod existing;

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
}

struct Placed<'d> {
    desired: &'d Desired,
    name: String,
    /// The declaration it already has in the folder.
    existing: Option<ResourceDecl>,
}

fn string_of(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// The address Terraform state manages `d` at: the state given, else the
/// local backend's beside the files.
fn managed_by<'a>(req: &Request<'a>, folder: &'a Folder, d: &Desired) -> Option<&'a String> {
    let key = (d.live.type_name.to_string(), d.id.clone());
    req.state.get(&key).or_else(|| folder.state.get(&key))
}

/// Whether `text` holds `var.NAME` (not `var.NAME_2`).
fn refers_to_variable(text: &str, name: &str) -> bool {
    let needle = format!("var.{name}");
    text.match_indices(&needle).any(|(at, _)| {
        !text[at + needle.len()..]
            .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    })
}

pub fn reconcile(engine: &Engine, folder: &Folder, req: &Request) -> Outcome {
    let started = std::time::Instant::now();
    let mut addresses = Addresses::default();
    for r in &folder.resources {
        addresses.claim(&r.type_name, &r.name, None);
    }
    // What earlier runs exported, so references to it resolve.
    for e in &req.manifest.resources {
        if let Some((t, n)) = e.address.split_once('.') {
            if folder.resource(&e.address).is_some() {
                addresses.claim(t, n, Some(&e.id));
            }
        }
    }
    // Identity: import block, then Terraform state, then natural key.
    let by_import: HashMap<(&str, &str), &str> = folder
        .imports
        .iter()
        .filter_map(|i| Some(((i.to.split_once('.')?.0, i.id.as_str()), i.to.as_str())))
        .collect();
    let mut claimed: HashMap<String, &Desired> = HashMap::new();
    let mut placed: Vec<Placed> = Vec::new();
    let mut unplaced: Vec<&Desired> = Vec::new();
    for d in req.desired {
        let t = d.live.type_name;
        let address = by_import
            .get(&(t, d.live.import_id.as_str()))
            .map(|a| a.to_string())
            .or_else(|| managed_by(req, folder, d).cloned())
            .filter(|a| folder.resource(a).is_some() && !claimed.contains_key(a));
        match address {
            Some(a) => {
                claimed.insert(a.clone(), d);
                let existing = folder.resource(&a).cloned();
                let name = a
                    .split_once('.')
                    .map(|(_, n)| n.to_string())
                    .unwrap_or_default();
                addresses.claim(t, &name, Some(&d.id));
                placed.push(Placed {
                    desired: d,
                    name,
                    existing,
                });
            }
            None => unplaced.push(d),
        }
    }
    // Natural keys, evaluated with the references known so far.
    let mut fresh: Vec<&Desired> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    for d in unplaced {
        let kind = kinds::by_type(d.live.type_name);
        let key: Option<Vec<Ev>> = kind.filter(|k| !k.natural_key.is_empty()).map(|k| {
            k.natural_key
                .iter()
                .map(|a| {
                    string_of(d.state.get(*a))
                        .map(Ev::String)
                        .unwrap_or(Ev::Null)
                })
                .collect()
        });
        let found = key.and_then(|key| {
            folder.resources.iter().find(|r| {
                r.type_name == d.live.type_name
                    && !claimed.contains_key(&r.address())
                    && folder.import_for(&r.address()).is_none()
                    && kind.is_some_and(|k| {
                        k.natural_key.iter().zip(&key).all(|(a, want)| {
                            r.attributes
                                .get(*a)
                                .map(|(e, _)| eval::of_expr(e, &addresses))
                                .is_some_and(|got| &got == want)
                        })
                    })
            })
        });
        match found {
            Some(r) => {
                claimed.insert(r.address(), d);
                addresses.claim(&r.type_name, &r.name, Some(&d.id));
                placed.push(Placed {
                    desired: d,
                    name: r.name.clone(),
                    existing: Some(r.clone()),
                });
            }
            // Never named, so nothing refers to it: references to it stay ids.
            None => match desired::refusal(engine, d) {
                Some(why) => skipped.push(format!(
                    "skip {} {:?}: the provider refuses it: {why}",
                    d.live.type_name, d.live.import_id
                )),
                None => fresh.push(d),
            },
        }
    }
    // New names, parents first so children can start with their names.
    fresh.sort_by_key(|d| kinds::rank(d.live.type_name));
    for d in fresh {
        let parts: Vec<String> = kinds::by_type(d.live.type_name)
            .map(|k| k.name_from)
            .unwrap_or_default()
            .iter()
            .filter_map(|a| string_of(d.state.get(*a)))
            .map(|v| addresses.name_of(&v).map(str::to_string).unwrap_or(v))
            .collect();
        let name = addresses.fresh(d.live.type_name, &parts, &d.id, &d.live.import_id);
        addresses.claim(d.live.type_name, &name, Some(&d.id));
        placed.push(Placed {
            desired: d,
            name,
            existing: None,
        });
    }

    let mut out = Outcome {
        summary: skipped,
        base: req.base.filter(|_| !req.full).cloned().unwrap_or_default(),
        ..Outcome::default()
    };
    let problems = check::problems(engine, folder);
    let mut refused_files: Vec<String> = Vec::new();
    if req.full {
        refused_files.extend(problems.keys().cloned());
    }
    let mut edits: BTreeMap<String, Edits> = BTreeMap::new();
    let mut new_files: BTreeMap<String, String> = BTreeMap::new();
    // Unique ignoring case: macOS and Windows make `Web.tf` and `web.tf`
    // one file.
    let mut files_taken: HashSet<String> = folder.files.keys().map(|f| f.to_lowercase()).collect();
    let mut entries: BTreeMap<(String, String), ManifestEntry> = req
        .manifest
        .resources
        .iter()
        .filter(|_| !req.full)
        .map(|e| ((e.type_name.clone(), e.import_id.clone()), e.clone()))
        .collect();

    for p in &placed {
        let d = p.desired;
        let Some(spec) = engine.resource_spec(d.live.type_name) else {
            continue;
        };
        let address = format!("{}.{}", d.live.type_name, p.name);
        let mut attrs = desired::attributes(spec, &d.state);
        naming::link(&mut attrs, &d.id, &addresses);
        let prefix = format!("{}_{}", kinds::short(d.live.type_name), p.name);
        let vars = naming::hide_secrets(&mut attrs, &prefix, &d.live.import_id);
        // Rewritten into what the provider refuses, the block would fail
        // every plan: the person's declaration stays as it is.
        let refused = p
            .existing
            .as_ref()
            .and_then(|_| desired::refusal(engine, d));
        let key = base::key(d.live.type_name, &d.live.import_id);
        let live_base = existing::fingerprints(spec, &attrs, &addresses);
        let file = match (&p.existing, refused) {
            (Some(r), None) if problems.contains_key(&r.file) => {
                // Terraform would reject the file: an edit beside the
                // mistake would hide it. The base stays, so a later sync
                // still writes what changed.
                refused_files.push(r.file.clone());
                r.file.clone()
            }
            (Some(r), Some(why)) => {
                out.summary.push(format!(
                    "keep {address} as written: the provider refuses the workspace's value: {why}"
                ));
                r.file.clone()
            }
            (None, _) => {
                let mut file = naming::file_name(&prefix, &d.live.import_id);
                let stem = file.trim_end_matches(".tf").to_string();
                let mut i = 2;
                while !files_taken.insert(file.to_lowercase()) {
                    file = format!("{stem}_{i}.tf");
                    i += 1;
                }
                let mut text = files::import_block(&address, &d.live.import_id);
                for v in &vars {
                    text.push('\n');
                    text.push_str(&files::variable_block(v, &address));
                }
                text.push('\n');
                text.push_str(&write::block(
                    &format!("resource \"{}\" \"{}\"", d.live.type_name, p.name),
                    &attrs,
                ));
                let text = align::align(&text).unwrap_or(text);
                new_files.insert(file.clone(), text);
                out.summary.push(format!("add {address}"));
                out.base.objects.insert(key, live_base);
                file
            }
            (Some(r), None) => {
                let text = &folder.files[&r.file];
                let e = edits.entry(r.file.clone()).or_default();
                let edited = existing::edit(
                    &existing::Existing {
                        spec,
                        decl: r,
                        text,
                        attrs: &attrs,
                        addresses: &addresses,
                        base: req.base.and_then(|b| b.objects.get(&key)),
                    },
                    e,
                );
                let mut changed = edited.changed;
                let managed = managed_by(req, folder, d).is_some();
                if folder.import_for(&address).is_none() && !managed {
                    e.append(text, &files::import_block(&address, &d.live.import_id));
                    changed.push("import".into());
                }
                for v in &vars {
                    if !folder.variables.contains_key(v) {
                        e.append(text, &files::variable_block(v, &address));
                    }
                }
                if !changed.is_empty() {
                    out.summary
                        .push(format!("update {address} ({})", changed.join(", ")));
                }
                out.summary.extend(edited.replaced);
                out.base.objects.insert(key, live_base);
                r.file.clone()
            }
        };
        entries.insert(
            (d.live.type_name.to_string(), d.live.import_id.clone()),
            ManifestEntry {
                type_name: d.live.type_name.to_string(),
                address,
                id: d.id.clone(),
                import_id: d.live.import_id.clone(),
                audit_id: d.live.audit_id.clone(),
                file,
            },
        );
    }

    // Removals: imported objects the workspace no longer has.
    let present: std::collections::HashSet<(&str, &str)> = req
        .desired
        .iter()
        .map(|d| (d.live.type_name, d.live.import_id.as_str()))
        .collect();
    for i in &folder.imports {
        let Some((t, _)) = i.to.split_once('.') else {
            continue;
        };
        let listed_gone = req.gone.iter().any(|(gt, gid)| gt == t && gid == &i.id);
        if kinds::by_type(t).is_none() || present.contains(&(t, i.id.as_str())) {
            continue;
        }
        if !(listed_gone || req.full) {
            continue;
        }
        let resource_file = folder.resource(&i.to).map(|r| &r.file);
        if let Some(f) = [Some(&i.file), resource_file]
            .into_iter()
            .flatten()
            .find(|f| problems.contains_key(*f))
        {
            refused_files.push(f.clone());
            continue;
        }
        out.base.objects.remove(&base::key(t, &i.id));
        let text = &folder.files[&i.file];
        edits
            .entry(i.file.clone())
            .or_default()
            .remove_lines(text, &i.span);
        if let Some(r) = folder.resource(&i.to) {
            let rtext = &folder.files[&r.file];
            edits
                .entry(r.file.clone())
                .or_default()
                .remove_lines(rtext, &r.span);
            let prefix = format!("{}_{}_", kinds::short(t), r.name);
            // A capped variable name need not start with the resource's.
            let block = rtext.get(r.span.clone()).unwrap_or_default();
            for (v, (vfile, vspan)) in &folder.variables {
                let used = refers_to_variable(block, v);
                if (v.starts_with(&prefix) || used) && vfile == &r.file {
                    edits
                        .entry(vfile.clone())
                        .or_default()
                        .remove_lines(rtext, vspan);
                }
            }
        }
        entries.remove(&(t.to_string(), i.id.clone()));
        out.summary.push(format!("remove {}", i.to));
    }

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
    };
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
