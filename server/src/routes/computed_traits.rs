//! Engage computed traits: `/spaces/{spaceId}/computed-traits[/{id}]`.
//!
//! A trait's `key` (its name on profiles) is made from its name when it is
//! created and never changes; two traits of a space cannot share one. The
//! API's update has no `options`: they are fixed when the trait is made.
//! Writes record "Computed Trait Created/Modified/Deleted".

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Router};
use segment_api::models::{ComputedTrait, CreateComputedTrait, UpdateComputedTrait};

use super::answer::{self, List, One};
use super::spaces::{key_from_name, list_models, load_space, member};
use super::{modify, non_empty, remove};
use crate::error::AppResult;
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

const KEY: &str = "computedTrait";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/spaces/{space_id}/computed-traits", get(list).post(create))
        .route(
            "/spaces/{space_id}/computed-traits/{id}",
            get(read).patch(update).delete(delete),
        )
}

async fn list(
    State(state): State<AppState>,
    Path(space_id): Path<String>,
    uri: Uri,
) -> AppResult<List<ComputedTrait>> {
    load_space(&state, &space_id).await?;
    let scope = ListQuery::under(space_id);
    list_models(&state, Kind::ComputedTrait, &uri, scope, "computedTraits").await
}

async fn read(
    State(state): State<AppState>,
    Path((space_id, id)): Path<(String, String)>,
) -> AppResult<One<ComputedTrait>> {
    let doc = member::load(&state, &space_id, Kind::ComputedTrait, &id).await?;
    Ok(answer::one(KEY, doc.read()?))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(space_id): Path<String>,
    Body(input): Body<CreateComputedTrait>,
) -> AppResult<One<ComputedTrait>> {
    load_space(&state, &space_id).await?;
    non_empty("name", &input.name)?;
    let definition = input.definition;
    member::check_definition(&definition.query, Some(&definition.kind))?;
    let id = ids::new_id();
    let key = key_from_name(&input.name, &id);
    member::claim_key(&state, Kind::ComputedTrait, &space_id, &key).await?;
    let who = member::actor_id(&state, &actor).await?;
    let now = ids::now();
    let enabled = input.enabled.unwrap_or(true);
    let computed = ComputedTrait {
        id: id.clone(),
        space_id: space_id.clone(),
        name: input.name,
        description: input.description,
        key: key.clone(),
        enabled,
        definition: Some(definition),
        status: member::status(enabled),
        created_by: who.clone(),
        updated_by: who,
        created_at: now.clone(),
        updated_at: now,
        options: input.options,
    };
    let mut doc = Doc::new(
        Kind::ComputedTrait,
        &id,
        &computed.name,
        serde_json::Value::Null,
    )
    .parent(&space_id)
    .natural_key(member::natural_key(&space_id, &key))
    .refs([space_id.clone()]);
    doc.write(&computed)?;
    let batch = Batch::default()
        .require(Kind::Space, &space_id, "spaceId")
        .create(doc);
    state.store.apply(batch, &actor).await?;
    Ok(answer::one(KEY, computed))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((space_id, id)): Path<(String, String)>,
    Body(input): Body<UpdateComputedTrait>,
) -> AppResult<One<ComputedTrait>> {
    member::load(&state, &space_id, Kind::ComputedTrait, &id).await?;
    if let Some(name) = &input.name {
        non_empty("name", name)?;
    }
    if let Some(d) = &input.definition {
        member::check_definition(&d.query, Some(&d.kind))?;
    }
    let who = member::actor_id(&state, &actor).await?;
    let doc = modify(&state, &actor, Kind::ComputedTrait, &id, |doc| {
        let mut t: ComputedTrait = doc.read()?;
        if let Some(name) = &input.name {
            t.name = name.clone();
        }
        if let Some(description) = &input.description {
            t.description = description.clone();
        }
        if let Some(enabled) = input.enabled {
            t.enabled = enabled;
            t.status = member::status(enabled);
        }
        if let Some(d) = &input.definition {
            t.definition = Some(d.clone());
        }
        t.updated_by = who.clone();
        t.updated_at = ids::now();
        doc.name = t.name.clone();
        doc.write(&t)?;
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one(KEY, doc.read()?))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((space_id, id)): Path<(String, String)>,
) -> AppResult<impl axum::response::IntoResponse> {
    member::load(&state, &space_id, Kind::ComputedTrait, &id).await?;
    remove(&state, &actor, Kind::ComputedTrait, &id).await
}
