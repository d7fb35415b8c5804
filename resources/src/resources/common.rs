//! Attribute shapes several resource types share.

use crate::engine::NestedDoc;
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

/// Descriptions inside [`label_set`].
pub fn label_docs() -> Vec<NestedDoc> {
    vec![
        NestedDoc::new("key", "The label's key, such as `environment`."),
        NestedDoc::new("value", "The label's value, such as `prod`."),
    ]
}

/// Descriptions inside [`logos`].
pub fn logos_docs() -> Vec<NestedDoc> {
    vec![
        NestedDoc::new("default", "The URL of the default logo."),
        NestedDoc::new("mark", "The URL of the logo's mark (the icon alone)."),
        NestedDoc::new("alt", "The URL of an alternative logo."),
    ]
}

/// Descriptions inside [`option`].
pub fn option_docs() -> Vec<NestedDoc> {
    vec![
        NestedDoc::new(
            "name",
            "The key of the setting in `settings` (such as `apiKey`).",
        ),
        NestedDoc::new(
            "type",
            "The type of the setting's value, such as `string`, `boolean`, `number`, `array`, `map` \
             or `password` (a secret, masked when read).",
        ),
        NestedDoc::new("required", "Whether the setting must be given."),
        NestedDoc::new("description", "What the setting does."),
        NestedDoc::new(
            "default_value",
            "The value used when the setting is not given, as JSON text.",
        ),
        NestedDoc::new("label", "The setting's name in the Segment app."),
    ]
}

/// What `common_event_on_violations` takes under `track`.
pub const TRACK_VIOLATION_HANDLING: &[&str] = &["ALLOW", "BLOCK", "OMIT_PROPERTIES"];
/// What `common_event_on_violations` takes under `identify` and `group`.
pub const TRAITS_VIOLATION_HANDLING: &[&str] = &["ALLOW", "BLOCK", "OMIT_TRAITS"];

/// Descriptions inside a source's `schema_settings` (the connection
/// resource and the `segment_source` data source).
pub fn schema_settings_docs() -> Vec<NestedDoc> {
    let mut docs = vec![
        NestedDoc::new(
            "forwarding_blocked_events_to",
            "The id of a Source that receives the events the Tracking Plan blocks.",
        ),
        NestedDoc::new(
            "forwarding_violations_to",
            "The id of a Source that receives a report of each violation.",
        ),
        NestedDoc::new(
            "track",
            "How `track` calls are checked against the Tracking Plan.",
        ),
        NestedDoc::new(
            "track.allow_unplanned_events",
            "Whether events the Tracking Plan does not list are let through.",
        ),
        NestedDoc::new(
            "track.allow_unplanned_event_properties",
            "Whether properties the Tracking Plan does not list are let through.",
        ),
        NestedDoc::new(
            "track.allow_event_on_violations",
            "Whether an event that violates its rule is still let through.",
        ),
        NestedDoc::new(
            "track.allow_properties_on_violations",
            "Whether properties that violate their rule are still let through.",
        ),
        NestedDoc::new(
            "track.common_event_on_violations",
            "What happens to an event that violates the Tracking Plan's common rules: let \
             through (`ALLOW`), sent without the violating properties (`OMIT_PROPERTIES`) or \
             blocked (`BLOCK`).",
        )
        .one_of(TRACK_VIOLATION_HANDLING),
    ];
    for call in ["identify", "group"] {
        docs.extend([
            NestedDoc::new(
                call,
                if call == "identify" {
                    "How `identify` calls are checked against the Tracking Plan."
                } else {
                    "How `group` calls are checked against the Tracking Plan."
                },
            ),
            NestedDoc::new(
                format!("{call}.allow_unplanned_traits"),
                "Whether traits the Tracking Plan does not list are let through.",
            ),
            NestedDoc::new(
                format!("{call}.allow_traits_on_violations"),
                "Whether traits that violate their rule are still let through.",
            ),
            NestedDoc::new(
                format!("{call}.common_event_on_violations"),
                "What happens to a call that violates the Tracking Plan's common rules: let \
                 through (`ALLOW`), sent without the violating traits (`OMIT_TRAITS`) or blocked \
                 (`BLOCK`).",
            )
            .one_of(TRAITS_VIOLATION_HANDLING),
        ]);
    }
    docs
}

/// Descriptions inside a set of permissions (users and groups).
pub fn permissions_docs() -> Vec<NestedDoc> {
    let mut docs = vec![
        NestedDoc::new(
            "role_id",
            "The id of the role granted (see the `segment_role` data source).",
        ),
        NestedDoc::new(
            "resources",
            "The resources the role is granted on, at most 200.",
        ),
        NestedDoc::new(
            "resources.id",
            "The id of the resource: the workspace's id for `WORKSPACE`, a Source's for \
             `SOURCE`, and so on.",
        ),
        NestedDoc::new("resources.type", "The kind of resource `id` names.")
            .one_of(segment_api::models::PERMISSION_RESOURCE_TYPES),
        NestedDoc::new(
            "resources.labels",
            "Labels that narrow a workspace-level grant to the resources that carry them, at \
             most 200; `labels = []` for none.",
        ),
    ];
    docs.extend(label_docs().iter().map(|d| d.under("resources.labels")));
    docs
}

/// Descriptions inside a Tracking Plan's `rules`.
pub fn rule_docs() -> Vec<NestedDoc> {
    vec![
        NestedDoc::new("type", "The kind of call the rule checks.")
            .one_of(segment_api::models::RULE_TYPES),
        NestedDoc::new(
            "key",
            "What the rule applies to: for a `TRACK` rule, the event name, such as `Order \
             Completed`.",
        ),
        NestedDoc::new(
            "json_schema",
            "The JSON Schema calls must match, as JSON text (`jsonencode({ ... })`).",
        ),
        NestedDoc::new("version", "The rule's version, such as `1`."),
    ]
}
