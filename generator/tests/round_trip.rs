//! Export a seeded workspace, then let real Terraform adopt it: the plan
//! imports everything and changes nothing, applying it writes nothing to
//! the workspace, and a second export is byte-identical (no commit).

mod support;

use std::time::Duration;

use segment_api::models::CreateSource;
use segment_e2e::fixtures::JAVASCRIPT_SOURCE;
use segment_e2e::within;
use segment_gitops::files;
use support::terraform::TerraformDir;
use support::{session, terraform_for};

const LIMIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_workspace_plans_as_imports_only_and_applies_as_nothing() {
    let ws = support::seeded_workspace().await;
    // Spaces with audiences and computed traits, found by listing spaces.
    within(
        LIMIT,
        "seed --engage",
        segment_workspace::seed::engage::seed_engage(ws.owner()),
    )
    .await
    .expect("seed engage");
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
    support::rename_source(
        ws.owner(),
        &odd.id,
        "Quote \" ${var.x} %{if} \\ back\nnew line ☃ é",
    )
    .await;

    let tf = TerraformDir::new();
    let s = session(&ws, &tf.work, "");
    let report = within(LIMIT, "export", s.export(&|_| {}, &|| {}))
        .await
        .expect("export");
    assert!(report.commit.is_some(), "the first export commits");
    let n = report.resources;
    assert!(n > 60, "the seed holds every type: {n} resources");
    let skipped: Vec<&String> = report
        .summary
        .iter()
        .filter(|s| s.starts_with("skip "))
        .collect();
    assert!(skipped.is_empty(), "the provider takes it all: {skipped:?}");
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
    for engage in ["segment_audience", "segment_computed_trait"] {
        assert!(
            all_text.contains(&format!("resource \"{engage}\" ")),
            "the spaces' {engage} objects are exported"
        );
    }
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
    support::assert_imports_only(&plan, n);

    let events_before = support::audit_events(ws.owner()).await.len();
    tf.terraform_ok(&["apply", "-input=false", "adopt.tfplan"]);
    let events_after = support::audit_events(ws.owner()).await.len();
    assert_eq!(
        events_before, events_after,
        "adopting the workspace wrote nothing to it"
    );
    let clean = tf.terraform(&["plan", "-input=false", "-detailed-exitcode"]);
    assert_eq!(clean.status.code(), Some(0), "{}", clean.output());

    // Unchanged workspace: the same bytes, so no commit.
    let s = session(&ws, &tf.work, "");
    let again = within(LIMIT, "export again", s.export(&|_| {}, &|| {}))
        .await
        .expect("export again");
    assert!(
        again.commit.is_none(),
        "an unchanged workspace makes no commit: {:?}",
        again.summary
    );
}
