//! The registry documentation and the invariants it rests on: committed
//! docs match the schema, every type is named `segment_*` once, every
//! attribute is described, every type has an example that Terraform
//! accepts, and every importable resource has an import test.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use support::terraform::TerraformDir;
use terraform_provider_segment::docs::{self, Kind, REGENERATE};
use terraform_provider_segment::engine::ResourceSpec;
use terraform_provider_segment::segment::{provider_schema, SegmentProvider};
use terraform_provider_segment::{data_sources, resources};

fn resource_specs() -> Vec<ResourceSpec> {
    resources::all().iter().map(|r| r.spec()).collect()
}

fn data_source_specs() -> Vec<ResourceSpec> {
    data_sources::all().iter().map(|d| d.spec()).collect()
}

fn all_specs() -> Vec<(Kind, ResourceSpec)> {
    let resources = resource_specs().into_iter().map(|s| (Kind::Resource, s));
    let data = data_source_specs()
        .into_iter()
        .map(|s| (Kind::DataSource, s));
    resources.chain(data).collect()
}

/// `.md` files under `dir` (relative to `provider/`), as relative paths.
fn markdown_in(root: &Path, dir: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("{dir}/{n}"))
        .collect()
}

#[test]
fn committed_docs_are_fresh() {
    let provider = SegmentProvider::new();
    let pages = docs::render_all(provider.engine());
    let root = docs::crate_dir();
    let mut stale: Vec<String> = pages
        .iter()
        .filter(|(path, contents)| {
            std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(contents.as_str())
        })
        .map(|(path, _)| path.clone())
        .collect();
    let generated: BTreeSet<&str> = pages.iter().map(|(p, _)| p.as_str()).collect();
    for dir in ["docs", "docs/resources", "docs/data-sources"] {
        stale.extend(
            markdown_in(&root, dir)
                .into_iter()
                .filter(|p| !generated.contains(p.as_str())),
        );
    }
    assert!(
        stale.is_empty(),
        "the committed docs are stale ({stale:?}): run `{REGENERATE}` and commit provider/docs"
    );
}

#[test]
fn type_names_are_prefixed_and_unique() {
    for (kind, specs) in [
        ("resource", resource_specs()),
        ("data source", data_source_specs()),
    ] {
        let mut seen = BTreeSet::new();
        for spec in &specs {
            assert!(
                spec.type_name.starts_with("segment_"),
                "{kind} {} is not named segment_*",
                spec.type_name
            );
            assert!(
                seen.insert(spec.type_name),
                "{kind} {} is registered twice",
                spec.type_name
            );
        }
    }
}

#[test]
fn every_type_and_attribute_is_described() {
    let mut missing = Vec::new();
    // Descriptions of nested paths the type lacks: a rename left them behind.
    let mut stray = Vec::new();
    for (_, spec) in all_specs() {
        if spec.description.trim().is_empty() {
            missing.push(spec.type_name.to_string());
        }
        let mut names = BTreeSet::new();
        for f in &spec.fields {
            assert!(
                names.insert(f.name),
                "{} declares {} twice",
                spec.type_name,
                f.name
            );
            if f.full_description().trim().is_empty() {
                missing.push(format!("{}.{}", spec.type_name, f.name));
            }
            for path in f.undescribed_nested() {
                missing.push(format!("{}.{}.{path}", spec.type_name, f.name));
            }
            for path in f.stray_nested_docs() {
                stray.push(format!("{}.{}.{path}", spec.type_name, f.name));
            }
        }
    }
    for a in provider_schema().block.attributes {
        if a.description.trim().is_empty() {
            missing.push(format!("provider.{}", a.name));
        }
    }
    assert!(
        missing.is_empty() && stray.is_empty(),
        "no description ({} attributes; describe nested ones on their field with \
         `.nested(\"path\", \"...\")`): {missing:#?}\n\
         descriptions of nested attributes that do not exist: {stray:?}",
        missing.len()
    );
}

#[test]
fn every_type_has_an_example() {
    let missing: Vec<String> = all_specs()
        .iter()
        .map(|(kind, spec)| docs::example_path(*kind, spec.type_name))
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    assert!(missing.is_empty(), "missing examples: {missing:?}");
}

