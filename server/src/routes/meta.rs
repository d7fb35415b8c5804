//! The workspace, the catalog and the audit trail.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::Router;
use segment_api::models::{
    AuditEvent, DestinationMetadata, SourceMetadata, WarehouseMetadata, Workspace,
};
use serde::Serialize;

use super::answer::{self, List, One};
use crate::catalog::Catalog;
use crate::error::{AppError, AppResult};
use crate::pagination;
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

async fn workspace(State(state): State<AppState>) -> AppResult<One<Workspace>> {
    Ok(answer::one("workspace", state.store.workspace().await?))
}

/// One page of a static list, paged the way the store pages documents.
fn page_slice<'a, T: Serialize>(
    key: &'static str,
    items: &'a [T],
    uri: &Uri,
) -> AppResult<List<&'a T>> {
    let request = pagination::parse(uri.query())?;
    let start = (request.after as usize).min(items.len());
    let end = (start + request.count as usize).min(items.len());
    let page = Page {
        items: items[start..end].iter().collect(),
        next: (end < items.len()).then_some(end as i64),
        total: items.len() as u64,
    };
    Ok(answer::list(key, page.items.clone(), request, &page))
}

async fn source_catalog(uri: Uri) -> AppResult<List<&'static SourceMetadata>> {
    page_slice("sourcesCatalog", &Catalog::get().sources, &uri)
}
async fn destination_catalog(uri: Uri) -> AppResult<List<&'static DestinationMetadata>> {
    page_slice("destinationsCatalog", &Catalog::get().destinations, &uri)
}
async fn warehouse_catalog(uri: Uri) -> AppResult<List<&'static WarehouseMetadata>> {
    page_slice("warehousesCatalog", &Catalog::get().warehouses, &uri)
}

fn metadata<T: Serialize>(
    key: &'static str,
    what: &str,
    id: &str,
    m: Option<&'static T>,
) -> AppResult<One<&'static T>> {
    let m = m.ok_or_else(|| AppError::not_found(format!("{what} metadata"), id))?;
    Ok(answer::one(key, m))
}
async fn source_metadata(Path(id): Path<String>) -> AppResult<One<&'static SourceMetadata>> {
    metadata("sourceMetadata", "source", &id, Catalog::get().source(&id))
}
async fn destination_metadata(
    Path(id): Path<String>,
) -> AppResult<One<&'static DestinationMetadata>> {
    metadata(
        "destinationMetadata",
        "destination",
        &id,
        Catalog::get().destination(&id),
    )
}
async fn warehouse_metadata(Path(id): Path<String>) -> AppResult<One<&'static WarehouseMetadata>> {
    metadata(
        "warehouseMetadata",
        "warehouse",
        &id,
        Catalog::get().warehouse(&id),
    )
}

/// The audit trail, oldest first. The cursor is a position in commit order,
/// so a follower that keeps the last cursor reads every event exactly once.
async fn audit_events(State(state): State<AppState>, uri: Uri) -> AppResult<List<AuditEvent>> {
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
            // A follower (it asks to wait, even 0 s) gets a cursor at the
            // end of the trail to wait on; Segment's answer, `next: null`,
            // stays what a plain read gets.
            "wait" => filter.follow = true,
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
    let mut page = super::audit_wait::read_until(&state, wait, || {
        state
            .store
            .audit_events(&filter, request.after, request.count)
    })
    .await?;
    let items = std::mem::take(&mut page.items);
    Ok(answer::list("events", items, request, &page))
}
