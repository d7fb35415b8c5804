//! `segment_source_metadata`: a source in the catalog, by id, name or slug.

use async_trait::async_trait;
use segment_api::Client;

use super::catalog;
use super::lookup::{self, Lookup};
use crate::engine::{DataSourceType, Failure, Obj, Outcome, ResourceSpec};

pub struct SourceMetadataDataSource;

#[async_trait]
impl DataSourceType for SourceMetadataDataSource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_source_metadata",
            description:
                "Reads a Source metadata: the catalog entry named by exactly one of `id`, \
                `name` or `slug` (names and slugs are matched exactly; by name or slug the \
                catalog list is read). For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/sources/catalog/).",
            fields: lookup::arguments(
                "The id for this Source metadata in the Segment catalog.",
                catalog::source_fields(),
            ),
            import: None,
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        lookup::check("Source", "javascript", config)
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let metadata = match lookup::lookup(config)? {
            Lookup::Id(id) => api.get_source_metadata(&id).await?,
            by => lookup::pick("Source", &by, api.list_source_catalog().await?, |m| {
                (m.id.as_str(), m.name.as_str(), m.slug.as_str())
            })?,
        };
        Ok(super::from_model(&self.spec(), &metadata))
    }
}
