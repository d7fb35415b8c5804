//! What an exporter needs of a resource type beyond its schema: where its
//! objects live, how to list them, how the audit trail names them, and
//! which attributes identify and name an object. Every resource type
//! declares it ([`Exported`] is a supertrait of
//! [`ResourceType`](super::ResourceType)), so a type added to the registry
//! is exported and followed without a change to the generator.

use futures::stream::{self, BoxStream, StreamExt};
use segment_api::Client;

/// Where a type's objects are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parent {
    /// On their own: one list for the workspace.
    Workspace,
    /// Under each object of another resource type (`segment_destination`):
    /// [`Exported::list`] gets that object's import ID.
    Type(&'static str),
    /// Under each space (`/spaces/{spaceId}/...`): [`Exported::list`] gets
    /// the space's id.
    Space,
}

/// How the `resourceId` of an object's audit events relates to its
/// import ID: one rule both ways, so a listed object and an event about it
/// always agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditId {
    /// The import ID itself.
    ImportId,
    /// The import ID's two parts the other way round: source connections
    /// are imported as `<source>:<parent>` and audited as `<parent>:<source>`.
    Swapped,
    /// The object's own id, the last part of the import ID
    /// `<parent>:<id>`. The event does not name the parent, so the import
    /// ID is found by listing.
    OwnId,
}

impl AuditId {
    /// The audit `resourceId` of the object imported as `import_id`.
    pub fn of(self, import_id: &str) -> String {
        match self {
            AuditId::ImportId => import_id.to_string(),
            AuditId::Swapped => swap(import_id).unwrap_or_else(|| import_id.to_string()),
            AuditId::OwnId => import_id
                .rsplit_once(':')
                .map_or(import_id, |(_, id)| id)
                .to_string(),
        }
    }

    /// The import ID of the object an event's `resourceId` names, when the
    /// event alone tells it.
    pub fn import_id(self, resource_id: &str) -> Option<String> {
        match self {
            AuditId::ImportId => Some(resource_id.to_string()),
            AuditId::Swapped => swap(resource_id),
            AuditId::OwnId => None,
        }
    }
}

fn swap(id: &str) -> Option<String> {
    id.split_once(':').map(|(a, b)| format!("{b}:{a}"))
}

/// A type's export facts.
#[derive(Clone, Copy, Debug)]
pub struct ExportSpec {
    /// The `resourceType` of its audit events, its own first; events of
    /// parts it owns follow (a tracking plan's "Tracking Plan Rule").
    pub event_types: &'static [&'static str],
    /// Attributes that identify an object when nothing else does (the API
    /// refuses a second object with the same values); empty: none do.
    pub natural_key: &'static [&'static str],
    /// Attributes whose values make its name; a reference to an exported
    /// object contributes that object's name.
    pub name_from: &'static [&'static str],
    pub parent: Parent,
    pub audit_id: AuditId,
}

impl ExportSpec {
    /// A type whose objects live in spaces, are named by their `name`, and
    /// are audited by their own id.
    pub const fn in_space(event_types: &'static [&'static str]) -> ExportSpec {
        ExportSpec {
            event_types,
            natural_key: &[],
            name_from: &["name"],
            parent: Parent::Space,
            audit_id: AuditId::OwnId,
        }
    }
}

/// One listed object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// What `terraform import` takes.
    pub import_id: String,
    /// False when no child type can have objects under it, so none is
    /// asked: only INSERT_* functions have insert function instances.
    pub holds_children: bool,
    /// Child types it can hold none of, though it may hold others: a
    /// destination whose integration has no actions has no subscriptions
    /// (each names one of its actions), and listing them would cost a
    /// request per destination.
    pub holds_none_of: &'static [&'static str],
}

impl Listed {
    pub fn new(import_id: impl Into<String>) -> Listed {
        Listed {
            import_id: import_id.into(),
            holds_children: true,
            holds_none_of: &[],
        }
    }

    /// An object that holds no objects of the child types `types`.
    pub fn without(self, types: &'static [&'static str]) -> Listed {
        Listed {
            holds_none_of: types,
            ..self
        }
    }

    /// Whether objects of the child type `type_name` may be under it.
    pub fn may_hold(&self, type_name: &str) -> bool {
        self.holds_children && !self.holds_none_of.contains(&type_name)
    }

    /// An object no child type lists under.
    pub fn childless(import_id: impl Into<String>) -> Listed {
        Listed {
            holds_children: false,
            ..Listed::new(import_id)
        }
    }
}

/// A type's objects a page at a time, as the pages arrive: an exporter
/// lists the children of one page while the next is on its way.
pub type Pages<'a> = BoxStream<'a, Result<Vec<Listed>, segment_api::Error>>;

/// A list read whole, as one page.
pub fn one_page<'a, F>(list: F) -> Pages<'a>
where
    F: std::future::Future<Output = Result<Vec<Listed>, segment_api::Error>> + Send + 'a,
{
    stream::once(list).boxed()
}

/// The objects of a space, read whole: each imported as `<space>:<id>`.
pub fn space_page<'a, T, F>(space: &'a str, list: F, id: fn(&T) -> &str) -> Pages<'a>
where
    T: 'a,
    F: std::future::Future<Output = Result<Vec<T>, segment_api::Error>> + Send + 'a,
{
    one_page(async move {
        Ok(list
            .await?
            .iter()
            .map(|o| Listed::new(format!("{space}:{}", id(o))))
            .collect())
    })
}

/// The export half of a resource type's declaration.
pub trait Exported {
    fn export(&self) -> ExportSpec;
    /// Every object under `parent`: the parent's import ID or the space's
    /// id as [`ExportSpec::parent`] says; empty for [`Parent::Workspace`].
    fn list<'a>(&'a self, api: &'a Client, parent: &'a str) -> Pages<'a>;
}

#[cfg(test)]
mod tests {
    use super::AuditId;

    #[test]
    fn an_audit_id_leads_back_to_the_import_id_it_came_from() {
        for (rule, import_id, audit_id) in [
            (AuditId::ImportId, "key:value", "key:value"),
            (AuditId::Swapped, "src_1:tp_2", "tp_2:src_1"),
        ] {
            assert_eq!(rule.of(import_id), audit_id, "{rule:?}");
            assert_eq!(rule.import_id(audit_id).as_deref(), Some(import_id));
        }
        assert_eq!(AuditId::OwnId.of("dest_1:df_2"), "df_2");
        assert_eq!(AuditId::OwnId.import_id("df_2"), None, "needs its parent");
    }
}
