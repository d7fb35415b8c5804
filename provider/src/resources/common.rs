//! Attribute shapes several resource types share.

use crate::value::Type;

/// `labels = [{ key = "env", value = "prod" }]`.
pub fn label_set() -> Type {
    Type::set(Type::object([
        ("key", Type::String),
        ("value", Type::String),
    ]))
}

/// `logos` inside catalog metadata.
pub fn logos() -> Type {
    Type::object([
        ("default", Type::String),
        ("mark", Type::String),
        ("alt", Type::String),
    ])
    .with_optional(["default", "mark", "alt"])
}

/// A catalog option as the official provider spells it.
pub fn option() -> Type {
    let names = [
        "name",
        "type",
        "required",
        "description",
        "default_value",
        "label",
    ];
    Type::object([
        ("name", Type::String),
        ("type", Type::String),
        ("required", Type::Bool),
        ("description", Type::String),
        ("default_value", Type::String),
        ("label", Type::String),
    ])
    .with_optional(names)
}

/// `metadata = { id = "..." }`: the user names the catalog entry; the rest
/// of the official provider's read-only details are accepted (so existing
/// configurations parse) and left null in state, since protocol 5 cannot
/// fill computed values inside a configured object.
pub fn source_metadata() -> Type {
    Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("slug", Type::String),
        ("description", Type::String),
        ("categories", Type::list(Type::String)),
        ("logos", logos()),
        ("options", Type::list(option())),
        ("is_cloud_event_source", Type::Bool),
    ])
    .with_optional([
        "name",
        "slug",
        "description",
        "categories",
        "logos",
        "options",
        "is_cloud_event_source",
    ])
}

/// Warehouse metadata: as source metadata without the event-source flag.
pub fn warehouse_metadata() -> Type {
    Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("slug", Type::String),
        ("description", Type::String),
        ("logos", logos()),
        ("options", Type::list(option())),
    ])
    .with_optional(["name", "slug", "description", "logos", "options"])
}

/// Destination metadata: the id, and the catalog entry's details as the
/// official provider declares them (`-generate-config-out` with it writes
/// them out). Every inner attribute is optional at every depth: they are
/// accepted, kept as written and never sent to the API.
pub fn destination_metadata() -> Type {
    let fields = crate::data_sources::catalog::destination_fields();
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    Type::object(
        std::iter::once(("id", Type::String))
            .chain(fields.iter().map(|f| (f.name, all_optional(f.ty.clone())))),
    )
    .with_optional(names)
}

/// `ty` with every attribute of every object inside it optional.
fn all_optional(ty: Type) -> Type {
    match ty {
        Type::Object { attributes, .. } => {
            let attributes: Vec<(String, Type)> = attributes
                .into_iter()
                .map(|(name, inner)| (name, all_optional(inner)))
                .collect();
            let names: Vec<String> = attributes.iter().map(|(n, _)| n.clone()).collect();
            Type::object(attributes).with_optional(names)
        }
        Type::List(e) => Type::list(all_optional(*e)),
        Type::Set(e) => Type::set(all_optional(*e)),
        Type::Map(e) => Type::map(all_optional(*e)),
        other => other,
    }
}
