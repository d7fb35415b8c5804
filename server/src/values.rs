//! Value checks every body gets, whatever its shape: numbers JavaScript
//! (and so Segment) cannot hold exactly, and text that is clearly corrupt
//! (control characters, bidi overrides) where it names something.

use serde_json::Value;

use crate::error::AppError;

/// 2^53: above it not every integer is a double, so a number would be
/// stored rounded (`18446744073709551617` as `1.8446744073709552e19`).
const SAFE: f64 = 9_007_199_254_740_992.0;

/// Refuses a number that would be stored rounded anywhere in `value`,
/// naming its path: one that parsed as a double beyond ±2^53 (an integer
/// beyond 64 bits, or a huge fraction). Integers within 64 bits are stored
/// exactly, as the provider sends them (`9007199254740993` round-trips), so
/// they pass: refusing them would be stricter than Segment, which takes
/// them. The check runs on the parsed value: a double beyond 2^53 stays
/// beyond it after rounding, so the magnitude is known without serde_json's
/// `arbitrary_precision`, a feature that would change every JSON number
/// in the whole workspace's build (provider and generator included).
pub fn check_numbers(value: &Value, path: &mut String) -> Result<(), AppError> {
    match value {
        Value::Number(n) => {
            let beyond = match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(_), _, _) | (_, Some(_), _) => false,
                (_, _, Some(f)) => f.abs() > SAFE,
                _ => false,
            };
            if beyond {
                let field = if path.is_empty() {
                    "body"
                } else {
                    path.as_str()
                };
                return Err(AppError::invalid(
                    field,
                    format!(
                        "{field}: the number is beyond ±2^53 (9007199254740992) and beyond a \
                         64-bit integer, so it would be stored rounded; send it as a string \
                         or a smaller number"
                    ),
                ));
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_numbers(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                check_numbers(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Characters no name, key or address holds unless corrupted or crafted:
/// controls (NUL, newlines, escapes) and the bidi overrides and isolates
/// that show text in another order than it is stored.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Refuses `value` when it holds a [`is_forbidden`] character.
pub fn plain_text(field: &str, value: &str) -> Result<(), AppError> {
    match value.chars().find(|c| is_forbidden(*c)) {
        Some(c) => Err(AppError::invalid(
            field,
            format!(
                "{field}: {value:?} holds the character U+{:04X}; control characters and \
                 bidi overrides are not allowed, remove it",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

/// A port setting: an integer in 1..=65535.
pub fn port(field: &str, value: &Value) -> Result<(), AppError> {
    let ok = value.as_u64().is_some_and(|p| (1..=65535).contains(&p));
    if ok || value.is_null() {
        return Ok(());
    }
    Err(AppError::invalid(
        field,
        format!("{field}: {value} is not a port; give an integer from 1 to 65535"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_that_would_be_rounded_are_refused_with_their_path() {
        let ok = json!({"a": [1, -9007199254740993_i64, 1.5, 9007199254740993_u64, u64::MAX]});
        assert!(check_numbers(&ok, &mut String::new()).is_ok());
        let big: Value =
            serde_json::from_str(r#"{"s": {"x": [0, 18446744073709551617]}}"#).unwrap();
        let e = check_numbers(&big, &mut String::new()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("s.x[1]"));
        for text in ["18446744073709551617", "-9223372036854775809", "1e300"] {
            let v: Value = serde_json::from_str(text).unwrap();
            assert!(check_numbers(&v, &mut String::new()).is_err(), "{text}");
        }
    }

    #[test]
    fn ports_are_integers_in_range() {
        for good in [json!(1), json!(5432), json!(65535)] {
            assert!(port("settings.port", &good).is_ok(), "{good}");
        }
        for bad in [json!(-1), json!(0), json!(1.5), json!(65536), json!(5432.0)] {
            assert!(port("settings.port", &bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn controls_and_bidi_overrides_are_refused() {
        assert!(plain_text("k", "env-prod_1 é 東京").is_ok());
        for bad in ["a\u{0}", "a\nb", "\u{202E}dorp", "x\u{2066}y", "\u{1b}[31m"] {
            assert!(plain_text("k", bad).is_err(), "{bad:?}");
        }
    }
}
