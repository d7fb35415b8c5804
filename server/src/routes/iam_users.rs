//! Users (members of the workspace) and invites (emails asked to join).
//!
//! An invite is stored with the permissions it grants, keyed by email. The
//! API has no path that reads an invite's permissions back (`GET /invites`
//! answers emails only), and the official provider does not need one: it
//! keeps an invite's permissions from configuration until the person joins,
//! then reads the user. Nothing here turns an invite into a user; a token
//! registered for that email makes the user.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::get;
use axum::{Extension, Json, Router};
use segment_api::models::{
    CreateInvites, Emails, MinimalUser, MinimalUserGroup, Permission, PermissionInput, Permissions,
    Status, User, UserGroup,
};
use serde_json::Value;

use super::groups::{self, delete_unlinking};
use super::{check_email, checked, listed, required_list};
use crate::error::{AppError, AppResult};
use crate::input::Body;
use crate::kind::Kind;
use crate::routes::answer::{self, Data, List, One};
use crate::routes::stored::{Grants, StoredInvite};
use crate::routes::{load, ok_status, page_of};
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).delete(delete_users))
        .route("/users/{id}", get(read_user))
        .route("/users/{id}/groups", get(user_groups))
        .route(
            "/users/{id}/permissions",
            axum::routing::put(replace_permissions).post(add_permissions),
        )
        .route(
            "/invites",
            get(list_invites)
                .post(create_invites)
                .delete(delete_invites),
        )
}

/// A user as the API shows it: permissions with role names, resources
/// deleted since left out.
async fn render_user(state: &AppState, doc: &Doc) -> AppResult<User> {
    let user: MinimalUser = doc.read()?;
    Ok(User {
        id: doc.id.clone(),
        name: user.name,
        email: user.email,
        permissions: super::render(state, &doc.read::<Grants>()?.permissions).await?,
    })
}

async fn list_users(State(state): State<AppState>, uri: Uri) -> AppResult<List<User>> {
    let (req, page) = page_of(&state, Kind::User, &uri, ListQuery::default()).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for doc in &page.items {
        items.push(render_user(&state, doc).await?);
    }
    Ok(answer::list("users", items, req, &page))
}

async fn read_user(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<One<User>> {
    let doc = load(&state, Kind::User, &id).await?;
    Ok(answer::one("user", render_user(&state, &doc).await?))
}

/// The groups a user belongs to, as `{id, name}`.
async fn user_groups(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<List<MinimalUserGroup>> {
    let user = load(&state, Kind::User, &id).await?;
    let email = user.read::<MinimalUser>()?.email;
    let mut items = Vec::new();
    for g in state.store.list_all(Kind::UserGroup, None).await? {
        if groups::members(&g)?.contains(&email) {
            let name = g.read::<UserGroup>()?.name;
            items.push(MinimalUserGroup { id: g.id, name });
        }
    }
    listed("groups", items, &uri)
}

/// `DELETE /users?userIds=a,b`: all or nothing; each user also leaves the
/// groups it was in.
async fn delete_users(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    uri: Uri,
) -> AppResult<Json<Data<Status>>> {
    let ids = required_list(&uri, "userIds", "id1,id2")?;
    let mut docs = Vec::with_capacity(ids.len());
    for id in &ids {
        let doc = state
            .store
            .get(Kind::User, id)
            .await?
            .ok_or_else(|| AppError::not_found(Kind::User, id).with_field("userIds"))?;
        docs.push(doc);
    }
    delete_unlinking(&state, &actor, &docs).await?;
    Ok(ok_status())
}

async fn replace_permissions(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Permissions<PermissionInput>>,
) -> AppResult<Json<Data<Permissions<Permission>>>> {
    super::replace_permissions(&state, &actor, Kind::User, &id, &input.permissions).await
}

async fn add_permissions(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Permissions<PermissionInput>>,
) -> AppResult<Json<Data<Permissions<Permission>>>> {
    super::add_permissions(&state, &actor, Kind::User, &id, &input.permissions).await
}

/// Refuses an email that already belongs to a user or a pending invite:
/// changing an invite is deleting it and inviting again.
async fn check_new_member(state: &AppState, field: &str, email: &str) -> AppResult<()> {
    if let Some(user) = state.store.find_by_key(Kind::User, email).await? {
        return Err(AppError::conflict(
            field,
            format!(
                "{field}: {email:?} is already a user of this workspace (id {:?})",
                user.id
            ),
        ));
    }
    if state
        .store
        .find_by_key(Kind::Invite, email)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            field,
            format!(
                "{field}: {email:?} is already invited; DELETE /invites?emails={email} first to invite again"
            ),
        ));
    }
    Ok(())
}

/// A pending invite document for `email`.
pub(super) fn invite_doc(email: &str, permissions: Vec<Value>) -> AppResult<Doc> {
    let invite = StoredInvite {
        email: email.to_string(),
        permissions,
        created_at: ids::now(),
    };
    let mut doc = Doc::new(Kind::Invite, ids::new_id(), email, Value::Null);
    doc.write(&invite)?;
    Ok(doc.natural_key(email))
}

/// `POST /invites`: every invite is checked before any is stored, and all
/// are stored together. Answers 201 with the invited emails.
async fn create_invites(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateInvites>,
) -> AppResult<(StatusCode, Json<Data<Emails>>)> {
    if input.invites.is_empty() {
        return Err(AppError::invalid(
            "invites",
            "invites: give at least one {email, permissions}",
        ));
    }
    let mut batch = Batch::default();
    let mut emails: Vec<String> = Vec::with_capacity(input.invites.len());
    for (i, invite) in input.invites.iter().enumerate() {
        let field = format!("invites[{i}].email");
        let email = invite.email.trim();
        check_email(&field, email)?;
        if emails.iter().any(|e| e == email) {
            return Err(AppError::invalid(
                &field,
                format!("{field}: {email:?} is listed twice"),
            ));
        }
        check_new_member(&state, &field, email).await?;
        let prefix = format!("invites[{i}].permissions");
        let permissions = checked(
            &state,
            &prefix,
            invite.permissions.as_deref().unwrap_or_default(),
        )
        .await?;
        batch = batch.create(invite_doc(email, permissions)?);
        emails.push(email.to_string());
    }
    state.store.apply(batch, &actor).await?;
    Ok((StatusCode::CREATED, answer::data(Emails { emails })))
}

/// Pending invites, by email only: the API shows nothing else of them.
async fn list_invites(State(state): State<AppState>, uri: Uri) -> AppResult<List<String>> {
    let (req, page) = page_of(&state, Kind::Invite, &uri, ListQuery::default()).await?;
    let items = page
        .items
        .iter()
        .map(|d| Ok(d.read::<StoredInvite>()?.email))
        .collect::<AppResult<_>>()?;
    Ok(answer::list("invites", items, req, &page))
}

/// `DELETE /invites?emails=a,b`: all or nothing; the invitees also leave the
/// groups they were added to.
async fn delete_invites(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    uri: Uri,
) -> AppResult<Json<Data<Status>>> {
    let emails = required_list(&uri, "emails", "ada@example.com")?;
    let mut docs = Vec::with_capacity(emails.len());
    for email in &emails {
        let doc = state
            .store
            .find_by_key(Kind::Invite, email)
            .await?
            .ok_or_else(|| AppError::not_found("Invite for", email).with_field("emails"))?;
        docs.push(doc);
    }
    delete_unlinking(&state, &actor, &docs).await?;
    Ok(ok_status())
}
