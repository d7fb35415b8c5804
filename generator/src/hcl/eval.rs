//! What an attribute in a file means, as far as the generator can tell
//! without Terraform: literals, lists and objects, `jsonencode(...)`,
//! references to exported resources and `var.*` secrets. Anything else a
//! person wrote (locals, functions, templates) is [`Ev::Unknown`], and the
//! generator leaves it alone.

use std::collections::BTreeMap;

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};

use super::Hv;

/// A value to compare what is in a file with what the workspace holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Ev {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Ev>),
    Object(BTreeMap<String, Ev>),
    /// `jsonencode(value)`: compared by value, so key order never matters.
    Encoded(Box<Ev>),
    /// A sensitive variable: the workspace only ever shows a mask for it.
    Secret,
    /// Not something the generator evaluates.
    Unknown,
}

impl Ev {
    pub fn has_unknown(&self) -> bool {
        match self {
            Ev::Unknown => true,
            Ev::List(items) => items.iter().any(Ev::has_unknown),
            Ev::Object(map) => map.values().any(Ev::has_unknown),
            Ev::Encoded(inner) => inner.has_unknown(),
            _ => false,
        }
    }

    /// Lists compared as sets: sorted by their debug text.
    pub fn unordered(self) -> Ev {
        match self {
            Ev::List(items) => {
                let mut items: Vec<Ev> = items.into_iter().map(Ev::unordered).collect();
                items.sort_by_cached_key(|i| format!("{i:?}"));
                Ev::List(items)
            }
            Ev::Object(map) => {
                Ev::Object(map.into_iter().map(|(k, v)| (k, v.unordered())).collect())
            }
            Ev::Encoded(inner) => Ev::Encoded(Box::new(inner.unordered())),
            other => other,
        }
    }
}

/// Resolves `segment_x.name.id` to the id of the object it names.
pub trait Addresses {
    fn id_of(&self, address: &str) -> Option<String>;
}

/// What the generator would write, as a comparable value.
pub fn of_hv(v: &Hv, addresses: &dyn Addresses) -> Ev {
    match v {
        Hv::Null => Ev::Null,
        Hv::Bool(b) => Ev::Bool(*b),
        Hv::Number(n) => n.parse().map(Ev::Number).unwrap_or(Ev::Unknown),
        Hv::String(s) => Ev::String(s.clone()),
        Hv::List(items) => Ev::List(items.iter().map(|i| of_hv(i, addresses)).collect()),
        Hv::Object(entries) => Ev::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), of_hv(v, addresses)))
                .collect(),
        ),
        Hv::Ref(r) => reference(r, addresses),
        Hv::Var(_) => Ev::Secret,
        Hv::Json(inner) => Ev::Encoded(Box::new(of_hv(inner, addresses))),
    }
}

/// What an expression in a file evaluates to.
pub fn of_expr(e: &Expression, addresses: &dyn Addresses) -> Ev {
    match e {
        Expression::Null(_) => Ev::Null,
        Expression::Bool(b) => Ev::Bool(*b.value()),
        Expression::Number(n) => n.value().as_f64().map(Ev::Number).unwrap_or(Ev::Unknown),
        Expression::String(s) => Ev::String(s.value().clone()),
        Expression::Array(items) => Ev::List(items.iter().map(|i| of_expr(i, addresses)).collect()),
        Expression::Object(object) => {
            let mut map = BTreeMap::new();
            for (k, v) in object.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => i.value().as_str().to_string(),
                    ObjectKey::Expression(e) => match of_expr(e, addresses) {
                        Ev::String(s) => s,
                        _ => return Ev::Unknown,
                    },
                };
                map.insert(key, of_expr(v.expr(), addresses));
            }
            Ev::Object(map)
        }
        Expression::Parenthesis(p) => of_expr(p.inner(), addresses),
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return Ev::Unknown;
            };
            let mut path = root.value().as_str().to_string();
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(name) => {
                        path.push('.');
                        path.push_str(name.value().as_str());
                    }
                    _ => return Ev::Unknown,
                }
            }
            reference(&path, addresses)
        }
        Expression::FuncCall(call)
            if call.name.name.value().as_str() == "jsonencode" && call.args.len() == 1 =>
        {
            match call.args.get(0) {
                Some(arg) => Ev::Encoded(Box::new(of_expr(arg, addresses))),
                None => Ev::Unknown,
            }
        }
        _ => Ev::Unknown,
    }
}

fn reference(path: &str, addresses: &dyn Addresses) -> Ev {
    if path.starts_with("var.") {
        return Ev::Secret;
    }
    match path.strip_suffix(".id").and_then(|a| addresses.id_of(a)) {
        Some(id) => Ev::String(id),
        None => Ev::Unknown,
    }
}

/// Whether what a file holds already says what the generator would write.
/// Unknown parts count as saying it: they are the person's to keep.
pub fn same(existing: &Ev, desired: &Ev) -> bool {
    match (existing, desired) {
        (Ev::Unknown, _) => true,
        (Ev::List(a), Ev::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Ev::Object(a), Ev::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        (Ev::Encoded(a), Ev::Encoded(b)) => same(a, b),
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Table;
    impl Addresses for Table {
        fn id_of(&self, address: &str) -> Option<String> {
            (address == "segment_source.web").then(|| "src1".to_string())
        }
    }

    fn eval(text: &str) -> Ev {
        of_expr(&hcl_edit::parser::parse_expr(text).expect("parses"), &Table)
    }

    #[test]
    fn references_literals_and_json_evaluate() {
        assert_eq!(eval("segment_source.web.id"), Ev::String("src1".into()));
        assert_eq!(eval("segment_source.other.id"), Ev::Unknown);
        assert_eq!(eval("var.secret"), Ev::Secret);
        let a = eval("jsonencode({ b = 1, \"a\" = [true, null] })");
        let b = eval("jsonencode({\n  a = [true, null]\n  b = 1.0\n})");
        assert!(same(&a, &b));
        assert!(!same(&eval("\"x\""), &eval("\"y\"")));
        assert!(same(&eval("local.x"), &eval("\"y\"")));
        assert_eq!(eval("\"a$${b}\""), Ev::String("a${b}".into()));
    }
}
