//! `segment_role`: a role permissions grant, by id.

use async_trait::async_trait;
use segment_api::Client;

use crate::engine::{DataSourceType, Failure, Field, Obj, Outcome, ResourceSpec};
use crate::value::Type;

pub struct RoleDataSource;

#[async_trait]
impl DataSourceType for RoleDataSource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_role",
            description: "Reads a Role. For more information, visit the \
                [Segment docs](https://segment.com/docs/segment-app/iam/roles/).",
            fields: vec![
                super::id_argument("The unique identifier of the role."),
                Field::computed("name", Type::String, "The human-readable name of the role."),
                Field::computed(
                    "description",
                    Type::String,
                    "The human-readable description of the role.",
                ),
            ],
            import: None,
        }
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let id = config.string("id")?;
        // The API lists roles; it has no single-role read.
        let roles = api.list_roles().await?;
        let role = roles.iter().find(|r| r.id == id).ok_or_else(|| {
            Failure::invalid("id", format!("The workspace has no role with id {id:?}."))
        })?;
        Ok(super::from_model(&self.spec(), role))
    }
}
