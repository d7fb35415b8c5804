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

/// Destination metadata: the id, and the few details the official provider
/// lets users set.
pub fn destination_metadata() -> Type {
    Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("slug", Type::String),
        ("description", Type::String),
        ("partner_owned", Type::Bool),
        ("region_endpoints", Type::list(Type::String)),
        ("supported_regions", Type::list(Type::String)),
    ])
    .with_optional([
        "name",
        "slug",
        "description",
        "partner_owned",
        "region_endpoints",
        "supported_regions",
    ])
}
