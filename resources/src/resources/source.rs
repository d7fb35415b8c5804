//! `segment_source`: a source of events, from the catalog.

use async_trait::async_trait;
use segment_api::models::{
    is_source_slug, CreateSource, Label, Source, UpdateSource, SOURCE_SLUG_RULE,
};
use segment_api::Client;

use super::common;
use crate::data_sources::catalog;
use crate::diagnostics::Diagnostic;
use crate::engine::catalog_check;
use crate::engine::{
    object_of, Catalog, Collection, Failure, Field, Obj, Outcome, PlanCheck, ResourceSpec,
    ResourceType,
};
use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::value::{Type, Value};

pub struct SourceResource;

fn labels_of(obj: &Obj) -> Vec<Label> {
    obj.get("labels")
        .as_elements()
        .unwrap_or_default()
        .iter()
        .filter_map(|l| {
            Some(Label {
                key: l.get("key")?.as_str()?.to_string(),
                value: l.get("value")?.as_str()?.to_string(),
                description: None,
            })
        })
        .collect()
}

fn state(src: &Source, prior: &Obj) -> Obj {
    let mut s = Obj::new();
    s.set("id", src.id.as_str())
        .set("slug", src.slug.as_str())
        .set("enabled", src.enabled)
        .set("name", src.name.clone())
        .set("workspace_id", src.workspace_id.as_str())
        .set(
            "write_keys",
            Value::List(
                src.write_keys
                    .iter()
                    .map(|k| Value::from(k.as_str()))
                    .collect(),
            ),
        )
        .set(
            "metadata",
            object_of(
                &common::source_metadata(),
                prior.get("metadata"),
                &[("id", Value::from(src.metadata.id.as_str()))],
            ),
        )
        .set_json_string("settings", &src.settings);
    let labels: Vec<Value> = src
        .labels
        .iter()
        .map(|l| {
            Value::object([
                ("key", l.key.as_str().into()),
                ("value", l.value.as_str().into()),
            ])
        })
        .collect();
    // No labels reads as null when the configuration sets none.
    let none_configured = prior.get("labels").is_null();
    s.set(
        "labels",
        if labels.is_empty() && none_configured {
            Value::Null
        } else {
            Value::Set(labels)
        },
    );
    s
}

#[async_trait]
impl ResourceType for SourceResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_source",
            description: "Configures a Source. For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/sources/).",
            fields: vec![
                Field::id("The id of the Source."),
                Field::required(
                    "slug",
                    Type::String,
                    "The slug used to identify the Source in the Segment app.",
                )
                .non_empty(),
                Field::required(
                    "enabled",
                    Type::Bool,
                    "Enable to receive data from the Source.",
                ),
                // Optional and computed, as upstream: removed from the
                // configuration, the name stays as it is (the API has no
                // way to clear it).
                Field::optional_computed("name", Type::String, "The name of the Source."),
                Field::required(
                    "metadata",
                    common::source_metadata(),
                    "The catalog entry of the Source: `{ id = \"<metadata id>\" }`.",
                )
                .nested_docs(catalog::metadata_docs(
                    "The id of the Source's catalog entry, such as `IqDTy1TpoU` for \
                     JavaScript. Look it up with the `segment_source_metadata` data source \
                     (by id, name or slug, such as `slug = \"javascript\"`), in the Segment \
                     app's catalog, or, on the local workspace, with `GET /catalog/sources`.",
                    &catalog::source_fields(),
                    &common::source_metadata(),
                ))
                .replaces_when("id"),
                Field::optional_computed(
                    "settings",
                    Type::String,
                    "The settings associated with the Source, as JSON. Only settings included \
                     in the configuration are managed by Terraform.",
                )
                .settings(),
                Field::optional(
                    "labels",
                    common::label_set(),
                    "A list of labels applied to the Source.",
                )
                .nested_docs(common::label_docs()),
                Field::computed(
                    "workspace_id",
                    Type::String,
                    "The id of the Workspace that owns the Source.",
                ),
                Field::computed(
                    "write_keys",
                    Type::list(Type::String),
                    "The write keys used to send data from the Source.",
                ),
            ],
            import: Some(&["id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        match config.str("slug") {
            // Empty slugs get the field's own message.
            Some(slug) if !slug.is_empty() && !is_source_slug(slug) => vec![Failure::invalid(
                "slug",
                format!("`slug` is {slug:?}; it must be {SOURCE_SLUG_RULE}, such as \"web_app\"."),
            )],
            _ => Vec::new(),
        }
    }

    async fn check_plan(&self, cx: &PlanCheck<'_>) -> Vec<Diagnostic> {
        catalog_check::check_settings(cx, Catalog::Sources).await
    }

    async fn existing_import_id(&self, api: &Client, plan: &Obj) -> Option<String> {
        let slug = plan.str("slug")?;
        let sources = api.list_sources().await.ok()?;
        sources.into_iter().find(|s| s.slug == slug).map(|s| s.id)
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let metadata_id = plan
            .nested_str("metadata", "id")
            .unwrap_or_default()
            .to_string();
        let mut src = api
            .create_source(&CreateSource {
                slug: plan.string("slug")?,
                enabled: plan.bool("enabled").unwrap_or(false),
                metadata_id,
                settings: plan.json_object("settings")?,
            })
            .await?;
        // Create takes no name: set it the way the official provider does.
        if let Some(name) = plan.opt_string("name").filter(|n| !n.is_empty()) {
            let update = UpdateSource {
                name: Some(name),
                ..Default::default()
            };
            src = api.update_source(&src.id, &update).await?;
        }
        let labels = labels_of(plan);
        if !labels.is_empty() {
            src.labels = api.replace_source_labels(&src.id, &labels).await?;
        }
        Ok(state(&src, plan))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let src = api.get_source(&prior.string("id")?).await?;
        Ok(Some(state(&src, prior)))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let id = prior.string("id")?;
        let update = UpdateSource {
            name: plan.opt_string("name"),
            enabled: plan.bool("enabled"),
            slug: plan.opt_string("slug"),
            settings: plan.json_object("settings")?,
        };
        let mut src = api.update_source(&id, &update).await?;
        if plan.get("labels") != prior.get("labels") {
            src.labels = api.replace_source_labels(&id, &labels_of(plan)).await?;
        }
        Ok(state(&src, plan))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_source(&state.string("id")?).await?;
        Ok(())
    }

    fn collections(&self, _state: &Obj) -> Outcome<Vec<Collection>> {
        Ok(vec![Collection::new("sources", "sources")])
    }
}

impl Exported for SourceResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Source"],
            natural_key: &["slug"],
            name_from: &["slug"],
            parent: Parent::Workspace,
            audit_id: AuditId::ImportId,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, _parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_sources().await?;
            Ok(found.iter().map(|o| Listed::new(o.id.as_str())).collect())
        })
    }
}
