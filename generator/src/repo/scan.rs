//! Reads the `.tf` files of the exported folder: resources, import blocks
//! and variables, with where each sits, so that a resource a person moved
//! or renamed is still recognised and edited where it is.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, BlockLabel, Body};
use hcl_edit::Span;

use super::state::{self, Managed, StateError, LOCAL_STATE};

/// `resource "TYPE" "NAME" { ... }` in a file.
#[derive(Debug, Clone)]
pub struct ResourceDecl {
    pub file: String,
    pub type_name: String,
    pub name: String,
    pub span: Range<usize>,
    /// Attribute name → (its expression, the span of the whole attribute).
    pub attributes: BTreeMap<String, (Expression, Range<usize>)>,
    /// Whether it has a `lifecycle` block (a person's, or `--protect`'s).
    pub has_lifecycle: bool,
}

impl ResourceDecl {
    pub fn address(&self) -> String {
        format!("{}.{}", self.type_name, self.name)
    }
}

/// `import { to = TYPE.NAME  id = "..." }`.
#[derive(Debug, Clone)]
pub struct ImportDecl {
    pub file: String,
    pub to: String,
    pub id: String,
    pub span: Range<usize>,
}

/// The folder's declarations and file texts.
#[derive(Debug, Default)]
pub struct Folder {
    pub files: BTreeMap<String, String>,
    pub resources: Vec<ResourceDecl>,
    pub imports: Vec<ImportDecl>,
    /// Variable name → (file, span).
    pub variables: BTreeMap<String, (String, Range<usize>)>,
    /// What the local backend's `terraform.tfstate` beside the files
    /// manages: whoever runs the generator here (sync among them) sees it.
    pub state: Managed,
    /// Address → position in `resources` (the first one, as Terraform
    /// would refuse a second): reconcile looks up every manifest entry, and
    /// a scan of 10,000 resources each time made sync quadratic.
    by_address: HashMap<String, usize>,
    /// `to` → position in `imports`, likewise.
    by_target: HashMap<String, usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("reading {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{file} is not valid HCL: {message}. Fix it (terraform validate shows where) and run again; nothing was changed")]
    Syntax { file: String, message: String },
    #[error(transparent)]
    State(#[from] StateError),
    #[error("reading {rev} from Git: {message}")]
    Git { rev: String, message: String },
}

fn label(l: &BlockLabel) -> String {
    match l {
        BlockLabel::Ident(i) => i.value().as_str().to_string(),
        BlockLabel::String(s) => s.value().clone(),
    }
}

