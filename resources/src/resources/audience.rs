//! `segment_audience`: an Engage audience in a space. Attribute names
//! follow the official provider's open audience pull request (`space_id`,
//! `name`, `description`, `key`, `enabled`, `definition`, `status`,
//! `options`), typed rather than string maps, with `audience_type` from the
//! API's `audienceType`.
//!
//! `key` is made by the API from the name when the audience is created and
//! never changes, so it is computed. `audience_type` cannot change in
//! place (the update has none): a change replaces. `definition.type` left
//! unset stays null in state, so an API that fills it in (older ones did)
//! shows no drift; an import reports what the API says.

use async_trait::async_trait;
use segment_api::models::{
    Audience, AudienceDefinition, AudienceOptions, CreateAudience, UpdateAudience, AUDIENCE_TYPES,
    DEFINITION_TYPES,
};
use segment_api::Client;

use crate::engine::{
    space_page, Collection, ExportSpec, Exported, Failure, Field, Obj, Outcome, Pages,
    ResourceSpec, ResourceType,
};
use crate::value::{Type, Value};

pub struct AudienceResource;

fn definition_type() -> Type {
    Type::object([("query", Type::String), ("type", Type::String)]).with_optional(["type"])
}

fn options_type() -> Type {
    Type::object([
        ("include_historical_data", Type::Bool),
        ("filter_by_external_ids", Type::list(Type::String)),
        ("backfill_event_data_days", Type::Number),
    ])
    .with_optional([
        "include_historical_data",
        "filter_by_external_ids",
        "backfill_event_data_days",
    ])
}

fn state(a: &Audience, prior: &Obj) -> Obj {
    let mut s = Obj::new();
    s.set("id", a.id.as_str())
        .set("space_id", a.space_id.as_str())
        .set("name", a.name.as_str())
        .set("description", a.description.clone())
        .set("key", a.key.as_str())
        .set("enabled", a.enabled)
        .set("status", a.status.clone())
        .set("audience_type", a.audience_type.as_str())
        .set_model("options", &a.options, &options_type());
    let definition = a
        .definition
        .as_ref()
        .map(|d| (d.query.as_str(), d.kind.as_deref()));
    s.set("definition", definition_state(definition, prior));
    s
}

fn definition(plan: &Obj) -> Result<AudienceDefinition, Failure> {
    plan.model("definition")
}

/// Options as configured; `None` when unset (the API keeps what it has).
fn options(plan: &Obj) -> Result<Option<AudienceOptions>, Failure> {
    plan.model("options")
}

// Shared with `computed_trait.rs`.

/// `status`: the API's, which moves with `enabled` and the computation.
pub(super) fn status_field(what: &'static str) -> Field {
    let description = match what {
        "Audience" => "The status of the Audience (such as Live, Computing or Disabled).",
        _ => "The status of the Computed Trait (such as Live, Computing or Disabled).",
    };
    Field::computed("status", Type::String, description).volatile()
}

/// `definition` in state from the API's `(query, type)`: a `type` the
/// prior state left null stays null (an API filling it in is no drift); an
/// import (no prior definition) shows the API's.
pub(super) fn definition_state(remote: Option<(&str, Option<&str>)>, prior: &Obj) -> Value {
    let Some((query, kind)) = remote else {
        return Value::Null;
    };
    let prior_def = prior.get("definition");
    let kind = match prior_def.get("type") {
        Some(Value::Null) => Value::Null,
        _ => kind.map(str::to_string).into(),
    };
    Value::object([("query", Value::from(query)), ("type", kind)])
}

/// A known `definition.type` must be one the API knows.
pub(super) fn definition_type_check(config: &Obj) -> Option<Failure> {
    let kind = config.get("definition").get("type")?.as_str()?;
    (!DEFINITION_TYPES.contains(&kind)).then(|| {
        Failure::invalid(
            "definition",
            format!(
                "`definition.type` is {kind:?}; it must be one of {} (the entity the query \
                 counts).",
                DEFINITION_TYPES.join(", ")
            ),
        )
    })
}

