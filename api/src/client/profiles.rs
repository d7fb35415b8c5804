//! Profiles Sync warehouses, under a Unify space.

use reqwest::Method;

use super::integrations::seg;
use super::{to_body, Client};
use crate::error::Result;
use crate::models::*;

fn collection(space_id: &str) -> String {
    format!("spaces/{}/profiles-warehouses", seg(space_id))
}

fn member(space_id: &str, id: &str) -> String {
    format!("{}/{}", collection(space_id), seg(id))
}

impl Client {
    /// Every Profiles Sync warehouse of a space. The API has no single read:
    /// look one up in this list.
    pub async fn list_profiles_warehouses(&self, space_id: &str) -> Result<Vec<ProfilesWarehouse>> {
        self.list_all(&collection(space_id), "profilesWarehouses", &[])
            .await
    }
    pub async fn create_profiles_warehouse(
        &self,
        space_id: &str,
        input: &CreateProfilesWarehouse,
    ) -> Result<ProfilesWarehouse> {
        let body = Some(to_body(input)?);
        self.one(
            Method::POST,
            &collection(space_id),
            "profilesWarehouse",
            body,
        )
        .await
    }
    pub async fn update_profiles_warehouse(
        &self,
        space_id: &str,
        id: &str,
        input: &UpdateProfilesWarehouse,
    ) -> Result<ProfilesWarehouse> {
        let body = Some(to_body(input)?);
        let path = member(space_id, id);
        self.one(Method::PATCH, &path, "profilesWarehouse", body)
            .await
    }
    pub async fn delete_profiles_warehouse(&self, space_id: &str, id: &str) -> Result<Status> {
        self.delete(&member(space_id, id), &[]).await
    }
}
