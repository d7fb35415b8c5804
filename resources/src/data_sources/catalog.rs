//! Catalog entries (source, destination and warehouse metadata), declared
//! once as fields: the `*_metadata` data sources expose them at the top
//! level, and `segment_source` / `segment_destination` / `segment_warehouse`
//! nest the same attributes, plus `id`, under `metadata`.

use crate::engine::{nested_paths, Field, NestedDoc};
use crate::resources::common;
use crate::value::Type;

/// The object type holding `id` and these fields, as `metadata` nests them.
pub fn object_with_id(fields: &[Field]) -> Type {
    Type::object(
        std::iter::once(("id", Type::String)).chain(fields.iter().map(|f| (f.name, f.ty.clone()))),
    )
}

/// Descriptions of `metadata`'s attributes: `id`, then each catalog field
/// and what is inside it, kept to the paths `ty` has (a resource's
/// `metadata` holds only part of the catalog entry).
pub fn metadata_docs(id: &'static str, fields: &[Field], ty: &Type) -> Vec<NestedDoc> {
    let paths = nested_paths(ty);
    std::iter::once(NestedDoc::new("id", id))
        .chain(fields.iter().flat_map(|f| {
            std::iter::once(NestedDoc::new(f.name, f.description))
                .chain(f.nested.iter().map(|d| d.under(f.name)))
        }))
        .filter(|d| paths.contains(&d.path))
        .collect()
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
        Field::computed("logos", common::logos(), logos).nested_docs(common::logos_docs()),
        Field::computed("options", Type::list(common::option()), options)
            .nested_docs(common::option_docs()),
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
        )
        .nested_docs(action_docs()),
        Field::computed(
            "components",
            Type::list(Type::object([
                ("code", Type::String),
                ("owner", Type::String),
                ("type", Type::String),
            ])),
            "A list of components this Destination provides.",
        )
        .nested("code", "The component's code, or a link to it.")
        .nested(
            "owner",
            "Who maintains the component, such as `SEGMENT` or `PARTNER`.",
        )
        .nested(
            "type",
            "The kind of component, such as `BROWSER`, `IOS` or `SERVER`.",
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
        )
        .nested("name", "The contact's name.")
        .nested("email", "The contact's email address.")
        .nested("role", "The contact's role.")
        .nested("is_primary", "Whether this is the primary contact."),
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
        )
        .nested(
            "action_id",
            "The id of the action the preset subscribes to.",
        )
        .nested("name", "The name of the preset.")
        .nested("trigger", "The FQL condition that fires the action.")
        .nested(
            "fields",
            "The default settings of the action's fields, as JSON.",
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
        )
        .nested(
            "browser_unbundling",
            "Whether device-mode events can also be sent from Segment's servers.",
        )
        .nested(
            "browser_unbundling_public",
            "Whether browser unbundling is offered to every workspace.",
        )
        .nested(
            "cloud_mode_instances",
            "How many cloud-mode instances a Source may connect, such as `0`, `1` or `*`.",
        )
        .nested(
            "device_mode_instances",
            "How many device-mode instances a Source may connect, such as `0`, `1` or `*`.",
        )
        .nested("replay", "Whether the Destination accepts replayed data."),
        Field::computed(
            "supported_methods",
            bools(&["alias", "group", "identify", "pageview", "track"]),
            "Methods that this Destination supports.",
        )
        .nested("alias", "Whether it takes `alias` calls.")
        .nested("group", "Whether it takes `group` calls.")
        .nested("identify", "Whether it takes `identify` calls.")
        .nested("pageview", "Whether it takes `page` calls.")
        .nested("track", "Whether it takes `track` calls."),
        Field::computed(
            "supported_platforms",
            bools(&["browser", "mobile", "server"]),
            "Platforms from which the Destination receives events.",
        )
        .nested("browser", "Whether it receives events from browsers.")
        .nested("mobile", "Whether it receives events from mobile apps.")
        .nested("server", "Whether it receives events from servers."),
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

/// Descriptions inside [`action`].
fn action_docs() -> Vec<NestedDoc> {
    let fields = [
        ("id", "The id of the field."),
        (
            "sort_order",
            "Where the field appears among the action's fields.",
        ),
        (
            "field_key",
            "The key of the field in a subscription's `settings`.",
        ),
        ("label", "The field's name in the Segment app."),
        (
            "type",
            "The type of the field's value, such as `STRING`, `NUMBER`, `BOOLEAN` or `OBJECT`.",
        ),
        ("description", "What the field does."),
        ("placeholder", "An example value shown in the Segment app."),
        (
            "default_value",
            "The value used when none is given, as JSON text.",
        ),
        (
            "choices",
            "The values the field takes, when it is a choice, as JSON text.",
        ),
        ("required", "Whether the field must be given."),
        ("multiple", "Whether the field takes a list of values."),
        (
            "dynamic",
            "Whether the field's choices are fetched from the Destination.",
        ),
        ("allow_null", "Whether the field takes null."),
    ];
    let mut docs = vec![
        NestedDoc::new("id", "The id of the action (a subscription's `action_id`)."),
        NestedDoc::new("slug", "The action's URL-friendly key."),
        NestedDoc::new("name", "The action's name."),
        NestedDoc::new("description", "What the action does."),
        NestedDoc::new(
            "platform",
            "Where the action runs, such as `CLOUD` or `WEB`.",
        ),
        NestedDoc::new("hidden", "Whether the action is hidden in the Segment app."),
        NestedDoc::new(
            "default_trigger",
            "The FQL condition that fires the action unless a subscription sets its own.",
        ),
        NestedDoc::new("fields", "The fields the action takes."),
    ];
    docs.extend(
        fields
            .into_iter()
            .map(|(name, d)| NestedDoc::new(format!("fields.{name}"), d)),
    );
    docs
}
