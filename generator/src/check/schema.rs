//! Whether a tracking-plan rule's JSON Schema accepts less than it did: an
//! event a producer sends today that the new schema refuses is a breaking
//! change for that producer.
//!
//! Narrowing, walked through `properties` and `items`: a property newly in
//! `required`, a `type` that no longer allows a type it allowed, an `enum`
//! that lost values (or appeared), a property removed, and
//! `additionalProperties` turned off. Only property names and JSON types are
//! named: values (enum members) are counted, never printed.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

/// The ways `after` accepts less than `before`, one sentence each.
pub fn narrowing(before: &Json, after: &Json) -> Vec<String> {
    let mut out = Vec::new();
    walk(before, after, "", &mut out);
    out
}

fn at(path: &str) -> String {
    if path.is_empty() {
        "the event".to_string()
    } else {
        format!("`{path}`")
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn walk(before: &Json, after: &Json, path: &str, out: &mut Vec<String>) {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return;
    };
    types(b, a, path, out);
    enums(b, a, path, out);
    let empty = Map::new();
    let b_props = b
        .get("properties")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let a_props = a
        .get("properties")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let b_required = names(b.get("required"));
    for name in names(a.get("required")).difference(&b_required) {
        out.push(format!("{} is newly required", at(&join(path, name))));
    }
    for (name, b_schema) in b_props {
        match a_props.get(name) {
            None => out.push(format!(
                "{} is removed from the schema",
                at(&join(path, name))
            )),
            Some(a_schema) => walk(b_schema, a_schema, &join(path, name), out),
        }
    }
    let closed = |m: &Map<String, Json>| m.get("additionalProperties") == Some(&Json::Bool(false));
    if !closed(b) && closed(a) {
        out.push(format!(
            "{} no longer allows properties it does not list",
            at(path)
        ));
    }
    if let (Some(bi), Some(ai)) = (b.get("items"), a.get("items")) {
        walk(bi, ai, &join(path, "[]"), out);
    }
}

fn names(v: Option<&Json>) -> BTreeSet<String> {
    v.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// JSON Schema `type`: a string or a list; absent means any type.
fn type_set(m: &Map<String, Json>) -> Option<BTreeSet<String>> {
    match m.get("type")? {
        Json::String(t) => Some(BTreeSet::from([t.clone()])),
        Json::Array(ts) => Some(
            ts.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    }
}

fn types(b: &Map<String, Json>, a: &Map<String, Json>, path: &str, out: &mut Vec<String>) {
    let Some(after) = type_set(a) else {
        return;
    };
    let shown = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join("|");
    match type_set(b) {
        None => out.push(format!(
            "{} must now be of type {} (any type before)",
            at(path),
            shown(&after)
        )),
        Some(before) => {
            // "integer" is a kind of "number": number -> integer narrows,
            // integer -> number widens.
            let allowed =
                |t: &String| after.contains(t) || (t == "integer" && after.contains("number"));
            if !before.iter().all(allowed) {
                out.push(format!(
                    "{} changes type from {} to {}",
                    at(path),
                    shown(&before),
                    shown(&after)
                ));
            }
        }
    }
}

fn enums(b: &Map<String, Json>, a: &Map<String, Json>, path: &str, out: &mut Vec<String>) {
    let Some(after) = a.get("enum").and_then(Json::as_array) else {
        return;
    };
    match b.get("enum").and_then(Json::as_array) {
        None => out.push(format!(
            "{} is newly limited to {} allowed values",
            at(path),
            after.len()
        )),
        Some(before) => {
            let lost = before.iter().filter(|v| !after.contains(v)).count();
            if lost > 0 {
                out.push(format!(
                    "{} allows {lost} fewer value{} ({} before, {} now)",
                    at(path),
                    if lost == 1 { "" } else { "s" },
                    before.len(),
                    after.len()
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::narrowing;
    use serde_json::json;

    fn event(props: serde_json::Value, required: &[&str]) -> serde_json::Value {
        json!({
            "type": "object",
            "properties": {
                "properties": { "type": "object", "properties": props, "required": required }
            }
        })
    }

    #[test]
    fn a_property_newly_required_narrows() {
        let before = event(json!({"price": {"type": "number"}}), &[]);
        let after = event(json!({"price": {"type": "number"}}), &["price"]);
        assert_eq!(
            narrowing(&before, &after),
            ["`properties.price` is newly required"]
        );
        assert!(
            narrowing(&after, &before).is_empty(),
            "dropping required widens"
        );
    }

    #[test]
    fn a_type_changed_narrows_and_number_to_integer_too() {
        let before = event(json!({"price": {"type": "number"}}), &[]);
        let string = event(json!({"price": {"type": "string"}}), &[]);
        let integer = event(json!({"price": {"type": "integer"}}), &[]);
        let either = event(json!({"price": {"type": ["number", "null"]}}), &[]);
        assert_eq!(
            narrowing(&before, &string),
            ["`properties.price` changes type from number to string"]
        );
        assert_eq!(narrowing(&before, &integer).len(), 1);
        assert!(
            narrowing(&integer, &before).is_empty(),
            "integer -> number widens"
        );
        assert!(narrowing(&before, &either).is_empty(), "adding null widens");
        assert_eq!(
            narrowing(&either, &before).len(),
            1,
            "dropping null narrows"
        );
    }

    #[test]
    fn an_enum_that_loses_values_narrows_and_names_no_value() {
        let before = event(
            json!({"plan": {"enum": ["free", "pro", "secret-tier"]}}),
            &[],
        );
        let after = event(json!({"plan": {"enum": ["free", "pro"]}}), &[]);
        let reasons = narrowing(&before, &after);
        assert_eq!(
            reasons,
            ["`properties.plan` allows 1 fewer value (3 before, 2 now)"]
        );
        assert!(!reasons.concat().contains("secret-tier"));
        assert!(
            narrowing(&after, &before).is_empty(),
            "a value added widens"
        );
        let open = event(json!({"plan": {"type": "string"}}), &[]);
        assert_eq!(narrowing(&open, &after).len(), 1, "a new enum narrows");
    }

    #[test]
    fn a_property_removed_or_closed_off_narrows() {
        let before = event(json!({"a": {}, "b": {}}), &[]);
        let after = event(json!({"a": {}}), &[]);
        assert_eq!(
            narrowing(&before, &after),
            ["`properties.b` is removed from the schema"]
        );
        let closed = json!({"type": "object", "additionalProperties": false});
        assert_eq!(
            narrowing(&json!({"type": "object"}), &closed),
            ["the event no longer allows properties it does not list"]
        );
    }

    #[test]
    fn nested_items_are_walked() {
        let item = |t: &str| json!({"type": "array", "items": {"type": "object", "properties": {"sku": {"type": t}}}});
        let before = event(json!({"products": item("string")}), &[]);
        let after = event(json!({"products": item("number")}), &[]);
        assert_eq!(
            narrowing(&before, &after),
            ["`properties.products.[].sku` changes type from string to number"]
        );
    }

    #[test]
    fn an_unchanged_or_wider_schema_does_not_narrow() {
        let before = event(json!({"a": {"type": "string"}}), &["a"]);
        let wider = event(
            json!({"a": {"type": "string"}, "b": {"type": "number"}}),
            &[],
        );
        assert!(narrowing(&before, &before).is_empty());
        assert!(narrowing(&before, &wider).is_empty());
    }
}
