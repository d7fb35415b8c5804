//! JSON-string attributes (settings): compared as parsed JSON, refreshed
//! only in the keys the configuration manages, secrets never shown as drift.

use serde_json::{Map, Value as Json};

use crate::value::Number;

/// JSON as Terraform's `jsonencode` writes it: keys sorted, no spaces, and
/// `<`, `>`, `&`, U+2028, U+2029 escaped. A state string spelled like the
/// user's `jsonencode(...)` keeps plans quiet even where values are compared
/// as text.
pub fn canonical(j: &Json) -> String {
    let mut out = String::new();
    write(j, &mut out);
    out
}

fn write(j: &Json, out: &mut String) {
    match j {
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(k, out);
                out.push(':');
                write(&m[*k], out);
            }
            out.push('}');
        }
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Json::String(s) => write_str(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_str(s: &str, out: &mut String) {
    let escaped = Json::String(s.to_string()).to_string();
    for c in escaped.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
}

pub fn parse(text: &str) -> Option<Json> {
    serde_json::from_str(text).ok()
}

/// A value the API masked: compared equal to whatever is configured.
pub fn is_masked(v: &Json) -> bool {
    v.as_str().is_some_and(is_mask)
}

/// A secret as the API shows it: a run of bullets (`••••••••`), possibly
/// ending in the secret's last characters. A bullet inside other text
/// ("Price • Tax") is text.
pub fn is_mask(s: &str) -> bool {
    s.starts_with("•••")
}

/// Whether two JSON texts mean the same. Numbers compare by value; a masked
/// secret on the `prior` side matches any string configured.
pub fn equivalent(config: &str, prior: &str) -> bool {
    match (parse(config), parse(prior)) {
        (Some(c), Some(p)) => same(&c, &p),
        _ => config == prior,
    }
}

fn same(c: &Json, p: &Json) -> bool {
    match (c, p) {
        (Json::Object(a), Json::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| same(v, w))
        }
        (Json::Number(a), Json::Number(b)) => same_number(a, b),
        (Json::String(_), w) if is_masked(w) => true,
        (v, w) => v == w,
    }
}

