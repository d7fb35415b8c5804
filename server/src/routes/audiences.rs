//! Engage audiences: `/spaces/{spaceId}/audiences[/{audienceId}]`.
//!
//! An audience's `key` is made from its name when it is created and never
//! changes (Segment writes audience membership under it); two audiences of
//! a space cannot share one. Writes record "Audience Created/Modified/
//! Deleted" in the audit trail.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Router};
use segment_api::models::{Audience, CreateAudience, UpdateAudience, AUDIENCE_TYPES};

use super::answer::{self, List, One};
use super::spaces::{key_from_name, list_models, load_space, member};
use super::{modify, non_empty, one_of, remove};
use crate::error::AppResult;
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/spaces/{space_id}/audiences", get(list).post(create))
        .route(
            "/spaces/{space_id}/audiences/{id}",
            get(read).patch(update).delete(delete),
        )
}

async fn list(
    State(state): State<AppState>,
    Path(space_id): Path<String>,
    uri: Uri,
) -> AppResult<List<Audience>> {
    load_space(&state, &space_id).await?;
    let scope = ListQuery::under(space_id);
    list_models(&state, Kind::Audience, &uri, scope, "audiences").await
}

async fn read(
    State(state): State<AppState>,
    Path((space_id, id)): Path<(String, String)>,
) -> AppResult<One<Audience>> {
    let doc = member::load(&state, &space_id, Kind::Audience, &id).await?;
    Ok(answer::one("audience", doc.read()?))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(space_id): Path<String>,
    Body(input): Body<CreateAudience>,
) -> AppResult<One<Audience>> {
    load_space(&state, &space_id).await?;
    non_empty("name", &input.name)?;
    let definition = input.definition;
    member::check_definition(&definition.query, definition.kind.as_deref())?;
    // Required upstream today; the API before it knew only user audiences.
    let audience_type = input.audience_type.unwrap_or_else(|| "USERS".into());
    one_of("audienceType", &audience_type, AUDIENCE_TYPES)?;
    let id = ids::new_id();
    let key = key_from_name(&input.name, &id);
    member::claim_key(&state, Kind::Audience, &space_id, &key).await?;
    let who = member::actor_id(&state, &actor).await?;
    let now = ids::now();
    let enabled = input.enabled.unwrap_or(true);
    let audience = Audience {
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
        audience_type,
        options: input.options,
    };
    let mut doc = Doc::new(Kind::Audience, &id, &audience.name, serde_json::Value::Null)
        .parent(&space_id)
        .natural_key(member::natural_key(&space_id, &key))
        .refs([space_id.clone()]);
    doc.write(&audience)?;
    let batch = Batch::default()
        .require(Kind::Space, &space_id, "spaceId")
        .create(doc);
    state.store.apply(batch, &actor).await?;
    Ok(answer::one("audience", audience))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((space_id, id)): Path<(String, String)>,
    Body(input): Body<UpdateAudience>,
) -> AppResult<One<Audience>> {
    member::load(&state, &space_id, Kind::Audience, &id).await?;
    if let Some(name) = &input.name {
        non_empty("name", name)?;
    }
    if let Some(d) = &input.definition {
        member::check_definition(&d.query, d.kind.as_deref())?;
    }
    let who = member::actor_id(&state, &actor).await?;
    let doc = modify(&state, &actor, Kind::Audience, &id, |doc| {
        let mut a: Audience = doc.read()?;
        if let Some(name) = &input.name {
            a.name = name.clone();
        }
        if let Some(description) = &input.description {
            a.description = description.clone();
        }
        if let Some(enabled) = input.enabled {
            a.enabled = enabled;
            a.status = member::status(enabled);
        }
        if let Some(d) = &input.definition {
            a.definition = Some(d.clone());
        }
        if let Some(o) = &input.options {
            a.options = Some(o.clone());
        }
        a.updated_by = who.clone();
        a.updated_at = ids::now();
        doc.name = a.name.clone();
        doc.write(&a)?;
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one("audience", doc.read()?))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((space_id, id)): Path<(String, String)>,
) -> AppResult<impl axum::response::IntoResponse> {
    member::load(&state, &space_id, Kind::Audience, &id).await?;
    remove(&state, &actor, Kind::Audience, &id).await
}
