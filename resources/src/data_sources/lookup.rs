//! The catalog data sources find an entry by `id`, `name` or `slug`
//! (exactly one). By id is one request; by name or slug reads the catalog
//! list, since the API has no search, and refuses a name that several
//! entries share rather than pick one.

use crate::engine::{Check, Failure, Field, Obj, Role};
use crate::value::Type;

/// What the configuration looks an entry up by.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    Id(String),
    Name(String),
    Slug(String),
}

const KEYS: [&str; 3] = ["id", "name", "slug"];

/// The arguments: `id`, `name` and `slug` optional, each read back when
/// the others find the entry.
pub fn arguments(id: &'static str, mut fields: Vec<Field>) -> Vec<Field> {
    let mut all = vec![Field::optional_computed("id", Type::String, id).non_empty()];
    for f in &mut fields {
        if f.name == "name" || f.name == "slug" {
            f.role = Role::OptionalComputed;
            f.checks.push(Check::NonEmpty);
        }
    }
    all.extend(fields);
    all
}

/// Exactly one of `id`, `name` and `slug` (unknown values count as set);
/// `example` is a slug the message can suggest.
pub fn check(entry: &str, example: &str, config: &Obj) -> Vec<Failure> {
    let set: Vec<&str> = KEYS
        .into_iter()
        .filter(|k| !config.get(k).is_null())
        .collect();
    match set.len() {
        1 => Vec::new(),
        0 => vec![Failure::invalid(
            "id",
            format!(
                "Set one of `id`, `name` or `slug` to find the {entry} in the catalog, such as \
                 `slug = \"{example}\"`."
            ),
        )],
        _ => vec![Failure::invalid(
            set[1],
            format!(
                "Set only one of `id`, `name` or `slug`; this configuration sets `{}`.",
                set.join("` and `")
            ),
        )],
    }
}

/// What a configuration that passed [`check`] looks its entry up by.
pub fn lookup(config: &Obj) -> Result<Lookup, Failure> {
    let text = |k: &str| config.get(k).as_str().map(str::to_string);
    if let Some(id) = text("id") {
        return Ok(Lookup::Id(id));
    }
    if let Some(name) = text("name") {
        return Ok(Lookup::Name(name));
    }
    text("slug")
        .map(Lookup::Slug)
        .ok_or_else(|| Failure::invalid("id", "Set one of `id`, `name` or `slug`."))
}

/// The one entry whose name or slug is `wanted`; `key` gives an entry's
/// (id, name, slug).
pub fn pick<T>(
    entry: &str,
    lookup: &Lookup,
    entries: Vec<T>,
    key: impl Fn(&T) -> (&str, &str, &str),
) -> Result<T, Failure> {
    let (attribute, wanted, by_name) = match lookup {
        Lookup::Name(n) => ("name", n.as_str(), true),
        Lookup::Slug(s) => ("slug", s.as_str(), false),
        // Callers read an id directly; nothing to pick from.
        Lookup::Id(id) => return Err(Failure::invalid("id", format!("{entry} id {id:?}"))),
    };
    let matches = |e: &T| {
        let (_, name, slug) = key(e);
        wanted == if by_name { name } else { slug }
    };
    let describe = |e: &T| {
        let (id, name, slug) = key(e);
        format!("{name:?} (slug {slug:?}, id {id:?})")
    };
    let (mut found, others): (Vec<T>, Vec<T>) = entries.into_iter().partition(|e| matches(e));
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => {
            let lower = wanted.to_lowercase();
            let near: Vec<String> = others
                .iter()
                .filter(|e| {
                    let (_, name, slug) = key(e);
                    name.to_lowercase().contains(&lower) || slug.to_lowercase().contains(&lower)
                })
                .take(5)
                .map(describe)
                .collect();
            let hint = if near.is_empty() {
                String::new()
            } else {
                format!(" Close matches: {}.", near.join(", "))
            };
            Err(Failure::invalid(
                attribute,
                format!(
                    "No {entry} in the catalog has the {attribute} {wanted:?} (matched exactly).\
                     {hint}"
                ),
            ))
        }
        n => Err(Failure::invalid(
            attribute,
            format!(
                "{n} {entry} entries in the catalog have the {attribute} {wanted:?}: {}. Set \
                 `id` (or `slug`) instead.",
                found.iter().map(describe).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn entries() -> Vec<(&'static str, &'static str, &'static str)> {
        vec![
            ("a1", "Amplitude", "amplitude"),
            ("a2", "Amplitude (Actions)", "actions-amplitude"),
            ("m1", "Mixpanel", "mixpanel"),
            ("m2", "Mixpanel", "mixpanel-legacy"),
        ]
    }

    fn run(lookup: Lookup) -> Result<&'static str, String> {
        pick("Destination", &lookup, entries(), |e| (e.0, e.1, e.2))
            .map(|e| e.0)
            .map_err(|f| match f {
                Failure::Invalid { attribute, message } => format!("{attribute}: {message}"),
                Failure::Api(e) => e.to_string(),
            })
    }

    #[test]
    fn one_match_by_name_or_slug_is_the_entry() {
        assert_eq!(run(Lookup::Name("Amplitude".into())), Ok("a1"));
        assert_eq!(run(Lookup::Slug("mixpanel-legacy".into())), Ok("m2"));
    }

    #[test]
    fn no_match_names_the_attribute_and_close_entries() {
        let e = run(Lookup::Name("amplitude".into())).unwrap_err();
        assert!(e.starts_with("name: No Destination"), "{e}");
        assert!(e.contains("\"Amplitude (Actions)\""), "{e}");
    }

    #[test]
    fn a_shared_name_is_refused_with_every_id() {
        let e = run(Lookup::Name("Mixpanel".into())).unwrap_err();
        assert!(e.contains("2 Destination entries"), "{e}");
        assert!(e.contains("\"m1\"") && e.contains("\"m2\""), "{e}");
    }

    #[test]
    fn exactly_one_argument_is_set() {
        let mut config = Obj::new();
        let check = |config: &Obj| check("Source", "javascript", config).len();
        assert_eq!(check(&config), 1);
        config.set("slug", "javascript");
        assert_eq!(check(&config), 0);
        config.set("id", "IqDTy1TpoU");
        assert_eq!(check(&config), 1);
        config.set("id", Value::Null).set("name", Value::Unknown);
        assert_eq!(check(&config), 1);
    }
}
