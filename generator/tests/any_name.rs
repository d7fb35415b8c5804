//! Any name exports, and one object that cannot be written never stops
//! sync. The API takes names of any length and script: a tracking plan of
//! 239 characters made export fail with "File name too long" and leave its
//! files and pending marker behind, and `sync --watch` failed at that event
//! on every restart.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use segment_api::models::{CreateTrackingPlan, UpdateDestination, UpdateTrackingPlan};
use segment_e2e::fixtures::{amplitude_destination, javascript_source};
use segment_e2e::TestWorkspace;
use segment_gitops::files::ManifestEntry;
use segment_gitops::naming::{is_portable, MAX_CAPPED};
use segment_gitops::unwritten::{Unwritten, UNWRITTEN};
use support::process::Finished;
use support::terraform::TerraformDir;
use support::{entry, git, git_log, gitops, gitops_ok, terraform_for};

fn arg(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

fn plan_input(name: &str) -> CreateTrackingPlan {
    CreateTrackingPlan {
        name: name.to_string(),
        description: None,
        kind: "LIVE".into(),
    }
}

/// `head` repeated and cut to `len` characters, then `tail`'s letter to
/// fill: names that agree far past any cut.
fn long_name(len: usize, fill: char) -> String {
    let head = "Quarterly revenue events from every storefront, app and region ";
    let mut s: String = head.chars().take(len).collect();
    while s.chars().count() < len {
        s.push(fill);
    }
    s
}

/// The files of the commit `rev` changed.
fn changed(repo: &Path, rev: &str) -> BTreeSet<String> {
    git(repo, &["show", "--name-only", "--format=", rev])
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn head_text(repo: &Path, file: &str) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["show", &format!("HEAD:{file}")])
        .output()
        .expect("git on PATH");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn unwritten_in_head(repo: &Path) -> Option<Unwritten> {
    head_text(repo, UNWRITTEN).map(|t| Unwritten::parse(&t).expect("the record parses"))
}

fn label(e: &ManifestEntry) -> &str {
    e.address.split_once('.').expect("type.name").1
}

async fn event_of(ws: &TestWorkspace, resource_id: &str) -> String {
    support::audit_events(ws.owner())
        .await
        .into_iter()
        .find(|e| e.resource_id == resource_id)
        .map(|e| e.id)
        .expect("an event about it")
}

fn assert_no_pending_marker(repo: &Path) {
    assert!(
        !repo.join(".git/segment-gitops-pending").exists(),
        "the pending marker was left behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_of_any_length_script_or_case_export_plan_as_imports_and_sync() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let api = ws.owner();
    let mut plans = Vec::new();
    let names = [
        long_name(300, 'a'),
        long_name(5_000, 'b'),
        "Bäckerei Müller".to_string(),
        "groß".to_string(),
        "Checkout API".to_string(),
        "checkout-api".to_string(),
        "CHECKOUT api".to_string(),
    ];
    for n in &names {
        let p = api
            .create_tracking_plan(&plan_input(n))
            .await
            .expect("plan");
        plans.push(p.id);
    }
    // The longest slug the API takes, and destinations named at length
    // (Amplitude's apiKey becomes a variable named after them).
    let source = support::source(&ws, &"storefront-".repeat(10)[..100]).await;
    let mut destinations = Vec::new();
    for (len, fill) in [(300, 'c'), (5_000, 'd')] {
        let mut input = amplitude_destination(&source.id);
        input.name = Some(long_name(len, fill));
        destinations.push(
            api.create_destination(&input)
                .await
                .expect("destination")
                .id,
        );
    }

    let tf = TerraformDir::new();
    let repo = tf.work.clone();
    gitops_ok(&ws, &["export", "--repo", arg(&repo)]);
    let exported = support::manifest(&repo);
    let n = exported.resources.len();
    assert_eq!(n, names.len() + 1 + destinations.len(), "{exported:#?}");

    // Every name portable and capped, and none two ignoring case.
    let mut files = BTreeSet::new();
    for e in std::fs::read_dir(&repo).expect("repo").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".tf") {
            assert!(is_portable(&name) && name.len() <= MAX_CAPPED + 5, "{name}");
            assert!(files.insert(name.to_lowercase()), "{name} twice");
        }
    }
    let mut labels = BTreeSet::new();
    for e in &exported.resources {
        assert!(
            is_portable(label(e)) && label(e).len() <= MAX_CAPPED + 2,
            "{e:?}"
        );
        assert!(
            labels.insert(e.address.to_lowercase()),
            "{} twice",
            e.address
        );
    }
    for v in segment_gitops::repo::Folder::read(&repo)
        .expect("read")
        .variables
        .keys()
    {
        assert!(is_portable(v) && v.len() <= MAX_CAPPED + 2, "variable {v}");
    }
    assert_eq!(
        entry(&repo, &plans[2]).file,
        "tracking_plan_backerei_muller.tf"
    );
    assert_eq!(label(&entry(&repo, &plans[3])), "gross");
    let lookalikes: BTreeSet<String> = plans[4..]
        .iter()
        .map(|id| label(&entry(&repo, id)).to_string())
        .collect();
    let want: BTreeSet<String> = ["checkout_api", "checkout_api_2", "checkout_api_3"]
        .map(String::from)
        .into();
    assert_eq!(lookalikes, want);
    // The two long plans share their first 64 bytes: the id's hash tells
    // them apart, and the readable part is kept.
    let (l300, l5000) = (entry(&repo, &plans[0]), entry(&repo, &plans[1]));
    assert_ne!(l300.address, l5000.address);
    assert!(
        label(&l5000).starts_with("quarterly_revenue_events"),
        "{l5000:?}"
    );

    let tf = terraform_for(&ws, tf);
    tf.terraform_ok(&["init", "-input=false"]);
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    support::assert_imports_only(&plan, n);

    // Later changes on long and look-alike objects: one commit each, to
    // the object's own file, address kept.
    let before = git_log::log(&repo).len();
    let renamed_long = long_name(5_000, 'e');
    let update = |name: &str| UpdateTrackingPlan {
        name: Some(name.to_string()),
        description: None,
    };
    api.update_tracking_plan(&plans[1], &update(&renamed_long))
        .await
        .expect("rename the long plan");
    api.update_tracking_plan(&plans[5], &update("checkout-api v2"))
        .await
        .expect("rename a look-alike");
    let rename = UpdateDestination {
        name: Some(Some(long_name(300, 'f'))),
        ..Default::default()
    };
    api.update_destination(&destinations[0], &rename)
        .await
        .expect("rename a long destination");
    gitops_ok(&ws, &["sync", "--repo", arg(&repo)]);
    let log = git_log::log(&repo);
    assert_eq!(log.len(), before + 3, "one commit per event");
    for (back, id) in [(2, &plans[1]), (1, &plans[5]), (0, &destinations[0])] {
        let e = entry(&repo, id);
        let rev = format!("HEAD~{back}");
        assert!(changed(&repo, &rev).contains(&e.file), "{rev}: {e:?}");
        let old = exported
            .resources
            .iter()
            .find(|o| &o.id == id)
            .expect("exported");
        assert_eq!(e.address, old.address, "the address is kept");
    }
    let long_file = std::fs::read_to_string(repo.join(&entry(&repo, &plans[1]).file))
        .expect("long plan's file");
    assert!(long_file.contains(&renamed_long), "the new name is written");
    // The subject line stays readable.
    assert!(log[before].message.lines().next().expect("subject").len() < 200);
    let again = tf.terraform_ok(&["plan", "-input=false"]);
    support::assert_imports_only(&again, n);
}

