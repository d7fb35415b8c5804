//! `segment_user`: a user of the workspace, by id, with permissions.

use async_trait::async_trait;
use segment_api::Client;

use crate::engine::{DataSourceType, Field, Obj, Outcome, ResourceSpec};
use crate::resources::common;
use crate::value::Type;

pub struct UserDataSource;

#[async_trait]
impl DataSourceType for UserDataSource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_user",
            description: "Reads a user. For more information, visit the [Segment docs]\
                (https://segment.com/docs/segment-app/iam/concepts/#team-members).",
            fields: vec![
                super::id_argument("The unique identifier for this user."),
                Field::computed(
                    "name",
                    Type::String,
                    "The human-readable name of this user.",
                ),
                Field::computed(
                    "email",
                    Type::String,
                    "The email address associated with this user.",
                ),
                Field::computed(
                    "permissions",
                    Type::set(Type::object([
                        ("role_id", Type::String),
                        (
                            "resources",
                            Type::set(Type::object([
                                ("id", Type::String),
                                ("type", Type::String),
                                ("labels", common::label_set()),
                            ])),
                        ),
                    ])),
                    "The permissions associated with this user: a role, and the resources \
                     (with their labels) it applies to.",
                )
                .nested_docs(common::permissions_docs()),
            ],
            import: None,
        }
    }

    async fn read(&self, api: &Client, config: &Obj) -> Outcome<Obj> {
        let user = api.get_user(&config.string("id")?).await?;
        Ok(super::from_model(&self.spec(), &user))
    }
}
