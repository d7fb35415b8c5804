//! Reverse ETL models: a SQL query against a warehouse source whose rows
//! are synced to destinations.
//!
//! The schedule moved from models to destination subscriptions upstream: the
//! current API takes no `scheduleStrategy`/`scheduleConfig` (the official
//! provider v1.6.0 sends neither), older clients required them. Both are
//! optional here; when given they are checked and kept, when not they are
//! left out of the answer, as the current API does.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::get;
use axum::{Extension, Router};
use segment_api::models::{
    CreateReverseEtlModel, ReverseEtlModel, UpdateReverseEtlModel, SCHEDULE_STRATEGIES,
};
use serde_json::Value;

use super::answer::{self, List, One};
use super::render;
use super::{list_answer, load, modify, non_empty, one_of, remove};
use crate::error::AppResult;
use crate::input::Body;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, ListQuery};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reverse-etl-models", get(list).post(create))
        .route(
            "/reverse-etl-models/{id}",
            get(read).patch(update).delete(delete),
        )
}

fn check_strategy(strategy: &Option<String>) -> AppResult<()> {
    match strategy {
        Some(s) => one_of("scheduleStrategy", s, SCHEDULE_STRATEGIES),
        None => Ok(()),
    }
}

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<List<ReverseEtlModel>> {
    let scope = ListQuery::default();
    let items = render::reverse_etl_model;
    list_answer(&state, Kind::ReverseEtlModel, &uri, scope, "models", items).await
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<One<ReverseEtlModel>> {
    let doc = load(&state, Kind::ReverseEtlModel, &id).await?;
    Ok(answer::one(
        "reverseEtlModel",
        render::reverse_etl_model(&doc)?,
    ))
}

/// Answers 201, as the API does for this create.
async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateReverseEtlModel>,
) -> AppResult<(StatusCode, One<ReverseEtlModel>)> {
    non_empty("sourceId", &input.source_id)?;
    non_empty("name", &input.name)?;
    non_empty("query", &input.query)?;
    non_empty("queryIdentifierColumn", &input.query_identifier_column)?;
    check_strategy(&input.schedule_strategy)?;
    let id = ids::new_id();
    // A schedule, when given, comes with its config (empty when left out).
    let schedule_config = (input.schedule_strategy.is_some() || input.schedule_config.is_some())
        .then(|| input.schedule_config.clone().unwrap_or_default());
    let model = ReverseEtlModel {
        id: id.clone(),
        source_id: input.source_id.clone(),
        name: input.name.clone(),
        description: input.description,
        enabled: input.enabled,
        schedule_strategy: input.schedule_strategy,
        schedule_config,
        query: input.query,
        query_identifier_column: input.query_identifier_column,
    };
    let mut doc = Doc::new(Kind::ReverseEtlModel, &id, &input.name, Value::Null);
    doc.write(&model)?;
    let doc = doc.parent(&input.source_id).refs([input.source_id.clone()]);
    let batch = Batch::default()
        .require(Kind::Source, &input.source_id, "sourceId")
        .create(doc);
    state.store.apply(batch, &actor).await?;
    Ok((StatusCode::CREATED, answer::one("reverseEtlModel", model)))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateReverseEtlModel>,
) -> AppResult<One<ReverseEtlModel>> {
    for (field, value) in [
        ("name", &input.name),
        ("query", &input.query),
        ("queryIdentifierColumn", &input.query_identifier_column),
    ] {
        if let Some(v) = value {
            non_empty(field, v)?;
        }
    }
    check_strategy(&input.schedule_strategy)?;
    let doc = modify(&state, &actor, Kind::ReverseEtlModel, &id, |doc| {
        let mut model: ReverseEtlModel = doc.read()?;
        let patch = input.clone();
        model.name = patch.name.unwrap_or(model.name);
        model.description = patch.description.unwrap_or(model.description);
        model.enabled = patch.enabled.unwrap_or(model.enabled);
        model.query = patch.query.unwrap_or(model.query);
        model.query_identifier_column = patch
            .query_identifier_column
            .unwrap_or(model.query_identifier_column);
        model.schedule_strategy = patch.schedule_strategy.or(model.schedule_strategy);
        model.schedule_config = patch.schedule_config.or(model.schedule_config);
        doc.name = model.name.clone();
        doc.write(&model)?;
        Ok(Batch::default())
    })
    .await?;
    Ok(answer::one(
        "reverseEtlModel",
        render::reverse_etl_model(&doc)?,
    ))
}

async fn delete(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> AppResult<impl axum::response::IntoResponse> {
    remove(&state, &actor, Kind::ReverseEtlModel, &id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategy_is_optional_but_checked() {
        assert!(check_strategy(&None).is_ok());
        assert!(check_strategy(&Some("PERIODIC".into())).is_ok());
        let e = check_strategy(&Some("HOURLY".into())).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("scheduleStrategy"));
    }
}