/// A folder a person made where a new object's file goes: what the
/// workspace and the person do, with sync between.
fn block(repo: &Path, file: &str) -> std::path::PathBuf {
    let dir = repo.join(file);
    std::fs::create_dir_all(&dir).expect("a person's folder");
    std::fs::write(dir.join("notes.md"), "mine\n").expect("a person's file");
    dir
}

fn said(done: &Finished, what: &[&str]) {
    for w in what {
        assert!(done.stderr.contains(w), "want {w:?} in\n{}", done.output());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_that_cannot_be_written_is_recorded_and_every_later_event_still_commits() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let api = ws.owner();
    let web = support::source(&ws, "web").await;
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    gitops_ok(&ws, &["export", "--repo", arg(&repo)]);
    let exported = git_log::log(&repo).len();

    let file = "tracking_plan_blocked_plan.tf";
    let blocker = block(&repo, file);
    let plan = api
        .create_tracking_plan(&plan_input("Blocked Plan"))
        .await
        .expect("plan");
    let created = event_of(&ws, &plan.id).await;
    support::rename_source(api, &web.id, "Web v2").await;

    let first = gitops_ok(&ws, &["sync", "--repo", arg(&repo)]);
    said(
        &first,
        &[
            "segment_tracking_plan",
            &plan.id,
            "is a folder in the work tree",
        ],
    );
    let record = unwritten_in_head(&repo).expect("the record is committed");
    assert_eq!(record.objects.len(), 1, "{record:?}");
    let e = &record.objects[0];
    assert_eq!(
        (
            e.type_name.as_str(),
            e.import_id.as_deref(),
            e.event.as_str()
        ),
        (
            "segment_tracking_plan",
            Some(plan.id.as_str()),
            created.as_str()
        )
    );
    assert!(e.reason.contains(file), "{e:?}");
    // Both events committed, in order, the cursor with them.
    let ids = git_log::event_ids(&repo);
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_eq!(ids[0], created);
    assert!(changed(&repo, "HEAD~1").contains(UNWRITTEN));
    let source_file = entry(&repo, &web.id).file;
    assert!(head_text(&repo, &source_file)
        .expect("source")
        .contains("Web v2"));
    assert_eq!(head_text(&repo, file), None);
    assert_eq!(
        std::fs::read_to_string(blocker.join("notes.md")).expect("kept"),
        "mine\n"
    );
    assert_no_pending_marker(&repo);

    // Still in the way: reported on every pass, nothing committed.
    let second = gitops_ok(&ws, &["sync", "--repo", arg(&repo)]);
    said(&second, &["segment_tracking_plan", "is not written", file]);
    assert_eq!(git_log::log(&repo).len(), exported + 2);

    // The person moves their folder: the next pass writes the plan and
    // clears the record.
    std::fs::rename(&blocker, dir.path().join("notes")).expect("move away");
    let third = gitops_ok(&ws, &["sync", "--repo", arg(&repo)]);
    said(&third, &["is written now"]);
    assert_eq!(unwritten_in_head(&repo), None, "the record is cleared");
    let written = head_text(&repo, file).expect("the plan's file in HEAD");
    assert!(written.contains("\"Blocked Plan\""), "{written}");
    assert_eq!(
        std::fs::read_to_string(repo.join(file)).expect("work tree"),
        written
    );
    assert_eq!(entry(&repo, &plan.id).file, file);
    assert_eq!(git(&repo, &["status", "--porcelain"]), "");
    assert_no_pending_marker(&repo);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_with_an_object_that_cannot_be_written_commits_the_rest_and_sync_writes_it_later()
{
    let ws = TestWorkspace::start().await.expect("workspace");
    let api = ws.owner();
    let web = support::source(&ws, "web").await;
    let plan = api
        .create_tracking_plan(&plan_input("Blocked Plan"))
        .await
        .expect("plan");
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    let file = "tracking_plan_blocked_plan.tf";
    let blocker = block(&repo, file);

    // Exported but for the plan: exit 1, as a person must clear the way.
    let done = gitops(&ws, &["export", "--repo", arg(&repo)]);
    assert_eq!(done.status.code(), Some(1), "{}", done.output());
    said(
        &done,
        &[&plan.id, "is a folder in the work tree", UNWRITTEN],
    );
    assert_no_pending_marker(&repo);
    let record = unwritten_in_head(&repo).expect("the record is committed");
    assert_eq!(record.objects.len(), 1, "{record:?}");
    assert_eq!(
        record.objects[0].import_id.as_deref(),
        Some(plan.id.as_str())
    );
    assert!(head_text(&repo, &entry(&repo, &web.id).file).is_some());
    assert!(support::manifest(&repo)
        .resources
        .iter()
        .all(|e| e.id != plan.id));
    assert_eq!(
        std::fs::read_to_string(blocker.join("notes.md")).expect("kept"),
        "mine\n"
    );

    // A later event commits while the plan still cannot be written.
    support::rename_source(api, &web.id, "Web v2").await;
    let blocked = gitops_ok(&ws, &["sync", "--repo", arg(&repo)]);
    said(&blocked, &["is not written", file]);
    assert_eq!(git_log::event_ids(&repo).len(), 1);
    assert!(unwritten_in_head(&repo).is_some());

    std::fs::remove_dir_all(&blocker).expect("the person clears the way");
    gitops_ok(&ws, &["sync", "--repo", arg(&repo)]);
    assert_eq!(unwritten_in_head(&repo), None);
    assert!(head_text(&repo, file)
        .expect("written")
        .contains("\"Blocked Plan\""));
    assert_eq!(entry(&repo, &plan.id).file, file);
    assert_no_pending_marker(&repo);
}

// An export that fails writing a framing file in an existing repository
// left its files and the pending marker for the next run to undo.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_export_in_an_existing_repository_leaves_nothing_half_written() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("repo");
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("README.md"), "mine\n").expect("readme");
    git(&repo, &["add", "README.md"]);
    git(&repo, &["commit", "-q", "-m", "first"]);
    ws.owner()
        .create_source(&javascript_source("web"))
        .await
        .expect("source");
    // A folder where the export must write `providers.tf`.
    block(&repo, "providers.tf");
    let before = support::snapshot(&repo);
    let done = gitops(&ws, &["export", "--repo", arg(&repo)]);
    assert_eq!(done.status.code(), Some(1), "{}", done.output());
    assert_no_pending_marker(&repo);
    assert!(
        support::snapshot(&repo) == before,
        "{:?}",
        support::snapshot(&repo).keys()
    );
}
