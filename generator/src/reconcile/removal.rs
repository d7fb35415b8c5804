//! Removals: the import block, resource block and secret variables of
//! imported objects the workspace no longer has.

use std::collections::HashSet;

use super::draft::Draft;
use crate::base;
use crate::deletion::Removed;
use crate::kinds;
use crate::repo::ImportDecl;

/// Whether `text` holds `var.NAME` (not `var.NAME_2`).
fn refers_to_variable(text: &str, name: &str) -> bool {
    let needle = format!("var.{name}");
    text.match_indices(&needle).any(|(at, _)| {
        !text[at + needle.len()..]
            .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    })
}

impl<'a> Draft<'a> {
    /// Removes what the folder imports that is listed gone (or, in a full
    /// export, simply absent), unless Terraform would reject its file.
    pub fn remove_gone(&mut self) {
        let (folder, req) = (self.folder, self.req);
        let present: HashSet<(&str, &str)> = req
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
                .find(|f| self.problems.contains_key(*f))
            {
                self.refused_files.push(f.clone());
                continue;
            }
            self.remove(t, i);
        }
    }

    fn remove(&mut self, t: &str, i: &ImportDecl) {
        let folder = self.folder;
        self.out.base.objects.remove(&base::key(t, &i.id));
        let text = &folder.files[&i.file];
        self.edits
            .entry(i.file.clone())
            .or_default()
            .remove_lines(text, &i.span);
        self.entries.remove(&(t.to_string(), i.id.clone()));
        self.out.removed.push(Removed {
            type_name: t.to_string(),
            import_id: i.id.clone(),
            address: i.to.clone(),
        });
        // Kept: a block without an import block (and out of the manifest)
        // is one Terraform creates; a later sync or export neither removes
        // it (it imports nothing) nor writes the object again (it is gone).
        if self.req.on_delete.keeps_block() && folder.resource(&i.to).is_some() {
            self.out.summary.push(format!(
                "keep {}: deleted in the workspace, kept by --on-delete keep; its import block is dropped, so the next apply creates it again",
                i.to
            ));
            return;
        }
        if let Some(r) = folder.resource(&i.to) {
            let rtext = &folder.files[&r.file];
            self.edits
                .entry(r.file.clone())
                .or_default()
                .remove_lines(rtext, &r.span);
            let prefix = format!("{}_{}_", kinds::short(t), r.name);
            // A capped variable name need not start with the resource's.
            let block = rtext.get(r.span.clone()).unwrap_or_default();
            for (v, (vfile, vspan)) in &folder.variables {
                let used = refers_to_variable(block, v);
                if (v.starts_with(&prefix) || used) && vfile == &r.file {
                    self.edits
                        .entry(vfile.clone())
                        .or_default()
                        .remove_lines(rtext, vspan);
                }
            }
        }
        self.out.summary.push(format!("remove {}", i.to));
    }
}
