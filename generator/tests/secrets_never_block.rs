//! Secrets in an exported workspace: the API masks them, so the export
//! cannot know them. Regression: the export declared one required variable
//! per secret, so `terraform plan` failed until each was set, and a
//! placeholder set to get a plan replaced the real secret on the next
//! change of another key. Now a plan needs no variable, a null secret is
//! never sent, and setting the variable rotates the secret with a warning.

mod support;

use std::path::Path;
use std::time::Duration;

use segment_e2e::fixtures::amplitude_destination;
use segment_e2e::{within, TestWorkspace};
use segment_workspace::kind::Kind;
use support::process::Finished;
use support::terraform::TerraformDir;
use support::{assert_imports_only, entry, session, terraform_for};

const LIMIT: Duration = Duration::from_secs(120);
const ROTATED: &str = "amp-key-rotated-7f3c";

/// A destination's stored settings, from the server's database: the API
/// masks secrets, so only the store shows which one is kept (opened with
/// the server key, as the server reads them).
async fn stored_settings(ws: &TestWorkspace, id: &str) -> serde_json::Value {
    let state = segment_workspace::open(ws.database_url())
        .await
        .expect("open the workspace database");
    let doc = state
        .store
        .get(Kind::Destination, id)
        .await
        .expect("read the store")
        .expect("the destination is stored");
    doc.body["settings"].clone()
}

/// The one line of `file` that sets `key`, rewritten to `key = value`.
fn set_setting(dir: &Path, file: &str, key: &str, value: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read the exported file");
    let mut found = false;
    let edited: Vec<String> = text
        .lines()
        .map(|line| match line.split_once('=') {
            Some((k, _)) if k.trim() == key => {
                found = true;
                format!("{k}= {value}")
            }
            _ => line.to_string(),
        })
        .collect();
    assert!(found, "{file} sets {key}:\n{text}");
    std::fs::write(&path, edited.join("\n") + "\n").expect("write the edit");
}

/// The variable that feeds `apiKey` in `file`.
fn api_key_variable(dir: &Path, file: &str) -> String {
    let text = std::fs::read_to_string(dir.join(file)).expect("read the exported file");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("apiKey"))
        .unwrap_or_else(|| panic!("{file} sets apiKey:\n{text}"));
    let (_, var) = line
        .split_once("var.")
        .expect("apiKey comes from a variable");
    var.trim().to_string()
}

fn exit_code(done: &Finished) -> i32 {
    done.status.code().unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_block_a_plan_and_are_never_overwritten_by_accident() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let src = support::source(&ws, "web").await;
    let mut destinations = Vec::new();
    for key in ["amp-key-1", "amp-key-2"] {
        let mut input = amplitude_destination(&src.id);
        input.settings.insert("apiKey".into(), key.into());
        let d = ws
            .owner()
            .create_destination(&input)
            .await
            .expect("create destination");
        destinations.push((d.id, key));
    }

    let tf = TerraformDir::new();
    let report = within(
        LIMIT,
        "export",
        session(&ws, &tf.work, "").export(&|_| {}, &|| {}),
    )
    .await
    .expect("export");
    let tf = terraform_for(&ws, tf);
    tf.terraform_ok(&["fmt", "-check", "-recursive"]);
    tf.terraform_ok(&["init", "-input=false"]);

    // No variable set: the plan adopts everything and changes nothing.
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-out=adopt.tfplan"]);
    assert_imports_only(&plan, report.resources);
    tf.terraform_ok(&["apply", "adopt.tfplan"]);
    for (id, key) in &destinations {
        assert_eq!(stored_settings(&ws, id).await["apiKey"], *key, "adopted");
    }

    // Another key of the first destination changes: its secret stays.
    let (first, first_key) = &destinations[0];
    let file = entry(&tf.work, first).file;
    set_setting(&tf.work, &file, "trackAllPages", "false");
    let apply = tf.terraform_ok(&["apply", "-auto-approve"]);
    assert!(apply.stdout.contains("1 changed"), "{}", apply.output());
    let stored = stored_settings(&ws, first).await;
    assert_eq!(stored["trackAllPages"], false, "the edit is applied");
    assert_eq!(stored["apiKey"], *first_key, "the secret is kept");

    // Setting the variable rotates the secret, and the plan says so
    // without showing the value.
    let var = format!("{}={ROTATED}", api_key_variable(&tf.work, &file));
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-var", &var]);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    let warning =
        format!("settings.apiKey of segment_destination (id \"{first}\") will replace the secret");
    assert!(
        plan.output().replace('\n', " ").contains(&warning),
        "want {warning:?}\n{}",
        plan.output()
    );
    assert!(!plan.output().contains(ROTATED), "{}", plan.output());
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-var", &var]);
    assert!(!apply.output().contains(ROTATED), "{}", apply.output());
    assert_eq!(stored_settings(&ws, first).await["apiKey"], ROTATED);
    let (second, second_key) = &destinations[1];
    assert_eq!(stored_settings(&ws, second).await["apiKey"], *second_key);

    // Unset again: nothing to do, and another change still sends no null.
    let plan = tf.terraform(&["plan", "-detailed-exitcode"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());
    set_setting(&tf.work, &file, "trackAllPages", "true");
    tf.terraform_ok(&["apply", "-auto-approve"]);
    assert_eq!(stored_settings(&ws, first).await["apiKey"], ROTATED);

    // The value last sent, set again, is no change: nothing is replaced.
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-var", &var]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());
}
