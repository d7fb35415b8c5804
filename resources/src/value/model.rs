//! The value model: what Terraform sends and what we send back.

use std::collections::BTreeMap;

use super::{Number, Type};

/// A Terraform value. Every value is in one of three states:
///
/// - **null**: [`Value::Null`], the attribute is not set;
/// - **unknown**: [`Value::Unknown`], to be decided during apply (only in
///   plans, never in applied state);
/// - **known**: every other variant. A known collection may still contain
///   nulls or unknowns: see [`Value::is_wholly_known`].
///
/// Values are untyped on their own; the schema's [`Type`] says how to read
/// and write them. The exception is a value in a `dynamic` slot, whose type is
/// chosen per value and so travels with it in [`Value::Dynamic`].
///
/// ```
/// use segment_resources::value::Value;
///
/// let v = Value::object([("name", Value::from("prod")), ("id", Value::Unknown)]);
/// assert_eq!(v.get("name").and_then(Value::as_str), Some("prod"));
/// assert!(v.is_known() && !v.is_wholly_known());
/// assert!(v.get("missing").is_none());
/// ```
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Unknown,
    String(String),
    Number(Number),
    Bool(bool),
    List(Vec<Value>),
    /// Elements in wire order; equality ignores order.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    /// A known, or typed-null, value in a `dynamic` slot, with its type.
    /// (Null and unknown of no particular type are plain `Null`/`Unknown`.)
    Dynamic {
        ty: Type,
        value: Box<Value>,
    },
}

impl Value {
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn map<K: Into<String>>(elems: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(elems.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Neither null nor unknown (its contents may still be).
    pub fn is_known(&self) -> bool {
        !self.is_null() && !self.is_unknown()
    }

    /// No unknown anywhere inside: what apply results must be.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Null | Value::String(_) | Value::Number(_) | Value::Bool(_) => true,
            Value::List(vs) | Value::Set(vs) | Value::Tuple(vs) => {
                vs.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic { value, .. } => value.is_wholly_known(),
        }
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// Elements of a known list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(vs) | Value::Set(vs) | Value::Tuple(vs) => Some(vs),
            _ => None,
        }
    }

    /// Entries of a known map or object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// An attribute of a known object (or element of a known map).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.as_entries()?.get(name)
    }

    /// The type implied by a known value, for writing it into a `dynamic`
    /// slot. `None` when the value does not say (null, unknown, or a
    /// collection with no element to look at).
    pub fn implied_type(&self) -> Option<Type> {
        let homogeneous = |vs: &[Value]| -> Option<Type> {
            let first = vs.first()?.implied_type()?;
            vs[1..]
                .iter()
                .all(|v| v.implied_type().as_ref() == Some(&first))
                .then_some(first)
        };
        match self {
            Value::Null | Value::Unknown => None,
            Value::String(_) => Some(Type::String),
            Value::Number(_) => Some(Type::Number),
            Value::Bool(_) => Some(Type::Bool),
            Value::List(vs) => homogeneous(vs).map(Type::list),
            Value::Set(vs) => homogeneous(vs).map(Type::set),
            Value::Map(m) => homogeneous(&m.values().cloned().collect::<Vec<_>>()).map(Type::map),
            Value::Tuple(vs) => vs
                .iter()
                .map(Value::implied_type)
                .collect::<Option<_>>()
                .map(Type::Tuple),
            Value::Object(m) => m
                .iter()
                .map(|(k, v)| Some((k.clone(), v.implied_type()?)))
                .collect::<Option<Vec<_>>>()
                .map(Type::object),
            Value::Dynamic { ty, .. } => Some(ty.clone()),
        }
    }
}

impl Default for Value {
    /// Null: the value of anything not set.
    fn default() -> Self {
        Value::Null
    }
}

/// Structural equality: sets compare regardless of order, and `Unknown`
/// equals `Unknown` (this is "same value on the wire", not Terraform's
/// three-valued `==`).
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) | (Value::Unknown, Value::Unknown) => true,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => same_elements(a, b),
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Dynamic { ty: ta, value: va }, Value::Dynamic { ty: tb, value: vb }) => {
                ta == tb && va == vb
            }
            _ => false,
        }
    }
}

/// Multiset comparison; quadratic, which is fine for configuration-sized sets
/// and needs neither `Hash` nor `Ord` (numbers may be floats).
fn same_elements(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    a.iter().all(|x| {
        let found = (0..b.len()).find(|&i| !used[i] && b[i] == *x);
        found.map(|i| used[i] = true).is_some()
    })
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(n.into())
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

/// `None` becomes null: the natural mapping for optional attributes.
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tri_state() {
        assert!(Value::Null.is_null() && !Value::Null.is_known());
        assert!(Value::Unknown.is_unknown() && !Value::Unknown.is_known());
        assert!(Value::from("x").is_known());
        assert_eq!(Value::from(None::<&str>), Value::Null);
        let nested = Value::List(vec![Value::object([("a", Value::Unknown)])]);
        assert!(nested.is_known() && !nested.is_wholly_known());
        assert!(Value::List(vec![Value::Null]).is_wholly_known());
    }

    #[test]
    fn sets_ignore_order_but_not_multiplicity() {
        let a = Value::Set(vec![Value::from("x"), Value::from("y")]);
        let b = Value::Set(vec![Value::from("y"), Value::from("x")]);
        assert_eq!(a, b);
        let c = Value::Set(vec![Value::from("x"), Value::from("x")]);
        assert_ne!(a, c);
        // Lists keep order.
        assert_ne!(
            Value::List(vec![Value::from("x"), Value::from("y")]),
            Value::List(vec![Value::from("y"), Value::from("x")])
        );
    }

    #[test]
    fn implied_types() {
        let v = Value::object([
            ("n", Value::from(1)),
            ("l", Value::List(vec![Value::from("a")])),
        ]);
        assert_eq!(
            v.implied_type(),
            Some(Type::object([
                ("n", Type::Number),
                ("l", Type::list(Type::String))
            ]))
        );
        assert_eq!(Value::List(vec![]).implied_type(), None);
        assert_eq!(
            Value::List(vec![Value::from(1), Value::from("a")]).implied_type(),
            None
        );
    }
}
