//! `segment_warehouse_metadata`: a warehouse in the catalog, by id, name or slug.

use async_trait::async_trait;
use segment_api::Client;

use super::catalog;
use super::lookup::{self, Lookup};
use crate::engine::{DataSourceType, Failure, Obj, Outcome, ResourceSpec};

pub struct WarehouseMetadataDataSource;

#[async_trait]
impl DataSourceType for WarehouseMetadataDataSource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_warehouse_metadata",
            description:
                "Reads a Warehouse metadata: the catalog entry named by exactly one of `id`, \
                `name` or `slug` (names and slugs are matched exactly; by name or slug the \
                catalog list is read). For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/storage/catalog/).",
            fields: lookup::arguments("The id of this object.", catalog::warehouse_fields()),
            import: None,
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        lookup::check("Warehouse", "snowflake", config)
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let metadata = match lookup::lookup(config)? {
            Lookup::Id(id) => api.get_warehouse_metadata(&id).await?,
            by => lookup::pick("Warehouse", &by, api.list_warehouse_catalog().await?, |m| {
                (m.id.as_str(), m.name.as_str(), m.slug.as_str())
            })?,
        };
        Ok(super::from_model(&self.spec(), &metadata))
    }
}
