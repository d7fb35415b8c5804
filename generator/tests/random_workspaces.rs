//! Random small workspaces, with names HCL must escape and nested settings
//! JSON, export to files `terraform fmt` leaves alone and that plan as one
//! import per object and nothing else.
//!
//! Each case costs a real `terraform plan` (about a second), so there are
//! few cases, one Terraform directory initialised once and reused, and a
//! bounded shrink.

mod random;
mod support;

use std::cell::RefCell;
use std::time::Duration;

use proptest::test_runner::{Config, TestRunner};
use random::create::create;
use random::WorkspaceSpec;
use segment_e2e::{within, TestWorkspace};
use segment_gitops::repo::Folder;
use support::terraform::TerraformDir;

const LIMIT: Duration = Duration::from_secs(60);

/// Empties the Terraform directory for the next case, keeping what
/// `terraform init` installed.
fn reset(tf: &TerraformDir) {
    for e in std::fs::read_dir(&tf.work).expect("read dir").flatten() {
        let name = e.file_name();
        if name == ".terraform" || name == ".terraform.lock.hcl" {
            continue;
        }
        let path = e.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).expect("remove dir");
        } else {
            std::fs::remove_file(&path).expect("remove file");
        }
    }
}

/// One case: create, export, then `terraform fmt` and `terraform plan`.
fn check(
    runtime: &tokio::runtime::Runtime,
    shared: &RefCell<Option<TerraformDir>>,
    spec: &WorkspaceSpec,
) {
    let tf = shared.borrow_mut().take().unwrap_or_default();
    reset(&tf);
    let (ws, want, report) = runtime.block_on(async {
        let ws = TestWorkspace::start().await.expect("workspace");
        let want = within(LIMIT, "create", create(&ws, spec)).await;
        let session = support::session(&ws, &tf.work, "");
        let report = within(LIMIT, "export", session.export(&|_| {}, &|| {}))
            .await
            .expect("export");
        (ws, want, report)
    });
    let n = want.objects;
    assert_eq!(report.resources, n, "every object is exported once");
    let skipped = report
        .summary
        .iter()
        .filter(|s| s.starts_with("skip segment_user_group "))
        .count();
    assert_eq!(skipped, want.refused, "{:?}", report.summary);
    let variables = Folder::read(&tf.work).expect("read export").variables;
    assert_eq!(
        variables.len(),
        want.secrets,
        "secrets, and nothing else, become variables: {variables:?}"
    );
    let tf = support::terraform_for(&ws, tf);
    tf.terraform_ok(&["fmt", "-check", "-recursive"]);
    if !tf.work.join(".terraform").is_dir() {
        tf.terraform_ok(&["init", "-input=false"]);
    }
    let plan = tf.terraform(&["plan", "-input=false"]);
    support::assert_imports_only(&plan, n);
    *shared.borrow_mut() = Some(tf);
}

#[test]
fn random_workspaces_export_to_formatted_hcl_that_plans_as_imports_only() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let shared = RefCell::new(None);
    // About a second a case here; PROPTEST_CASES=100 searches deeper.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(6);
    let mut runner = TestRunner::new(Config {
        cases,
        max_shrink_iters: 24,
        // Milliseconds: a shrink step runs Terraform.
        max_shrink_time: 120_000,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&random::workspace(), |spec| {
        check(&runtime, &shared, &spec);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