/// `a.b` from a traversal expression, as written without spaces.
fn traversal_text(e: &Expression) -> Option<String> {
    match e {
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            let mut out = root.value().as_str().to_string();
            for op in &t.operators {
                match op.value() {
                    hcl_edit::expr::TraversalOperator::GetAttr(n) => {
                        out.push('.');
                        out.push_str(n.value().as_str());
                    }
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// A file Terraform reads as part of the folder's module.
pub(super) fn is_module_file(name: &str) -> bool {
    name.ends_with(".tf") && !name.contains('/')
}

impl Folder {
    /// Reads every `*.tf` file directly in `dir` (Terraform's one module).
    pub fn read(dir: &Path) -> Result<Folder, ScanError> {
        let started = std::time::Instant::now();
        let mut folder = Folder::default();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(folder),
            Err(source) => {
                return Err(ScanError::Io {
                    path: dir.display().to_string(),
                    source,
                })
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !is_module_file(&name) || !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|source| ScanError::Io {
                path: path.display().to_string(),
                source,
            })?;
            folder.add(name, text)?;
        }
        let local = dir.join(LOCAL_STATE);
        if local.is_file() {
            folder.state = state::read(&local)?;
        }
        tracing::debug!(files = folder.files.len(), elapsed = ?started.elapsed(), "read the folder");
        Ok(folder)
    }

    /// Appends what `later` declares, as if its files were added after ours.
    fn merge(&mut self, later: Folder) {
        for r in later.resources {
            self.by_address
                .entry(r.address())
                .or_insert(self.resources.len());
            self.resources.push(r);
        }
        for i in later.imports {
            self.by_target
                .entry(i.to.clone())
                .or_insert(self.imports.len());
            self.imports.push(i);
        }
        self.variables.extend(later.variables);
        self.files.extend(later.files);
    }

    /// Adds one file's declarations.
    pub fn add(&mut self, file: String, text: String) -> Result<(), ScanError> {
        let body: Body = hcl_edit::parser::parse_body(&text).map_err(|e| ScanError::Syntax {
            file: file.clone(),
            message: e.to_string(),
        })?;
        for block in body.blocks() {
            self.declare(&file, block);
        }
        self.files.insert(file, text);
        Ok(())
    }

    /// Brings the folder in line with files just written (folder-relative
    /// names; `None`: deleted), parsing only those. A follower that keeps
    /// one `Folder` between events this way never re-reads the others. On
    /// an error the folder is part-updated: read it again.
    pub fn update(&mut self, written: &BTreeMap<String, Option<String>>) -> Result<(), ScanError> {
        let touched = |file: &String| written.contains_key(file);
        self.resources.retain(|r| !touched(&r.file));
        self.imports.retain(|i| !touched(&i.file));
        self.variables.retain(|_, (file, _)| !touched(file));
        self.files.retain(|file, _| !touched(file));
        let mut kept = std::mem::take(self);
        // The state is not a file's: it stays as read.
        self.state = std::mem::take(&mut kept.state);
        self.merge(kept);
        // As `read`: `*.tf` files directly in the folder.
        for (file, text) in written {
            if let Some(text) = text.as_ref().filter(|_| is_module_file(file)) {
                self.add(file.clone(), text.clone())?;
            }
        }
        Ok(())
    }

    fn declare(&mut self, file: &str, block: &Block) {
        let Some(span) = block.span() else { return };
        let labels: Vec<String> = block.labels.iter().map(label).collect();
        match (block.ident.value().as_str(), labels.as_slice()) {
            ("resource", [type_name, name]) => {
                let attributes = block
                    .body
                    .attributes()
                    .filter_map(|a| {
                        Some((
                            a.key.value().as_str().to_string(),
                            (a.value.clone(), a.span()?),
                        ))
                    })
                    .collect();
                let decl = ResourceDecl {
                    file: file.to_string(),
                    type_name: type_name.clone(),
                    name: name.clone(),
                    span,
                    attributes,
                    has_lifecycle: block.body.get_blocks("lifecycle").next().is_some(),
                };
                self.by_address
                    .entry(decl.address())
                    .or_insert(self.resources.len());
                self.resources.push(decl);
            }
            ("import", []) => {
                let to = block
                    .body
                    .get_attribute("to")
                    .and_then(|a| traversal_text(&a.value));
                let id = block.body.get_attribute("id").and_then(|a| match &a.value {
                    Expression::String(s) => Some(s.value().clone()),
                    _ => None,
                });
                if let (Some(to), Some(id)) = (to, id) {
                    self.by_target
                        .entry(to.clone())
                        .or_insert(self.imports.len());
                    self.imports.push(ImportDecl {
                        file: file.to_string(),
                        to,
                        id,
                        span,
                    });
                }
            }
            ("variable", [name]) => {
                self.variables
                    .insert(name.clone(), (file.to_string(), span));
            }
            _ => {}
        }
    }

    pub fn resource(&self, address: &str) -> Option<&ResourceDecl> {
        self.by_address
            .get(address)
            .and_then(|&i| self.resources.get(i))
    }

    pub fn import_for(&self, address: &str) -> Option<&ImportDecl> {
        self.by_target
            .get(address)
            .and_then(|&i| self.imports.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_resources_imports_and_variables() {
        let mut f = Folder::default();
        f.add(
            "a.tf".into(),
            "# mine\nimport {\n  to = segment_source.web\n  id = \"s1\"\n}\n\nresource \"segment_source\" \"web\" {\n  slug = \"web\" # keep\n}\nvariable \"k\" {\n  sensitive = true\n}\n".into(),
        )
        .expect("parses");
        assert_eq!(f.imports[0].to, "segment_source.web");
        assert_eq!(f.imports[0].id, "s1");
        let r = f.resource("segment_source.web").expect("declared");
        let (_, span) = &r.attributes["slug"];
        assert_eq!(&f.files["a.tf"][span.clone()], "slug = \"web\"");
        assert!(f.variables.contains_key("k"));
        let err = f.add("b.tf".into(), "resource {".into()).unwrap_err();
        assert!(err.to_string().contains("b.tf"), "{err}");
    }

    #[test]
    fn updates_reparse_only_what_was_written() {
        let mut f = Folder::default();
        let web = |slug: &str| {
            format!("import {{\n  to = segment_source.web\n  id = \"s1\"\n}}\n\nresource \"segment_source\" \"web\" {{\n  slug = \"{slug}\"\n}}\n")
        };
        f.add("a.tf".into(), web("old")).expect("parses");
        f.add("b.tf".into(), "variable \"k\" {}\n".into())
            .expect("parses");
        let written = BTreeMap::from([
            ("a.tf".to_string(), Some(web("new"))),
            ("b.tf".to_string(), None),
            (
                ".segment-gitops/manifest.json".to_string(),
                Some("{}".into()),
            ),
        ]);
        f.state.insert(
            ("segment_source".into(), "s1".into()),
            "segment_source.web".into(),
        );
        f.update(&written).expect("updates");
        assert_eq!(f.state.len(), 1, "an update keeps the state as read");
        let r = f.resource("segment_source.web").expect("still declared");
        assert_eq!(
            &f.files["a.tf"][r.attributes["slug"].1.clone()],
            "slug = \"new\""
        );
        assert_eq!(
            f.import_for("segment_source.web").map(|i| i.id.as_str()),
            Some("s1")
        );
        assert_eq!((f.resources.len(), f.imports.len()), (1, 1));
        assert!(f.variables.is_empty() && !f.files.contains_key("b.tf"));
        assert_eq!(f.files.len(), 1);
    }
}
