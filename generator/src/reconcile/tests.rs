//! Regressions of reconcile, named after what broke.

use super::*;
use crate::inventory::Live;
use segment_resources::value::Value;
use segment_resources::{data_sources, resources};

/// What broke: sync was given no state, so a filter a person wrote (no
/// import block, no natural key) and Terraform already managed was
/// exported again under a generated name, with an import block.
#[test]
fn a_resource_the_local_state_manages_is_neither_exported_again_nor_imported() {
    let engine = Engine::new(resources::all(), data_sources::all());
    let mine = "resource \"segment_destination_filter\" \"mine\" {\n  destination_id = \"d1\"\n  source_id      = \"s1\"\n  if             = \"true\"\n  title          = \"Mine\" # my words\n  enabled        = true\n  actions        = [{ type = \"DROP\" }]\n}\n";
    let mut folder = Folder::default();
    folder
        .add("filters.tf".into(), mine.into())
        .expect("parses");
    folder.state.insert(
        ("segment_destination_filter".into(), "f1".into()),
        "segment_destination_filter.mine".into(),
    );
    let state = BTreeMap::from([
        ("id".to_string(), Value::from("f1")),
        ("destination_id".to_string(), Value::from("d1")),
        ("source_id".to_string(), Value::from("s1")),
        ("if".to_string(), Value::from("true")),
        ("title".to_string(), Value::from("Mine")),
        ("enabled".to_string(), Value::from(true)),
        (
            "actions".to_string(),
            Value::Set(vec![Value::object([("type", Value::from("DROP"))])]),
        ),
    ]);
    let desired = [Desired {
        live: Live {
            type_name: "segment_destination_filter",
            import_id: "d1:f1".into(),
            audit_id: "f1".into(),
        },
        id: "f1".into(),
        state,
    }];
    let out = reconcile(
        &engine,
        &folder,
        &Request {
            desired: &desired,
            gone: &[],
            full: false,
            state: &HashMap::new(),
            manifest: &Manifest::default(),
            base: None,
            on_delete: crate::deletion::OnDelete::Remove,
        },
    );
    assert!(out.files.is_empty(), "{:#?}", out.files);
    assert!(out.summary.is_empty(), "{:?}", out.summary);
    let entry = &out.manifest.resources[0];
    assert_eq!(entry.address, "segment_destination_filter.mine");
    assert_eq!(entry.file, "filters.tf");
}

fn group_without_permissions() -> Desired {
    crate::desired::tests::group(Vec::new())
}

fn full_export(folder: &Folder, desired: &[Desired]) -> Outcome {
    let engine = Engine::new(resources::all(), data_sources::all());
    reconcile(
        &engine,
        folder,
        &Request {
            desired,
            gone: &[],
            full: true,
            state: &HashMap::new(),
            manifest: &Manifest::default(),
            base: None,
            on_delete: crate::deletion::OnDelete::Remove,
        },
    )
}

/// What broke: a user group without permissions (the API allows it) was
/// written as `permissions = []`, which the provider refuses, so no plan
/// of the repository could run.
#[test]
fn what_the_provider_refuses_is_left_out_and_said() {
    let out = full_export(&Folder::default(), &[group_without_permissions()]);
    assert!(out.files.is_empty(), "{:#?}", out.files);
    assert!(out.manifest.resources.is_empty());
    assert_eq!(out.summary.len(), 1, "{:?}", out.summary);
    assert!(
        out.summary[0].starts_with("skip segment_user_group \"g1\": the provider refuses it:"),
        "{}",
        out.summary[0]
    );
}

/// The same object already declared keeps the person's declaration.
#[test]
fn a_declared_resource_is_not_rewritten_into_what_the_provider_refuses() {
    let mine = "import {\n  to = segment_user_group.analysts\n  id = \"g1\"\n}\n\nresource \"segment_user_group\" \"analysts\" {\n  name        = \"Analysts\"\n  members     = []\n  permissions = [{ role_id = \"r1\" }]\n}\n";
    let mut folder = Folder::default();
    folder.add("groups.tf".into(), mine.into()).expect("parses");
    let out = full_export(&folder, &[group_without_permissions()]);
    assert!(out.files.is_empty(), "{:#?}", out.files);
    assert_eq!(out.manifest.resources[0].file, "groups.tf");
    assert!(
        out.summary[0].starts_with("keep segment_user_group.analysts as written:"),
        "{:?}",
        out.summary
    );
}

/// A filter as the workspace holds it, under id `id`.
fn filter(id: &str, title: &str) -> Desired {
    Desired {
        live: Live {
            type_name: "segment_destination_filter",
            import_id: format!("d1:{id}"),
            audit_id: id.into(),
        },
        id: id.into(),
        state: BTreeMap::from([
            ("id".to_string(), Value::from(id)),
            ("destination_id".to_string(), Value::from("d1")),
            ("source_id".to_string(), Value::from("s1")),
            ("if".to_string(), Value::from("true")),
            ("title".to_string(), Value::from(title)),
            ("enabled".to_string(), Value::from(true)),
            (
                "actions".to_string(),
                Value::Set(vec![Value::object([("type", Value::from("DROP"))])]),
            ),
        ]),
    }
}

fn event_of(folder: &Folder, desired: &[Desired]) -> Outcome {
    let engine = Engine::new(resources::all(), data_sources::all());
    reconcile(
        &engine,
        folder,
        &Request {
            desired,
            gone: &[],
            full: false,
            state: &HashMap::new(),
            manifest: &Manifest::default(),
            base: None,
            on_delete: crate::deletion::OnDelete::Remove,
        },
    )
}

/// What broke: a block kept by `--on-delete keep` (no import block, a type
/// without a natural key) whose object `terraform apply` created again
/// under a new id was written a second time by the next sync.
#[test]
fn a_block_without_import_that_describes_a_new_object_is_its_declaration() {
    let kept = "resource \"segment_destination_filter\" \"kept\" {\n  destination_id = \"d1\"\n  source_id      = \"s1\"\n  if             = \"true\"\n  title          = \"Kept\"\n  enabled        = true\n  actions        = [{ type = \"DROP\" }]\n}\n";
    let mut folder = Folder::default();
    folder.add("kept.tf".into(), kept.into()).expect("parses");
    let out = event_of(&folder, &[filter("f2", "Kept")]);
    assert_eq!(out.files.len(), 1, "{:#?}", out.files);
    let text = out.files["kept.tf"].as_deref().expect("edited");
    assert!(text.starts_with(kept), "{text}");
    assert!(
        text.contains("to = segment_destination_filter.kept\n  id = \"d1:f2\""),
        "{text}"
    );
    assert_eq!(out.manifest.resources[0].file, "kept.tf");
    // Another object (a value differs) is not the block's.
    let out = event_of(&folder, &[filter("f3", "Other")]);
    assert!(!out.files.contains_key("kept.tf"), "{:#?}", out.files);
    assert_eq!(out.files.len(), 1, "a file of its own");
}
