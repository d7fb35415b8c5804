//! HCL text for generated files, in the layout `terraform fmt` produces:
//! two-space indents, one attribute a line, `=` aligned by [`super::align`].

use super::{is_identifier, Hv};

/// Lists of scalars longer than this go one item a line.
const MAX_INLINE_LIST: usize = 80;

/// A quoted HCL string: escapes, and `${`/`%{` doubled so they stay literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An object key: bare when it is an identifier, quoted otherwise. Dashed
/// keys are identifiers to HCL but read as subtraction to people: quoted.
pub fn key(k: &str) -> String {
    if is_identifier(k) && !k.contains('-') {
        k.to_string()
    } else {
        quote(k)
    }
}

/// The value as HCL, its continuation lines indented for `indent`.
pub fn value(v: &Hv, indent: usize) -> String {
    match v {
        Hv::Null => "null".into(),
        Hv::Bool(b) => b.to_string(),
        Hv::Number(n) => n.clone(),
        Hv::String(s) => quote(s),
        Hv::Ref(r) => r.clone(),
        Hv::Var(name) => format!("var.{name}"),
        Hv::Json(inner) => format!("jsonencode({})", value(inner, indent)),
        Hv::List(items) if items.is_empty() => "[]".into(),
        Hv::List(items) => {
            if items.iter().all(Hv::is_scalar) {
                let inline: Vec<String> = items.iter().map(|i| value(i, indent)).collect();
                let line = format!("[{}]", inline.join(", "));
                if line.len() <= MAX_INLINE_LIST {
                    return line;
                }
            }
            let pad = " ".repeat(indent + 2);
            let mut out = String::from("[\n");
            for item in items {
                out.push_str(&format!("{pad}{},\n", value(item, indent + 2)));
            }
            out.push_str(&" ".repeat(indent));
            out.push(']');
            out
        }
        Hv::Object(entries) if entries.is_empty() => "{}".into(),
        Hv::Object(entries) => {
            let mut out = String::from("{\n");
            for (k, v) in entries {
                attribute(&mut out, indent + 2, &key(k), v);
            }
            out.push_str(&" ".repeat(indent));
            out.push('}');
            out
        }
    }
}

/// `name = value` on its own line(s) at `indent`.
pub fn attribute(out: &mut String, indent: usize, name: &str, v: &Hv) {
    out.push_str(&" ".repeat(indent));
    out.push_str(name);
    out.push_str(" = ");
    out.push_str(&value(v, indent));
    out.push('\n');
}

/// A block with a header such as `resource "segment_source" "web"`.
pub fn block(header: &str, attributes: &[(String, Hv)]) -> String {
    let mut out = format!("{header} {{\n");
    for (name, v) in attributes {
        attribute(&mut out, 2, name, v);
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_templates_literal() {
        assert_eq!(quote("a${b}%{c}"), r#""a$${b}%%{c}""#);
        assert_eq!(quote("$${x"), r#""$$${x""#);
        assert_eq!(quote("q\"\\\n\t"), r#""q\"\\\n\t""#);
        assert_eq!(quote("\u{1}"), r#""\u0001""#);
        assert_eq!(quote("ünï ☃"), "\"ünï ☃\"");
    }

    #[test]
    fn nested_values_indent_by_two() {
        let v = Hv::Json(Box::new(Hv::Object(vec![
            ("apiKey".into(), Hv::Var("k".into())),
            ("a-b".into(), Hv::List(vec![Hv::Number("1".into())])),
            ("o".into(), Hv::Object(vec![("x".into(), Hv::Bool(true))])),
        ])));
        let mut out = String::new();
        attribute(&mut out, 2, "settings", &v);
        assert_eq!(
            out,
            "  settings = jsonencode({\n    apiKey = var.k\n    \"a-b\" = [1]\n    o = {\n      x = true\n    }\n  })\n"
        );
    }
}
