//! The Atlantis workflow the export writes, run as Atlantis runs it: the
//! steps of its plan stage in order, in the project's folder, with
//! `PLANFILE` and `SHOWFILE` set, on a pull request that deletes a
//! destination; the last step's output, which Atlantis puts in the plan's
//! comment, is the review, and the plan's JSON (secrets in clear) goes to
//! a file, never to that output.

mod support;

use std::process::Command;
use std::time::Duration;

use segment_e2e::TestWorkspace;
use support::process;
use support::review::{export_and_adopt, file_of};

/// The YAML as Atlantis reads it, through a real YAML parser (PyYAML, on
/// the machine), as JSON.
fn parse_yaml(path: &std::path::Path) -> serde_json::Value {
    let done = process::run(
        Command::new("python3")
            .args([
                "-c",
                "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
            ])
            .arg(path),
        Duration::from_secs(30),
    );
    assert!(
        done.status.success(),
        "parse atlantis.yaml\n{}",
        done.output()
    );
    serde_json::from_str(&done.stdout).expect("JSON from the YAML")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_atlantis_workflow_ends_in_the_review_of_a_deleted_destination() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let (web, amplitude) = support::source_with_amplitude(&ws, "web").await;
    let tf = export_and_adopt(&ws);
    let repo = tf.work.clone();

    let config = parse_yaml(&repo.join("atlantis.yaml"));
    let project = &config["projects"][0];
    assert_eq!(project["dir"], ".");
    assert_eq!(
        project["apply_requirements"],
        serde_json::json!(["approved", "mergeable"])
    );
    let modified = project["autoplan"]["when_modified"].to_string();
    for pattern in [
        "*.tf",
        ".terraform.lock.hcl",
        ".segment-gitops/manifest.json",
    ] {
        assert!(modified.contains(pattern), "{pattern} in {modified}");
    }
    let workflow = project["workflow"].as_str().expect("a custom workflow");
    let steps = config["workflows"][workflow]["plan"]["steps"]
        .as_array()
        .expect("plan steps")
        .clone();
    let gitignore = std::fs::read_to_string(repo.join(".gitignore")).expect(".gitignore");
    for pattern in ["*.tfplan", "*.plan.json"] {
        assert!(gitignore.lines().any(|l| l == pattern), "{pattern} ignored");
    }

    // The pull request: Amplitude's file (its import, secret variable and
    // resource) deleted.
    let (file, _) = file_of(&repo, &amplitude.id);
    std::fs::remove_file(&file).expect("delete the destination's file");

    // Atlantis keeps the plan and its JSON in its data folder.
    let data = support::temp_dir();
    let planfile = data.path().join("segment-default.tfplan");
    let showfile = data.path().join("segment-default.json");
    let bin = support::gitops_binary();
    let path = format!(
        "{}:{}",
        bin.parent().expect("the binary's folder").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut outputs = Vec::new();
    for step in &steps {
        let done = match step {
            serde_json::Value::String(s) if s == "init" => {
                tf.terraform_ok(&["init", "-input=false"])
            }
            serde_json::Value::String(s) if s == "plan" => tf.terraform_ok(&[
                "plan",
                "-input=false",
                "-out",
                planfile.to_str().expect("a UTF-8 path"),
            ]),
            other => {
                let run = other["run"]
                    .as_str()
                    .unwrap_or_else(|| panic!("a step Atlantis runs: {other}"));
                let done = process::run(
                    Command::new("sh")
                        .args(["-c", run])
                        .current_dir(&repo)
                        .env("PATH", &path)
                        .env("PLANFILE", &planfile)
                        .env("SHOWFILE", &showfile)
                        .env("DIR", &repo)
                        .env("WORKSPACE", "default")
                        .env("TF_CLI_CONFIG_FILE", tf.path().join("terraform.tfrc"))
                        .env("CHECKPOINT_DISABLE", "1")
                        .env("TF_IN_AUTOMATION", "1"),
                    Duration::from_secs(120),
                );
                assert!(done.status.success(), "step {run}\n{}", done.output());
                done
            }
        };
        outputs.push(done.stdout);
    }
    let shown = std::fs::read_to_string(&showfile).expect("the plan's JSON");
    assert!(
        shown.contains("\"resource_changes\""),
        "the JSON went to $SHOWFILE"
    );
    assert_eq!(outputs.len(), 4, "init, plan, show, check: {steps:?}");
    assert_eq!(
        outputs[2], "",
        "show's JSON (secrets in clear) is not in the comment"
    );
    let last = &outputs[3];
    assert!(
        last.starts_with("### Segment workspace review: 1 breaking, 0 caution, 0 safe"),
        "{last}"
    );
    let reason = format!(
        "  - destination `Amplitude` (id {}) is deleted: source `web` (id {}) stops sending to it\n",
        amplitude.id, web.id
    );
    assert!(last.contains(&reason), "want {reason:?} in\n{last}");
    println!("{last}");
}
