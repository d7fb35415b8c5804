//! Engage spaces: `GET /spaces`, `GET /spaces/{spaceId}`.
//!
//! Spaces are made in Segment's app, not through the Public API. This
//! workspace stands in for the app with one path the real API lacks,
//! `POST /spaces` (`{name, slug}`), which `segment-workspace seed --engage`
//! uses; nothing else makes spaces, so a workspace that was never seeded
//! so has none. Without spaces `GET /spaces` answers 200 with an empty
//! list (the real API answers 403 or 404 to a workspace without Engage,
//! which the client reads as the same empty list).
//!
//! Profiles Sync warehouses (`profiles_warehouses.rs`) still take any space
//! id, as before spaces were stored: never stricter than they were.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Router};
use segment_api::models::Space;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::answer::{self, List, One};
use super::{non_empty, page_of};
use crate::error::{AppError, AppResult};
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/spaces", get(list).post(create))
        .route("/spaces/{space_id}", get(read))
}

/// The space, or a 404 naming it: the parent every Engage path checks first.
pub async fn load_space(state: &AppState, space_id: &str) -> AppResult<Space> {
    let doc = state
        .store
        .get(Kind::Space, space_id)
        .await?
        .ok_or_else(|| AppError::not_found(Kind::Space, space_id))?;
    Ok(doc.read()?)
}

/// The key an audience or computed trait gets from its name, as Segment
/// makes it: lower case, runs of anything but letters and digits as one
/// `_`. A name of none of those gets `fallback`.
pub fn key_from_name(name: &str, fallback: &str) -> String {
    let mut key = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            key.push(c);
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_');
    if key.is_empty() {
        fallback.to_lowercase()
    } else {
        key.to_string()
    }
}

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<Space>> {
    list_models(&state, Kind::Space, &uri, ListQuery::default(), "spaces").await
}

/// A page of `kind` as its model: a stored body that does not read as one
/// is an error, never an item of empty fields.
pub async fn list_models<T: DeserializeOwned>(
    state: &AppState,
    kind: Kind,
    uri: &Uri,
    scope: ListQuery,
    key: &'static str,
) -> AppResult<List<T>> {
    let (request, page) = page_of(state, kind, uri, scope).await?;
    let items = page
        .items
        .iter()
        .map(Doc::read)
        .collect::<Result<Vec<T>, _>>()?;
    Ok(answer::list(key, items, request, &page))
}

async fn read(
    State(state): State<AppState>,
    Path(space_id): Path<String>,
) -> AppResult<One<Space>> {
    Ok(answer::one("space", load_space(&state, &space_id).await?))
}

#[derive(Deserialize)]
struct CreateSpace {
    name: String,
    slug: String,
}

/// The app's part, here only: see the module docs.
async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateSpace>,
) -> AppResult<One<Space>> {
    non_empty("name", &input.name)?;
    non_empty("slug", &input.slug)?;
    let space = Space {
        id: ids::new_id(),
        slug: input.slug,
        name: input.name,
    };
    let mut doc = Doc::new(Kind::Space, &space.id, &space.name, serde_json::Value::Null)
        .natural_key(&space.slug);
    doc.write(&space)?;
    state
        .store
        .apply(Batch::default().create(doc), &actor)
        .await?;
    Ok(answer::one("space", space))
}

#[cfg(test)]
mod tests {
    use super::key_from_name;

    #[test]
    fn keys_are_names_in_snake_case() {
        assert_eq!(key_from_name("High-Value Users!", "x"), "high_value_users");
        assert_eq!(key_from_name("  Élan 2024 ", "x"), "élan_2024");
        assert_eq!(key_from_name("!!!", "AbC"), "abc");
    }
}

/// What an Engage object in a space shares with the others: for
/// `audiences.rs` and `computed_traits.rs`.
pub mod member {
    use super::*;

    /// The document of `kind` with `id` in the space (which must exist): one
    /// in another space is as missing as an unknown id.
    pub async fn load(state: &AppState, space_id: &str, kind: Kind, id: &str) -> AppResult<Doc> {
        load_space(state, space_id).await?;
        let doc = super::super::load(state, kind, id).await?;
        super::super::belongs(&doc, space_id)?;
        Ok(doc)
    }

    /// The user id of who makes a change (their email when they are no
    /// workspace user, as a token's owner may not be).
    pub async fn actor_id(state: &AppState, actor: &Actor) -> AppResult<String> {
        let user = state.store.find_by_key(Kind::User, &actor.email).await?;
        Ok(user.map(|u| u.id).unwrap_or_else(|| actor.email.clone()))
    }

    /// The status a computation shows: this workspace computes nothing, so
    /// an enabled one is live at once.
    pub fn status(enabled: bool) -> Option<String> {
        Some(if enabled { "Live" } else { "Disabled" }.to_string())
    }

    /// The natural key: a key is unique within its space.
    pub fn natural_key(space_id: &str, key: &str) -> String {
        format!("{space_id}/{key}")
    }

    /// A 409 naming the name to change when the name's key is taken in the
    /// space (the store refuses it too, should two race).
    pub async fn claim_key(
        state: &AppState,
        kind: Kind,
        space_id: &str,
        key: &str,
    ) -> AppResult<()> {
        let taken = state
            .store
            .find_by_key(kind, &natural_key(space_id, key))
            .await?;
        match taken {
            Some(other) => Err(AppError::conflict(
                "name",
                format!(
                    "name: {kind} {:?} (id {:?}) in space {space_id:?} already has the key \
                     {key:?} this name makes; choose another name",
                    other.name, other.id
                ),
            )),
            None => Ok(()),
        }
    }

    /// The definition's query must hold something; its entity type, when
    /// given, is one the API knows.
    pub fn check_definition(query: &str, kind: Option<&str>) -> AppResult<()> {
        non_empty("definition.query", query)?;
        if let Some(k) = kind {
            super::super::one_of("definition.type", k, segment_api::models::DEFINITION_TYPES)?;
        }
        Ok(())
    }
}
