//! `segment_warehouse_metadata`: a warehouse in the catalog, by id.

use async_trait::async_trait;
use segment_api::Client;

use super::catalog;
use crate::engine::{DataSourceType, Obj, Outcome, ResourceSpec};

pub struct WarehouseMetadataDataSource;

#[async_trait]
impl DataSourceType for WarehouseMetadataDataSource {
    fn spec(&self) -> ResourceSpec {
        let mut fields = vec![super::id_argument("The id of this object.")];
        fields.extend(catalog::warehouse_fields());
        ResourceSpec {
            type_name: "segment_warehouse_metadata",
            description: "Reads a Warehouse metadata. For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/storage/catalog/).",
            fields,
            import: None,
        }
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let metadata = api.get_warehouse_metadata(&config.string("id")?).await?;
        Ok(super::from_model(&self.spec(), &metadata))
    }
}
