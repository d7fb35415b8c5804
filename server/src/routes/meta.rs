//! The workspace, the catalog and the audit trail.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::{ok_list, ok_one};
use crate::catalog::Catalog;
use crate::error::{AppError, AppResult};
use crate::pagination::{self, PageRequest};
use crate::store::{AuditFilter, Page};
use crate::{ids, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(workspace))
        .route("/catalog/sources", get(source_catalog))
        .route("/catalog/sources/{id}", get(source_metadata))
        .route("/catalog/destinations", get(destination_catalog))
        .route("/catalog/destinations/{id}", get(destination_metadata))
        .route("/catalog/warehouses", get(warehouse_catalog))
        .route("/catalog/warehouses/{id}", get(warehouse_metadata))
        .route("/audit-events", get(audit_events))
}

async fn workspace(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let ws = state.store.workspace().await?;
    Ok(ok_one(
        "workspace",
        serde_json::to_value(ws).unwrap_or_default(),
    ))
}

/// Pages a static list the way the store pages documents.
fn page_slice<T: serde::Serialize>(
    items: &[T],
    uri: &Uri,
) -> AppResult<(PageRequest, Page<Value>)> {
    let request = pagination::parse(uri.query())?;
    let start = (request.after as usize).min(items.len());
    let end = (start + request.count as usize).min(items.len());
    let page = Page {
        items: items[start..end]
            .iter()
            .map(|i| serde_json::to_value(i).unwrap_or_default())
            .collect(),
        next: (end < items.len()).then_some(end as i64),
        total: items.len() as u64,
    };
    Ok((request, page))
}

async fn source_catalog(uri: Uri) -> AppResult<Json<Value>> {
    let (req, page) = page_slice(&Catalog::get().sources, &uri)?;
    Ok(ok_list("sourcesCatalog", page.items.clone(), req, &page))
}
async fn destination_catalog(uri: Uri) -> AppResult<Json<Value>> {
    let (req, page) = page_slice(&Catalog::get().destinations, &uri)?;
    Ok(ok_list(
        "destinationsCatalog",
        page.items.clone(),
        req,
        &page,
    ))
}
async fn warehouse_catalog(uri: Uri) -> AppResult<Json<Value>> {
    let (req, page) = page_slice(&Catalog::get().warehouses, &uri)?;
    Ok(ok_list("warehousesCatalog", page.items.clone(), req, &page))
}

fn metadata<T: serde::Serialize>(
    key: &str,
    what: &str,
    id: &str,
    m: Option<&T>,
) -> AppResult<Json<Value>> {
    let m = m.ok_or_else(|| AppError::not_found(format!("{what} metadata"), id))?;
    Ok(ok_one(key, serde_json::to_value(m).unwrap_or_default()))
}
async fn source_metadata(Path(id): Path<String>) -> AppResult<Json<Value>> {
    metadata("sourceMetadata", "source", &id, Catalog::get().source(&id))
}
async fn destination_metadata(Path(id): Path<String>) -> AppResult<Json<Value>> {
    metadata(
        "destinationMetadata",
        "destination",
        &id,
        Catalog::get().destination(&id),
    )
}
async fn warehouse_metadata(Path(id): Path<String>) -> AppResult<Json<Value>> {
    metadata(
        "warehouseMetadata",
        "warehouse",
        &id,
        Catalog::get().warehouse(&id),
    )
}

/// The audit trail, oldest first. The cursor is a position in commit order,
/// so a follower that keeps the last cursor reads every event exactly once.
async fn audit_events(State(state): State<AppState>, uri: Uri) -> AppResult<Json<Value>> {
    let request = pagination::parse(uri.query())?;
    let mut filter = AuditFilter::default();
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "startTime" | "endTime" => {
                let t = ids::normalize_time(&v).ok_or_else(|| {
                    AppError::bad_request(
                        k.to_string(),
                        format!("{k}: {v:?} is not an RFC 3339 time such as 2026-01-31T12:00:00Z"),
                    )
                })?;
                if k == "startTime" {
                    filter.start_time = Some(t);
                } else {
                    filter.end_time = Some(t);
                }
            }
            "resourceId" => filter.resource_id = Some(v),
            "resourceType" => {
                // Take the stored name ("destination_filter") as well as the
                // display name ("Destination Filter").
                let display = crate::kind::Kind::parse(&v).map(|k| k.display().to_string());
                filter.resource_type = Some(display.unwrap_or(v));
            }
            _ => {}
        }
    }
    let wait = super::audit_wait::parse(uri.query())?;
    let page = super::audit_wait::read_until(&state, wait, || {
        state
            .store
            .audit_events(&filter, request.after, request.count)
    })
    .await?;
    let items = page
        .items
        .iter()
        .map(|e| serde_json::to_value(e).unwrap_or_default())
        .collect();
    Ok(ok_list("events", items, request, &page))
}