/// Numbers compare by exact value: `1` is `1.0`, but 9007199254740993 is
/// not 9007199254740992 (the same f64). Each side is compared as serde_json
/// holds it, which is what went on the wire.
fn same_number(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if a == b {
        return true;
    }
    match (
        a.to_string().parse::<Number>(),
        b.to_string().parse::<Number>(),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Settings after a refresh. With no prior (an import) they are the API's
/// whole object. Otherwise only the keys the prior state manages are kept:
/// each takes the API's value, except masked secrets (and, where the API
/// `omits_secrets`, keys it left out), which keep the prior value. A key
/// configured as null that the API does not return is settled: the API
/// drops nulls, and a null is never sent in a way that deletes a stored
/// secret the API hides. When the
/// result means what the prior said, the prior text is kept as it was.
pub fn refresh(prior: Option<&str>, remote: &Map<String, Json>, omits_secrets: bool) -> String {
    let Some(prior_text) = prior else {
        return canonical(&Json::Object(remote.clone()));
    };
    let Some(Json::Object(prior_map)) = parse(prior_text) else {
        return canonical(&Json::Object(remote.clone()));
    };
    let mut merged = Map::new();
    for (k, pv) in &prior_map {
        match remote.get(k) {
            Some(rv) if is_masked(rv) => {
                merged.insert(k.clone(), pv.clone());
            }
            Some(rv) => {
                merged.insert(k.clone(), rv.clone());
            }
            None if omits_secrets || pv.is_null() => {
                merged.insert(k.clone(), pv.clone());
            }
            None => {}
        }
    }
    let merged = Json::Object(merged);
    if same(&merged, &Json::Object(prior_map)) {
        prior_text.to_string()
    } else {
        canonical(&merged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(j: Json) -> Map<String, Json> {
        j.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn canonical_matches_jsonencode() {
        let j = json!({"b": [1, 2.5], "a": "<x & y>", "c": {"z": true, "y": null}});
        assert_eq!(
            canonical(&j),
            r#"{"a":"\u003cx \u0026 y\u003e","b":[1,2.5],"c":{"y":null,"z":true}}"#
        );
    }

    #[test]
    fn order_and_spacing_do_not_matter() {
        assert!(equivalent(r#"{"a": 1, "b": "x"}"#, r#"{"b":"x","a":1.0}"#));
        assert!(!equivalent(r#"{"a": 1}"#, r#"{"a": 2}"#));
        assert!(!equivalent(r#"{"a": 1}"#, r#"{"a": 1, "b": 2}"#));
    }

    // Compared through f64, 2^53 + 1 equalled 2^53 and drift went unseen.
    #[test]
    fn numbers_compare_exactly() {
        assert!(!equivalent(
            r#"{"n": 9007199254740993}"#,
            r#"{"n": 9007199254740992}"#
        ));
        assert!(!equivalent(
            r#"{"n": -9007199254740993}"#,
            r#"{"n": -9007199254740992.0}"#
        ));
        assert!(equivalent(
            r#"{"n": 9007199254740993}"#,
            r#"{"n":9007199254740993}"#
        ));
        assert!(equivalent(
            r#"{"n": 1e2, "m": 0.5}"#,
            r#"{"n": 100, "m": 5e-1}"#
        ));
        let remote = obj(json!({"n": 9007199254740992u64}));
        assert_eq!(
            refresh(Some(r#"{"n":9007199254740993}"#), &remote, false),
            r#"{"n":9007199254740992}"#
        );
    }

    // The API drops null settings; state kept them and never settled.
    #[test]
    fn configured_nulls_the_api_drops_are_settled() {
        let prior = r#"{"a":null,"b":1}"#;
        assert_eq!(refresh(Some(prior), &obj(json!({"b": 1})), false), prior);
        assert_eq!(
            refresh(Some(prior), &obj(json!({"b": 1, "a": null})), false),
            prior
        );
        // A value where null is configured is drift.
        assert_eq!(
            refresh(Some(prior), &obj(json!({"a": "x", "b": 1})), false),
            r#"{"a":"x","b":1}"#
        );
    }

    #[test]
    fn masked_secrets_match_any_configured_string() {
        assert!(equivalent(r#"{"apiKey":"real"}"#, r#"{"apiKey":"••••"}"#));
        assert!(!equivalent(r#"{"apiKey":"••••"}"#, r#"{"apiKey":"real"}"#));
        // A mask that keeps the secret's end is a mask; a bullet in text is not.
        assert!(equivalent(r#"{"k":"real"}"#, r#"{"k":"••••••al"}"#));
        assert!(!equivalent(r#"{"k":"Price"}"#, r#"{"k":"Price • Tax"}"#));
    }

    #[test]
    fn refresh_compares_only_configured_keys() {
        let prior = r#"{"apiKey": "secret", "region": "us"}"#;
        // Unchanged, with an extra unmanaged key and a masked secret: no drift,
        // and the prior text survives byte for byte.
        let remote = obj(json!({"apiKey": "•••", "region": "us", "other": 1}));
        assert_eq!(refresh(Some(prior), &remote, false), prior);
        // Drift in a managed key shows, the secret still kept.
        let remote = obj(json!({"apiKey": "•••", "region": "eu"}));
        assert_eq!(
            refresh(Some(prior), &remote, false),
            r#"{"apiKey":"secret","region":"eu"}"#
        );
        // A managed key removed remotely drops out (drift), unless the API
        // omits secrets, where absence is how it hides them.
        let remote = obj(json!({"region": "us"}));
        assert_eq!(refresh(Some(prior), &remote, false), r#"{"region":"us"}"#);
        assert_eq!(refresh(Some(prior), &remote, true), prior);
        // An import takes everything.
        assert_eq!(refresh(None, &remote, false), r#"{"region":"us"}"#);
    }
}
