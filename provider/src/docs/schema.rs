//! The "## Schema" section of a page: attributes by category (Required,
//! Optional, Read-Only), then a section with an anchor per nested object,
//! in the layout of the official provider's tfplugindocs output.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::schema::{Attribute, Block};
use crate::value::Type;

/// Where an attribute goes: Required, Optional or Read-Only.
fn category(a: &Attribute) -> &'static str {
    if a.required {
        "Required"
    } else if a.optional {
        "Optional"
    } else {
        "Read-Only"
    }
}

/// A nested object to document: its path and whether the user writes it.
struct Nested {
    path: String,
    ty: Type,
    configurable: bool,
}

/// Describes a nested attribute by its full path (`metadata.logos.mark`).
pub(super) type Describe<'a> = &'a dyn Fn(&str) -> Option<String>;

pub(super) fn render_schema(out: &mut String, block: &Block, describe: Describe) {
    let _ = writeln!(out, "## Schema\n");
    let mut by_category: BTreeMap<usize, Vec<&Attribute>> = BTreeMap::new();
    for a in &block.attributes {
        let rank = ["Required", "Optional", "Read-Only"]
            .iter()
            .position(|c| *c == category(a))
            .unwrap_or(2);
        by_category.entry(rank).or_default().push(a);
    }
    let mut nested = Vec::new();
    for attributes in by_category.values_mut() {
        attributes.sort_by(|a, b| a.name.cmp(&b.name));
        let _ = writeln!(out, "### {}\n", category(attributes[0]));
        for a in attributes.iter() {
            let mut kind = type_label(&a.ty);
            if a.sensitive {
                kind.push_str(", Sensitive");
            }
            if a.deprecated {
                kind.push_str(", Deprecated");
            }
            let mut line = format!("- `{}` ({kind}) {}", a.name, a.description.trim());
            if let Some(inner) = object_inside(&a.ty) {
                let _ = write!(
                    line,
                    " (see [below for nested schema](#{}))",
                    anchor(&a.name)
                );
                nested.push(Nested {
                    path: a.name.clone(),
                    ty: inner.clone(),
                    configurable: a.required || a.optional,
                });
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        let _ = writeln!(out);
    }
    // Breadth-first, as tfplugindocs orders nested sections.
    let mut i = 0;
    while i < nested.len() {
        let more = render_nested(out, &nested[i], describe);
        nested.extend(more);
        i += 1;
    }
}

/// One "Nested Schema for `a.b`" section; returns the objects inside it.
fn render_nested(out: &mut String, n: &Nested, describe: Describe) -> Vec<Nested> {
    let Type::Object {
        attributes,
        optional,
    } = &n.ty
    else {
        return Vec::new();
    };
    let _ = writeln!(
        out,
        "<a id=\"{}\"></a>\n### Nested Schema for `{}`\n",
        anchor(&n.path),
        n.path
    );
    let groups: [(&str, Vec<(&String, &Type)>); 3] = if n.configurable {
        let (opt, req): (Vec<_>, Vec<_>) =
            attributes.iter().partition(|(k, _)| optional.contains(*k));
        [
            ("Required", req),
            ("Optional", opt),
            ("Read-Only", Vec::new()),
        ]
    } else {
        [
            ("Required", Vec::new()),
            ("Optional", Vec::new()),
            ("Read-Only", attributes.iter().collect()),
        ]
    };
    let mut inner = Vec::new();
    for (title, attrs) in groups.iter().filter(|(_, a)| !a.is_empty()) {
        let _ = writeln!(out, "{title}:\n");
        for (name, ty) in attrs {
            let path = format!("{}.{name}", n.path);
            let mut line = format!("- `{name}` ({})", type_label(ty));
            if let Some(description) = describe(&path).filter(|d| !d.trim().is_empty()) {
                let _ = write!(line, " {}", description.trim());
            }
            if let Some(obj) = object_inside(ty) {
                let _ = write!(line, " (see [below for nested schema](#{}))", anchor(&path));
                inner.push(Nested {
                    path,
                    ty: obj.clone(),
                    configurable: n.configurable,
                });
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        let _ = writeln!(out);
    }
    inner
}

fn anchor(path: &str) -> String {
    format!("nestedatt--{}", path.replace('.', "--"))
}

/// The object type an attribute holds, directly or as collection elements.
fn object_inside(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Object { .. } => Some(ty),
        Type::List(e) | Type::Set(e) | Type::Map(e) if matches!(**e, Type::Object { .. }) => {
            Some(e)
        }
        _ => None,
    }
}

/// How the official docs name types: `String`, `List of String`,
/// `Attributes Set` (a set of objects).
fn type_label(ty: &Type) -> String {
    match ty {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::Object { .. } => "Attributes".into(),
        Type::Tuple(_) => "Tuple".into(),
        Type::List(e) | Type::Set(e) | Type::Map(e) => {
            let collection = match ty {
                Type::List(_) => "List",
                Type::Set(_) => "Set",
                _ => "Map",
            };
            if matches!(**e, Type::Object { .. }) {
                format!("Attributes {collection}")
            } else {
                format!("{collection} of {}", type_label(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_labels_follow_the_official_docs() {
        assert_eq!(type_label(&Type::list(Type::String)), "List of String");
        let obj = Type::object([("key", Type::String)]);
        assert_eq!(type_label(&Type::set(obj.clone())), "Attributes Set");
        assert_eq!(type_label(&obj), "Attributes");
        assert_eq!(type_label(&Type::Bool), "Boolean");
    }

    #[test]
    fn nested_objects_get_sections_with_anchors() {
        let block = Block::new([Attribute::required(
            "metadata",
            Type::object([
                ("id", Type::String),
                ("logos", Type::object([("mark", Type::String)])),
            ])
            .with_optional(["logos"]),
        )
        .description("The catalog entry.")]);
        let mut out = String::new();
        let describe = |path: &str| (path == "metadata.id").then(|| "The entry's id.".to_string());
        render_schema(&mut out, &block, &describe);
        assert!(out.contains("- `metadata` (Attributes) The catalog entry. (see [below for nested schema](#nestedatt--metadata))"), "{out}");
        assert!(out.contains("### Nested Schema for `metadata`\n\nRequired:\n\n- `id` (String) The entry's id.\n\nOptional:\n\n- `logos` (Attributes) (see"), "{out}");
        assert!(
            out.contains("<a id=\"nestedatt--metadata--logos\"></a>"),
            "{out}"
        );
    }
}
