//! The two-way flow with Atlantis: a person edits the exported HCL (renames
//! a destination, adds a filter of their own), Atlantis' default workflow
//! applies it, the pull request merges, and `sync` then follows the
//! workspace's audit trail without rewriting a byte of what the person
//! wrote: the Terraform state beside the files says those objects are
//! already managed where they are.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use segment_e2e::TestWorkspace;
use support::terraform::TerraformDir;
use support::{entry, git, git_log, gitops_ok, terraform_for};

const NEW_NAME: &str = "Amplitude (EU)";

/// The exported destination file as a person edits it: a new `name` with a
/// trailing comment, and a comment of their own above the resource.
fn rename_destination(exported: &str, address: &str) -> String {
    let (_, name) = address.split_once('.').expect("an address");
    let header = format!("resource \"segment_destination\" \"{name}\" {{");
    assert!(exported.contains(&header), "{exported}");
    let mut out = String::new();
    let mut renamed = false;
    for line in exported.lines() {
        if line == header {
            out.push_str("# Owned by the growth team; EU traffic only since PR #12.\n");
        }
        match line.split_once('=') {
            Some((key, _)) if key.trim() == "name" && !renamed => {
                out.push_str(&format!("{key}= \"{NEW_NAME}\" # was \"Amplitude\"\n"));
                renamed = true;
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    assert!(renamed, "the export names the destination: {exported}");
    out
}

/// A filter a person writes in a file of their own, referring to exported
/// resources by address.
fn filter_file(destination: &str, source: &str) -> String {
    format!(
        r#"# Test traffic never reaches Amplitude.
resource "segment_destination_filter" "drop_test_events" {{
  destination_id = {destination}.id
  source_id      = {source}.id
  if             = "event = \"Test Event\""
  title          = "Drop test events"
  enabled        = true
  actions        = [{{ type = "DROP" }}]
}}
"#
    )
}

fn tf_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tf"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_request_applied_by_atlantis_syncs_without_touching_the_persons_files() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let api = ws.owner();
    // Amplitude's `apiKey` is a secret: exported as a sensitive variable.
    let (source, destination) = support::source_with_amplitude(&ws, "web").await;

    // Export, then adopt everything into Terraform state (local backend:
    // terraform.tfstate beside the files, ignored by Git).
    let tf = TerraformDir::new();
    let repo = tf.work.clone();
    let repo_arg = repo.to_str().expect("a UTF-8 path");
    gitops_ok(&ws, &["export", "--repo", repo_arg]);
    let n = support::manifest(&repo).resources.len();
    assert_eq!(n, 2, "a source and a destination");
    let tf = terraform_for(&ws, tf);
    tf.terraform_ok(&["init", "-input=false"]);
    let adopt = tf.terraform_ok(&["plan", "-input=false", "-out=adopt.tfplan"]);
    support::assert_imports_only(&adopt, n);
    tf.terraform_ok(&["apply", "-input=false", "adopt.tfplan"]);
    assert!(repo.join("terraform.tfstate").is_file(), "local state");
    let status = git(&repo, &["status", "--porcelain", "--ignored"]);
    assert!(
        status.contains("!! terraform.tfstate"),
        "state is ignored: {status}"
    );

    // The person's pull request.
    let dest = entry(&repo, &destination.id);
    let src = entry(&repo, &source.id);
    let dest_path = repo.join(&dest.file);
    let exported = std::fs::read_to_string(&dest_path).expect("destination file");
    let renamed = rename_destination(&exported, &dest.address);
    std::fs::write(&dest_path, &renamed).expect("edit");
    let filter = filter_file(&dest.address, &src.address);
    std::fs::write(repo.join("filters.tf"), &filter).expect("new file");

    // Atlantis' default workflow, step by step.
    let events_before = support::audit_events(api).await.len();
    tf.terraform_ok(&["init", "-input=false"]);
    let plan = tf.terraform_ok(&["plan", "-input=false", "-out", "default.tfplan"]);
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.output()
    );
    tf.terraform_ok(&["apply", "default.tfplan"]);

    // The merge.
    git(
        &repo,
        &["add", &dest.file, "filters.tf", ".terraform.lock.hcl"],
    );
    git(
        &repo,
        &["commit", "-q", "-m", "Rename Amplitude, drop test events"],
    );
    let merged = git(&repo, &["rev-parse", "HEAD"]).trim().to_string();
    let files_before = tf_files(&repo);

    gitops_ok(&ws, &["sync", "--repo", repo_arg]);

    // The workspace holds the person's change.
    let live = api
        .get_destination(&destination.id)
        .await
        .expect("destination");
    assert_eq!(live.name.as_deref(), Some(NEW_NAME));
    let filters = api.list_filters(&destination.id).await.expect("filters");
    assert_eq!(filters.len(), 1, "{filters:?}");
    assert_eq!(filters[0].title, "Drop test events");

    // The rename is in HEAD already: its event changes no file and makes
    // no commit (it once made one moving only the cursor). The new filter's
    // event commits the manifest's entry for it, touching only the
    // generator's own records: the person's files are as they left them.
    let events: Vec<String> = support::audit_events(api)
        .await
        .into_iter()
        .skip(events_before)
        .map(|e| e.id)
        .collect();
    assert_eq!(events.len(), 2, "a rename and a new filter: {events:?}");
    let synced = git_log::event_ids(&repo);
    assert_eq!(synced, &events[1..], "only the filter's event commits");
    let changed = git(&repo, &["diff", "--name-only", &merged, "HEAD"]);
    for path in changed.lines() {
        assert!(
            path.starts_with(".segment-gitops/"),
            "sync changed {path}:\n{}",
            git(&repo, &["diff", &merged, "HEAD"])
        );
    }
    assert_eq!(
        std::fs::read_to_string(&dest_path).expect("destination file"),
        renamed,
        "the renamed destination's file is byte for byte the person's"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("filters.tf")).expect("filters.tf"),
        filter,
        "the person's filter file is byte for byte theirs"
    );
    assert_eq!(tf_files(&repo), files_before, "no file added or removed");
    let recorded = entry(&repo, &filters[0].id);
    assert_eq!(
        (recorded.address.as_str(), recorded.file.as_str()),
        ("segment_destination_filter.drop_test_events", "filters.tf"),
        "the manifest knows the filter where the person wrote it"
    );

    let clean = tf.terraform(&["plan", "-input=false", "-detailed-exitcode"]);
    assert_eq!(clean.status.code(), Some(0), "{}", clean.output());
}
