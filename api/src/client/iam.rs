//! Users, invites, user groups and roles.

use reqwest::Method;

use super::integrations::seg;
use super::{to_body, Client};
use crate::error::Result;
use crate::models::*;

impl Client {
    pub async fn list_users(&self) -> Result<Vec<User>> {
        self.list_all("users", "users", &[]).await
    }
    pub async fn get_user(&self, id: &str) -> Result<User> {
        self.one(Method::GET, &format!("users/{}", seg(id)), "user", None)
            .await
    }
    pub async fn delete_users(&self, ids: &[String]) -> Result<Status> {
        self.delete("users", &[("userIds", ids.join(","))]).await
    }
    pub async fn replace_user_permissions(
        &self,
        id: &str,
        permissions: &[PermissionInput],
    ) -> Result<Vec<Permission>> {
        self.permissions(Method::PUT, "users", id, permissions)
            .await
    }
    /// Adds permissions; answers the permissions added.
    pub async fn add_user_permissions(
        &self,
        id: &str,
        permissions: &[PermissionInput],
    ) -> Result<Vec<Permission>> {
        self.permissions(Method::POST, "users", id, permissions)
            .await
    }
    pub async fn list_user_groups_of_user(&self, id: &str) -> Result<Vec<MinimalUserGroup>> {
        let path = format!("users/{}/groups", seg(id));
        self.list_all(&path, "groups", &[]).await
    }

    pub async fn list_invites(&self) -> Result<Vec<String>> {
        self.list_all("invites", "invites", &[]).await
    }
    pub async fn create_invites(&self, invites: &[Invite]) -> Result<Vec<String>> {
        let body = CreateInvites {
            invites: invites.to_vec(),
        };
        self.one(Method::POST, "invites", "emails", Some(to_body(&body)?))
            .await
    }
    pub async fn delete_invites(&self, emails: &[String]) -> Result<Status> {
        self.delete("invites", &[("emails", emails.join(","))])
            .await
    }

    pub async fn list_user_groups(&self) -> Result<Vec<UserGroup>> {
        self.list_all("groups", "userGroups", &[]).await
    }
    pub async fn get_user_group(&self, id: &str) -> Result<UserGroup> {
        let path = format!("groups/{}", seg(id));
        self.one(Method::GET, &path, "userGroup", None).await
    }
    pub async fn create_user_group(&self, name: &str) -> Result<UserGroup> {
        let body = UserGroupName {
            name: name.to_string(),
        };
        self.one(Method::POST, "groups", "userGroup", Some(to_body(&body)?))
            .await
    }
    pub async fn update_user_group(&self, id: &str, name: &str) -> Result<UserGroup> {
        let path = format!("groups/{}", seg(id));
        let body = UserGroupName {
            name: name.to_string(),
        };
        self.one(Method::PATCH, &path, "userGroup", Some(to_body(&body)?))
            .await
    }
    pub async fn delete_user_group(&self, id: &str) -> Result<Status> {
        self.delete(&format!("groups/{}", seg(id)), &[]).await
    }
    pub async fn replace_user_group_permissions(
        &self,
        id: &str,
        permissions: &[PermissionInput],
    ) -> Result<Vec<Permission>> {
        self.permissions(Method::PUT, "groups", id, permissions)
            .await
    }
    /// Adds permissions; answers the permissions added.
    pub async fn add_user_group_permissions(
        &self,
        id: &str,
        permissions: &[PermissionInput],
    ) -> Result<Vec<Permission>> {
        self.permissions(Method::POST, "groups", id, permissions)
            .await
    }
    pub async fn list_user_group_users(&self, id: &str) -> Result<Vec<MinimalUser>> {
        let path = format!("groups/{}/users", seg(id));
        self.list_all(&path, "users", &[]).await
    }
    /// Sets the group's members (users and invitees alike) to exactly `emails`.
    pub async fn replace_user_group_members(
        &self,
        id: &str,
        emails: &[String],
    ) -> Result<UserGroup> {
        let path = format!("groups/{}/users", seg(id));
        let body = Emails {
            emails: emails.to_vec(),
        };
        self.one(Method::PUT, &path, "userGroup", Some(to_body(&body)?))
            .await
    }
    pub async fn add_user_group_members(&self, id: &str, emails: &[String]) -> Result<UserGroup> {
        let path = format!("groups/{}/users", seg(id));
        let body = Emails {
            emails: emails.to_vec(),
        };
        self.one(Method::POST, &path, "userGroup", Some(to_body(&body)?))
            .await
    }
    pub async fn remove_user_group_members(&self, id: &str, emails: &[String]) -> Result<Status> {
        let path = format!("groups/{}/users", seg(id));
        self.delete(&path, &[("emails", emails.join(","))]).await
    }
    pub async fn list_user_group_invites(&self, id: &str) -> Result<Vec<String>> {
        let path = format!("groups/{}/invites", seg(id));
        self.list_all(&path, "emails", &[]).await
    }

    pub async fn list_roles(&self) -> Result<Vec<Role>> {
        self.list_all("roles", "roles", &[]).await
    }

    /// Sets (PUT) or adds to (POST) the permissions of a user or a group.
    async fn permissions(
        &self,
        method: Method,
        owners: &str,
        id: &str,
        permissions: &[PermissionInput],
    ) -> Result<Vec<Permission>> {
        let path = format!("{owners}/{}/permissions", seg(id));
        let body = Permissions {
            permissions: permissions.to_vec(),
        };
        self.one(method, &path, "permissions", Some(to_body(&body)?))
            .await
    }
}
