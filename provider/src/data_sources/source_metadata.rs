//! `segment_source_metadata`: a source in the catalog, by id.

use async_trait::async_trait;
use segment_api::Client;

use super::catalog;
use crate::engine::{DataSourceType, Obj, Outcome, ResourceSpec};

pub struct SourceMetadataDataSource;

#[async_trait]
impl DataSourceType for SourceMetadataDataSource {
    fn spec(&self) -> ResourceSpec {
        let mut fields = vec![super::id_argument(
            "The id for this Source metadata in the Segment catalog.",
        )];
        fields.extend(catalog::source_fields());
        ResourceSpec {
            type_name: "segment_source_metadata",
            description: "Reads a Source metadata. For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/sources/catalog/).",
            fields,
            import: None,
        }
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let metadata = api.get_source_metadata(&config.string("id")?).await?;
        Ok(super::from_model(&self.spec(), &metadata))
    }
}
