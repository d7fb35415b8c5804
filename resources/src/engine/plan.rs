//! Terraform's plan rules, applied the same way to every resource type.

use super::json_attr;
use super::secrets::{self, Secrets};
use super::{JsonMode, Obj, ResourceSpec};
use crate::value::{AttributePath, Value};

pub struct Plan {
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
}

/// Plans a change from `prior` (null on create) to the configuration.
///
/// - Attributes the user sets keep the configured value, except JSON that
///   means what the prior state says: the prior text stays (Terraform allows
///   a planned value equal to the prior one), so reformatting is no diff.
/// - Computed attributes the user leaves unset are unknown on create and on
///   replacement; on update they keep their prior value unless `volatile`.
/// - An unset attribute with a default plans the default.
/// - Settings keep the prior text when every key keeps its value, secrets
///   judged as `secrets.rs` says (a null or the value last sent keeps the
///   stored secret); otherwise they plan the configured text.
/// - A change to a `replace` attribute (or to its `replace_key` inside it)
///   forces replacement, as does removing a `replace_on_removal` one.
pub fn plan(
    spec: &ResourceSpec,
    prior: &Value,
    proposed: &Value,
    config: &Value,
    secrets: &Secrets,
) -> Plan {
    if proposed.is_null() {
        return Plan {
            planned: Value::Null,
            requires_replace: Vec::new(),
        };
    }
    let creating = prior.is_null();
    let prior = Obj::from_value(prior);
    let config = Obj::from_value(config);
    let mut planned = Obj::from_value(proposed);

    if !creating {
        for f in spec.fields.iter().filter(|f| f.json != JsonMode::None) {
            if let (Some(c), Some(p)) = (config.str(f.name), prior.str(f.name)) {
                let same = match f.json {
                    JsonMode::Settings { .. } => secrets::unchanged(c, p, secrets.field(f.name)),
                    _ => json_attr::equivalent(c, p),
                };
                if c != p && same {
                    planned.set(f.name, p);
                }
            }
        }
    }

    for f in &spec.fields {
        if let (Some(d), true) = (&f.default, config.get(f.name).is_null()) {
            planned.set(f.name, d.clone());
        }
    }

    let requires_replace: Vec<AttributePath> = if creating {
        Vec::new()
    } else {
        spec.fields
            .iter()
            .filter_map(|f| {
                let (p, q) = (planned.get(f.name), prior.get(f.name));
                if f.replace_on_removal && p.is_null() && !q.is_null() {
                    return Some(AttributePath::attr(f.name));
                }
                if !f.replace {
                    return None;
                }
                match f.replace_key {
                    None => (p != q).then(|| AttributePath::attr(f.name)),
                    Some(key) => (p.get(key) != q.get(key))
                        .then(|| AttributePath::attr(f.name).then_attr(key)),
                }
            })
            .collect()
    };
    let changing = creating
        || spec
            .fields
            .iter()
            .filter(|f| !f.is_computed() || f.default.is_some() || !config.get(f.name).is_null())
            .any(|f| planned.get(f.name) != prior.get(f.name));

    for f in spec.fields.iter().filter(|f| f.is_computed()) {
        if !config.get(f.name).is_null() || f.default.is_some() {
            continue;
        }
        if creating || !requires_replace.is_empty() || (changing && f.volatile) {
            planned.set(f.name, Value::Unknown);
        }
    }
    Plan {
        planned: planned.into_value(),
        requires_replace,
    }
}

/// The new state after an apply: every known planned value comes back as
/// planned (Terraform rejects anything else); what the plan left unknown
/// comes from the API's answer, and anything still unknown becomes null.
pub fn settle(spec: &ResourceSpec, planned: &Obj, returned: &Obj) -> Obj {
    let mut out = Obj::new();
    for f in &spec.fields {
        let p = planned.get(f.name);
        let v = if p.is_wholly_known() && (p.is_known() || !f.is_computed()) {
            p.clone()
        } else {
            known_or_null(returned.get(f.name))
        };
        out.set(f.name, v);
    }
    out
}

