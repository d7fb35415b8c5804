//! Each placed object as the folder should declare it: a new file for a
//! new object, edits to the declaration of a known one, or, where the
//! provider or Terraform would refuse the result, the person's declaration
//! left as written.

use std::collections::BTreeMap;

use segment_resources::engine::ResourceSpec;

use super::draft::Draft;
use super::existing;
use super::identity::{managed_by, Placed};
use crate::base;
use crate::desired::{self, Desired};
use crate::files::{self, ManifestEntry};
use crate::hcl::{align, write, Hv};
use crate::kinds;
use crate::naming::{self, Addresses};
use crate::repo::ResourceDecl;

/// What the folder should say of one object.
struct Declaration<'p> {
    desired: &'p Desired,
    spec: &'p ResourceSpec,
    name: &'p str,
    address: String,
    /// File and variable names start with it.
    prefix: String,
    attrs: Vec<(String, Hv)>,
    /// The variables its secrets are read from.
    vars: Vec<String>,
    /// Its key in the base, and its values as the base keeps them.
    key: String,
    live_base: BTreeMap<String, String>,
}

impl<'a> Draft<'a> {
    /// Declares `p` and records its manifest entry.
    pub fn declare(&mut self, p: &Placed, addresses: &Addresses) {
        let d = p.desired;
        let Some(spec) = self.engine.resource_spec(d.live.type_name) else {
            return;
        };
        let mut attrs = desired::attributes(spec, &d.state);
        naming::link(&mut attrs, &d.id, addresses);
        let prefix = format!("{}_{}", kinds::short(d.live.type_name), p.name);
        let vars = naming::hide_secrets(&mut attrs, &prefix, &d.live.import_id);
        let x = Declaration {
            desired: d,
            spec,
            name: &p.name,
            address: format!("{}.{}", d.live.type_name, p.name),
            prefix,
            live_base: existing::fingerprints(spec, &attrs, addresses),
            attrs,
            vars,
            key: base::key(d.live.type_name, &d.live.import_id),
        };
        // Rewritten into what the provider refuses, the block would fail
        // every plan: the person's declaration stays as it is.
        let refused = p
            .existing
            .as_ref()
            .and_then(|_| desired::refusal(self.engine, d));
        let file = match (&p.existing, refused) {
            (Some(r), None) if self.problems.contains_key(&r.file) => {
                // Terraform would reject the file: an edit beside the
                // mistake would hide it. The base stays, so a later sync
                // still writes what changed.
                self.refused_files.push(r.file.clone());
                r.file.clone()
            }
            (Some(r), Some(why)) => {
                self.out.summary.push(format!(
                    "keep {} as written: the provider refuses the workspace's value: {why}",
                    x.address
                ));
                r.file.clone()
            }
            (None, _) => self.add(&x),
            (Some(r), None) => self.update(r, &x, addresses),
        };
        self.entries.insert(
            (d.live.type_name.to_string(), d.live.import_id.clone()),
            ManifestEntry {
                type_name: d.live.type_name.to_string(),
                address: x.address,
                id: d.id.clone(),
                import_id: d.live.import_id.clone(),
                audit_id: d.live.audit_id.clone(),
                file,
            },
        );
    }

    /// A new file: import block, secret variables, resource block.
    fn add(&mut self, x: &Declaration) -> String {
        let d = x.desired;
        let mut file = naming::file_name(&x.prefix, &d.live.import_id);
        let stem = file.trim_end_matches(".tf").to_string();
        let mut i = 2;
        while !self.files_taken.insert(file.to_lowercase()) {
            file = format!("{stem}_{i}.tf");
            i += 1;
        }
        let mut text = files::import_block(&x.address, &d.live.import_id);
        for v in &x.vars {
            text.push('\n');
            text.push_str(&files::variable_block(v, &x.address));
        }
        text.push('\n');
        let mut block = write::block(
            &format!("resource \"{}\" \"{}\"", d.live.type_name, x.name),
            &x.attrs,
        );
        if self.req.manifest.is_protected(d.live.type_name) {
            block.truncate(block.len() - "}\n".len());
            block.push('\n');
            for line in files::PREVENT_DESTROY.lines() {
                block.push_str(&format!("  {line}\n"));
            }
            block.push_str("}\n");
        }
        text.push_str(&block);
        let text = align::align(&text).unwrap_or(text);
        self.new_files.insert(file.clone(), text);
        self.out.summary.push(format!("add {}", x.address));
        self.out
            .base
            .objects
            .insert(x.key.clone(), x.live_base.clone());
        file
    }

    /// Edits to the declaration `r`, plus the import block and variables
    /// it lacks.
    fn update(&mut self, r: &ResourceDecl, x: &Declaration, addresses: &Addresses) -> String {
        let (folder, req) = (self.folder, self.req);
        let d = x.desired;
        let text = &folder.files[&r.file];
        let e = self.edits.entry(r.file.clone()).or_default();
        let edited = existing::edit(
            &existing::Existing {
                spec: x.spec,
                decl: r,
                text,
                attrs: &x.attrs,
                addresses,
                base: req.base.and_then(|b| b.objects.get(&x.key)),
            },
            e,
        );
        let mut changed = edited.changed;
        let managed = managed_by(req, folder, d).is_some();
        if folder.import_for(&x.address).is_none() && !managed {
            e.append(text, &files::import_block(&x.address, &d.live.import_id));
            changed.push("import".into());
        }
        // A person's own lifecycle block is theirs: left as written.
        if req.manifest.is_protected(&r.type_name) && !r.has_lifecycle {
            e.add_block(text, &r.span, files::PREVENT_DESTROY);
            changed.push("prevent_destroy".into());
        }
        for v in &x.vars {
            if !folder.variables.contains_key(v) {
                e.append(text, &files::variable_block(v, &x.address));
            }
        }
        if !changed.is_empty() {
            self.out
                .summary
                .push(format!("update {} ({})", x.address, changed.join(", ")));
        }
        self.out.summary.extend(edited.replaced);
        self.out
            .base
            .objects
            .insert(x.key.clone(), x.live_base.clone());
        r.file.clone()
    }
}
