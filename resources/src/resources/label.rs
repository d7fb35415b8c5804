//! `segment_label`: a `key:value` label sources carry. Labels have no update
//! in the API, so every attribute replaces.

use async_trait::async_trait;
use segment_api::models::Label;
use segment_api::Client;

use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::engine::{Collection, Failure, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::Type;

pub struct LabelResource;

/// Characters a label's key and value cannot hold. Segment writes labels
/// as `key:value` and documents both parts as letters, digits, hyphens and
/// underscores (https://segment.com/docs/segment-app/iam/labels/), so the
/// real API refuses these too; the local workspace refuses exactly these,
/// as `:` splits an import ID and `/` a `DELETE /labels/{key}/{value}` path.
const FORBIDDEN: &[char] = &[':', '/'];

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

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        ["key", "value"]
            .into_iter()
            .filter_map(|name| {
                let v = config.str(name)?;
                v.contains(FORBIDDEN).then(|| {
                    Failure::invalid(
                        name,
                        format!(
                            "`{name}` is {v:?}; a label's {name} cannot contain ':' or '/' \
                             (Segment writes labels as key:value). Use letters, digits, '-' \
                             or '_', such as \"environment\"."
                        ),
                    )
                })
            })
            .collect()
    }

    async fn existing_import_id(&self, api: &Client, plan: &Obj) -> Option<String> {
        let (key, value) = (plan.str("key")?, plan.str("value")?);
        let label = api.find_label(key, value).await.ok()??;
        Some(format!("{}:{}", label.key, label.value))
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
        Ok(api.find_label(&key, &value).await?.as_ref().map(state))
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

    fn collections(&self, _state: &Obj) -> Outcome<Vec<Collection>> {
        Ok(vec![Collection::new("labels", "labels")])
    }
}

impl Exported for LabelResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Label"],
            natural_key: &["key", "value"],
            name_from: &["key", "value"],
            parent: Parent::Workspace,
            audit_id: AuditId::ImportId,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, _parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_labels().await?;
            Ok(found
                .iter()
                .map(|o| Listed::new(format!("{}:{}", o.key, o.value)))
                .collect())
        })
    }
}
