//! Descriptions of the attributes inside an object-typed attribute
//! (`metadata.id`, `labels.key`, `schema_settings.track.*`).
//!
//! Protocol 5 has no nested attributes: an object type carries names and
//! types but no descriptions, so these feed the docs only. They are
//! declared on the [`Field`](super::Field) that holds the object, by paths
//! relative to it (`"id"`, `"logos.mark"`; collections add no segment, as
//! in the registry's "Nested Schema for `a.b`" headings).

use crate::value::Type;

/// One nested attribute's description, and the words it takes where the
/// API has an enumeration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NestedDoc {
    pub path: String,
    pub description: &'static str,
    pub one_of: &'static [&'static str],
}

impl NestedDoc {
    pub fn new(path: impl Into<String>, description: &'static str) -> NestedDoc {
        NestedDoc {
            path: path.into(),
            description,
            one_of: &[],
        }
    }

    pub fn one_of(mut self, words: &'static [&'static str]) -> NestedDoc {
        self.one_of = words;
        self
    }

    /// The same description one level further in: `logos.mark` under
    /// `metadata` is `metadata.logos.mark`.
    pub fn under(&self, prefix: &str) -> NestedDoc {
        NestedDoc {
            path: format!("{prefix}.{}", self.path),
            ..self.clone()
        }
    }

    /// The text the docs show: the description and its allowed values.
    pub fn full_description(&self) -> String {
        let mut d = self.description.trim().to_string();
        if !self.one_of.is_empty() {
            d.push_str(&format!(" One of: `{}`.", self.one_of.join("`, `")));
        }
        d
    }
}

/// Every attribute path inside `ty`'s objects, outermost first
/// (`["logos", "logos.mark", ...]`), relative to the attribute holding it.
pub fn paths(ty: &Type) -> Vec<String> {
    let mut out = Vec::new();
    walk(ty, "", &mut out);
    out
}

fn walk(ty: &Type, prefix: &str, out: &mut Vec<String>) {
    match ty {
        Type::Object { attributes, .. } => {
            for (name, inner) in attributes {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                out.push(path.clone());
                walk(inner, &path, out);
            }
        }
        Type::List(e) | Type::Set(e) | Type::Map(e) => walk(e, prefix, out),
        Type::Tuple(items) => items.iter().for_each(|t| walk(t, prefix, out)),
        Type::String | Type::Number | Type::Bool | Type::Dynamic => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_go_through_collections_without_a_segment() {
        let ty = Type::object([
            ("id", Type::String),
            (
                "options",
                Type::list(Type::object([("name", Type::String)])),
            ),
        ]);
        assert_eq!(paths(&ty), ["id", "options", "options.name"]);
        assert!(paths(&Type::list(Type::String)).is_empty());
    }

    #[test]
    fn allowed_values_follow_the_description() {
        let doc = NestedDoc::new("track.mode", "What to do.").one_of(&["ALLOW", "BLOCK"]);
        assert_eq!(
            doc.full_description(),
            "What to do. One of: `ALLOW`, `BLOCK`."
        );
        assert_eq!(
            doc.under("schema_settings").path,
            "schema_settings.track.mode"
        );
    }
}
