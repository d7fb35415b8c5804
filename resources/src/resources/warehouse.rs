//! `segment_warehouse`: a data warehouse Segment loads events into.

use async_trait::async_trait;
use segment_api::models::{CreateWarehouse, Settings, UpdateWarehouse, Warehouse};
use segment_api::Client;
use serde_json::Value as Json;

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

pub struct WarehouseResource;

/// The name and the settings without it. Upstream keeps a warehouse's name
/// in `settings.name` (the official provider lifts it out the same way);
/// our workspace answers with a top-level `name`. Either is the name, and
/// it never shows inside `settings`.
fn split_name(wh: &Warehouse) -> (Option<String>, Settings) {
    let mut settings = wh.settings.clone();
    let in_settings = settings
        .remove("name")
        .and_then(|v| v.as_str().map(str::to_string));
    (wh.name.clone().or(in_settings), settings)
}

fn state(wh: &Warehouse, prior: &Obj) -> Obj {
    let (name, settings) = split_name(wh);
    let mut s = Obj::new();
    s.set("id", wh.id.as_str())
        .set("workspace_id", wh.workspace_id.as_str())
        .set("enabled", wh.enabled)
        .set("name", name)
        .set(
            "metadata",
            object_of(
                &common::warehouse_metadata(),
                prior.get("metadata"),
                &[("id", Value::from(wh.metadata.id.as_str()))],
            ),
        )
        .set_json_string("settings", &settings);
    s
}

/// The settings to send on update: the planned ones, plus `null` for every
/// key the prior state managed and the plan dropped, so a setting removed
/// from the configuration is removed from the warehouse (a PATCH merges).
pub fn settings_patch(prior: &Obj, plan: &Obj) -> Outcome<Settings> {
    let mut patch = plan.json_object("settings")?.unwrap_or_default();
    if let Ok(Some(before)) = prior.json_object("settings") {
        for key in before.keys() {
            if !patch.contains_key(key) {
                patch.insert(key.clone(), Json::Null);
            }
        }
    }
    Ok(patch)
}

#[async_trait]
impl ResourceType for WarehouseResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_warehouse",
            description: "Configures a Warehouse. For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/storage/).",
            fields: vec![
                Field::id("The id of the Warehouse."),
                Field::required(
                    "metadata",
                    common::warehouse_metadata(),
                    "The metadata for the Warehouse: `{ id = \"<warehouse metadata id>\" }`. \
                     Its other details are read-only (see the `segment_warehouse_metadata` \
                     data source).",
                )
                .nested_docs(catalog::metadata_docs(
                    "The id of the Warehouse's catalog entry, such as `CCIl4HLQPz` for \
                     Snowflake. Look it up with the `segment_warehouse_metadata` data source \
                     (by id, name or slug, such as `slug = \"snowflake\"`), in the Segment \
                     app's catalog, or, on the local workspace, with `GET /catalog/warehouses`.",
                    &catalog::warehouse_fields(),
                    &common::warehouse_metadata(),
                ))
                .replaces_when("id"),
                Field::optional_computed(
                    "name",
                    Type::String,
                    "An optional human-readable name for this Warehouse.",
                ),
                Field::optional_computed(
                    "enabled",
                    Type::Bool,
                    "When set to true, this Warehouse receives data.",
                ),
                Field::optional_computed(
                    "settings",
                    Type::String,
                    "The settings associated with this Warehouse, as JSON. Common settings are \
                     connection-related configuration used to connect to it, for example host, \
                     username, and port. Only settings included in the configuration are \
                     managed by Terraform. The API never returns the password: it is kept \
                     from the configuration.",
                )
                .settings_omitting_secrets(),
                Field::computed(
                    "workspace_id",
                    Type::String,
                    "The id of the Workspace that owns this Warehouse.",
                ),
            ],
            import: Some(&["id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        match config.nested_str("metadata", "id") {
            Some(id) if id.trim().is_empty() => vec![Failure::invalid(
                "metadata",
                "`metadata.id` must name a warehouse in the catalog, not be empty.",
            )],
            _ => Vec::new(),
        }
    }

    async fn check_plan(&self, cx: &PlanCheck<'_>) -> Vec<Diagnostic> {
        catalog_check::check_settings(cx, Catalog::Warehouses).await
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let wh = api
            .create_warehouse(&CreateWarehouse {
                metadata_id: plan
                    .nested_str("metadata", "id")
                    .unwrap_or_default()
                    .to_string(),
                name: plan.opt_string("name").filter(|n| !n.is_empty()),
                enabled: plan.bool("enabled"),
                settings: plan.json_object("settings")?.unwrap_or_default(),
            })
            .await?;
        Ok(state(&wh, plan))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let wh = api.get_warehouse(&prior.string("id")?).await?;
        Ok(Some(state(&wh, prior)))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let update = UpdateWarehouse {
            // Unset in configuration keeps the name (it is computed then).
            name: plan.opt_string("name").map(Some),
            enabled: plan.bool("enabled"),
            settings: Some(settings_patch(prior, plan)?),
        };
        let wh = api.update_warehouse(&prior.string("id")?, &update).await?;
        Ok(state(&wh, plan))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_warehouse(&state.string("id")?).await?;
        Ok(())
    }

    fn collections(&self, _state: &Obj) -> Outcome<Vec<Collection>> {
        Ok(vec![Collection::new("warehouses", "warehouses")])
    }
}

impl Exported for WarehouseResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Warehouse"],
            natural_key: &[],
            name_from: &["name"],
            parent: Parent::Workspace,
            audit_id: AuditId::ImportId,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, _parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_warehouses().await?;
            Ok(found.iter().map(|o| Listed::new(o.id.as_str())).collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_settings_are_sent_as_null() {
        let prior = Obj::new().with("settings", r#"{"hostname":"a","port":5432}"#);
        let plan = Obj::new().with("settings", r#"{"hostname":"b"}"#);
        let patch = settings_patch(&prior, &plan).expect("valid settings");
        assert_eq!(
            Json::Object(patch),
            serde_json::json!({"hostname": "b", "port": null})
        );
    }
}
