//! `segment_source`: a source, by id, with its catalog entry in full.

use async_trait::async_trait;
use segment_api::Client;
use serde_json::{Map, Value as Json};

use super::catalog;
use crate::engine::{DataSourceType, Field, Obj, Outcome, ResourceSpec};
use crate::resources::common;
use crate::value::Type;

pub struct SourceDataSource;

/// Schema settings as the official provider shapes them: read from
/// `/sources/{id}/settings`, null where a workspace serves none.
fn schema_settings() -> Type {
    let traits = || {
        Type::object([
            ("allow_traits_on_violations", Type::Bool),
            ("allow_unplanned_traits", Type::Bool),
            ("common_event_on_violations", Type::String),
        ])
    };
    Type::object([
        ("forwarding_blocked_events_to", Type::String),
        ("forwarding_violations_to", Type::String),
        ("group", traits()),
        ("identify", traits()),
        (
            "track",
            Type::object([
                ("allow_event_on_violations", Type::Bool),
                ("allow_properties_on_violations", Type::Bool),
                ("allow_unplanned_event_properties", Type::Bool),
                ("allow_unplanned_events", Type::Bool),
                ("common_event_on_violations", Type::String),
            ]),
        ),
    ])
}

#[async_trait]
impl DataSourceType for SourceDataSource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_source",
            description: "Reads a Source. For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/sources/).",
            fields: vec![
                super::id_argument("The id of the Source."),
                Field::optional("name", Type::String, "The name of the Source."),
                Field::computed(
                    "slug",
                    Type::String,
                    "The slug used to identify the Source in the Segment app.",
                ),
                Field::computed(
                    "enabled",
                    Type::Bool,
                    "Enable to receive data from the Source.",
                ),
                Field::computed(
                    "metadata",
                    catalog::object_with_id(&catalog::source_fields()),
                    "The metadata for the Source.",
                )
                .nested_docs(catalog::metadata_docs(
                    "The id of the Source's catalog entry.",
                    &catalog::source_fields(),
                    &catalog::object_with_id(&catalog::source_fields()),
                )),
                Field::computed(
                    "settings",
                    Type::String,
                    "The settings associated with the Source, as JSON. Secrets read back masked.",
                ),
                Field::computed(
                    "labels",
                    Type::list(Type::object([
                        ("key", Type::String),
                        ("value", Type::String),
                    ])),
                    "A list of labels applied to the Source.",
                )
                .nested_docs(common::label_docs()),
                Field::computed(
                    "schema_settings",
                    schema_settings(),
                    "The schema settings associated with the Source.",
                )
                .nested_docs(common::schema_settings_docs()),
                Field::computed(
                    "workspace_id",
                    Type::String,
                    "The id of the Workspace that owns the Source.",
                ),
                Field::computed(
                    "write_keys",
                    Type::list(Type::String),
                    "The write keys used to send data from the Source. This field is left \
                     empty when the current token does not have the 'source admin' permission.",
                ),
            ],
            import: None,
        }
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let id = config.string("id")?;
        let mut source = api
            .get_integration_document("sources", "source", &id)
            .await?;
        let path = format!("sources/{}/settings", segment_api::path_segment(&id));
        let settings = match api.get::<Map<String, Json>>(&path).await {
            Ok(mut data) => data.remove("settings").unwrap_or(Json::Null),
            // A workspace without schema settings has no such path.
            Err(e) if e.is_not_found() => Json::Null,
            Err(e) => return Err(e.into()),
        };
        if let Some(m) = source.as_object_mut() {
            m.insert("schemaSettings".into(), settings);
        }
        Ok(super::from_model(&self.spec(), &source))
    }
}
