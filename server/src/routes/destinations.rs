//! Destinations: a source's events sent on to an integration.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Router};
use segment_api::models::{CreateDestination, UpdateDestination};
use serde_json::{json, Value};

use super::answer::{self, List, One, Shown};
use super::stored::CatalogLink;
use super::{list_answer, load, modify, object, remove, set, set_or_clear, text};
use crate::catalog::{self, Catalog};
use crate::error::AppResult;
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/destinations", get(list).post(create))
        .route("/destinations/{id}", get(read).patch(update).delete(delete))
}

fn audit_name(body: &Value) -> String {
    match body.get("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => {
            let meta = Catalog::get().destination(text(body, "metadataId"));
            meta.map(|m| m.name.clone()).unwrap_or_default()
        }
    }
}

/// A destination as the API shows it: catalog metadata embedded, secrets masked.
pub fn render(doc: &Doc) -> Shown {
    Shown::integration(doc, |meta_id, settings| {
        if let Some(meta) = Catalog::get().destination(meta_id) {
            *settings = catalog::masked(&meta.options, settings);
        }
    })
}

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<Shown>> {
    list_answer(
        &state,
        Kind::Destination,
        &uri,
        ListQuery::default(),
        "destinations",
        render,
    )
    .await
}

async fn read(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<One<Shown>> {
    let doc = load(&state, Kind::Destination, &id).await?;
    Ok(answer::one("destination", render(&doc)))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateDestination>,
) -> AppResult<One<Shown>> {
    let meta = Catalog::get().require_destination(&input.metadata_id)?;
    let settings = catalog::without_masks(&input.settings);
    catalog::validate_settings(&meta.name, &meta.options, &settings, false)?;
    let id = ids::new_id();
    let mut body = json!({
        "id": id,
        "enabled": input.enabled.unwrap_or(false),
        "sourceId": input.source_id,
        "settings": settings,
        "metadataId": meta.id,
    });
    if let Some(name) = &input.name {
        object_of(&mut body).insert("name".into(), json!(name));
    }
    let doc = Doc::new(Kind::Destination, &id, audit_name(&body), body)
        .parent(&input.source_id)
        .refs([input.source_id.clone()]);
    let batch = Batch::default()
        .require(Kind::Source, &input.source_id, "sourceId")
        .create(doc.clone());
    state.store.apply(batch, &actor).await?;
    Ok(answer::one("destination", render(&doc)))
}

fn object_of(v: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !v.is_object() {
        *v = json!({});
    }
    v.as_object_mut().expect("made an object above")
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateDestination>,
) -> AppResult<One<Shown>> {
    let doc = modify(&state, &actor, Kind::Destination, &id, |doc| {
        let meta = Catalog::get().require_destination(&doc.read::<CatalogLink>()?.metadata_id)?;
        let map = object(doc);
        if let Some(patch) = &input.settings {
            catalog::patch_settings(map, &meta.name, &meta.options, patch)?;
        }
        set_or_clear(map, "name", &input.name);
        set(map, "enabled", &input.enabled);
        doc.name = audit_name(&doc.body);
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one("destination", render(&doc)))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> AppResult<impl axum::response::IntoResponse> {
    remove(&state, &actor, Kind::Destination, &id).await
}
