//! Data sources: one file each, one line each in [`all`].
//!
//! A data source's attributes are all computed except its arguments, so
//! unlike resources they carry the catalog's details (logos, options,
//! actions...) in full. Each file declares its fields and which API call
//! answers; [`from_model`] maps the answer onto the fields by name.

pub(crate) mod catalog;
mod destination;
mod destination_metadata;
mod lookup;
mod role;
mod source;
mod source_metadata;
mod space;
mod tracking_plan;
mod user;
mod warehouse;
mod warehouse_metadata;
mod workspace;

use serde::Serialize;

use crate::engine::{json_to_value, DataSourceType, Field, Obj, ResourceSpec};
use crate::value::Type;

pub use destination::DestinationDataSource;
pub use destination_metadata::DestinationMetadataDataSource;
pub use role::RoleDataSource;
pub use source::SourceDataSource;
pub use source_metadata::SourceMetadataDataSource;
pub use space::SpaceDataSource;
pub use tracking_plan::TrackingPlanDataSource;
pub use user::UserDataSource;
pub use warehouse::WarehouseDataSource;
pub use warehouse_metadata::WarehouseMetadataDataSource;
pub use workspace::WorkspaceDataSource;

/// Every data source the provider offers.
pub fn all() -> Vec<Box<dyn DataSourceType>> {
    vec![
        Box::new(WorkspaceDataSource),
        Box::new(SourceDataSource),
        Box::new(SourceMetadataDataSource),
        Box::new(DestinationDataSource),
        Box::new(DestinationMetadataDataSource),
        Box::new(WarehouseDataSource),
        Box::new(WarehouseMetadataDataSource),
        Box::new(TrackingPlanDataSource),
        Box::new(RoleDataSource),
        Box::new(UserDataSource),
        Box::new(SpaceDataSource),
    ]
}

/// The `id` argument the data sources but `segment_workspace` take.
fn id_argument(description: &'static str) -> Field {
    Field::required("id", Type::String, description).non_empty()
}

/// Every attribute of `spec` from an API model, found by its camelCase
/// name (`write_keys` is `writeKeys`); what the answer lacks is null. The
/// engine then puts the configured arguments back over these values.
fn from_model<T: Serialize>(spec: &ResourceSpec, model: &T) -> Obj {
    let json = serde_json::to_value(model).unwrap_or(serde_json::Value::Null);
    Obj::from_value(&json_to_value(&json, &spec.schema().value_type()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_map_onto_fields_by_camel_case_name() {
        let spec = ResourceSpec {
            type_name: "segment_thing",
            description: "",
            fields: vec![
                id_argument("id"),
                Field::computed("write_keys", Type::list(Type::String), ""),
                Field::computed("settings", Type::String, ""),
                Field::computed("missing", Type::Bool, ""),
            ],
            import: None,
        };
        let model = serde_json::json!({
            "id": "s1",
            "writeKeys": ["k"],
            "settings": {"b": 1, "a": true},
        });
        let obj = from_model(&spec, &model);
        assert_eq!(obj.str("id"), Some("s1"));
        assert_eq!(obj.str("settings"), Some(r#"{"a":true,"b":1}"#));
        assert_eq!(
            obj.get("write_keys").as_elements().map(|e| e.len()),
            Some(1)
        );
        assert!(obj.get("missing").is_null());
    }
}
