//! `segment_reverse_etl_model`: a SQL query against a warehouse source whose
//! rows sync to destinations.
//!
//! `schedule_strategy` and `schedule_config` are deprecated upstream (the
//! schedule moved to `segment_destination_subscription`): accepted so
//! existing configurations still apply, never sent, and kept in state as
//! configured, as the official provider does.

use async_trait::async_trait;
use segment_api::models::{CreateReverseEtlModel, ReverseEtlModel, UpdateReverseEtlModel};
use segment_api::Client;

use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::engine::{Collection, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::Type;

pub struct ReverseEtlModelResource;

/// A description with the official provider's deprecation advice.
macro_rules! deprecated {
    ($text:literal $(,)?) => {
        concat!(
            $text,
            " Deprecated: it is no longer used; remove it from the configuration and use \
             `reverse_etl_schedule` in `segment_destination_subscription` instead."
        )
    };
}

/// What the API knows. The deprecated attributes are left out, so the
/// engine keeps their prior (configured) values.
fn state(m: &ReverseEtlModel) -> Obj {
    Obj::new()
        .with("id", m.id.as_str())
        .with("source_id", m.source_id.as_str())
        .with("name", m.name.as_str())
        .with("description", m.description.as_str())
        .with("enabled", m.enabled)
        .with("query", m.query.as_str())
        .with(
            "query_identifier_column",
            m.query_identifier_column.as_str(),
        )
}

#[async_trait]
impl ResourceType for ReverseEtlModelResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_reverse_etl_model",
            description: "Configures a Reverse ETL Model. For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/reverse-etl/).",
            fields: vec![
                Field::id("The unique identifier for the model."),
                Field::required(
                    "source_id",
                    Type::String,
                    "Indicates which Source to attach this model to.",
                )
                .replaces()
                .non_empty(),
                Field::required(
                    "name",
                    Type::String,
                    "A short, human-readable description of the Model.",
                )
                .non_empty(),
                Field::required(
                    "description",
                    Type::String,
                    "A longer, more descriptive explanation of the Model.",
                ),
                Field::required(
                    "enabled",
                    Type::Bool,
                    "Indicates whether the Model should have syncs enabled. When disabled, no \
                     syncs will be triggered, regardless of the enabled status of the attached \
                     destinations/subscriptions.",
                ),
                Field::required(
                    "query",
                    Type::String,
                    "The SQL query that will be executed to extract data from the connected \
                     Source.",
                )
                .non_empty(),
                Field::required(
                    "query_identifier_column",
                    Type::String,
                    "Indicates the column named in `query` that should be used to uniquely \
                     identify the extracted records.",
                )
                .non_empty(),
                Field::optional(
                    "schedule_strategy",
                    Type::String,
                    deprecated!(
                        "Determines the strategy used for triggering syncs, which will be used \
                         in conjunction with scheduleConfig.",
                    ),
                )
                .deprecated(),
                Field::optional(
                    "schedule_config",
                    Type::String,
                    deprecated!(
                        "Depending on the chosen strategy, configures the schedule for this \
                         model, as JSON.",
                    ),
                )
                .json()
                .deprecated(),
            ],
            import: Some(&["id"]),
        }
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let m = api
            .create_reverse_etl_model(&CreateReverseEtlModel {
                source_id: plan.string("source_id")?,
                name: plan.string("name")?,
                description: plan.opt_string("description").unwrap_or_default(),
                enabled: plan.bool("enabled").unwrap_or(false),
                schedule_strategy: None,
                schedule_config: None,
                query: plan.string("query")?,
                query_identifier_column: plan.string("query_identifier_column")?,
            })
            .await?;
        Ok(state(&m))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let m = api.get_reverse_etl_model(&prior.string("id")?).await?;
        Ok(Some(state(&m)))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let update = UpdateReverseEtlModel {
            name: plan.opt_string("name"),
            description: plan.opt_string("description"),
            enabled: plan.bool("enabled"),
            query: plan.opt_string("query"),
            query_identifier_column: plan.opt_string("query_identifier_column"),
            ..Default::default()
        };
        let m = api
            .update_reverse_etl_model(&prior.string("id")?, &update)
            .await?;
        Ok(state(&m))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_reverse_etl_model(&state.string("id")?).await?;
        Ok(())
    }

    fn collections(&self, _state: &Obj) -> Outcome<Vec<Collection>> {
        Ok(vec![Collection::new("reverse-etl-models", "models")])
    }
}

impl Exported for ReverseEtlModelResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Reverse ETL Model"],
            natural_key: &[],
            name_from: &["source_id", "name"],
            parent: Parent::Workspace,
            audit_id: AuditId::ImportId,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, _parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_reverse_etl_models().await?;
            Ok(found.iter().map(|o| Listed::new(o.id.as_str())).collect())
        })
    }
}
