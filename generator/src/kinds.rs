//! What the generator knows of each resource type beyond the provider's
//! schema: the audit trail's name for it, its natural key, how to name it,
//! and the order in which types are named (parents before children, so a
//! child's name can start with its parent's).

pub struct Kind {
    pub type_name: &'static str,
    /// `resourceType` of its audit events.
    pub event_type: &'static str,
    /// Attributes that identify an object when no import block does (the
    /// API refuses a second object with the same values).
    pub natural_key: &'static [&'static str],
    /// Attributes whose values make its name; a reference to an exported
    /// resource contributes that resource's name.
    pub name_from: &'static [&'static str],
}

const fn kind(
    type_name: &'static str,
    event_type: &'static str,
    natural_key: &'static [&'static str],
    name_from: &'static [&'static str],
) -> Kind {
    Kind {
        type_name,
        event_type,
        natural_key,
        name_from,
    }
}

/// Every exported type, parents first.
pub const KINDS: &[Kind] = &[
    kind(
        "segment_label",
        "Label",
        &["key", "value"],
        &["key", "value"],
    ),
    kind("segment_source", "Source", &["slug"], &["slug"]),
    kind("segment_warehouse", "Warehouse", &[], &["name"]),
    kind(
        "segment_tracking_plan",
        "Tracking Plan",
        &["name"],
        &["name"],
    ),
    kind("segment_function", "Function", &[], &["display_name"]),
    kind("segment_user_group", "User Group", &["name"], &["name"]),
    kind("segment_user", "User", &["email"], &["email"]),
    kind(
        "segment_destination",
        "Destination",
        &[],
        &["source_id", "name"],
    ),
    kind(
        "segment_destination_filter",
        "Destination Filter",
        &[],
        &["destination_id", "title"],
    ),
    kind(
        "segment_destination_subscription",
        "Destination Subscription",
        &[],
        &["destination_id", "name"],
    ),
    kind(
        "segment_source_tracking_plan_connection",
        "Source Tracking Plan Connection",
        &["source_id", "tracking_plan_id"],
        &["source_id", "tracking_plan_id"],
    ),
    kind(
        "segment_source_warehouse_connection",
        "Source Warehouse Connection",
        &["source_id", "warehouse_id"],
        &["source_id", "warehouse_id"],
    ),
    kind(
        "segment_transformation",
        "Transformation",
        &[],
        &["source_id", "name"],
    ),
    kind(
        "segment_reverse_etl_model",
        "Reverse ETL Model",
        &[],
        &["source_id", "name"],
    ),
    kind(
        "segment_insert_function_instance",
        "Insert Function Instance",
        &[],
        &["name"],
    ),
    kind(
        "segment_profiles_warehouse",
        "Profiles Warehouse",
        &[],
        &["name"],
    ),
    // Engage: the key a name makes is unique in its space. Listed for the
    // audit trail's names only until the inventory lists them (issue 12).
    kind(
        "segment_audience",
        "Audience",
        &["space_id", "name"],
        &["name"],
    ),
    kind(
        "segment_computed_trait",
        "Computed Trait",
        &["space_id", "name"],
        &["name"],
    ),
];

pub fn by_type(type_name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.type_name == type_name)
}

/// The kind an audit event is about; rules belong to their plan.
pub fn by_event_type(event_type: &str) -> Option<&'static Kind> {
    let event_type = match event_type {
        "Tracking Plan Rule" => "Tracking Plan",
        other => other,
    };
    KINDS.iter().find(|k| k.event_type == event_type)
}

/// `segment_destination_filter` → `destination_filter`: file name prefix.
pub fn short(type_name: &str) -> &str {
    type_name.strip_prefix("segment_").unwrap_or(type_name)
}

/// Where a type sits in [`KINDS`]: the order of naming and of the manifest.
pub fn rank(type_name: &str) -> usize {
    KINDS
        .iter()
        .position(|k| k.type_name == type_name)
        .unwrap_or(KINDS.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use segment_resources::resources;

    #[test]
    fn every_provider_resource_type_is_exported() {
        for r in resources::all() {
            let spec = r.spec();
            let kind = by_type(spec.type_name)
                .unwrap_or_else(|| panic!("{} has no entry in KINDS", spec.type_name));
            for attr in kind.natural_key.iter().chain(kind.name_from) {
                assert!(spec.field(attr).is_some(), "{}.{attr}", spec.type_name);
            }
            assert!(
                spec.import.is_some(),
                "{} cannot be imported",
                spec.type_name
            );
        }
        assert_eq!(KINDS.len(), resources::all().len());
    }
}