#[async_trait]
impl ResourceType for AudienceResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_audience",
            description: "Configures an Engage Audience: the profiles of a Space that match a \
                query. For more information, visit the \
                [Segment docs](https://segment.com/docs/engage/audiences/).",
            fields: vec![
                Field::id("The Audience id."),
                Field::required(
                    "space_id",
                    Type::String,
                    "The Space id (see the `segment_space` data source).",
                )
                .replaces()
                .non_empty(),
                Field::required("name", Type::String, "The name of the Audience.").non_empty(),
                Field::optional(
                    "description",
                    Type::String,
                    "The description of the Audience.",
                ),
                Field::computed(
                    "key",
                    Type::String,
                    "The key of the Audience, made from its name when it is created; it does \
                     not change with the name.",
                ),
                Field::optional_computed("enabled", Type::Bool, "Whether the Audience is enabled.")
                    .defaults_to(true),
                Field::required(
                    "definition",
                    definition_type(),
                    "The definition of the Audience: `query` (in Segment's query language) \
                     and, for APIs that take it, `type`.",
                )
                .nested(
                    "query",
                    "The query language string defining the audience segmentation criteria, \
                     such as `event('Order Completed').count() >= 3`.",
                )
                .nested_one_of(
                    "type",
                    "The entity type segmented (older API versions; `audience_type` now).",
                    DEFINITION_TYPES,
                ),
                Field::optional_computed(
                    "audience_type",
                    Type::String,
                    "The type of audience product: USERS, ACCOUNTS or LINKED. Changing it \
                     replaces the Audience.",
                )
                .defaults_to("USERS")
                .replaces()
                .one_of(AUDIENCE_TYPES),
                status_field("Audience"),
                Field::optional_computed(
                    "options",
                    options_type(),
                    "Additional options for the Audience; unset, the API's are kept.",
                )
                .nested(
                    "include_historical_data",
                    "Whether data from before the Audience was created counts for membership.",
                )
                .nested(
                    "filter_by_external_ids",
                    "Only profiles with an external id of one of these types are members.",
                )
                .nested(
                    "backfill_event_data_days",
                    "How many days of event data before the Audience was created count \
                     (with `include_historical_data`).",
                ),
            ],
            import: Some(&["space_id", "id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        definition_type_check(config).into_iter().collect()
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let input = CreateAudience {
            name: plan.string("name")?,
            enabled: plan.bool("enabled"),
            description: plan.opt_string("description"),
            definition: definition(plan)?,
            audience_type: plan.opt_string("audience_type"),
            options: options(plan)?,
        };
        let a = api
            .create_audience(&plan.string("space_id")?, &input)
            .await?;
        Ok(state(&a, plan))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let a = api
            .get_audience(&prior.string("space_id")?, &prior.string("id")?)
            .await?;
        Ok(Some(state(&a, prior)))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let input = UpdateAudience {
            enabled: plan.bool("enabled"),
            name: plan.opt_string("name"),
            // A description removed from the configuration is cleared.
            description: Some(plan.opt_string("description")),
            definition: Some(definition(plan)?),
            options: options(plan)?,
        };
        let a = api
            .update_audience(&prior.string("space_id")?, &prior.string("id")?, &input)
            .await?;
        Ok(state(&a, plan))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_audience(&state.string("space_id")?, &state.string("id")?)
            .await?;
        Ok(())
    }

    fn collections(&self, state: &Obj) -> Outcome<Vec<Collection>> {
        let space = state.string("space_id")?;
        Ok(vec![
            Collection::under("spaces", &space, "audiences", "audiences"),
            Collection::new("spaces", "spaces"),
        ])
    }
}

impl Exported for AudienceResource {
    fn export(&self) -> ExportSpec {
        ExportSpec::in_space(&["Audience"])
    }
    fn list<'a>(&'a self, api: &'a Client, parent: &'a str) -> Pages<'a> {
        space_page(parent, api.list_audiences(parent), |o| &o.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // An API that fills in definition.type must not show as drift of a
    // configuration that leaves it out.
    #[test]
    fn an_unset_definition_type_stays_null() {
        let remote = Audience {
            id: "a".into(),
            space_id: "s".into(),
            name: "N".into(),
            description: None,
            key: "n".into(),
            enabled: true,
            definition: Some(AudienceDefinition {
                query: "q".into(),
                kind: Some("users".into()),
                target_entity: None,
            }),
            status: None,
            created_by: String::new(),
            updated_by: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
            audience_type: "USERS".into(),
            options: None,
        };
        let mut prior = Obj::new();
        prior.set(
            "definition",
            Value::object([("query", Value::from("q")), ("type", Value::Null)]),
        );
        let s = state(&remote, &prior);
        assert_eq!(s.get("definition").get("type"), Some(&Value::Null));
        let imported = state(&remote, &Obj::new());
        assert_eq!(
            imported.get("definition").get("type"),
            Some(&Value::from("users"))
        );
    }
}
