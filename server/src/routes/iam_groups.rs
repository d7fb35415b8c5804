//! User groups: a name, permissions, and members by email.
//!
//! A group stores its members' emails. An email that belongs to a user is a
//! user member (`GET /groups/{id}/users`); one that belongs to a pending
//! invite is an invited member (`GET /groups/{id}/invites`), and becomes a
//! user member by itself once a user with that email exists. Adding an email
//! that is neither invites it to the workspace (no permissions of its own:
//! the group grants them). Deleting a user or an invite removes its email
//! from every group in the same write. `memberCount` counts both kinds.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Json, Router};
use segment_api::models::{
    Emails, MinimalUser, Permission, PermissionInput, Permissions, Status, UserGroup, UserGroupName,
};
use serde_json::Value;

use super::users::invite_doc;
use super::{check_email, listed, required_list};
use crate::error::AppResult;
use crate::input::Body;
use crate::kind::Kind;
use crate::routes::answer::{self, Data, List, One};
use crate::routes::retry::Retry;
use crate::routes::stored::{Contact, StoredGroup};
use crate::routes::{load, modify, non_empty, ok_status, page_of, remove};
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list).post(create))
        .route("/groups/{id}", get(read).patch(rename).delete(delete))
        .route(
            "/groups/{id}/permissions",
            axum::routing::put(replace_permissions).post(add_permissions),
        )
        .route(
            "/groups/{id}/users",
            get(list_users)
                .post(add_members)
                .put(replace_members)
                .delete(remove_members),
        )
        .route("/groups/{id}/invites", get(list_invites))
}

/// The member emails a group stores.
pub fn members(doc: &Doc) -> AppResult<Vec<String>> {
    Ok(doc.read::<StoredGroup>()?.members)
}

/// Stores `members` as the group's.
fn set_members_of(doc: &mut Doc, members: Vec<String>) -> AppResult<()> {
    let mut group: StoredGroup = doc.read()?;
    group.members = members;
    doc.write(&group)?;
    Ok(())
}

