//! `segment_transformation`: renames events and reshapes their properties
//! for a source, optionally only towards one kind of destination.

use async_trait::async_trait;
use segment_api::models::{CreateTransformation, Transformation, UpdateTransformation};
use segment_api::Client;

use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::engine::{Collection, Failure, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::{Type, Value};

pub struct TransformationResource;

fn property_renames() -> Type {
    Type::set(Type::object([
        ("old_name", Type::String),
        ("new_name", Type::String),
    ]))
}

fn property_value_transformations() -> Type {
    Type::set(Type::object([
        ("property_paths", Type::set(Type::String)),
        ("property_value", Type::String),
    ]))
}

fn fql_defined_properties() -> Type {
    Type::set(Type::object([
        ("fql", Type::String),
        ("property_name", Type::String),
    ]))
}

/// The API's documented limits, checked before anything is sent.
const MAX_VALUE_TRANSFORMATIONS: usize = 10;
const MAX_PROPERTY_PATHS: usize = 10;
const MAX_FQL_PROPERTIES: usize = 1;

fn state(t: &Transformation) -> Obj {
    let mut s = Obj::new();
    s.set("id", t.id.as_str())
        .set("source_id", t.source_id.as_str())
        .set("destination_metadata_id", t.destination_metadata_id.clone())
        .set("name", t.name.as_str())
        .set("enabled", t.enabled)
        .set("if", t.condition.as_str())
        // An empty name is how a rename is cleared (see `update`).
        .set(
            "new_event_name",
            t.new_event_name.clone().filter(|n| !n.is_empty()),
        )
        .set_model("property_renames", &t.property_renames, &property_renames())
        .set_model(
            "property_value_transformations",
            &t.property_value_transformations,
            &property_value_transformations(),
        )
        .set_model(
            "fql_defined_properties",
            &t.fql_defined_properties,
            &fql_defined_properties(),
        );
    s
}

/// How many elements a known collection holds.
fn count(config: &Obj, name: &str) -> Option<usize> {
    config.get(name).as_elements().map(<[Value]>::len)
}

#[async_trait]
impl ResourceType for TransformationResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_transformation",
            description: "Configures a Transformation. For more information, visit the \
                [Segment docs](https://segment.com/docs/protocols/transform/).",
            fields: vec![
                Field::id("The id of the Transformation."),
                Field::required(
                    "source_id",
                    Type::String,
                    "The Source associated with the Transformation.",
                )
                .non_empty(),
                Field::optional(
                    "destination_metadata_id",
                    Type::String,
                    "The optional Destination metadata associated with the Transformation.",
                )
                // The API takes no null for it: it cannot be removed in place.
                .replaces_on_removal()
                .non_empty(),
                Field::required("name", Type::String, "The name of the Transformation.")
                    .non_empty(),
                Field::required("enabled", Type::Bool, "If the Transformation is enabled."),
                Field::required(
                    "if",
                    Type::String,
                    "If statement (FQL) to match events. For standard event matchers, use the \
                     following: Track -> \"event='EVENT_NAME'\" Identify -> \"type='identify'\" \
                     Group -> \"type='group'\"",
                )
                .non_empty(),
                Field::optional(
                    "new_event_name",
                    Type::String,
                    "Optional new event name for renaming events. Works only for 'track' event \
                     type.",
                )
                .non_empty(),
                Field::required(
                    "property_renames",
                    property_renames(),
                    "Optional array for renaming properties collected by your events: \
                     `[{ old_name = \"a\", new_name = \"b\" }]`, or `[]`.",
                )
                .nested("old_name", "The property's name as events carry it.")
                .nested("new_name", "The name the property is renamed to."),
                Field::required(
                    "property_value_transformations",
                    property_value_transformations(),
                    "Optional array for transforming properties and values collected by your \
                     events: `[{ property_paths = [\"properties.a\"], property_value = \"x\" }]`, \
                     or `[]`. Limited to 10 properties, each with at most 10 paths.",
                )
                .nested(
                    "property_paths",
                    "The paths of the properties to set, such as `properties.plan`; at most 10.",
                )
                .nested("property_value", "The value the properties are set to."),
                Field::required(
                    "fql_defined_properties",
                    fql_defined_properties(),
                    "Optional array for defining new properties in FQL: \
                     `[{ fql = \"...\", property_name = \"p\" }]`, or `[]`. Currently limited \
                     to 1 property.",
                )
                .nested(
                    "fql",
                    "The FQL expression that computes the property's value.",
                )
                .nested("property_name", "The name of the new property."),
            ],
            import: Some(&["id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        let mut out = Vec::new();
        let limits = [
            ("property_value_transformations", MAX_VALUE_TRANSFORMATIONS),
            ("fql_defined_properties", MAX_FQL_PROPERTIES),
        ];
        for (name, max) in limits {
            if let Some(n) = count(config, name).filter(|n| *n > max) {
                out.push(Failure::invalid(
                    name,
                    format!("`{name}` has {n} elements; the API takes at most {max}."),
                ));
            }
        }
        let transforms = config.get("property_value_transformations");
        for t in transforms.as_elements().unwrap_or_default() {
            let paths = t.get("property_paths").and_then(Value::as_elements);
            if let Some(n) = paths
                .map(<[Value]>::len)
                .filter(|n| *n > MAX_PROPERTY_PATHS)
            {
                out.push(Failure::invalid(
                    "property_value_transformations",
                    format!(
                        "`property_paths` has {n} paths; the API takes at most \
                         {MAX_PROPERTY_PATHS} per transformation."
                    ),
                ));
            }
        }
        out
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let input = CreateTransformation {
            name: plan.string("name")?,
            source_id: plan.string("source_id")?,
            destination_metadata_id: plan.opt_string("destination_metadata_id"),
            enabled: plan.bool("enabled").unwrap_or(false),
            condition: plan.string("if")?,
            new_event_name: plan.opt_string("new_event_name"),
            property_renames: Some(plan.model("property_renames")?),
            property_value_transformations: Some(plan.model("property_value_transformations")?),
            fql_defined_properties: Some(plan.model("fql_defined_properties")?),
            ..Default::default()
        };
        Ok(state(&api.create_transformation(&input).await?))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let t = api.get_transformation(&prior.string("id")?).await?;
        Ok(Some(state(&t)))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let dropped = |name: &str| plan.get(name).is_null() && !prior.get(name).is_null();
        // Planned as a replacement (`replaces_on_removal`); never sent.
        if dropped("destination_metadata_id") {
            return Err(Failure::invalid(
                "destination_metadata_id",
                "The API cannot remove `destination_metadata_id` from a Transformation. \
                 Replace it instead: `terraform apply -replace=<address>`.",
            ));
        }
        let new_event_name = match plan.opt_string("new_event_name") {
            // No null here either: an empty name stops the renaming.
            None if dropped("new_event_name") => Some(String::new()),
            other => other,
        };
        let input = UpdateTransformation {
            name: plan.opt_string("name"),
            source_id: plan.opt_string("source_id"),
            destination_metadata_id: plan.opt_string("destination_metadata_id"),
            enabled: plan.bool("enabled"),
            condition: plan.opt_string("if"),
            new_event_name,
            property_renames: Some(plan.model("property_renames")?),
            property_value_transformations: Some(plan.model("property_value_transformations")?),
            fql_defined_properties: Some(plan.model("fql_defined_properties")?),
            ..Default::default()
        };
        let t = api
            .update_transformation(&prior.string("id")?, &input)
            .await?;
        Ok(state(&t))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_transformation(&state.string("id")?).await?;
        Ok(())
    }

    fn collections(&self, _state: &Obj) -> Outcome<Vec<Collection>> {
        Ok(vec![Collection::new("transformations", "transformations")])
    }
}

impl Exported for TransformationResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Transformation"],
            natural_key: &[],
            name_from: &["source_id", "name"],
            parent: Parent::Workspace,
            audit_id: AuditId::ImportId,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, _parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_transformations().await?;
            Ok(found.iter().map(|o| Listed::new(o.id.as_str())).collect())
        })
    }
}
