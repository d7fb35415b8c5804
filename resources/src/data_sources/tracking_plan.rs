//! `segment_tracking_plan`: a tracking plan, by id, with its rules.

use async_trait::async_trait;
use segment_api::Client;

use crate::engine::{DataSourceType, Field, Obj, Outcome, ResourceSpec};
use crate::resources::common;
use crate::value::Type;

pub struct TrackingPlanDataSource;

#[async_trait]
impl DataSourceType for TrackingPlanDataSource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_tracking_plan",
            description: "Reads a Tracking Plan. For more information, visit the \
                [Segment docs](https://segment.com/docs/protocols/tracking-plan/create/).",
            fields: vec![
                super::id_argument("The Tracking Plan's identifier."),
                Field::computed("name", Type::String, "The Tracking Plan's name."),
                Field::computed(
                    "slug",
                    Type::String,
                    "URL-friendly slug of this Tracking Plan.",
                ),
                Field::computed(
                    "description",
                    Type::String,
                    "The Tracking Plan's description.",
                ),
                Field::computed("type", Type::String, "The Tracking Plan's type."),
                Field::computed(
                    "rules",
                    Type::set(Type::object([
                        ("type", Type::String),
                        ("key", Type::String),
                        ("version", Type::Number),
                        // JSON text, as in the resource.
                        ("json_schema", Type::String),
                        ("created_at", Type::String),
                        ("updated_at", Type::String),
                        ("deprecated_at", Type::String),
                    ])),
                    "The list of Tracking Plan rules.",
                )
                .nested_docs(common::rule_docs())
                .nested("created_at", "When the rule was created.")
                .nested("updated_at", "When the rule was last changed.")
                .nested("deprecated_at", "When the rule was deprecated, if it was."),
                Field::computed(
                    "created_at",
                    Type::String,
                    "The timestamp of this Tracking Plan's creation.",
                ),
                Field::computed(
                    "updated_at",
                    Type::String,
                    "The timestamp of the last change to the Tracking Plan.",
                ),
            ],
            import: None,
        }
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let id = config.string("id")?;
        let plan = api.get_tracking_plan(&id).await?;
        let rules = api.list_rules(&id).await?;
        let mut json = serde_json::to_value(&plan).unwrap_or_default();
        if let Some(m) = json.as_object_mut() {
            m.insert(
                "rules".into(),
                serde_json::to_value(&rules).unwrap_or_default(),
            );
        }
        Ok(super::from_model(&self.spec(), &json))
    }
}
