//! Export a seeded workspace, then let real Terraform adopt it: the plan
//! imports everything and changes nothing, applying it writes nothing to
//! the workspace, and a second export is byte-identical (no commit).

mod support;

use std::time::Duration;

use segment_api::models::{AuditQuery, CreateSource, UpdateSource};
use segment_e2e::fixtures::JAVASCRIPT_SOURCE;
use segment_e2e::{within, TestWorkspace};
use segment_gitops::files;
use segment_gitops::repo::Folder;
use segment_gitops::session::{Options, Session};
use support::terraform::TerraformDir;

const LIMIT: Duration = Duration::from_secs(120);

/// Terraform with the workspace's URL and token, and a value for every
/// secret variable the export declared (they stay out of Git).
fn terraform_for(ws: &TestWorkspace, tf: TerraformDir) -> TerraformDir {
    let mut tf = tf
        .env("PUBLIC_API_URL", ws.base_url())
        .env("PUBLIC_API_TOKEN", ws.owner_token());
    let names = Folder::read(&tf.work)
        .expect("read export")
        .variables
        .into_keys();
    for n in names {
        tf = tf.env(&format!("TF_VAR_{n}"), "a-secret-from-tfvars");
    }
    tf
}

fn session(ws: &TestWorkspace, tf: &TerraformDir) -> Session {
    Session::open(
        ws.owner().clone(),
        Options {
            repo: tf.work.clone(),
            path: String::new(),
            ..Default::default()
        },
    )
    .expect("open the repository")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_workspace_plans_as_imports_only_and_applies_as_nothing() {
    let ws = TestWorkspace::start().await.expect("workspace");
    within(
        LIMIT,
        "seed",
        segment_workspace::seed::seed(ws.owner(), 1, 8),
    )
    .await
    .expect("seed");
    // Names that HCL must escape, and a leading digit.
    let odd = ws
        .owner()
        .create_source(&CreateSource {
            slug: "1st-odd-source".into(),
            enabled: true,
            metadata_id: JAVASCRIPT_SOURCE.into(),
            settings: Default::default(),
        })
        .await
        .expect("create source");
    ws.owner()
        .update_source(
            &odd.id,
            &UpdateSource {
                name: Some("Quote \" ${var.x} %{if} \\ back\nnew line ☃ é".into()),
                ..Default::default()
            },
        )
        .await
        .expect("rename source");

    let tf = TerraformDir::new();
    let s = session(&ws, &tf);
    let report = within(LIMIT, "export", s.export(&|_| {}, &|| {}))
        .await
        .expect("export");
    assert!(report.commit.is_some(), "the first export commits");
    let n = report.resources;
    assert!(n > 60, "the seed holds every type: {n} resources");
    for f in [
        files::PROVIDERS,
        files::GITIGNORE,
        files::MANIFEST,
        "atlantis.yaml",
    ] {
        assert!(tf.work.join(f).is_file(), "{f} is written");
    }
    let providers = std::fs::read_to_string(tf.work.join(files::PROVIDERS)).expect("providers.tf");
    assert!(!providers.contains(ws.owner_token()), "no token in Git");
    let all_text: String = std::fs::read_dir(&tf.work)
        .expect("dir")
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    assert!(
        !all_text.contains("\"••••••••\""),
        "masked secrets become variables"
    );
    assert!(
        all_text.contains("sensitive   = true"),
        "secrets are sensitive variables"
    );
    assert!(
        all_text.contains("source_id = segment_source."),
        "references, not bare ids"
    );

    let tf = terraform_for(&ws, tf);
    tf.terraform_ok(&["fmt", "-check", "-recursive"]);
    tf.terraform_ok(&["init", "-input=false"]);
    let plan = tf.terraform(&[
        "plan",
        "-input=false",
        "-detailed-exitcode",
        "-out=adopt.tfplan",
    ]);
    let want = format!("Plan: {n} to import, 0 to add, 0 to change, 0 to destroy.");
    assert!(
        plan.stdout.contains(&want),
        "want {want:?}\n{}",
        plan.output()
    );

    let events_before = ws
        .owner()
        .list_audit_events(&AuditQuery::default())
        .await
        .expect("audit")
        .len();
    tf.terraform_ok(&["apply", "-input=false", "adopt.tfplan"]);
    let events_after = ws
        .owner()
        .list_audit_events(&AuditQuery::default())
        .await
        .expect("audit")
        .len();
    assert_eq!(
        events_before, events_after,
        "adopting the workspace wrote nothing to it"
    );
    let clean = tf.terraform(&["plan", "-input=false", "-detailed-exitcode"]);
    assert_eq!(clean.status.code(), Some(0), "{}", clean.output());

    // Unchanged workspace: the same bytes, so no commit.
    let s = session(&ws, &tf);
    let again = within(LIMIT, "export again", s.export(&|_| {}, &|| {}))
        .await
        .expect("export again");
    assert!(
        again.commit.is_none(),
        "an unchanged workspace makes no commit: {:?}",
        again.summary
    );
}
