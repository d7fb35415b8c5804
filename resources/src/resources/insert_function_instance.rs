//! `segment_insert_function_instance`: an insert function attached to a
//! destination (or source), with values for the settings it declares.

use async_trait::async_trait;
use segment_api::models::{
    CreateInsertFunctionInstance, InsertFunctionInstance, UpdateInsertFunctionInstance,
};
use segment_api::Client;

use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::engine::{Collection, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::Type;

pub struct InsertFunctionInstanceResource;

/// The prefix the Segment app shows on insert function ids; the API
/// answers with the bare id.
const PREFIX: &str = "ifnd_";

fn state(i: &InsertFunctionInstance, prior: &Obj) -> Obj {
    // `ifnd_abc` and `abc` name the same function: keep the spelling the
    // configuration uses, so neither reads as a change.
    let function_id = match prior.str("function_id") {
        Some(mine) if mine == i.class_id || mine.strip_prefix(PREFIX) == Some(&i.class_id) => {
            mine.to_string()
        }
        _ => i.class_id.clone(),
    };
    let mut o = Obj::new();
    o.set("id", i.id.as_str())
        .set("function_id", function_id)
        .set("integration_id", i.integration_id.as_str())
        .set("name", i.name.clone())
        .set("enabled", i.enabled)
        .set_json_string("settings", &i.settings);
    o
}

#[async_trait]
impl ResourceType for InsertFunctionInstanceResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_insert_function_instance",
            description: "Configures an Insert Function. For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/functions/insert-functions/).",
            fields: vec![
                Field::id("The unique identifier for the insert function instance."),
                Field::required(
                    "function_id",
                    Type::String,
                    "Insert Function id to which this instance is associated (with or \
                     without the `ifnd_` prefix).",
                )
                .replaces()
                .non_empty(),
                Field::required(
                    "integration_id",
                    Type::String,
                    "The Source or Destination id to be connected.",
                )
                .replaces()
                .non_empty(),
                Field::required(
                    "name",
                    Type::String,
                    "Defines the display name of the insert Function instance.",
                )
                .non_empty(),
                Field::required(
                    "enabled",
                    Type::Bool,
                    "Whether this insert Function instance should be enabled for the \
                     Destination.",
                ),
                Field::optional_computed(
                    "settings",
                    Type::String,
                    "An object that contains settings for this insert Function instance based \
                     on the settings present in the insert Function class, as JSON. Only \
                     settings included in the configuration are managed by Terraform.",
                )
                .settings(),
            ],
            import: Some(&["id"]),
        }
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let function_id = plan.string("function_id")?;
        let input = CreateInsertFunctionInstance {
            // The official provider sends the bare id; so do we.
            function_id: function_id
                .strip_prefix(PREFIX)
                .unwrap_or(&function_id)
                .to_string(),
            integration_id: plan.string("integration_id")?,
            enabled: plan.bool("enabled"),
            name: plan.string("name")?,
            settings: plan.json_object("settings")?.unwrap_or_default(),
        };
        let i = api.create_insert_function_instance(&input).await?;
        Ok(state(&i, plan))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let i = api
            .get_insert_function_instance(&prior.string("id")?)
            .await?;
        Ok(Some(state(&i, prior)))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let input = UpdateInsertFunctionInstance {
            enabled: plan.bool("enabled"),
            name: plan.opt_string("name"),
            settings: plan.json_object("settings")?.unwrap_or_default(),
        };
        let i = api
            .update_insert_function_instance(&prior.string("id")?, &input)
            .await?;
        Ok(state(&i, plan))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_insert_function_instance(&state.string("id")?)
            .await?;
        Ok(())
    }

    fn collections(&self, state: &Obj) -> Outcome<Vec<Collection>> {
        let mut lists = Vec::new();
        if let Some(function) = state.opt_string("function_id") {
            lists.push(
                Collection::new("insert-function-instances", "instances")
                    .with_query("functionId", function),
            );
        }
        lists.push(
            Collection::new("functions", "functions")
                .with_query("resourceType", "INSERT_DESTINATION"),
        );
        Ok(lists)
    }
}

impl Exported for InsertFunctionInstanceResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Insert Function Instance"],
            natural_key: &[],
            name_from: &["name"],
            parent: Parent::Type("segment_function"),
            audit_id: AuditId::ImportId,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_insert_function_instances(parent).await?;
            Ok(found.iter().map(|o| Listed::new(o.id.as_str())).collect())
        })
    }
}
