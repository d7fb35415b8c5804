//! Engage objects live in spaces the API lists: an export finds them with
//! no `--space`, and sync follows their audit events (which name only the
//! object's own id) to the right files, one commit each.

mod support;

use std::time::Duration;

use segment_api::models::{AudienceDefinition, CreateAudience, UpdateComputedTrait};
use segment_e2e::{within, TestWorkspace};
use segment_gitops::sync;
use support::{git_log, manifest};

const LIMIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_follows_audiences_and_computed_traits_in_every_space() {
    let ws = TestWorkspace::start_engage().await.expect("workspace");
    let api = ws.owner();
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    let session = support::session(&ws, &repo, "");
    within(LIMIT, "export", session.export(&|_| {}, &|| {}))
        .await
        .expect("export");
    let exported = git_log::log(&repo).len();

    let spaces = api.list_spaces().await.expect("spaces");
    assert!(spaces.len() >= 2, "the seed makes spaces: {spaces:?}");
    let (first, second) = (&spaces[0].id, &spaces[1].id);
    let made = api
        .create_audience(
            first,
            &CreateAudience {
                name: "Weekend Shoppers".into(),
                enabled: Some(true),
                description: None,
                definition: AudienceDefinition {
                    query: "event('Order Completed').count() >= 1".into(),
                    kind: None,
                    target_entity: None,
                },
                audience_type: Some("USERS".into()),
                options: None,
            },
        )
        .await
        .expect("create an audience");
    let traits = api.list_computed_traits(second).await.expect("traits");
    let renamed = &traits[0];
    api.update_computed_trait(
        second,
        &renamed.id,
        &UpdateComputedTrait {
            name: Some("Orders This Month".into()),
            ..Default::default()
        },
    )
    .await
    .expect("rename a trait");
    let doomed = api.list_audiences(second).await.expect("audiences")[0].clone();
    api.delete_audience(second, &doomed.id)
        .await
        .expect("delete an audience");

    let progress = within(LIMIT, "sync", sync::catch_up(&session))
        .await
        .expect("sync");
    assert_eq!(progress.commits, 3, "one commit per change");
    assert_eq!(git_log::log(&repo).len(), exported + 3);

    let written = manifest(&repo);
    let file_of = |import_id: &str| {
        written
            .resources
            .iter()
            .find(|e| e.import_id == import_id)
            .map(|e| std::fs::read_to_string(repo.join(&e.file)).expect("its file"))
    };
    let made_file = file_of(&format!("{first}:{}", made.id)).expect("the new audience");
    assert!(made_file.contains("\"Weekend Shoppers\""), "{made_file}");
    let trait_file = file_of(&format!("{second}:{}", renamed.id)).expect("the renamed trait");
    assert!(trait_file.contains("\"Orders This Month\""), "{trait_file}");
    assert!(
        file_of(&format!("{second}:{}", doomed.id)).is_none(),
        "the deleted audience left the manifest"
    );
}
