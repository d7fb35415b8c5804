//! Labels: `key:value` pairs sources carry and permissions scope by.

use axum::extract::{Path, State};
use axum::routing::{delete, get};
use axum::{Extension, Json, Router};
use segment_api::models::{CreateLabel, Label, Labels};
use serde_json::Value;

use super::answer::{self, Data, One};
use super::{non_empty, remove, render};
use crate::error::AppResult;
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/labels", get(list).post(create))
        .route("/labels/{key}/{value}", delete(delete_label))
}

/// A label's id is its `key:value`: the API has no other id for labels.
pub fn label_id(key: &str, value: &str) -> String {
    format!("{key}:{value}")
}

async fn list(State(state): State<AppState>) -> AppResult<Json<Data<Labels>>> {
    // The API answers labels unpaged.
    let docs = state.store.list_all(Kind::Label, None).await?;
    let labels = docs.iter().map(render::label).collect::<AppResult<_>>()?;
    Ok(answer::data(Labels { labels }))
}

async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateLabel>,
) -> AppResult<One<Label>> {
    let label = input.label;
    non_empty("label.key", &label.key)?;
    non_empty("label.value", &label.value)?;
    for (field, v) in [("label.key", &label.key), ("label.value", &label.value)] {
        crate::values::plain_text(field, v)?;
        if v.contains(':') || v.contains('/') {
            return Err(crate::error::AppError::invalid(
                field,
                format!("{field}: {v:?} must not contain ':' or '/'"),
            ));
        }
    }
    let id = label_id(&label.key, &label.value);
    let mut doc = Doc::new(Kind::Label, &id, &id, Value::Null);
    doc.write(&label)?;
    state
        .store
        .apply(Batch::default().create(doc), &actor)
        .await?;
    Ok(answer::one("label", label))
}

async fn delete_label(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((key, value)): Path<(String, String)>,
) -> AppResult<impl axum::response::IntoResponse> {
    remove(&state, &actor, Kind::Label, &label_id(&key, &value)).await
}
