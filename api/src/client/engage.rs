//! Engage: spaces, and the audiences and computed traits of a space.

use reqwest::Method;

use super::integrations::seg;
use super::{to_body, Client};
use crate::error::{Error, Result};
use crate::models::*;

fn space(space_id: &str) -> String {
    format!("spaces/{}", seg(space_id))
}

fn audiences(space_id: &str) -> String {
    format!("{}/audiences", space(space_id))
}

fn audience(space_id: &str, id: &str) -> String {
    format!("{}/{}", audiences(space_id), seg(id))
}

fn computed_traits(space_id: &str) -> String {
    format!("{}/computed-traits", space(space_id))
}

fn computed_trait(space_id: &str, id: &str) -> String {
    format!("{}/{}", computed_traits(space_id), seg(id))
}

/// Whether a refused `GET /spaces` means the workspace has no Engage: the
/// API answers 403 (not on the plan) or 404 (no such product) there.
fn without_engage(e: &Error) -> bool {
    matches!(e.status(), Some(403 | 404))
}

impl Client {
    /// Every space of the workspace. A workspace without Engage answers
    /// `GET /spaces` with 403 or 404: that is no spaces, an empty list, not
    /// an error (other failures, such as a refused token, stay errors).
    pub async fn list_spaces(&self) -> Result<Vec<Space>> {
        match self.list_all("spaces", "spaces", &[]).await {
            Err(e) if without_engage(&e) => Ok(Vec::new()),
            other => other,
        }
    }
    pub async fn get_space(&self, id: &str) -> Result<Space> {
        self.one(Method::GET, &space(id), "space", None).await
    }

    pub async fn list_audiences(&self, space_id: &str) -> Result<Vec<Audience>> {
        self.list_kept(&audiences(space_id), "audiences", &[]).await
    }
    pub async fn get_audience(&self, space_id: &str, id: &str) -> Result<Audience> {
        self.one(Method::GET, &audience(space_id, id), "audience", None)
            .await
    }
    pub async fn create_audience(
        &self,
        space_id: &str,
        input: &CreateAudience,
    ) -> Result<Audience> {
        let body = Some(to_body(input)?);
        self.one(Method::POST, &audiences(space_id), "audience", body)
            .await
    }
    pub async fn update_audience(
        &self,
        space_id: &str,
        id: &str,
        input: &UpdateAudience,
    ) -> Result<Audience> {
        let body = Some(to_body(input)?);
        self.one(Method::PATCH, &audience(space_id, id), "audience", body)
            .await
    }
    pub async fn delete_audience(&self, space_id: &str, id: &str) -> Result<Status> {
        self.delete(&audience(space_id, id), &[]).await
    }

    pub async fn list_computed_traits(&self, space_id: &str) -> Result<Vec<ComputedTrait>> {
        self.list_kept(&computed_traits(space_id), "computedTraits", &[])
            .await
    }
    pub async fn get_computed_trait(&self, space_id: &str, id: &str) -> Result<ComputedTrait> {
        let path = computed_trait(space_id, id);
        self.one(Method::GET, &path, "computedTrait", None).await
    }
    pub async fn create_computed_trait(
        &self,
        space_id: &str,
        input: &CreateComputedTrait,
    ) -> Result<ComputedTrait> {
        let body = Some(to_body(input)?);
        let path = computed_traits(space_id);
        self.one(Method::POST, &path, "computedTrait", body).await
    }
    pub async fn update_computed_trait(
        &self,
        space_id: &str,
        id: &str,
        input: &UpdateComputedTrait,
    ) -> Result<ComputedTrait> {
        let body = Some(to_body(input)?);
        let path = computed_trait(space_id, id);
        self.one(Method::PATCH, &path, "computedTrait", body).await
    }
    pub async fn delete_computed_trait(&self, space_id: &str, id: &str) -> Result<Status> {
        self.delete(&computed_trait(space_id, id), &[]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, ApiErrorItem};

    fn refused(status: u16) -> Error {
        Error::Api(ApiError {
            status,
            errors: vec![ApiErrorItem::default()],
        })
    }

    #[test]
    fn only_403_and_404_mean_no_engage() {
        assert!(without_engage(&refused(403)));
        assert!(without_engage(&refused(404)));
        for status in [400, 401, 429, 500] {
            assert!(!without_engage(&refused(status)), "{status}");
        }
        assert!(!without_engage(&Error::Config("x".into())));
    }

    #[test]
    fn paths_escape_their_ids() {
        assert_eq!(audience("sp 1", "a/b"), "spaces/sp%201/audiences/a%2Fb");
        assert_eq!(computed_traits("sp"), "spaces/sp/computed-traits");
    }

    // The API answers both generations of an audience's definition: `type`
    // before audienceType existed, `targetEntity` after.
    #[test]
    fn audiences_of_either_generation_decode() {
        let old = serde_json::json!({"id": "a", "spaceId": "s", "name": "N", "key": "n",
            "enabled": true, "definition": {"query": "q", "type": "users"}});
        let a: Audience = serde_json::from_value(old).expect("decodes");
        assert_eq!(a.definition.and_then(|d| d.kind).as_deref(), Some("users"));
        let new = serde_json::json!({"id": "a", "spaceId": "s", "name": "N", "key": "n",
            "enabled": true, "audienceType": "USERS", "definition": null});
        let a: Audience = serde_json::from_value(new).expect("decodes");
        assert!(a.definition.is_none() && a.audience_type == "USERS");
    }
}
