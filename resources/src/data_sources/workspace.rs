//! `segment_workspace`: the workspace the token belongs to.

use async_trait::async_trait;
use segment_api::Client;

use crate::engine::{DataSourceType, Field, Obj, Outcome, ResourceSpec};
use crate::value::Type;

pub struct WorkspaceDataSource;

#[async_trait]
impl DataSourceType for WorkspaceDataSource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_workspace",
            description: "Reads the Workspace.",
            fields: vec![
                Field::computed("id", Type::String, "The unique identifier."),
                Field::computed("name", Type::String, "The human-readable name."),
                Field::computed("slug", Type::String, "The URL-friendly slug."),
            ],
            import: None,
        }
    }

    async fn read(&self, api: &Client, _config: &Obj) -> Outcome<Obj> {
        Ok(super::from_model(&self.spec(), &api.get_workspace().await?))
    }
}
