//! `segment_profiles_warehouse`: a warehouse a Unify space syncs profiles
//! into (Profiles Sync).
//!
//! The API has no single read: the warehouse is found in its space's list,
//! as the official provider does. `name` and `schema_name` are optional
//! without being computed (as upstream); unset `schema_name` stays null in
//! state, so the API's default (the space slug) never shows as drift.
//! `enabled` is optional and computed with a default of true (upstream:
//! optional), so state always holds what the API says, an import plans
//! clean whether the configuration says `enabled = true` or nothing, and
//! removing it restores the default. Removing `name` or `schema_name`
//! clears it.

use async_trait::async_trait;
use segment_api::models::{CreateProfilesWarehouse, ProfilesWarehouse, UpdateProfilesWarehouse};
use segment_api::Client;

use super::warehouse::settings_patch;
use crate::engine::{space_page, ExportSpec, Exported, Pages};
use crate::engine::{Collection, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::{Type, Value};

pub struct ProfilesWarehouseResource;

/// `schema_name` unset in configuration stays null: upstream fills in the
/// space's slug, which is no drift. An import (no prior settings: only the
/// ids are known) reports what the API says.
fn schema_name(prior: &Obj, remote: Option<String>) -> Value {
    let importing = prior.get("settings").is_null();
    if !importing && prior.get("schema_name").is_null() {
        Value::Null
    } else {
        remote.into()
    }
}

fn state(wh: &ProfilesWarehouse, prior: &Obj) -> Obj {
    let mut settings = wh.settings.clone();
    // Upstream keeps the name inside the settings; it is its own attribute.
    settings.remove("name");
    let mut s = Obj::new();
    s.set("id", wh.id.as_str())
        .set("space_id", wh.space_id.as_str())
        .set("metadata_id", wh.metadata.id.as_str())
        .set("enabled", wh.enabled)
        .set("name", wh.display_name())
        .set("schema_name", schema_name(prior, wh.schema_name.clone()))
        .set_json_string("settings", &settings);
    s
}

/// `Some(None)` clears an attribute the plan drops; absent keeps it.
fn set_or_clear(prior: &Obj, plan: &Obj, name: &str) -> Option<Option<String>> {
    match (plan.opt_string(name), prior.get(name).is_null()) {
        (Some(v), _) => Some(Some(v)),
        (None, false) => Some(None),
        (None, true) => None,
    }
}

#[async_trait]
impl ResourceType for ProfilesWarehouseResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_profiles_warehouse",
            description: "Configures a Profiles Sync Warehouse. For more information, visit the \
                [Segment docs](https://segment.com/docs/unify/profiles-sync/overview/).",
            fields: vec![
                Field::id("The id of the Warehouse."),
                Field::required("space_id", Type::String, "The Space id.")
                    .replaces()
                    .non_empty(),
                Field::required(
                    "metadata_id",
                    Type::String,
                    "The Warehouse metadata to use.",
                )
                .replaces()
                .non_empty(),
                Field::optional(
                    "name",
                    Type::String,
                    "An optional human-readable name for this Warehouse.",
                ),
                Field::optional_computed(
                    "enabled",
                    Type::Bool,
                    "Enable to allow this Warehouse to receive data.",
                )
                .defaults_to(true),
                Field::optional(
                    "schema_name",
                    Type::String,
                    "The custom schema name that Segment uses on the Warehouse side. The space \
                     slug value is default otherwise.",
                )
                .non_empty(),
                Field::optional_computed(
                    "settings",
                    Type::String,
                    "A key-value object that contains instance-specific settings for a \
                     Warehouse, as JSON. Different kinds of Warehouses require different \
                     settings: the 'options' of the Warehouse metadata describe them. Only \
                     settings included in the configuration are managed by Terraform. The API \
                     never returns the password: it is kept from the configuration.",
                )
                .settings_omitting_secrets(),
            ],
            import: Some(&["space_id", "id"]),
        }
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let input = CreateProfilesWarehouse {
            metadata_id: plan.string("metadata_id")?,
            name: plan.opt_string("name"),
            enabled: plan.bool("enabled"),
            settings: plan.json_object("settings")?.unwrap_or_default(),
            schema_name: plan.opt_string("schema_name"),
        };
        let wh = api
            .create_profiles_warehouse(&plan.string("space_id")?, &input)
            .await?;
        Ok(state(&wh, plan))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let id = prior.string("id")?;
        let all = api
            .list_profiles_warehouses(&prior.string("space_id")?)
            .await?;
        Ok(all.iter().find(|w| w.id == id).map(|w| state(w, prior)))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let input = UpdateProfilesWarehouse {
            name: set_or_clear(prior, plan, "name"),
            // Planned as the default when unset.
            enabled: Some(plan.bool("enabled").unwrap_or(true)),
            settings: Some(settings_patch(prior, plan)?),
            schema_name: set_or_clear(prior, plan, "schema_name"),
        };
        let wh = api
            .update_profiles_warehouse(&prior.string("space_id")?, &prior.string("id")?, &input)
            .await?;
        Ok(state(&wh, plan))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_profiles_warehouse(&state.string("space_id")?, &state.string("id")?)
            .await?;
        Ok(())
    }

    fn collections(&self, state: &Obj) -> Outcome<Vec<Collection>> {
        let space = state.string("space_id")?;
        Ok(vec![
            Collection::under(
                "spaces",
                &space,
                "profiles-warehouses",
                "profilesWarehouses",
            ),
            Collection::new("spaces", "spaces"),
        ])
    }
}

impl Exported for ProfilesWarehouseResource {
    fn export(&self) -> ExportSpec {
        ExportSpec::in_space(&["Profiles Warehouse"])
    }
    fn list<'a>(&'a self, api: &'a Client, parent: &'a str) -> Pages<'a> {
        space_page(parent, api.list_profiles_warehouses(parent), |o| &o.id)
    }
}
