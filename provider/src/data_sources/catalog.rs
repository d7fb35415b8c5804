//! Catalog entries (source, destination and warehouse metadata), declared
//! once as fields: the `*_metadata` data sources expose them at the top
//! level, and `segment_source` / `segment_destination` / `segment_warehouse`
//! nest the same attributes, plus `id`, under `metadata`.

use crate::engine::Field;
use crate::resources::common;
use crate::value::Type;

/// The object type holding `id` and these fields, as `metadata` nests them.
pub fn object_with_id(fields: &[Field]) -> Type {
    Type::object(
        std::iter::once(("id", Type::String)).chain(fields.iter().map(|f| (f.name, f.ty.clone()))),
    )
}

fn strings() -> Type {
    Type::list(Type::String)
}

/// What every catalog entry has, with its descriptions in this order:
/// name, slug, description, logos, options.
fn shared(docs: [&'static str; 5]) -> Vec<Field> {
    let [name, slug, description, logos, options] = docs;
    vec![
        Field::computed("name", Type::String, name),
        Field::computed("slug", Type::String, slug),
        Field::computed("description", Type::String, description),
        Field::computed("logos", common::logos(), logos),
        Field::computed("options", Type::list(common::option()), options),
    ]
}

/// A source in the catalog.
pub fn source_fields() -> Vec<Field> {
    let mut fields = shared([
        "The user-friendly name of this Source.",
        "The slug that identifies this Source in the Segment app.",
        "The description of this Source.",
        "The logos for this Source.",
        "Options for this Source.",
    ]);
    fields.push(Field::computed(
        "categories",
        strings(),
        "A list of categories this Source belongs to.",
    ));
    fields.push(Field::computed(
        "is_cloud_event_source",
        Type::Bool,
        "True if this is a Cloud Event Source.",
    ));
    fields
}

/// A warehouse in the catalog.
pub fn warehouse_fields() -> Vec<Field> {
    shared([
        "The name of this object.",
        "A human-readable, unique identifier for object.",
        "A description, in English, of this object.",
        "Logo information for this object.",
        "The Integration options for this object.",
    ])
}

/// One field an action of an Actions destination takes.
fn action_field() -> Type {
    Type::object([
        ("id", Type::String),
        ("sort_order", Type::Number),
        ("field_key", Type::String),
        ("label", Type::String),
        ("type", Type::String),
        ("description", Type::String),
        ("placeholder", Type::String),
        // JSON values in the API; JSON text here, as the official provider.
        ("default_value", Type::String),
        ("choices", Type::String),
        ("required", Type::Bool),
        ("multiple", Type::Bool),
        ("dynamic", Type::Bool),
        ("allow_null", Type::Bool),
    ])
}

fn action() -> Type {
    Type::object([
        ("id", Type::String),
        ("slug", Type::String),
        ("name", Type::String),
        ("description", Type::String),
        ("platform", Type::String),
        ("hidden", Type::Bool),
        ("default_trigger", Type::String),
        ("fields", Type::list(action_field())),
    ])
}

/// A destination in the catalog.
pub fn destination_fields() -> Vec<Field> {
    let mut fields = shared([
        "The user-friendly name of the Destination.",
        "The slug used to identify the Destination in the Segment app.",
        "The description of the Destination.",
        "The Destination's logos.",
        "Options configured for the Destination.",
    ]);
    let bools = |names: &[&str]| Type::object(names.iter().map(|n| (*n, Type::Bool)));
    fields.extend([
        Field::computed(
            "categories",
            strings(),
            "A list of categories with which the Destination is associated.",
        ),
        Field::computed(
            "actions",
            Type::list(action()),
            "Actions available for the Destination.",
        ),
        Field::computed(
            "components",
            Type::list(Type::object([
                ("code", Type::String),
                ("owner", Type::String),
                ("type", Type::String),
            ])),
            "A list of components this Destination provides.",
        ),
        Field::computed(
            "contacts",
            Type::list(Type::object([
                ("name", Type::String),
                ("email", Type::String),
                ("role", Type::String),
                ("is_primary", Type::Bool),
            ])),
            "Contact info for Integration Owners.",
        ),
        Field::computed("partner_owned", Type::Bool, "Partner Owned flag."),
        Field::computed(
            "presets",
            Type::list(Type::object([
                ("action_id", Type::String),
                ("name", Type::String),
                ("trigger", Type::String),
                // JSON text: the default settings of the action's fields.
                ("fields", Type::String),
            ])),
            "Predefined Destination subscriptions that can optionally be applied when \
             connecting a new instance of the Destination.",
        ),
        Field::computed(
            "previous_names",
            strings(),
            "A list of names previously used by the Destination.",
        ),
        Field::computed(
            "region_endpoints",
            strings(),
            "The list of regional endpoints for this Destination.",
        ),
        Field::computed("status", Type::String, "Support status of the Destination."),
        Field::computed(
            "supported_features",
            Type::object([
                ("browser_unbundling", Type::Bool),
                ("browser_unbundling_public", Type::Bool),
                ("cloud_mode_instances", Type::String),
                ("device_mode_instances", Type::String),
                ("replay", Type::Bool),
            ]),
            "Features that this Destination supports.",
        ),
        Field::computed(
            "supported_methods",
            bools(&["alias", "group", "identify", "pageview", "track"]),
            "Methods that this Destination supports.",
        ),
        Field::computed(
            "supported_platforms",
            bools(&["browser", "mobile", "server"]),
            "Platforms from which the Destination receives events.",
        ),
        Field::computed(
            "supported_regions",
            strings(),
            "A list of supported regions for this Destination.",
        ),
        Field::computed(
            "website",
            Type::String,
            "A website URL for this Destination.",
        ),
    ]);
    fields
}
