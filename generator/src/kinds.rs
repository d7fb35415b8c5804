//! The registry's resource types as the generator uses them: each type's
//! export declaration (`segment_resources::engine::Exported`) beside the
//! type itself, in the registry's order, parents before children (so a
//! child's name can start with its parent's).

use std::sync::OnceLock;

use segment_resources::engine::{AuditId, Pages, Parent, ResourceType};
use segment_resources::resources;

pub struct Kind {
    pub type_name: &'static str,
    /// `resourceType` of its audit events, its own first.
    pub event_types: &'static [&'static str],
    /// Attributes that identify an object when no import block does (the
    /// API refuses a second object with the same values).
    pub natural_key: &'static [&'static str],
    /// Attributes whose values make its name; a reference to an exported
    /// resource contributes that resource's name.
    pub name_from: &'static [&'static str],
    pub parent: Parent,
    pub audit_id: AuditId,
    resource: Box<dyn ResourceType>,
}

impl Kind {
    /// Its objects under `parent` (see `Exported::list`).
    pub fn list<'a>(&'a self, api: &'a segment_api::Client, parent: &'a str) -> Pages<'a> {
        self.resource.list(api, parent)
    }
}

/// Every exported type, parents first: the registry, read once.
pub fn all() -> &'static [Kind] {
    static KINDS: OnceLock<Vec<Kind>> = OnceLock::new();
    KINDS.get_or_init(|| {
        resources::all()
            .into_iter()
            .map(|resource| {
                let export = resource.export();
                Kind {
                    type_name: resource.spec().type_name,
                    event_types: export.event_types,
                    natural_key: export.natural_key,
                    name_from: export.name_from,
                    parent: export.parent,
                    audit_id: export.audit_id,
                    resource,
                }
            })
            .collect()
    })
}

pub fn by_type(type_name: &str) -> Option<&'static Kind> {
    all().iter().find(|k| k.type_name == type_name)
}

/// The kind an audit event is about (rules belong to their plan, as the
/// plan's declaration says).
pub fn by_event_type(event_type: &str) -> Option<&'static Kind> {
    all().iter().find(|k| k.event_types.contains(&event_type))
}

/// The types listed under each object of `type_name`.
pub fn children_of(type_name: &str) -> Vec<&'static Kind> {
    all()
        .iter()
        .filter(|k| matches!(k.parent, Parent::Type(p) if p == type_name))
        .collect()
}

/// `segment_destination_filter` → `destination_filter`: file name prefix.
pub fn short(type_name: &str) -> &str {
    type_name.strip_prefix("segment_").unwrap_or(type_name)
}

/// Where a type sits in [`all`]: the order of naming and of the manifest.
pub fn rank(type_name: &str) -> usize {
    all()
        .iter()
        .position(|k| k.type_name == type_name)
        .unwrap_or(all().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The naming order pins every export's names: a registry reordered by
    // accident would rename what people have in their repositories.
    #[test]
    fn naming_order_is_parents_first_as_exports_were_named() {
        let named_before: &[&str] = &[
            "label",
            "source",
            "warehouse",
            "tracking_plan",
            "function",
            "user_group",
            "user",
            "destination",
            "destination_filter",
            "destination_subscription",
            "source_tracking_plan_connection",
            "source_warehouse_connection",
            "transformation",
            "reverse_etl_model",
            "insert_function_instance",
            "profiles_warehouse",
        ];
        // New types may come between them; these keep their order.
        let names: Vec<&str> = all()
            .iter()
            .map(|k| short(k.type_name))
            .filter(|n| named_before.contains(n))
            .collect();
        assert_eq!(names, named_before);
        for k in all() {
            if let Parent::Type(parent) = k.parent {
                assert!(rank(parent) < rank(k.type_name), "{}", k.type_name);
            }
        }
    }

    #[test]
    fn an_event_finds_the_kind_that_declares_it() {
        let plan = by_event_type("Tracking Plan Rule").map(|k| k.type_name);
        assert_eq!(
            plan,
            Some("segment_tracking_plan"),
            "rules are their plan's"
        );
        for k in all() {
            let own = k.event_types.first().copied().unwrap_or_default();
            assert_eq!(by_event_type(own).map(|f| f.type_name), Some(k.type_name));
        }
        assert!(by_event_type("Invite").is_none(), "not something we write");
    }
}
