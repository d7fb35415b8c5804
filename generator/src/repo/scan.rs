//! Reads the `.tf` files of the exported folder: resources, import blocks
//! and variables, with where each sits, so that a resource a person moved
//! or renamed is still recognised and edited where it is.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, BlockLabel, Body};
use hcl_edit::Span;

/// `resource "TYPE" "NAME" { ... }` in a file.
#[derive(Debug, Clone)]
pub struct ResourceDecl {
    pub file: String,
    pub type_name: String,
    pub name: String,
    pub span: Range<usize>,
    /// Attribute name → (its expression, the span of the whole attribute).
    pub attributes: BTreeMap<String, (Expression, Range<usize>)>,
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
            if !name.ends_with(".tf") || !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|source| ScanError::Io {
                path: path.display().to_string(),
                source,
            })?;
            folder.add(name, text)?;
        }
        tracing::debug!(files = folder.files.len(), elapsed = ?started.elapsed(), "read the folder");
        Ok(folder)
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
                self.resources.push(ResourceDecl {
                    file: file.to_string(),
                    type_name: type_name.clone(),
                    name: name.clone(),
                    span,
                    attributes,
                });
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
        self.resources.iter().find(|r| r.address() == address)
    }

    pub fn import_for(&self, address: &str) -> Option<&ImportDecl> {
        self.imports.iter().find(|i| i.to == address)
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
}
