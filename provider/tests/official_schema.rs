//! Configurations written for the official segmentio/segment provider
//! (v1.6.0) must be accepted by ours. `official_schema.txt` lists that
//! provider's attributes and modes; this test walks our schemas (the ones
//! Terraform gets) and fails on any attribute of theirs we lack, have with
//! another type, or accept in fewer configurations (made required, or made
//! read-only), and on any attribute we require that they do not.

use std::collections::{BTreeMap, BTreeSet};

use terraform_provider_segment::schema::{Attribute, Schema};
use terraform_provider_segment::value::Type;
use terraform_provider_segment::{data_sources, resources, segment};

const FACTS: &str = include_str!("official_schema.txt");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Required,
    Optional,
    Computed,
    OptionalComputed,
}

/// One line of `official_schema.txt`.
#[derive(Debug)]
struct Official {
    /// `resource segment_source`, `data segment_user`, `provider segment`.
    owner: String,
    path: Vec<String>,
    mode: Mode,
    ty: String,
    sensitive: bool,
}

fn facts() -> Vec<Official> {
    FACTS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let [kind, dotted, mode, ty, extra @ ..] = words.as_slice() else {
                panic!("malformed line in official_schema.txt: {line}");
            };
            let mut parts = dotted.split('.');
            let type_name = parts.next().expect("a type name");
            let mode = match *mode {
                "required" => Mode::Required,
                "optional" => Mode::Optional,
                "computed" => Mode::Computed,
                other => panic!("unknown mode {other} in: {line}"),
            };
            Official {
                owner: format!("{kind} {type_name}"),
                path: parts.map(str::to_string).collect(),
                mode,
                ty: ty.to_string(),
                sensitive: extra.contains(&"sensitive"),
            }
        })
        .collect()
}

/// Every schema of ours, by the owner names the facts use.
fn our_schemas() -> BTreeMap<String, Schema> {
    let mut all = BTreeMap::new();
    for r in resources::all() {
        let spec = r.spec();
        all.insert(format!("resource {}", spec.type_name), spec.schema());
    }
    for d in data_sources::all() {
        let spec = d.spec();
        all.insert(format!("data {}", spec.type_name), spec.schema());
    }
    all.insert("provider segment".into(), segment::provider_schema());
    all
}

/// Our type spelled as the facts spell theirs.
fn spelled(ty: &Type) -> String {
    match ty {
        Type::String => "string".into(),
        Type::Number => "number".into(),
        Type::Bool => "bool".into(),
        Type::Dynamic => "dynamic".into(),
        Type::List(e) => format!("list({})", spelled(e)),
        Type::Set(e) => format!("set({})", spelled(e)),
        Type::Map(e) => format!("map({})", spelled(e)),
        Type::Object { .. } => "object".into(),
        Type::Tuple(_) => "tuple".into(),
    }
}

fn top_mode(a: &Attribute) -> Mode {
    match (a.required, a.optional, a.computed) {
        (true, _, _) => Mode::Required,
        (_, true, true) => Mode::OptionalComputed,
        (_, true, false) => Mode::Optional,
        _ => Mode::Computed,
    }
}

/// The object type inside `ty` (itself, or the element of a collection).
fn object_inside(ty: &Type) -> Option<(&BTreeMap<String, Type>, &BTreeSet<String>)> {
    match ty {
        Type::Object {
            attributes,
            optional,
        } => Some((attributes, optional)),
        Type::List(e) | Type::Set(e) | Type::Map(e) => object_inside(e),
        _ => None,
    }
}

/// Our type, mode and sensitivity at `path`; a nested attribute inside a
/// configurable object is optional or required as its object type says, and
/// computed inside a computed one.
fn lookup(schema: &Schema, path: &[String]) -> Option<(Type, Mode, bool)> {
    let (first, rest) = path.split_first()?;
    let top = schema.block.attributes.iter().find(|a| &a.name == first)?;
    let (mut ty, mut mode) = (top.ty.clone(), top_mode(top));
    for name in rest {
        let (attributes, optional) = object_inside(&ty)?;
        let inner = attributes.get(name)?.clone();
        mode = match mode {
            Mode::Computed => Mode::Computed,
            _ if optional.contains(name) => Mode::Optional,
            _ => Mode::Required,
        };
        ty = inner;
    }
    Some((ty, mode, top.sensitive))
}

/// A list and a set accept the same configurations: `[...]` and `toset(...)`
/// convert to either. (`segment_tracking_plan.rules` is a list by choice; see
/// its module.)
fn same_type(ours: &str, theirs: &str) -> bool {
    let unordered = |t: &str| t.replace("list(", "set(");
    ours == theirs || unordered(ours) == unordered(theirs)
}

fn read_only_parent(computed: &BTreeSet<(&str, String)>, f: &Official) -> bool {
    (1..f.path.len()).any(|n| computed.contains(&(f.owner.as_str(), f.path[..n].join("."))))
}

/// Whether ours accepts every configuration theirs accepts at this path.
fn mode_accepts(official: Mode, ours: Mode, nested: bool) -> bool {
    use Mode::*;
    match official {
        Required => ours != Computed,
        Optional | OptionalComputed => matches!(ours, Optional | OptionalComputed),
        // Protocol 5 has no computed attributes inside an object: there an
        // optional one is the closest (a user may still leave it out).
        Computed => matches!(ours, Computed | OptionalComputed) || (nested && ours == Optional),
    }
}

