//! Every registered resource type reaches an export: the generator walks the
//! registry, so a type added to it is listed, read and written without a
//! change here; this fails when one is not (its listing dropped, its parent
//! never walked, its space not asked).

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use segment_api::models::CreateProfilesWarehouse;
use segment_e2e::fixtures::{postgres_warehouse, POSTGRES_WAREHOUSE};
use segment_e2e::within;
use segment_resources::resources;
use support::{gitops_ok, manifest, temp_dir};

const LIMIT: Duration = Duration::from_secs(120);

fn utf8(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_of_the_sample_workspace_holds_every_registered_type() {
    let ws = support::seeded_workspace().await;
    // Engage spaces with audiences and computed traits: the export finds
    // them by listing spaces, with no --space.
    within(
        LIMIT,
        "seed --engage",
        segment_workspace::seed::engage::seed_engage(ws.owner()),
    )
    .await
    .expect("seed engage");
    // The seed makes no users (people accept invites) and no profiles
    // warehouses.
    ws.add_user("person@example.com", "Person")
        .await
        .expect("add a user");
    let space = within(LIMIT, "space", ws.make_space("Profiles", "profiles"))
        .await
        .expect("make a space");
    let settings = postgres_warehouse("profiles").settings;
    let profiles = CreateProfilesWarehouse {
        metadata_id: POSTGRES_WAREHOUSE.into(),
        name: Some("Profiles".into()),
        enabled: None,
        settings,
        schema_name: None,
    };
    within(
        LIMIT,
        "profiles warehouse",
        ws.owner().create_profiles_warehouse(&space.id, &profiles),
    )
    .await
    .expect("create a profiles warehouse");

    let dir = temp_dir();
    let repo = dir.path().join("repo");
    // No --space: the export finds every space by listing them.
    gitops_ok(&ws, &["export", "--repo", utf8(&repo)]);

    let written = manifest(&repo);
    let exported: BTreeSet<&str> = written
        .resources
        .iter()
        .map(|e| e.type_name.as_str())
        .collect();
    let missing: Vec<&str> = resources::all()
        .iter()
        .map(|r| r.spec().type_name)
        .filter(|t| !exported.contains(t))
        .collect();
    assert!(missing.is_empty(), "not exported: {missing:?}");
    for e in &written.resources {
        let text = std::fs::read_to_string(repo.join(&e.file)).expect("the entry's file");
        assert!(
            text.contains(&format!("resource \"{}\" ", e.type_name)),
            "{} holds no {}",
            e.file,
            e.address
        );
    }
}
