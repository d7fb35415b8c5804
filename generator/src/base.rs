//! The base of sync's three-way rule: per exported object, a fingerprint of
//! each attribute as the workspace held it when the generator last wrote
//! it. Committed with the cursor, so it survives restarts and travels with
//! the branch. Audit events carry no before and after values; with the
//! base, a live value equal to it means "the workspace did not change
//! this", and what a person committed there is kept.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::hcl::eval::Ev;

/// `.segment-gitops/base.json`.
pub const BASE: &str = ".segment-gitops/base.json";

/// `"type import-id"` → attribute → fingerprint of its value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Base {
    pub objects: BTreeMap<String, BTreeMap<String, String>>,
}

/// The key of one object.
pub fn key(type_name: &str, import_id: &str) -> String {
    format!("{type_name} {import_id}")
}

/// A short digest of a value as the generator compares it (references
/// resolved to ids, secrets as "a secret"); never the value itself, so no
/// secret reaches the file.
pub fn fingerprint(v: &Ev) -> String {
    let digest = Sha256::digest(format!("{v:?}").as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

impl Base {
    pub fn parse(text: &str) -> Option<Base> {
        serde_json::from_str(text).ok()
    }

    /// One line per object: a sync changes the lines of the objects its
    /// event touched, and Git stores little more.
    pub fn render(&self) -> String {
        let mut text = String::from("{\"objects\": {");
        for (i, (k, attrs)) in self.objects.iter().enumerate() {
            text.push_str(if i == 0 { "\n  " } else { ",\n  " });
            text.push_str(&serde_json::to_string(k).unwrap_or_default());
            text.push_str(": ");
            text.push_str(&serde_json::to_string(attrs).unwrap_or_else(|_| "{}".into()));
        }
        text.push_str("\n}}\n");
        text
    }

    pub fn get(&self, type_name: &str, import_id: &str) -> Option<&BTreeMap<String, String>> {
        self.objects.get(&key(type_name, import_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_one_line_per_object_and_parses_back() {
        let mut b = Base::default();
        b.objects.insert(
            key("segment_source", "s1"),
            BTreeMap::from([("name".to_string(), fingerprint(&Ev::String("a".into())))]),
        );
        b.objects
            .insert(key("segment_source", "s2"), BTreeMap::new());
        let text = b.render();
        assert_eq!(text.lines().count(), 4, "{text}");
        assert_eq!(Base::parse(&text), Some(b));
        assert_eq!(
            Base::parse(&Base::default().render()),
            Some(Base::default())
        );
    }
}
