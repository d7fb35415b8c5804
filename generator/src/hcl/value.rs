//! [`Hv`]: the values an exported attribute can hold.

/// An attribute value as the generator writes it.
#[derive(Clone, Debug, PartialEq)]
pub enum Hv {
    Null,
    Bool(bool),
    /// As it should appear in the file: `42`, `1.5`.
    Number(String),
    String(String),
    List(Vec<Hv>),
    /// Keys in the order written: attribute names, or JSON keys in settings.
    Object(Vec<(String, Hv)>),
    /// A reference to another exported resource: `segment_source.web.id`.
    Ref(String),
    /// A sensitive input variable: `var.destination_web_amplitude_api_key`.
    Var(String),
    /// `jsonencode(value)`: settings and other JSON strings.
    Json(Box<Hv>),
}

impl Hv {
    /// Whether the value is written on one line.
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            Hv::Null | Hv::Bool(_) | Hv::Number(_) | Hv::String(_) | Hv::Ref(_) | Hv::Var(_)
        )
    }

    /// The value from JSON (settings): objects keep their key order.
    pub fn from_json(json: &serde_json::Value) -> Hv {
        match json {
            serde_json::Value::Null => Hv::Null,
            serde_json::Value::Bool(b) => Hv::Bool(*b),
            serde_json::Value::Number(n) => Hv::Number(n.to_string()),
            serde_json::Value::String(s) => Hv::String(s.clone()),
            serde_json::Value::Array(items) => Hv::List(items.iter().map(Hv::from_json).collect()),
            serde_json::Value::Object(map) => Hv::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Hv::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Every value inside, depth first, for walks that rewrite leaves.
    pub fn for_each_mut(&mut self, f: &mut impl FnMut(Option<&str>, &mut Hv)) {
        self.walk(None, f)
    }

    fn walk(&mut self, key: Option<&str>, f: &mut impl FnMut(Option<&str>, &mut Hv)) {
        match self {
            Hv::List(items) => items.iter_mut().for_each(|i| i.walk(key, f)),
            Hv::Object(entries) => entries.iter_mut().for_each(|(k, v)| v.walk(Some(k), f)),
            Hv::Json(inner) => inner.walk(key, f),
            _ => f(key, self),
        }
    }
}

/// A bare HCL identifier that means itself as an object key: not a keyword
/// that would start another construct.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(s, "true" | "false" | "null" | "for" | "in" | "if")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_exclude_keywords_and_odd_starts() {
        assert!(is_identifier("apiKey"));
        assert!(is_identifier("_x-1"));
        for bad in ["", "1a", "for", "null", "a b", "é", "a.b"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }
}