/// Every difference that would refuse a configuration the official
/// provider accepts.
fn incompatibilities(facts: &[Official], ours: &BTreeMap<String, Schema>) -> Vec<String> {
    let mut problems = Vec::new();
    let computed: BTreeSet<(&str, String)> = facts
        .iter()
        .filter(|f| f.mode == Mode::Computed)
        .map(|f| (f.owner.as_str(), f.path.join(".")))
        .collect();
    let theirs: BTreeSet<&str> = facts.iter().map(|f| f.owner.as_str()).collect();
    for owner in &theirs {
        if !ours.contains_key(*owner) {
            problems.push(format!("{owner}: missing"));
        }
    }
    for f in facts {
        let Some(schema) = ours.get(&f.owner) else {
            continue;
        };
        let at = format!("{}.{}", f.owner, f.path.join("."));
        let Some((ty, mode, sensitive)) = lookup(schema, &f.path) else {
            problems.push(format!("{at}: missing"));
            continue;
        };
        if !same_type(&spelled(&ty), &f.ty) {
            problems.push(format!(
                "{at}: type {} where the official is {}",
                spelled(&ty),
                f.ty
            ));
        }
        // Inside a read-only attribute nothing is configurable, whatever
        // the inner attributes say.
        if !read_only_parent(&computed, f) && !mode_accepts(f.mode, mode, f.path.len() > 1) {
            problems.push(format!("{at}: {mode:?} where the official is {:?}", f.mode));
        }
        if f.sensitive && !sensitive {
            problems.push(format!("{at}: not sensitive"));
        }
    }
    // What we require, they must require too, or their configurations
    // without it are refused.
    let required: BTreeSet<(String, String)> = facts
        .iter()
        .filter(|f| f.mode == Mode::Required)
        .map(|f| (f.owner.clone(), f.path.join(".")))
        .collect();
    for (owner, schema) in ours.iter().filter(|(o, _)| theirs.contains(o.as_str())) {
        for path in required_paths(schema) {
            if !required.contains(&(owner.clone(), path.clone())) {
                problems.push(format!("{owner}.{path}: required, the official is not"));
            }
        }
    }
    problems
}

/// Dotted paths of our required attributes, nested ones included where
/// their object is configurable.
fn required_paths(schema: &Schema) -> Vec<String> {
    fn walk(ty: &Type, prefix: &str, out: &mut Vec<String>) {
        if let Some((attributes, optional)) = object_inside(ty) {
            for (name, inner) in attributes {
                let path = format!("{prefix}.{name}");
                if !optional.contains(name) {
                    out.push(path.clone());
                }
                walk(inner, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    for a in &schema.block.attributes {
        if a.required {
            out.push(a.name.clone());
        }
        if top_mode(a) != Mode::Computed {
            walk(&a.ty, &a.name, &mut out);
        }
    }
    out
}

#[test]
fn every_official_attribute_is_accepted_as_the_official_provider_accepts_it() {
    let problems = incompatibilities(&facts(), &our_schemas());
    assert!(
        problems.is_empty(),
        "configurations for the official provider would be refused:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_facts_cover_every_official_type() {
    let owners: BTreeSet<String> = facts().into_iter().map(|f| f.owner).collect();
    assert_eq!(
        owners.iter().filter(|o| o.starts_with("resource ")).count(),
        16
    );
    assert_eq!(owners.iter().filter(|o| o.starts_with("data ")).count(), 10);
}

/// The check itself: each kind of regression must be reported, or the test
/// above would pass whatever the schema said.
mod the_check_fails_on {
    use super::*;

    fn with_destination(edit: impl FnOnce(&mut Vec<Attribute>)) -> Vec<String> {
        let mut ours = our_schemas();
        let schema = ours
            .get_mut("resource segment_destination")
            .expect("our segment_destination");
        edit(&mut schema.block.attributes);
        incompatibilities(&facts(), &ours)
    }

    fn attribute<'a>(attrs: &'a mut [Attribute], name: &str) -> &'a mut Attribute {
        attrs
            .iter_mut()
            .find(|a| a.name == name)
            .expect("the attribute")
    }

    #[test]
    fn an_attribute_removed() {
        let problems = with_destination(|attrs| attrs.retain(|a| a.name != "name"));
        assert_eq!(problems, ["resource segment_destination.name: missing"]);
    }

    #[test]
    fn an_optional_attribute_made_required() {
        let problems = with_destination(|attrs| {
            let name = attribute(attrs, "name");
            name.optional = false;
            name.required = true;
        });
        assert!(
            problems.contains(
                &"resource segment_destination.name: Required where the official is Optional"
                    .to_string()
            ),
            "{problems:?}"
        );
    }

    #[test]
    fn a_nested_attribute_made_required() {
        let problems = with_destination(|attrs| {
            if let Type::Object { optional, .. } = &mut attribute(attrs, "metadata").ty {
                optional.remove("website");
            }
        });
        assert_eq!(
            problems,
            [
                "resource segment_destination.metadata.website: Required where the official is Computed",
                "resource segment_destination.metadata.website: required, the official is not",
            ]
        );
    }

    #[test]
    fn a_configurable_attribute_made_read_only() {
        let problems = with_destination(|attrs| {
            let enabled = attribute(attrs, "enabled");
            enabled.required = false;
            enabled.computed = true;
        });
        assert_eq!(
            problems,
            ["resource segment_destination.enabled: Computed where the official is Required"]
        );
    }

    #[test]
    fn a_changed_type() {
        let problems = with_destination(|attrs| attribute(attrs, "enabled").ty = Type::String);
        assert_eq!(
            problems,
            ["resource segment_destination.enabled: type string where the official is bool"]
        );
    }
}
