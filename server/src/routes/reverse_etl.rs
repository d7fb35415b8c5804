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
use axum::{Extension, Json, Router};
use segment_api::models::{CreateReverseEtlModel, UpdateReverseEtlModel, SCHEDULE_STRATEGIES};
use serde_json::{json, Value};

use super::{load, modify, non_empty, object, ok_list, ok_one, one_of, page_of, remove, set};
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

async fn list(State(state): State<AppState>, uri: Uri) -> AppResult<Json<Value>> {
    let (req, mut page) =
        page_of(&state, Kind::ReverseEtlModel, &uri, ListQuery::default()).await?;
    let items = std::mem::take(&mut page.items)
        .into_iter()
        .map(|d| d.body)
        .collect();
    Ok(ok_list("models", items, req, &page))
}

async fn read(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let doc = load(&state, Kind::ReverseEtlModel, &id).await?;
    Ok(ok_one("reverseEtlModel", doc.body))
}

/// Answers 201, as the API does for this create.
async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Body(input): Body<CreateReverseEtlModel>,
) -> AppResult<(StatusCode, Json<Value>)> {
    non_empty("sourceId", &input.source_id)?;
    non_empty("name", &input.name)?;
    non_empty("query", &input.query)?;
    non_empty("queryIdentifierColumn", &input.query_identifier_column)?;
    check_strategy(&input.schedule_strategy)?;
    let id = ids::new_id();
    let mut body = json!({
        "id": id,
        "sourceId": input.source_id,
        "name": input.name,
        "description": input.description,
        "enabled": input.enabled,
        "query": input.query,
        "queryIdentifierColumn": input.query_identifier_column,
    });
    if let Value::Object(map) = &mut body {
        set(map, "scheduleStrategy", &input.schedule_strategy);
        if input.schedule_strategy.is_some() || input.schedule_config.is_some() {
            let config = input.schedule_config.clone().unwrap_or_default();
            map.insert("scheduleConfig".into(), Value::Object(config));
        }
    }
    let doc = Doc::new(Kind::ReverseEtlModel, &id, &input.name, body)
        .parent(&input.source_id)
        .refs([input.source_id.clone()]);
    let batch = Batch::default()
        .require(Kind::Source, &input.source_id, "sourceId")
        .create(doc.clone());
    state.store.apply(batch, &actor).await?;
    Ok((StatusCode::CREATED, ok_one("reverseEtlModel", doc.body)))
}

async fn update(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Body(input): Body<UpdateReverseEtlModel>,
) -> AppResult<Json<Value>> {
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
        let map = object(doc);
        set(map, "name", &input.name);
        set(map, "description", &input.description);
        set(map, "enabled", &input.enabled);
        set(map, "query", &input.query);
        set(map, "queryIdentifierColumn", &input.query_identifier_column);
        set(map, "scheduleStrategy", &input.schedule_strategy);
        set(map, "scheduleConfig", &input.schedule_config);
        if let Some(name) = &input.name {
            doc.name = name.clone();
        }
        Ok(Batch::default())
    })
    .await?;
    Ok(ok_one("reverseEtlModel", doc.body))
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
