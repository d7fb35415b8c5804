//! Empty text and no text. The API answers one for the other: it stores
//! `""` where an update clears an optional text (its updates have no null),
//! and leaves out a name created as `""`. For an optional text both mean
//! "none", so a read keeps whichever of the two the state holds, and the
//! configuration (`""` or unset) settles either way.

use super::{Field, JsonMode, Role};
use crate::value::{Type, Value};

/// The value a read records for `f`, given what the state held before.
pub fn as_prior(f: &Field, prior: &Value, read: Value) -> Value {
    let optional_text =
        f.ty == Type::String && f.json == JsonMode::None && f.role != Role::Required;
    if !optional_text || f.role == Role::Computed {
        return read;
    }
    let empty = |v: &Value| v.is_null() || v.as_str() == Some("");
    if prior.as_str() == Some("") && empty(&read) {
        return Value::from("");
    }
    // Only where the attribute is not computed: a computed one takes
    // whatever the API says.
    if prior.is_null() && read.as_str() == Some("") && f.role == Role::Optional {
        return Value::Null;
    }
    read
}

#[cfg(test)]
mod tests {
    use super::*;

    fn optional() -> Field {
        Field::optional("description", Type::String, "")
    }

    #[test]
    fn empty_and_absent_keep_the_prior_spelling() {
        let f = optional();
        assert_eq!(as_prior(&f, &"".into(), Value::Null), Value::from(""));
        assert_eq!(as_prior(&f, &"".into(), "".into()), Value::from(""));
        assert_eq!(as_prior(&f, &Value::Null, "".into()), Value::Null);
        assert_eq!(as_prior(&f, &Value::Null, Value::Null), Value::Null);
        let oc = Field::optional_computed("name", Type::String, "");
        assert_eq!(as_prior(&oc, &"".into(), Value::Null), Value::from(""));
        assert_eq!(as_prior(&oc, &Value::Null, "".into()), Value::from(""));
    }

    #[test]
    fn real_text_is_drift() {
        let f = optional();
        assert_eq!(as_prior(&f, &"".into(), "x".into()), Value::from("x"));
        assert_eq!(as_prior(&f, &"x".into(), "".into()), Value::from(""));
        assert_eq!(as_prior(&f, &"x".into(), Value::Null), Value::Null);
        let required = Field::required("name", Type::String, "");
        assert_eq!(as_prior(&required, &"".into(), Value::Null), Value::Null);
    }
}
