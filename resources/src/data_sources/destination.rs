//! `segment_destination`: a destination, by id, with its catalog entry in
//! full.

use async_trait::async_trait;
use segment_api::Client;

use super::catalog;
use crate::engine::{DataSourceType, Field, Obj, Outcome, ResourceSpec};
use crate::value::Type;

pub struct DestinationDataSource;

#[async_trait]
impl DataSourceType for DestinationDataSource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_destination",
            description: "Reads a Destination. For more information, visit the \
                [Segment docs](https://segment.com/docs/connections/destinations/).",
            fields: vec![
                super::id_argument("The unique identifier of this instance of a Destination."),
                Field::computed(
                    "name",
                    Type::String,
                    "The name of this instance of a Destination.",
                ),
                Field::computed(
                    "enabled",
                    Type::Bool,
                    "Whether this instance of a Destination receives data.",
                ),
                Field::computed(
                    "metadata",
                    catalog::object_with_id(&catalog::destination_fields()),
                    "The metadata of the Destination of which this Destination is an instance \
                     of. For example, Google Analytics or Amplitude.",
                )
                .nested_docs(catalog::metadata_docs(
                    "The id of the Destination's catalog entry.",
                    &catalog::destination_fields(),
                    &catalog::object_with_id(&catalog::destination_fields()),
                )),
                Field::computed(
                    "settings",
                    Type::String,
                    "The settings associated with the Destination, as JSON. Secrets read back \
                     masked.",
                ),
                Field::computed(
                    "source_id",
                    Type::String,
                    "The id of a Source connected to this instance of a Destination.",
                ),
            ],
            import: None,
        }
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let id = config.string("id")?;
        let destination = api
            .get_integration_document("destinations", "destination", &id)
            .await?;
        Ok(super::from_model(&self.spec(), &destination))
    }
}
