//! The registry's export declarations hold together: what they name exists.

use std::collections::HashSet;

use super::all;
use crate::engine::Parent;

#[test]
fn export_declarations_name_real_attributes_and_earlier_parents() {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut events: HashSet<&str> = HashSet::new();
    for r in all() {
        let (spec, export) = (r.spec(), r.export());
        let name = spec.type_name;
        assert!(spec.import.is_some(), "{name} cannot be imported");
        for attr in export.natural_key.iter().chain(export.name_from) {
            assert!(
                spec.field(attr).is_some(),
                "{name}.{attr} is not an attribute"
            );
        }
        assert!(
            !export.name_from.is_empty(),
            "{name}: nothing to name it by"
        );
        assert!(!export.event_types.is_empty(), "{name}: no audit name");
        for e in export.event_types {
            assert!(events.insert(e), "audit name {e:?} claimed twice");
        }
        if let Parent::Type(parent) = export.parent {
            assert!(
                seen.contains(parent),
                "{name}: its parent {parent} is not before it"
            );
        }
        seen.insert(name);
    }
}
