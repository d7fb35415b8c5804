//! A lossless JSON reader: like `serde_json::Value`, but numbers keep their
//! source text, so a 30-digit integer or `0.1` in a state file reaches
//! [`super::Number`] exactly (serde_json would round them through f64, and
//! its `arbitrary_precision` feature would change number handling for every
//! crate in the workspace).

use std::collections::BTreeMap;

use serde_json::value::RawValue;

pub(super) enum Json {
    Null,
    Bool(bool),
    /// The number's text as written.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(BTreeMap<String, Json>),
}

/// Each nesting level is re-read from its raw text, so this is the limit on
/// our own recursion (serde_json's limit applies per level only).
const MAX_DEPTH: usize = 512;

pub(super) fn parse(bytes: &[u8]) -> Result<Json, String> {
    let raw: &RawValue = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    from_raw(raw, 0)
}

fn from_raw(raw: &RawValue, depth: usize) -> Result<Json, String> {
    if depth > MAX_DEPTH {
        return Err("JSON nested too deeply".to_owned());
    }
    let text = raw.get();
    let err = |e: serde_json::Error| e.to_string();
    Ok(match text.as_bytes().first() {
        Some(b'{') => {
            let entries: BTreeMap<String, &RawValue> = serde_json::from_str(text).map_err(err)?;
            let entries = entries
                .into_iter()
                .map(|(k, v)| Ok((k, from_raw(v, depth + 1)?)))
                .collect::<Result<_, String>>()?;
            Json::Object(entries)
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(err)?;
            let items = items
                .into_iter()
                .map(|v| from_raw(v, depth + 1))
                .collect::<Result<_, _>>()?;
            Json::Array(items)
        }
        Some(b'"') => Json::String(serde_json::from_str(text).map_err(err)?),
        Some(b't' | b'f') => Json::Bool(serde_json::from_str(text).map_err(err)?),
        Some(b'n') => Json::Null,
        // serde_json already checked the syntax: what is left is a number.
        _ => Json::Number(text.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_number_text() {
        let Ok(Json::Array(items)) = parse(br#" [123456789012345678901234567890, 0.1, -1e2] "#)
        else {
            panic!("not an array");
        };
        let texts: Vec<_> = items
            .iter()
            .map(|j| match j {
                Json::Number(t) => t.as_str(),
                _ => "?",
            })
            .collect();
        assert_eq!(texts, ["123456789012345678901234567890", "0.1", "-1e2"]);
    }

    #[test]
    fn reads_nested_values_and_escapes() {
        let Ok(Json::Object(m)) = parse(br#"{"a\u00e9":{"b":[true,null,"x\"y"]}}"#) else {
            panic!("not an object");
        };
        let Some(Json::Object(inner)) = m.get("a\u{e9}") else {
            panic!("missing key");
        };
        let Some(Json::Array(items)) = inner.get("b") else {
            panic!("missing list");
        };
        assert!(matches!(items[0], Json::Bool(true)));
        assert!(matches!(items[1], Json::Null));
        assert!(matches!(&items[2], Json::String(s) if s == "x\"y"));
    }

    #[test]
    fn rejects_bad_json() {
        assert!(parse(b"{").is_err());
        assert!(parse(b"[1,]").is_err());
        assert!(parse(b"").is_err());
    }
}
