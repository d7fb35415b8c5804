//! `segment_computed_trait`: an Engage computed trait in a space: a value
//! per profile (a count, a sum, the last value...) computed by a query.
//! Shaped as `segment_audience` is; its definition's `type` (users or
//! accounts) is required.
//!
//! The API's update has no `options`, so a change of them replaces the
//! trait; unset, the API's are kept. `key` is the trait's name on
//! profiles, made from its name when it is created: computed.

use async_trait::async_trait;
use segment_api::models::{
    ComputedTrait, ComputedTraitDefinition, CreateComputedTrait, TraitOptions, UpdateComputedTrait,
    DEFINITION_TYPES,
};
use segment_api::Client;

use super::audience::{definition_state, definition_type_check, status_field};
use crate::engine::{
    space_page, Collection, ExportSpec, Exported, Failure, Field, Obj, Outcome, Pages,
    ResourceSpec, ResourceType,
};
use crate::value::Type;

pub struct ComputedTraitResource;

fn definition_type() -> Type {
    Type::object([("query", Type::String), ("type", Type::String)])
}

fn options_type() -> Type {
    Type::object([
        ("include_historical_data", Type::Bool),
        ("include_anonymous_users", Type::Bool),
        ("backfill_duration_days", Type::Number),
    ])
    .with_optional([
        "include_historical_data",
        "include_anonymous_users",
        "backfill_duration_days",
    ])
}

fn state(t: &ComputedTrait, prior: &Obj) -> Obj {
    let mut s = Obj::new();
    s.set("id", t.id.as_str())
        .set("space_id", t.space_id.as_str())
        .set("name", t.name.as_str())
        .set("description", t.description.clone())
        .set("key", t.key.as_str())
        .set("enabled", t.enabled)
        .set("status", t.status.clone())
        .set_model("options", &t.options, &options_type());
    let definition = t
        .definition
        .as_ref()
        .map(|d| (d.query.as_str(), Some(d.kind.as_str())));
    s.set("definition", definition_state(definition, prior));
    s
}

fn definition(plan: &Obj) -> Result<ComputedTraitDefinition, Failure> {
    plan.model("definition")
}

#[async_trait]
impl ResourceType for ComputedTraitResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_computed_trait",
            description: "Configures an Engage Computed Trait: a value per profile of a Space \
                computed by a query. For more information, visit the \
                [Segment docs](https://segment.com/docs/engage/audiences/computed-traits/).",
            fields: vec![
                Field::id("The Computed Trait id."),
                Field::required(
                    "space_id",
                    Type::String,
                    "The Space id (see the `segment_space` data source).",
                )
                .replaces()
                .non_empty(),
                Field::required("name", Type::String, "The name of the Computed Trait.")
                    .non_empty(),
                Field::optional(
                    "description",
                    Type::String,
                    "The description of the Computed Trait.",
                ),
                Field::computed(
                    "key",
                    Type::String,
                    "The trait's name on profiles, made from its name when it is created; it \
                     does not change with the name.",
                ),
                Field::optional_computed(
                    "enabled",
                    Type::Bool,
                    "Whether the Computed Trait is enabled.",
                )
                .defaults_to(true),
                Field::required(
                    "definition",
                    definition_type(),
                    "The definition of the Computed Trait: `query` and `type`.",
                )
                .nested(
                    "query",
                    "The query language string defining the aggregation, such as \
                     `event('Order Completed').count()`.",
                )
                .nested_one_of(
                    "type",
                    "The entity type aggregated.",
                    DEFINITION_TYPES,
                ),
                status_field("Computed Trait"),
                Field::optional_computed(
                    "options",
                    options_type(),
                    "Additional options for the Computed Trait; unset, the API's are kept. The \
                     API cannot change them: a change replaces the Computed Trait.",
                )
                .replaces()
                .nested(
                    "include_historical_data",
                    "Whether data from before the trait was created counts.",
                )
                .nested(
                    "include_anonymous_users",
                    "Whether anonymous users get the trait.",
                )
                .nested(
                    "backfill_duration_days",
                    "How many days of event data before the trait was created count.",
                ),
            ],
            import: Some(&["space_id", "id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        definition_type_check(config).into_iter().collect()
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let input = CreateComputedTrait {
            name: plan.string("name")?,
            enabled: plan.bool("enabled"),
            description: plan.opt_string("description"),
            definition: definition(plan)?,
            options: plan.model::<Option<TraitOptions>>("options")?,
        };
        let t = api
            .create_computed_trait(&plan.string("space_id")?, &input)
            .await?;
        Ok(state(&t, plan))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let t = api
            .get_computed_trait(&prior.string("space_id")?, &prior.string("id")?)
            .await?;
        Ok(Some(state(&t, prior)))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let input = UpdateComputedTrait {
            enabled: plan.bool("enabled"),
            name: plan.opt_string("name"),
            // A description removed from the configuration is cleared.
            description: Some(plan.opt_string("description")),
            definition: Some(definition(plan)?),
        };
        let t = api
            .update_computed_trait(&prior.string("space_id")?, &prior.string("id")?, &input)
            .await?;
        Ok(state(&t, plan))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_computed_trait(&state.string("space_id")?, &state.string("id")?)
            .await?;
        Ok(())
    }

    fn collections(&self, state: &Obj) -> Outcome<Vec<Collection>> {
        let space = state.string("space_id")?;
        Ok(vec![
            Collection::under("spaces", &space, "computed-traits", "computedTraits"),
            Collection::new("spaces", "spaces"),
        ])
    }
}

impl Exported for ComputedTraitResource {
    fn export(&self) -> ExportSpec {
        ExportSpec::in_space(&["Computed Trait"])
    }
    fn list<'a>(&'a self, api: &'a Client, parent: &'a str) -> Pages<'a> {
        space_page(parent, api.list_computed_traits(parent), |o| &o.id)
    }
}
