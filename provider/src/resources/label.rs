//! `segment_label`: a `key:value` label sources carry. Labels have no update
//! in the API, so every attribute replaces.

use async_trait::async_trait;
use segment_api::models::Label;
use segment_api::Client;

use crate::engine::{Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::Type;

pub struct LabelResource;

fn state(l: &Label) -> Obj {
    Obj::new()
        .with("key", l.key.as_str())
        .with("value", l.value.as_str())
        .with("description", l.description.clone())
}

#[async_trait]
impl ResourceType for LabelResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_label",
            description: "Configures a Label. Labels scope permissions and group sources.",
            fields: vec![
                Field::required(
                    "key",
                    Type::String,
                    "The key that represents the name of this label.",
                )
                .replaces()
                .non_empty(),
                Field::required(
                    "value",
                    Type::String,
                    "The value associated with the key of this label.",
                )
                .replaces()
                .non_empty(),
                Field::optional(
                    "description",
                    Type::String,
                    "An optional description of the purpose of this label.",
                )
                .replaces(),
            ],
            import: Some(&["key", "value"]),
        }
    }

    async fn existing_import_id(&self, api: &Client, plan: &Obj) -> Option<String> {
        let (key, value) = (plan.str("key")?, plan.str("value")?);
        let labels = api.list_labels().await.ok()?;
        labels
            .iter()
            .find(|l| l.key == key && l.value == value)
            .map(|l| format!("{}:{}", l.key, l.value))
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let label = Label {
            key: plan.string("key")?,
            value: plan.string("value")?,
            description: plan.opt_string("description"),
        };
        Ok(state(&api.create_label(&label).await?))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let (key, value) = (prior.string("key")?, prior.string("value")?);
        // The API has no single-label read.
        let labels = api.list_labels().await?;
        Ok(labels
            .iter()
            .find(|l| l.key == key && l.value == value)
            .map(state))
    }

    async fn update(&self, _api: &Client, _prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        // Unreachable in practice: every attribute forces replacement.
        Ok(plan.clone())
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_label(&state.string("key")?, &state.string("value")?)
            .await?;
        Ok(())
    }
}