/// Whether `text` names `type_name` as a resource address (`segment_x.name`,
/// not `data.segment_x.name`) in a file that imports: an `import {` block or
/// a `terraform import` argument list.
fn imports(text: &str, type_name: &str) -> bool {
    // The lifecycle driver (support/lifecycle.rs, support/steps.rs) writes
    // the block and runs the command for the address a test names.
    let driven = [
        "Lifecycle::new(",
        ".import_both_ways(",
        ".import_with_block(",
    ];
    let imports_something = text.contains("import {")
        || text.contains("\"import\"")
        || driven.iter().any(|call| text.contains(call));
    let address = format!("{type_name}.");
    let names_it = text
        .match_indices(&address)
        .any(|(at, _)| !text[..at].ends_with("data."));
    imports_something && names_it
}

#[test]
fn every_importable_resource_has_an_import_test() {
    let tests_dir = docs::crate_dir().join("tests");
    let texts: Vec<String> = std::fs::read_dir(&tests_dir)
        .expect("provider/tests")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    let untested: Vec<&str> = resource_specs()
        .iter()
        .filter(|s| s.import.is_some())
        .map(|s| s.type_name)
        .filter(|t| !texts.iter().any(|text| imports(text, t)))
        .collect();
    assert!(
        untested.is_empty(),
        "importable resources with no import test in provider/tests/*.rs (an `import {{` block \
         or `terraform import` naming `<type>.<name>`): {untested:?}"
    );
}

#[test]
fn import_detection_needs_an_address_and_an_import() {
    let block = "import {\n  to = segment_label.l\n  id = \"a:b\"\n}";
    assert!(imports(block, "segment_label"));
    assert!(!imports(block, "segment_source"));
    let cli = r#"tf.terraform_ok(&["import", "segment_destination_filter.f", &id]);"#;
    assert!(imports(cli, "segment_destination_filter"));
    assert!(!imports(cli, "segment_destination"));
    assert!(!imports(
        "import { to = x }\ndata.segment_source.s",
        "segment_source"
    ));
    let driven = r#"Lifecycle { ..Lifecycle::new("segment_label.l", body) }"#;
    assert!(imports(driven, "segment_label"));
    assert!(!imports(driven, "segment_source"));
    let step = r#"t.import_both_ways(&body, &id); // segment_user.u"#;
    assert!(imports(step, "segment_user"));
    assert!(!imports("segment_user.u", "segment_user"));
}

/// Every example is configuration Terraform accepts against our schema
/// (types, attribute names, the provider's own checks): one `init`, then
/// `terraform validate` on each example alone, in a directory of its own
/// that shares the initialized `.terraform`, a few at a time.
#[test]
fn examples_validate_against_the_schema() {
    let tf = TerraformDir::new();
    let versions = "terraform {\n  required_providers {\n    segment = { source = \"segment-gitops/segment\" }\n  }\n}\n";
    tf.write("versions.tf", versions);
    tf.terraform_ok(&["init", "-input=false", "-backend=false"]);
    let mut examples = vec![docs::crate_dir().join("examples/provider/provider.tf")];
    examples.extend(
        all_specs()
            .iter()
            .map(|(kind, spec)| docs::example_path(*kind, spec.type_name)),
    );
    examples.retain(|p| p.is_file());
    for (i, path) in examples.iter().enumerate() {
        let dir = tf.work.join(format!("example{i}"));
        std::fs::create_dir_all(&dir).expect("example dir");
        std::os::unix::fs::symlink(tf.work.join(".terraform"), dir.join(".terraform"))
            .expect("share .terraform");
        std::fs::copy(
            tf.work.join(".terraform.lock.hcl"),
            dir.join(".terraform.lock.hcl"),
        )
        .expect("copy lock file");
        let example = std::fs::read_to_string(path).expect("read example");
        // The provider's example declares its own (a second would clash).
        if !example.contains("required_providers") {
            std::fs::write(dir.join("versions.tf"), versions).expect("write versions.tf");
        }
        std::fs::copy(path, dir.join("example.tf")).expect("copy example");
    }
    let workers = 4;
    let invalid: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let (tf, examples) = (&tf, &examples);
                scope.spawn(move || {
                    let mut invalid = Vec::new();
                    for (i, path) in examples.iter().enumerate().skip(w).step_by(workers) {
                        let chdir = format!("-chdir=example{i}");
                        let result = tf.terraform(&[chdir.as_str(), "validate"]);
                        if !result.status.success() {
                            invalid.push(format!("{}:\n{}", path.display(), result.output()));
                        }
                    }
                    invalid
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("validate worker"))
            .collect()
    });
    assert!(invalid.is_empty(), "{}", invalid.join("\n\n"));
}
