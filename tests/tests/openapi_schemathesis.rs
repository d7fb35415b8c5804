//! schemathesis (from PyPI) against a real server: it reads `/openapi.json`,
//! generates requests for every operation (valid ones and invalid ones),
//! and checks each answer: never a 5xx, a status the description names, the
//! content type it names, and a body valid against its schema. The
//! workspace is seeded first, so lists answer real resources of every kind.
//! Rate limits are off for this run (`start_unlimited`): a 429 would be a
//! valid answer, but one that hides the answer being tested.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use segment_e2e::TestWorkspace;

/// The version `.ci/run` installs; the test runs whatever it finds.
const PINNED: &str = "schemathesis==4.32.5";
/// Test cases per operation and phase: about 90 operations, a minute or two.
const MAX_EXAMPLES: &str = "5";
/// The whole run, bounded: more is a hang, not a slow machine.
const RUN_LIMIT: Duration = Duration::from_secs(600);

/// `SCHEMATHESIS`, else the virtual environment `.ci/run` makes in
/// `target/schemathesis-venv`, else `schemathesis` on PATH.
fn schemathesis() -> PathBuf {
    let venv =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/schemathesis-venv/bin/schemathesis");
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("schemathesis"));
    let found = match std::env::var_os("SCHEMATHESIS") {
        Some(named) => Some(PathBuf::from(named)).filter(|p| p.exists()),
        None => std::iter::once(venv).chain(on_path).find(|p| p.exists()),
    };
    found.unwrap_or_else(|| {
        panic!(
            "schemathesis is not installed. Install it as .ci/run does:\n  \
             python3 -m venv target/schemathesis-venv && \
             target/schemathesis-venv/bin/pip install '{PINNED}'\n\
             (or put schemathesis on PATH, or name it in SCHEMATHESIS=/path/to/schemathesis)"
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_answer_off_its_schema() {
    let program = schemathesis();
    let ws = TestWorkspace::start_unlimited().await.expect("a workspace");
    segment_workspace::seed::seed(ws.owner(), 1, 4)
        .await
        .expect("the seed runs");
    segment_workspace::seed::engage::seed_engage(ws.owner())
        .await
        .expect("the Engage seed runs");
    let reports = tempfile::tempdir().expect("a report folder");
    let mut command = tokio::process::Command::new(&program);
    command
        .arg("run")
        .arg(format!("{}/openapi.json", ws.base_url()))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_schema_conformance",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "15",
            "--phases",
            "coverage,fuzzing",
            "--workers",
            "2",
            "--request-timeout",
            "40",
            "--suppress-health-check",
            "all",
            "--no-color",
            // No example database left in the working folder.
            "--generation-database",
            "none",
        ])
        .arg("--header")
        .arg(format!("Authorization: Bearer {}", ws.owner_token()))
        .arg("--report-dir")
        .arg(reports.path())
        .env("NO_COLOR", "1")
        // Its caches go in the scratch folder, not the checkout.
        .current_dir(reports.path())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let run = tokio::time::timeout(RUN_LIMIT, command.output())
        .await
        .unwrap_or_else(|_| panic!("schemathesis ran past {RUN_LIMIT:?}"))
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let out = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "schemathesis found failures ({}):\n{out}\n{err}",
        run.status
    );
    // A run that tested nothing would also exit 0.
    assert!(
        out.contains("Tested: ") && !out.contains("Tested: 0\n"),
        "schemathesis tested nothing:\n{out}\n{err}"
    );
}