/// Replaces unknowns, at any depth, with null.
pub fn known_or_null(v: &Value) -> Value {
    match v {
        Value::Unknown => Value::Null,
        Value::List(vs) => Value::List(vs.iter().map(known_or_null).collect()),
        Value::Set(vs) => Value::Set(vs.iter().map(known_or_null).collect()),
        Value::Tuple(vs) => Value::Tuple(vs.iter().map(known_or_null).collect()),
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), known_or_null(v)))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), known_or_null(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Field;
    use crate::value::Type;

    fn spec() -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_thing",
            description: "",
            fields: vec![
                Field::id("id"),
                Field::required("slug", Type::String, ""),
                Field::required("kind", Type::String, "").replaces(),
                Field::required("settings", Type::String, "").settings(),
                Field::computed("updated_at", Type::String, "").volatile(),
            ],
            import: None,
        }
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().cloned())
    }

    /// The plan when Terraform proposes `proposed` for `config`, with no
    /// secrets known.
    fn plan_of(spec: &ResourceSpec, prior: &Value, proposed: &Value, config: &Value) -> Plan {
        plan(spec, prior, proposed, config, &Secrets::default())
    }

    /// The plan for `config` over `prior`, proposed as Terraform would.
    fn plan_config(spec: &ResourceSpec, prior: &Value, config: &Value) -> Plan {
        plan_of(spec, prior, &proposed(config), config)
    }

    #[test]
    fn create_marks_unset_computed_unknown() {
        let config = config_with("a", "x", "{}");
        let p = plan_of(&spec(), &Value::Null, &config, &config);
        assert_eq!(p.planned.get("id"), Some(&Value::Unknown));
        assert_eq!(p.planned.get("updated_at"), Some(&Value::Unknown));
        assert!(p.requires_replace.is_empty());
    }

    fn prior() -> Value {
        obj(&[
            ("id", "i".into()),
            ("slug", "a".into()),
            ("kind", "x".into()),
            ("settings", r#"{"b":1,"a":2}"#.into()),
            ("updated_at", "t".into()),
        ])
    }

    fn config_with(slug: &str, kind: &str, settings: &str) -> Value {
        obj(&[
            ("id", Value::Null),
            ("slug", slug.into()),
            ("kind", kind.into()),
            ("settings", settings.into()),
            ("updated_at", Value::Null),
        ])
    }

    fn proposed(config: &Value) -> Value {
        // What Terraform proposes: config over prior computed values.
        let mut p = Obj::from_value(config);
        p.set("id", "i");
        p.set("updated_at", "t");
        p.into_value()
    }

    #[test]
    fn reformatted_json_is_no_change() {
        let config = config_with("a", "x", r#"{"a": 2, "b": 1}"#);
        let p = plan_config(&spec(), &prior(), &config);
        assert_eq!(p.planned, prior());
    }

    #[test]
    fn update_keeps_stable_computed_and_unknowns_volatile() {
        let config = config_with("b", "x", r#"{"a":2,"b":1}"#);
        let p = plan_config(&spec(), &prior(), &config);
        assert_eq!(p.planned.get("id"), Some(&Value::from("i")));
        assert_eq!(p.planned.get("updated_at"), Some(&Value::Unknown));
        assert_eq!(p.planned.get("slug"), Some(&Value::from("b")));
    }

    #[test]
    fn replace_attribute_forces_replacement() {
        let config = config_with("a", "y", r#"{"a":2,"b":1}"#);
        let p = plan_config(&spec(), &prior(), &config);
        assert_eq!(p.requires_replace, vec![AttributePath::attr("kind")]);
        assert_eq!(p.planned.get("id"), Some(&Value::Unknown));
    }

    // Removing a value the API cannot clear planned an update it refused.
    #[test]
    fn removing_a_replace_on_removal_value_replaces() {
        let mut spec = spec();
        spec.fields
            .push(Field::optional("kind_of", Type::String, "").replaces_on_removal());
        let prior = Obj::from_value(&prior()).with("kind_of", "a").into_value();
        let config = Obj::from_value(&config_with("a", "x", r#"{"a":2,"b":1}"#));
        let changed = config.clone().with("kind_of", "b").into_value();
        let p = plan_config(&spec, &prior, &changed);
        assert!(p.requires_replace.is_empty(), "changed in place");
        let removed = config.with("kind_of", Value::Null).into_value();
        let p = plan_config(&spec, &prior, &removed);
        assert_eq!(p.requires_replace, vec![AttributePath::attr("kind_of")]);
    }

    #[test]
    fn unset_attribute_with_a_default_plans_it() {
        let mut spec = spec();
        spec.fields
            .push(Field::optional_computed("on", Type::Bool, "").defaults_to(true));
        let config = Obj::from_value(&config_with("a", "x", r#"{"a":2,"b":1}"#));
        let unset = config.clone().with("on", Value::Null).into_value();
        // Created, and when the prior value differs (removed from the
        // configuration): the default, and volatile values change.
        let p = plan_of(&spec, &Value::Null, &unset, &unset);
        assert_eq!(p.planned.get("on"), Some(&Value::from(true)));
        let prior = Obj::from_value(&prior()).with("on", false).into_value();
        let mut proposed_off = Obj::from_value(&proposed(&unset));
        proposed_off.set("on", false);
        let p = plan_of(&spec, &prior, &proposed_off.into_value(), &unset);
        assert_eq!(p.planned.get("on"), Some(&Value::from(true)));
        assert_eq!(p.planned.get("updated_at"), Some(&Value::Unknown));
        // Configured, the configuration wins.
        let off = config.with("on", false).into_value();
        let p = plan_config(&spec, &prior, &off);
        assert_eq!(p.planned.get("on"), Some(&Value::from(false)));
    }

    // `metadata.name` written beside `metadata.id` (as the official provider's
    // configurations do) once replaced the destination when it changed.
    #[test]
    fn only_the_replace_key_of_an_object_forces_replacement() {
        let meta = Type::object([("id", Type::String), ("name", Type::String)]);
        let spec = ResourceSpec {
            type_name: "segment_thing",
            description: "",
            fields: vec![
                Field::id("id"),
                Field::required("metadata", meta, "").replaces_when("id"),
            ],
            import: None,
        };
        let state = |id: &str, name: &str| {
            obj(&[
                ("id", "i".into()),
                ("metadata", obj(&[("id", id.into()), ("name", name.into())])),
            ])
        };
        let renamed = state("m1", "Other");
        let p = plan_of(&spec, &state("m1", "Name"), &renamed, &renamed);
        assert!(p.requires_replace.is_empty());
        assert_eq!(p.planned, renamed);
        let moved = state("m2", "Name");
        let p = plan_of(&spec, &state("m1", "Name"), &moved, &moved);
        assert_eq!(
            p.requires_replace,
            vec![AttributePath::attr("metadata").then_attr("id")]
        );
    }

    #[test]
    fn settle_keeps_known_plan_values() {
        let planned = Obj::from_value(&obj(&[("id", Value::Unknown), ("slug", "a".into())]));
        let returned = Obj::from_value(&obj(&[("id", "new".into()), ("slug", "A".into())]));
        let s = settle(&spec(), &planned, &returned);
        assert_eq!(s.get("id"), &Value::from("new"));
        assert_eq!(s.get("slug"), &Value::from("a"));
        assert_eq!(s.get("updated_at"), &Value::Null);
    }
}
