//! `sync`: each audit event that changes a file becomes one commit by the
//! event's actor, in order; a sync killed at random points and restarted
//! loses nothing and commits nothing twice.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use segment_api::models::CreateSource;
use segment_e2e::fixtures::JAVASCRIPT_SOURCE;
use segment_e2e::{within, TestWorkspace};
use segment_workspace::store::Scope;
use support::git_log;

const LIMIT: Duration = Duration::from_secs(60);

fn source(slug: &str) -> CreateSource {
    CreateSource {
        slug: slug.into(),
        enabled: true,
        metadata_id: JAVASCRIPT_SOURCE.into(),
        settings: Default::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_is_one_attributed_commit_even_across_kills() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let alice = ws
        .add_token("alice@example.com", Scope::WorkspaceOwner)
        .await
        .expect("token");
    let alice = ws.client_with_token(&alice).expect("client");
    let bob = ws.owner();
    // One source per rename and one to delete: an event whose change an
    // earlier event's re-read already committed changes no file and makes
    // no commit, so each event here changes an object no other touches.
    let mut firsts = Vec::new();
    for i in 0..6 {
        let s = bob
            .create_source(&source(&format!("first-{i}")))
            .await
            .expect("create");
        firsts.push(s);
    }
    let doomed = bob.create_source(&source("doomed")).await.expect("create");

    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    let session = support::session(&ws, &repo, "segment");
    within(LIMIT, "export", session.export(&|_| {}, &|| {}))
        .await
        .expect("export");
    let exported = git_log::log(&repo).len();
    let before = support::audit_events(ws.owner()).await.len();

    // Twelve changes, alternating between two people.
    for (i, first) in firsts.iter().enumerate() {
        alice
            .create_source(&source(&format!("alice-{i}")))
            .await
            .expect("alice creates");
        support::rename_source(bob, &first.id, &format!("First v{i}")).await;
    }
    alice
        .delete_source(&doomed.id)
        .await
        .expect("alice deletes");
    let events: Vec<_> = support::audit_events(ws.owner())
        .await
        .into_iter()
        .skip(before)
        .collect();
    assert_eq!(events.len(), 13);

    // Kill the real binary at random points, then let it finish.
    let errors = dir.path().join("sync.stderr");
    let run = |kill_after: Option<Duration>| {
        let mut child = Command::new(support::gitops_binary())
            .args(["sync", "--repo"])
            .arg(&repo)
            .args(["--path", "segment"])
            .env("PUBLIC_API_URL", ws.base_url())
            .env("PUBLIC_API_TOKEN", ws.owner_token())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&errors).expect("stderr file"))
            .spawn()
            .expect("start sync");
        match kill_after {
            Some(d) => {
                std::thread::sleep(d);
                let _ = child.kill();
                let _ = child.wait();
            }
            None => {
                let deadline = std::time::Instant::now() + LIMIT;
                loop {
                    if let Some(status) = child.try_wait().expect("wait") {
                        let said = std::fs::read_to_string(&errors).unwrap_or_default();
                        assert!(status.success(), "sync failed: {status}\n{said}");
                        break;
                    }
                    assert!(std::time::Instant::now() < deadline, "sync did not finish");
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    };
    let seed = std::process::id() as u64;
    for k in 0..4u64 {
        run(Some(Duration::from_millis(
            20 + (seed * 7919 + k * 104_729) % 150,
        )));
    }
    run(None);

    let log = git_log::log(&repo);
    let synced = &log[exported..];
    let ids = git_log::event_ids(&repo);
    let want: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, want, "one commit per event, in order, none twice");
    assert_eq!(synced.len(), events.len());
    for (commit, event) in synced.iter().zip(&events) {
        let actor = event
            .actor_email
            .clone()
            .unwrap_or_else(|| event.actor.clone());
        assert_eq!(commit.email, actor, "author of {:?}", event.kind);
        assert_eq!(commit.committer_email, actor);
        assert!(
            commit.message.starts_with(&event.kind),
            "{}",
            commit.message
        );
    }
    // The deleted source left no file behind; the renamed ones say so.
    let files: Vec<String> = std::fs::read_dir(repo.join("segment"))
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!files.iter().any(|f| f.contains("doomed")), "{files:?}");
    assert!(files.iter().any(|f| f.contains("alice_5")), "{files:?}");
    let first_file =
        std::fs::read_to_string(repo.join("segment/source_first_5.tf")).expect("first-5");
    assert!(first_file.contains("\"First v5\""), "{first_file}");
}
