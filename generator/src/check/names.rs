//! How a review names an object: its kind in words and the attribute a
//! person knows it by, never a settings value.

use serde_json::Value as Json;

use super::plan::Index;

/// `segment_destination_filter` -> `destination filter`.
pub fn noun(type_name: &str) -> String {
    type_name
        .strip_prefix("segment_")
        .unwrap_or(type_name)
        .replace('_', " ")
}

/// The attribute that names an object of this type, in the order tried.
fn naming_attributes(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "segment_source" => &["name", "slug"],
        "segment_function" => &["display_name"],
        "segment_user" => &["email"],
        "segment_destination_filter" => &["title"],
        "segment_label" => &["key"],
        _ => &["name"],
    }
}

/// Text from the workspace, made safe inside Markdown code spans and one
/// line long.
fn clean(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let mut out: String = one_line.chars().take(80).collect();
    if one_line.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// The object's name, when it has one.
pub fn name_of(type_name: &str, values: &Json) -> Option<String> {
    if type_name == "segment_label" {
        let key = values.get("key")?.as_str()?;
        let value = values.get("value").and_then(Json::as_str).unwrap_or("");
        return Some(clean(&format!("{key}:{value}")));
    }
    naming_attributes(type_name)
        .iter()
        .filter_map(|a| values.get(*a)?.as_str())
        .find(|s| !s.is_empty())
        .map(clean)
}

/// "destination `Amplitude` (id abc)", or what is known of it.
pub fn describe(type_name: &str, values: &Json) -> String {
    let noun = noun(type_name);
    let id = values.get("id").and_then(Json::as_str).map(clean);
    match (name_of(type_name, values), id) {
        (Some(name), Some(id)) => format!("{noun} `{name}` (id {id})"),
        (Some(name), None) => format!("{noun} `{name}`"),
        (None, Some(id)) => format!("{noun} {id}"),
        (None, None) => format!("a new {noun}"),
    }
}

/// The object an attribute refers to, named from the index, or its id.
pub fn describe_ref(index: &Index, type_name: &str, values: &Json, attr: &str) -> String {
    let Some(id) = values.get(attr).and_then(Json::as_str) else {
        return format!("a {}", noun(type_name));
    };
    match index.get(id) {
        Some(known) => describe(&known.type_name, &known.values),
        None => format!("{} {}", noun(type_name), clean(id)),
    }
}

/// "`a`, `b` and 3 more" from object descriptions.
pub fn list(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let shown: Vec<&str> = items.iter().take(SHOWN).map(String::as_str).collect();
    let mut text = shown.join(", ");
    if items.len() > SHOWN {
        text.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    text
}
