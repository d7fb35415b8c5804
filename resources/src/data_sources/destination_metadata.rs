//! `segment_destination_metadata`: a destination in the catalog, by id, name or slug,
//! with its actions and presets.

use async_trait::async_trait;
use segment_api::Client;

use super::catalog;
use super::lookup::{self, Lookup};
use crate::engine::{DataSourceType, Failure, Obj, Outcome, ResourceSpec};

pub struct DestinationMetadataDataSource;

#[async_trait]
impl DataSourceType for DestinationMetadataDataSource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_destination_metadata",
            description:
                "Reads a Destination metadata: the catalog entry named by exactly one of `id`, \
                `name` or `slug` (names and slugs are matched exactly; by name or slug the \
                catalog list is read). For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/destinations/catalog/).",
            fields: lookup::arguments(
                "The id of the Destination metadata.",
                catalog::destination_fields(),
            ),
            import: None,
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        lookup::check("Destination", "amplitude", config)
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let metadata = match lookup::lookup(config)? {
            Lookup::Id(id) => api.get_destination_metadata(&id).await?,
            by => lookup::pick(
                "Destination",
                &by,
                api.list_destination_catalog().await?,
                |m| (m.id.as_str(), m.name.as_str(), m.slug.as_str()),
            )?,
        };
        Ok(super::from_model(&self.spec(), &metadata))
    }
}
