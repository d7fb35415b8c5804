//! What Terraform would reject in the folder, found before any edit: an
//! attribute the provider's schema does not have, a resource or import
//! declared twice. Editing such a file (appending `enabled` beside a
//! misspelt `enabeld`) would keep it broken and hide the mistake.

use std::collections::{BTreeMap, HashMap};

use segment_resources::engine::Engine;

use super::Folder;

/// Arguments Terraform itself gives every resource block.
const META_ARGUMENTS: &[&str] = &["count", "for_each", "provider", "depends_on"];

/// 1-based line of byte `pos` in `text`.
pub fn line_of(text: &str, pos: usize) -> usize {
    text.get(..pos).map_or(0, |t| t.matches('\n').count()) + 1
}

/// The closest of `names` to `wrong`, when close enough to be a typo.
fn suggestion<'a>(wrong: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wrong.chars().count() / 3).max(2);
    names
        .map(|n| (strsim::levenshtein(wrong, n), n))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, n)| n)
}

/// File → what is wrong in it, each naming the file and line and the fix.
pub fn problems(engine: &Engine, folder: &Folder) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let at = |file: &str, pos: usize| {
        let line = folder.files.get(file).map_or(1, |t| line_of(t, pos));
        format!("{file}:{line}")
    };
    let mut first: HashMap<String, String> = HashMap::new();
    for r in &folder.resources {
        let address = r.address();
        let here = at(&r.file, r.span.start);
        if let Some(there) = first.get(&address) {
            out.entry(r.file.clone()).or_default().push(format!(
                "{here}: {address} is declared twice (first at {there}): remove or rename one of them"
            ));
            continue;
        }
        first.insert(address.clone(), here);
        let Some(spec) = engine.resource_spec(&r.type_name) else {
            continue;
        };
        for (name, (_, span)) in &r.attributes {
            if spec.field(name).is_some() || META_ARGUMENTS.contains(&name.as_str()) {
                continue;
            }
            let hint = match suggestion(name, spec.fields.iter().map(|f| f.name)) {
                Some(s) => format!("did you mean {s}? Rename it"),
                None => "remove it".to_string(),
            };
            out.entry(r.file.clone()).or_default().push(format!(
                "{}: {address} has no attribute {name:?}: {hint}",
                at(&r.file, span.start)
            ));
        }
    }
    let mut imported: HashMap<&str, String> = HashMap::new();
    for i in &folder.imports {
        let here = at(&i.file, i.span.start);
        match imported.get(i.to.as_str()) {
            Some(there) => out.entry(i.file.clone()).or_default().push(format!(
                "{here}: a second import block for {} (first at {there}): remove one of them",
                i.to
            )),
            None => {
                imported.insert(&i.to, here);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use segment_resources::{data_sources, resources};

    #[test]
    fn a_misspelt_attribute_and_a_second_block_are_named_with_file_and_line() {
        let engine = Engine::new(resources::all(), data_sources::all());
        let mut f = Folder::default();
        let web =
            "resource \"segment_source\" \"web\" {\n  slug    = \"web\"\n  enabeld = true\n}\n";
        f.add("a.tf".into(), web.into()).expect("parses");
        f.add("b.tf".into(), format!("# again\n{web}"))
            .expect("parses");
        let p = problems(&engine, &f);
        assert_eq!(
            p["a.tf"],
            vec!["a.tf:3: segment_source.web has no attribute \"enabeld\": did you mean enabled? Rename it"]
        );
        assert_eq!(
            p["b.tf"],
            vec!["b.tf:2: segment_source.web is declared twice (first at a.tf:1): remove or rename one of them"]
        );
    }
}
