//! The API's paths, one file per resource family, and the helpers they share.

mod answer;
mod audiences;
mod audit_wait;
mod computed_traits;
mod destinations;
mod filters;
mod functions;
mod iam;
mod labels;
mod meta;
mod profiles_warehouses;
mod render;
mod retry;
mod reverse_etl;
mod sources;
mod spaces;
pub(crate) mod stored;
mod subscriptions;
mod tracking_plan_rules;
mod tracking_plans;
mod transformations;
mod warehouses;

use axum::extract::DefaultBodyLimit;
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::{middleware, Json, Router};
use segment_api::models::Status;
use serde_json::{Map, Value};

use crate::error::{AppError, AppResult};
use crate::kind::Kind;
use crate::pagination::{self, PageRequest};
use crate::store::{Actor, Batch, Doc, ListQuery, Page};
use crate::AppState;

pub use segment_api::models::WORKSPACE_OWNER_ROLE;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(meta::routes())
        .merge(sources::routes())
        .merge(labels::routes())
        .merge(destinations::routes())
        .merge(warehouses::routes())
        .merge(profiles_warehouses::routes())
        .merge(filters::routes())
        .merge(subscriptions::routes())
        .merge(tracking_plans::routes())
        .merge(tracking_plan_rules::routes())
        .merge(functions::routes())
        .merge(transformations::routes())
        .merge(reverse_etl::routes())
        .merge(iam::routes())
        .merge(spaces::routes())
        .merge(audiences::routes())
        .merge(computed_traits::routes())
        .fallback(|| async { AppError::no_route() })
        .method_not_allowed_fallback(|| async { AppError::method_not_allowed() });
    // Innermost first: limits count authenticated tokens; metrics count
    // every answer, 401s and 429s included.
    let api = match state.limits.clone() {
        Some(limits) => api.layer(middleware::from_fn_with_state(
            limits,
            crate::limits::enforce,
        )),
        None => api,
    };
    let metrics = state.metrics.clone();
    let api = api
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::require_token,
        ))
        .layer(middleware::from_fn_with_state(
            metrics.clone(),
            crate::metrics::record,
        ))
        .layer(DefaultBodyLimit::max(crate::MAX_BODY_BYTES))
        .with_state(state);
    // Outside the token, limits and metrics layers: a scraper or a client
    // generator needs no token, and neither is counted.
    Router::new()
        .route("/metrics", axum::routing::get(crate::metrics::render))
        .with_state(metrics)
        .route("/openapi.json", axum::routing::get(crate::openapi::render))
        .merge(api)
}

/// `{"data": {"status": "SUCCESS"}}`: deletes and relation changes.
pub fn ok_status() -> Json<answer::Data<Status>> {
    answer::data(Status::success())
}

/// Reads one page of `kind` for a list path.
pub async fn page_of(
    state: &AppState,
    kind: Kind,
    uri: &Uri,
    scope: ListQuery,
) -> AppResult<(PageRequest, Page<Doc>)> {
    let request = pagination::parse(uri.query())?;
    let query = ListQuery {
        after: request.after,
        count: request.count,
        ..scope
    };
    Ok((request, state.store.list(kind, &query).await?))
}

/// A list answer: one page of `kind` within `scope`, each item rendered.
pub async fn list_answer<T: serde::Serialize>(
    state: &AppState,
    kind: Kind,
    uri: &Uri,
    scope: ListQuery,
    key: &'static str,
    render: impl Fn(&Doc) -> AppResult<T>,
) -> AppResult<answer::List<T>> {
    let (request, page) = page_of(state, kind, uri, scope).await?;
    let items = page.items.iter().map(render).collect::<AppResult<_>>()?;
    Ok(answer::list(key, items, request, &page))
}

/// The document, or a 404 naming what is missing.
pub async fn load(state: &AppState, kind: Kind, id: &str) -> AppResult<Doc> {
    state
        .store
        .get(kind, id)
        .await?
        .ok_or_else(|| AppError::not_found(kind, id))
}

/// A document listed under a parent (a filter under its destination): one
/// under another parent is as missing as an unknown id.
pub fn belongs(doc: &Doc, parent_id: &str) -> AppResult<()> {
    if doc.parent.as_deref() != Some(parent_id) {
        return Err(AppError::not_found(doc.kind, &doc.id));
    }
    Ok(())
}

/// Loads the parent (404 if missing), then the child, which must be its.
pub async fn load_child(
    state: &AppState,
    parent: (Kind, &str),
    kind: Kind,
    id: &str,
) -> AppResult<Doc> {
    load(state, parent.0, parent.1).await?;
    let doc = load(state, kind, id).await?;
    belongs(&doc, parent.1)?;
    Ok(doc)
}

/// Read-modify-write with optimistic concurrency: `edit` changes the document
/// (and may add checks or writes to the batch); when another writer got there
/// first the whole edit runs again on the new version, so no update is lost.
pub async fn modify<F>(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    id: &str,
    mut edit: F,
) -> AppResult<Doc>
where
    F: FnMut(&mut Doc) -> AppResult<Batch>,
{
    let mut retry = retry::Retry::new("id", format!("{kind} {id:?} is"));
    loop {
        let mut doc = load(state, kind, id).await?;
        let batch = edit(&mut doc)?.modify(doc.clone());
        if retry.commit(state, batch, actor).await? {
            doc.version += 1;
            return Ok(doc);
        }
    }
}

/// Deletes a document and whatever depends on it.
pub async fn remove(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    id: &str,
) -> AppResult<impl IntoResponse> {
    let doc = load(state, kind, id).await?;
    state
        .store
        .apply(Batch::default().remove(&doc), actor)
        .await?;
    Ok(ok_status())
}

/// Deletes a document listed under a parent (a destination's filter).
pub async fn remove_child(
    state: &AppState,
    actor: &Actor,
    parent: (Kind, &str),
    kind: Kind,
    id: &str,
) -> AppResult<impl IntoResponse> {
    let doc = load_child(state, parent, kind, id).await?;
    state
        .store
        .apply(Batch::default().remove(&doc), actor)
        .await?;
    Ok(ok_status())
}

/// The body as a mutable object (stored bodies always are).
pub fn object(doc: &mut Doc) -> &mut Map<String, Value> {
    if !doc.body.is_object() {
        doc.body = Value::Object(Map::new());
    }
    match &mut doc.body {
        Value::Object(m) => m,
        _ => unreachable!("made an object above"),
    }
}

/// A required text field must hold something.
pub fn non_empty(field: &str, value: &str) -> AppResult<()> {
    if value.trim().is_empty() {
        return Err(AppError::invalid(
            field,
            format!("{field} must not be empty"),
        ));
    }
    Ok(())
}

/// A value must be one of the API's enumerated words.
pub fn one_of(field: &str, value: &str, allowed: &[&str]) -> AppResult<()> {
    if !allowed.contains(&value) {
        return Err(AppError::invalid(
            field,
            format!("{field}: {value:?} is not one of {}", allowed.join(", ")),
        ));
    }
    Ok(())
}