/// `current` with `added` appended, in order, without duplicates.
fn with_added(current: &[String], added: &[String]) -> Vec<String> {
    let mut out = current.to_vec();
    for e in added {
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    out
}

fn without(current: &[String], removed: &[String]) -> Vec<String> {
    current
        .iter()
        .filter(|e| !removed.contains(e))
        .cloned()
        .collect()
}

/// The groups of `all` that hold any of `emails`, with them removed.
fn unlinked(all: Vec<Doc>, emails: &[String]) -> AppResult<Vec<Doc>> {
    let mut changed = Vec::new();
    for mut g in all {
        let before = members(&g)?;
        let after = without(&before, emails);
        if after.len() != before.len() {
            set_members_of(&mut g, after)?;
            changed.push(g);
        }
    }
    Ok(changed)
}

/// Deletes users or invites and takes their emails out of every group, in
/// one write; when a group changes meanwhile, the write is redone on it.
pub async fn delete_unlinking(state: &AppState, actor: &Actor, docs: &[Doc]) -> AppResult<()> {
    let emails: Vec<String> = docs
        .iter()
        .map(|d| Ok(d.read::<Contact>()?.email))
        .collect::<AppResult<_>>()?;
    let mut retry = Retry::new("id", "groups are");
    loop {
        let groups = state.store.list_all(Kind::UserGroup, None).await?;
        let mut batch = Batch::default();
        for doc in docs {
            batch = batch.remove(doc);
        }
        for g in unlinked(groups, &emails)? {
            batch = batch.modify(g);
        }
        if retry.commit(state, batch, actor).await? {
            return Ok(());
        }
    }
}

/// Members split into users (found by email) and pending invites; emails
/// that are neither any more are left out.
async fn resolve(state: &AppState, group: &Doc) -> AppResult<(Vec<Doc>, Vec<String>)> {
    let (mut users, mut invites) = (Vec::new(), Vec::new());
    for email in members(group)? {
        if let Some(user) = state.store.find_by_key(Kind::User, &email).await? {
            users.push(user);
        } else if state
            .store
            .find_by_key(Kind::Invite, &email)
            .await?
            .is_some()
        {
            invites.push(email);
        }
    }
    Ok((users, invites))
}

/// A group as the API shows it: members counted, permissions with role names.
async fn render(state: &AppState, doc: &Doc) -> AppResult<UserGroup> {
    let (users, invites) = resolve(state, doc).await?;
    let group: StoredGroup = doc.read()?;
    Ok(UserGroup {
        id: doc.id.clone(),
        name: group.name,
        member_count: (users.len() + invites.len()) as u64,
        permissions: super::render(state, &group.permissions).await?,
    })
}

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<UserGroup>> {
    let (req, page) = page_of(&state, Kind::UserGroup, &uri, ListQuery::default()).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for doc in &page.items {
        items.push(render(&state, doc).await?);
    }
    Ok(answer::list("userGroups", items, req, &page))
}

async fn read(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<One<UserGroup>> {
    let doc = load(&state, Kind::UserGroup, &id).await?;
    Ok(answer::one("userGroup", render(&state, &doc).await?))
}

/// Group names are unique in the workspace (409 naming `name`).
async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<UserGroupName>,
) -> AppResult<One<UserGroup>> {
    let name = input.name.trim();
    non_empty("name", name)?;
    let id = ids::new_id();
    let group = StoredGroup {
        id: id.clone(),
        name: name.to_string(),
        members: Vec::new(),
        permissions: Vec::new(),
    };
    let mut doc = Doc::new(Kind::UserGroup, &id, name, Value::Null);
    doc.write(&group)?;
    let doc = doc.natural_key(name);
    state
        .store
        .apply(Batch::default().create(doc.clone()), &actor)
        .await?;
    Ok(answer::one("userGroup", render(&state, &doc).await?))
}

async fn rename(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UserGroupName>,
) -> AppResult<One<UserGroup>> {
    let name = input.name.trim();
    non_empty("name", name)?;
    let doc = modify(&state, &actor, Kind::UserGroup, &id, |doc| {
        let mut group: StoredGroup = doc.read()?;
        group.name = name.to_string();
        doc.write(&group)?;
        doc.name = name.to_string();
        doc.natural_key = Some(name.to_string());
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one("userGroup", render(&state, &doc).await?))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> AppResult<impl axum::response::IntoResponse> {
    remove(&state, &actor, Kind::UserGroup, &id).await
}

async fn replace_permissions(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Permissions<PermissionInput>>,
) -> AppResult<Json<Data<Permissions<Permission>>>> {
    super::replace_permissions(&state, &actor, Kind::UserGroup, &id, &input.permissions).await
}

async fn add_permissions(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Permissions<PermissionInput>>,
) -> AppResult<Json<Data<Permissions<Permission>>>> {
    super::add_permissions(&state, &actor, Kind::UserGroup, &id, &input.permissions).await
}

async fn list_users(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<List<MinimalUser>> {
    let group = load(&state, Kind::UserGroup, &id).await?;
    let (users, _) = resolve(&state, &group).await?;
    let items = users
        .iter()
        .map(|u| {
            let user: MinimalUser = u.read()?;
            Ok(MinimalUser {
                id: u.id.clone(),
                ..user
            })
        })
        .collect::<AppResult<_>>()?;
    listed("users", items, &uri)
}

async fn list_invites(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<List<String>> {
    let group = load(&state, Kind::UserGroup, &id).await?;
    let (_, invites) = resolve(&state, &group).await?;
    listed("emails", invites, &uri)
}

/// Checks the emails of an add or replace and makes invites for those that
/// are neither users nor invited yet.
async fn prepare(state: &AppState, emails: &[String]) -> AppResult<(Vec<String>, Vec<Doc>)> {
    let mut wanted: Vec<String> = Vec::with_capacity(emails.len());
    let mut invites = Vec::new();
    for (i, raw) in emails.iter().enumerate() {
        let email = raw.trim();
        let field = format!("emails[{i}]");
        check_email(&field, email)?;
        if wanted.iter().any(|e| e == email) {
            continue;
        }
        let known = state.store.find_by_key(Kind::User, email).await?.is_some()
            || state
                .store
                .find_by_key(Kind::Invite, email)
                .await?
                .is_some();
        if !known {
            invites.push(invite_doc(email, Vec::new())?);
        }
        wanted.push(email.to_string());
    }
    Ok((wanted, invites))
}

async fn set_members(
    state: &AppState,
    actor: &Actor,
    id: &str,
    emails: &[String],
    replace: bool,
) -> AppResult<One<UserGroup>> {
    load(state, Kind::UserGroup, id).await?;
    let (wanted, invites) = prepare(state, emails).await?;
    let doc = modify(state, actor, Kind::UserGroup, id, |doc| {
        let after = if replace {
            wanted.clone()
        } else {
            with_added(&members(doc)?, &wanted)
        };
        set_members_of(doc, after)?;
        Ok(invites
            .iter()
            .cloned()
            .fold(Batch::default(), Batch::create))
    })
    .await?;
    Ok(answer::one("userGroup", render(state, &doc).await?))
}

async fn add_members(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Emails>,
) -> AppResult<One<UserGroup>> {
    set_members(&state, &actor, &id, &input.emails, false).await
}

async fn replace_members(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<Emails>,
) -> AppResult<One<UserGroup>> {
    set_members(&state, &actor, &id, &input.emails, true).await
}

/// Emails that are not members are ignored, so a retried removal succeeds.
async fn remove_members(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<Json<Data<Status>>> {
    let emails = required_list(&uri, "emails", "ada@example.com")?;
    modify(&state, &actor, Kind::UserGroup, &id, |doc| {
        let after = without(&members(doc)?, &emails);
        set_members_of(doc, after)?;
        Ok(Batch::default())
    })
    .await?;
    Ok(ok_status())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn group(id: &str, list: &[&str]) -> Doc {
        Doc::new(
            Kind::UserGroup,
            id,
            id,
            serde_json::json!({ "id": id, "name": id, "members": list }),
        )
    }

    #[test]
    fn adding_keeps_order_and_skips_duplicates() {
        let now = with_added(&emails(&["a@x", "b@x"]), &emails(&["b@x", "c@x"]));
        assert_eq!(now, emails(&["a@x", "b@x", "c@x"]));
        assert_eq!(
            without(&now, &emails(&["a@x", "z@x"])),
            emails(&["b@x", "c@x"])
        );
    }

    #[test]
    fn unlinking_touches_only_groups_holding_the_emails() {
        let all = vec![group("g1", &["a@x", "b@x"]), group("g2", &["c@x"])];
        let changed = unlinked(all, &emails(&["b@x"])).unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].id, "g1");
        assert_eq!(members(&changed[0]).unwrap(), emails(&["a@x"]));
    }
}
