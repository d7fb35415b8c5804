//! `segment_destination_metadata`: a destination in the catalog, by id,
//! with its actions and presets.

use async_trait::async_trait;
use segment_api::Client;

use super::catalog;
use crate::engine::{DataSourceType, Obj, Outcome, ResourceSpec};

pub struct DestinationMetadataDataSource;

#[async_trait]
impl DataSourceType for DestinationMetadataDataSource {
    fn spec(&self) -> ResourceSpec {
        let mut fields = vec![super::id_argument("The id of the Destination metadata.")];
        fields.extend(catalog::destination_fields());
        ResourceSpec {
            type_name: "segment_destination_metadata",
            description: "Reads a Destination metadata. For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/destinations/catalog/).",
            fields,
            import: None,
        }
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let metadata = api.get_destination_metadata(&config.string("id")?).await?;
        Ok(super::from_model(&self.spec(), &metadata))
    }
}
