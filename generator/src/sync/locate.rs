//! Which live object an audit event names, when its `resourceId` alone
//! does not say (children: the event names no parent).

use anyhow::Result;
use segment_resources::engine::Parent;

use crate::files::Manifest;
use crate::inventory::{self, Live};
use crate::kinds;
use crate::session::Session;

/// Which object an event is about: the manifest knows exported ones, the
/// event's id tells most others, and children are found by listing.
pub(super) async fn locate(
    session: &Session,
    manifest: &Manifest,
    type_name: &'static str,
    resource_id: &str,
) -> Result<Option<Live>> {
    if let Some(e) = manifest
        .resources
        .iter()
        .find(|e| e.type_name == type_name && e.audit_id == resource_id)
    {
        return Ok(Some(Live {
            type_name,
            import_id: e.import_id.clone(),
            audit_id: e.audit_id.clone(),
        }));
    }
    if let Some(import_id) = inventory::import_id_of_event(type_name, resource_id) {
        return Ok(Some(Live {
            type_name,
            import_id,
            audit_id: resource_id.to_string(),
        }));
    }
    // Events of children name no parent: look under the parents we know,
    // then, for a parent not written yet, in the whole workspace.
    if let Some(kind) = kinds::by_type(type_name) {
        let parents: Vec<String> = match kind.parent {
            Parent::Workspace => vec![String::new()],
            Parent::Space => {
                inventory::every_space(&session.api, &session.spaces(manifest)).await?
            }
            Parent::Type(parent) => manifest
                .resources
                .iter()
                .filter(|e| e.type_name == parent)
                .map(|e| e.import_id.clone())
                .collect(),
        };
        if let Some(live) = inventory::find_under(&session.api, kind, &parents, resource_id).await?
        {
            return Ok(Some(live));
        }
    }
    let all = inventory::everything(&session.api, &session.spaces(manifest)).await?;
    Ok(all
        .into_iter()
        .find(|l| l.type_name == type_name && l.audit_id == resource_id))
}
