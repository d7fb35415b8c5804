//! `segment_destination`: a source's events sent on to a catalog integration.

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use segment_api::models::{CreateDestination, Destination, UpdateDestination};
use segment_api::Client;

use super::common;
use crate::data_sources::catalog;
use crate::diagnostics::Diagnostic;
use crate::engine::catalog_check;
use crate::engine::{
    object_of, Catalog, Collection, Failure, Field, Obj, Outcome, PlanCheck, ResourceSpec,
    ResourceType,
};
use crate::engine::{AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::value::{Type, Value};

pub struct DestinationResource;

fn state(d: &Destination, prior: &Obj) -> Obj {
    let mut s = Obj::new();
    s.set("id", d.id.as_str())
        .set("name", d.name.clone())
        .set("enabled", d.enabled)
        .set("source_id", d.source_id.as_str())
        // Only the id comes from the API: the rest of the object is what the
        // user wrote (protocol 5 cannot fill computed values inside it).
        .set(
            "metadata",
            object_of(
                &common::destination_metadata(),
                prior.get("metadata"),
                &[("id", Value::from(d.metadata.id.as_str()))],
            ),
        )
        .set_json_string("settings", &d.settings);
    s
}

#[async_trait]
impl ResourceType for DestinationResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_destination",
            description: "Configures a Destination. For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/destinations/).",
            fields: vec![
                Field::id("The id of the Destination."),
                Field::optional("name", Type::String, "The name of the Destination."),
                Field::required(
                    "enabled",
                    Type::Bool,
                    "Whether the Destination receives events.",
                ),
                Field::required(
                    "source_id",
                    Type::String,
                    "The id of the Source that sends events to this Destination.",
                )
                .replaces()
                .non_empty(),
                Field::required(
                    "metadata",
                    common::destination_metadata(),
                    "The catalog entry of the Destination: `{ id = \"<metadata id>\" }`. \
                     The catalog details beside `id` (`name`, `logos`, `actions`, ...) are \
                     accepted as configurations written for the official provider hold them: \
                     kept as written, never sent to the API (the \
                     `segment_destination_metadata` data source reads them).",
                )
                .nested_docs(catalog::metadata_docs(
                    "The id of the Destination's catalog entry, such as \
                     `54521fd525e721e32a72ee91` for Amplitude. Look it up with the \
                     `segment_destination_metadata` data source (by id, name or slug, such as \
                     `name = \"Amplitude\"`), in the Segment app's catalog, or, on the local \
                     workspace, with `GET /catalog/destinations`.",
                    &catalog::destination_fields(),
                    &common::destination_metadata(),
                ))
                .replaces_when("id"),
                Field::optional_computed(
                    "settings",
                    Type::String,
                    "The settings associated with the Destination, as JSON. Only settings \
                     included in the configuration are managed by Terraform.",
                )
                .settings(),
            ],
            import: Some(&["id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        match config.nested_str("metadata", "id") {
            Some(id) if id.trim().is_empty() => vec![Failure::invalid(
                "metadata",
                "`metadata.id` must name a destination catalog entry, not be empty.",
            )],
            _ => Vec::new(),
        }
    }

    async fn check_plan(&self, cx: &PlanCheck<'_>) -> Vec<Diagnostic> {
        catalog_check::check_settings(cx, Catalog::Destinations).await
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let input = CreateDestination {
            source_id: plan.string("source_id")?,
            metadata_id: plan
                .nested_str("metadata", "id")
                .unwrap_or_default()
                .to_string(),
            enabled: plan.bool("enabled"),
            name: plan.opt_string("name"),
            settings: plan.json_object("settings")?.unwrap_or_default(),
        };
        Ok(state(&api.create_destination(&input).await?, plan))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let d = api.get_destination(&prior.string("id")?).await?;
        Ok(Some(state(&d, prior)))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let input = UpdateDestination {
            // A name removed from the configuration is cleared.
            name: Some(plan.opt_string("name")),
            enabled: plan.bool("enabled"),
            settings: plan.json_object("settings")?,
        };
        let d = api.update_destination(&prior.string("id")?, &input).await?;
        Ok(state(&d, plan))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_destination(&state.string("id")?).await?;
        Ok(())
    }

    fn collections(&self, _state: &Obj) -> Outcome<Vec<Collection>> {
        Ok(vec![Collection::new("destinations", "destinations")])
    }
}

impl Exported for DestinationResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Destination"],
            natural_key: &[],
            name_from: &["source_id", "name"],
            parent: Parent::Workspace,
            audit_id: AuditId::ImportId,
        }
    }
    /// Ids alone (each destination carries tens of KB of catalog
    /// metadata), a page at a time. Subscriptions are not asked of a
    /// destination whose integration has no actions: about half of them,
    /// a request each under a rate limit.
    fn list<'a>(&'a self, api: &'a Client, _parent: &'a str) -> Pages<'a> {
        api.destination_listing_pages()
            .map_ok(|page| {
                page.into_iter()
                    .map(|d| match d.may_have_subscriptions() {
                        true => Listed::new(d.id),
                        false => Listed::new(d.id).without(&["segment_destination_subscription"]),
                    })
                    .collect()
            })
            .boxed()
    }
}
