//! `segment_warehouse`: a warehouse, by id.

use async_trait::async_trait;
use segment_api::Client;

use super::catalog;
use crate::engine::{DataSourceType, Field, Obj, Outcome, ResourceSpec};
use crate::value::Type;

pub struct WarehouseDataSource;

#[async_trait]
impl DataSourceType for WarehouseDataSource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_warehouse",
            description: "Reads a Warehouse. For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/storage/).",
            fields: vec![
                super::id_argument("The id of the Warehouse."),
                Field::computed(
                    "name",
                    Type::String,
                    "An optional human-readable name for this Warehouse.",
                ),
                Field::computed(
                    "enabled",
                    Type::Bool,
                    "When set to true, this Warehouse receives data.",
                ),
                Field::computed(
                    "metadata",
                    catalog::object_with_id(&catalog::warehouse_fields()),
                    "The metadata for the Warehouse.",
                )
                .nested_docs(catalog::metadata_docs(
                    "The id of the Warehouse's catalog entry.",
                    &catalog::warehouse_fields(),
                    &catalog::object_with_id(&catalog::warehouse_fields()),
                )),
                Field::computed(
                    "settings",
                    Type::String,
                    "The settings associated with this Warehouse, as JSON: connection details \
                     such as host, username and port. Passwords are left out.",
                ),
                Field::computed(
                    "workspace_id",
                    Type::String,
                    "The id of the Workspace that owns this Warehouse.",
                ),
            ],
            import: None,
        }
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let id = config.string("id")?;
        let warehouse = api
            .get_integration_document("warehouses", "warehouse", &id)
            .await?;
        Ok(super::from_model(&self.spec(), &warehouse))
    }
}
