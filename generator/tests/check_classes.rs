//! `segment-gitops check` on real plans: a person's changes to an adopted
//! export, planned by real Terraform against a real workspace, each
//! classified as the issue says (breaking, caution, safe), with reasons in
//! workspace terms, in Markdown and JSON, exit 3 under `--fail-on` only
//! when such a change is there, and never a secret in either output.

mod support;

use segment_e2e::TestWorkspace;
use support::review::{change, check, check_json, edit_block, file_of, objects, plan_json};
use support::review::{export_and_adopt, secret_variable, ROTATED_SECRET};

fn reasons(change: &serde_json::Value) -> String {
    change["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_classifies_real_plans_and_never_shows_a_secret() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let o = objects(&ws).await;
    let tf = export_and_adopt(&ws);
    let repo = tf.work.clone();
    let scratch = support::temp_dir();
    support::git(&repo, &["add", "-A"]);
    support::git(&repo, &["commit", "-q", "-m", "adopted"]);

    // A pull request of safe and caution changes: a label on `web`, and
    // Amplitude's secret rotated through its variable.
    let (web_file, web) = file_of(&repo, &o.web.id);
    let (_, amplitude) = file_of(&repo, &o.amplitude.id);
    let text = std::fs::read_to_string(&web_file).expect("web's file");
    let labelled = edit_block(&text, &web, |mut block| {
        block.insert(
            1,
            "  labels = [{ key = \"team\", value = \"growth\" }]".into(),
        );
        block
    });
    std::fs::write(&web_file, labelled).expect("edit");
    let variable = secret_variable(&repo);
    let plan = plan_json(&tf, &[(&variable, ROTATED_SECRET)]);
    assert!(
        plan.contains(ROTATED_SECRET),
        "the plan JSON holds the secret in clear (so the test means something)"
    );

    let review = check_json(scratch.path(), &plan, 0);
    assert_eq!(
        review["summary"],
        serde_json::json!({"breaking": 0, "caution": 1, "safe": 1}),
        "{review:#}"
    );
    assert_eq!(review["version"], 1);
    let labels = change(&review, &web);
    assert_eq!(labels["class"], "safe", "{review:#}");
    assert_eq!(labels["type"], "segment_source");
    assert_eq!(labels["actions"], serde_json::json!(["update"]));
    assert!(reasons(labels).contains("`labels` changes"), "{review:#}");
    let secret = change(&review, &amplitude);
    assert_eq!(secret["class"], "caution", "{review:#}");
    assert!(
        reasons(secret).contains("sensitive `settings` changes"),
        "{review:#}"
    );
    let markdown = check(scratch.path(), &plan, &[]);
    assert_eq!(markdown.status.code(), Some(0), "{}", markdown.output());
    assert!(
        markdown.stdout.contains("0 breaking, 1 caution, 1 safe")
            && markdown.stdout.contains("#### Caution")
            && markdown
                .stdout
                .contains(&format!("- `{amplitude}` (update)")),
        "{}",
        markdown.stdout
    );
    for output in [&markdown.stdout, &review.to_string(), &markdown.stderr] {
        assert!(
            !output.contains(ROTATED_SECRET),
            "a secret in the review:\n{output}"
        );
    }
    let breaking = check(scratch.path(), &plan, &["--fail-on", "breaking"]);
    assert_eq!(
        breaking.status.code(),
        Some(0),
        "nothing breaking\n{}",
        breaking.output()
    );
    let caution = check(scratch.path(), &plan, &["--fail-on", "caution"]);
    assert_eq!(
        caution.status.code(),
        Some(3),
        "a caution change\n{}",
        caution.output()
    );

    // Another pull request, of breaking changes: Amplitude's file deleted,
    // `app` disabled, a tracking-plan rule removed and another narrowed.
    support::git(&repo, &["checkout", "-q", "--", "."]);
    let (amplitude_file, _) = file_of(&repo, &o.amplitude.id);
    std::fs::remove_file(&amplitude_file).expect("delete the destination's file");
    let (app_file, app) = file_of(&repo, &o.app.id);
    let text = std::fs::read_to_string(&app_file).expect("app's file");
    let disabled = edit_block(&text, &app, |block| {
        block
            .into_iter()
            .map(|l| match l.split_once('=') {
                Some((k, _)) if k.trim() == "enabled" => format!("{k}= false"),
                _ => l,
            })
            .collect()
    });
    std::fs::write(&app_file, disabled).expect("edit");
    let (plan_file, tracking) = file_of(&repo, &o.plan.id);
    let text = std::fs::read_to_string(&plan_file).expect("the tracking plan's file");
    let narrowed = edit_rules(&text, &tracking);
    std::fs::write(&plan_file, narrowed).expect("edit");
    let plan = plan_json(&tf, &[]);

    let review = check_json(scratch.path(), &plan, 0);
    assert_eq!(
        review["summary"],
        serde_json::json!({"breaking": 3, "caution": 0, "safe": 0}),
        "{review:#}"
    );
    let deleted = change(&review, &amplitude);
    assert_eq!(deleted["actions"], serde_json::json!(["delete"]));
    assert_eq!(deleted["class"], "breaking");
    assert_eq!(
        reasons(deleted),
        format!(
            "destination `Amplitude` (id {}) is deleted: source `web` (id {}) stops sending to it",
            o.amplitude.id, o.web.id
        ),
        "{review:#}"
    );
    let app_change = change(&review, &app);
    assert_eq!(app_change["class"], "breaking");
    assert!(
        reasons(app_change).contains(&format!(
            "source `app` (id {}) is disabled: it stops accepting events",
            o.app.id
        )),
        "{review:#}"
    );
    let rules = reasons(change(&review, &tracking));
    assert_eq!(change(&review, &tracking)["class"], "breaking");
    let web_id = &o.web.id;
    for want in [
        format!(
            "the rule for TRACK `Product Viewed` is removed: those events, sent today by \
             source `web` (id {web_id}), become unplanned"
        ),
        format!(
            "the rule for TRACK `Order Completed` narrows, so events sent today by source \
             `web` (id {web_id}) may fail it"
        ),
        "`properties.price` is newly required".to_string(),
        "`properties.tier` allows 1 fewer value (3 before, 2 now)".to_string(),
    ] {
        assert!(rules.contains(want.as_str()), "want {want:?} in\n{rules}");
    }
    let markdown = check(scratch.path(), &plan, &["--fail-on", "breaking"]);
    assert_eq!(markdown.status.code(), Some(3), "{}", markdown.output());
    assert!(
        markdown.stdout.contains("3 breaking, 0 caution, 0 safe")
            && markdown.stdout.contains("#### Breaking")
            && markdown.stdout.contains("stops sending to it"),
        "{}",
        markdown.stdout
    );
    assert!(
        !markdown.stdout.contains("enterprise"),
        "enum values are counted, not shown"
    );
}

/// The tracking plan's `rules` as a person narrows them: the rule for
/// "Product Viewed" deleted; "Order Completed" requires `price` and drops
/// the `enterprise` tier.
fn edit_rules(text: &str, address: &str) -> String {
    edit_block(text, address, |block| {
        let joined = block.join("\n");
        let start = joined.find("rules").expect("rules");
        let open = joined[start..].find('[').expect("a list") + start;
        let mut depth = 0;
        let mut close = open;
        for (i, c) in joined[open..].char_indices() {
            match c {
                '[' => depth += 1,
                ']' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let order = serde_json::json!({
            "type": "object",
            "properties": {
                "properties": {
                    "type": "object",
                    "properties": {
                        "price": { "type": "number" },
                        "tier": { "enum": ["free", "pro"] }
                    },
                    "required": ["price"]
                }
            }
        });
        let rules = format!(
            "[{{\n    type        = \"TRACK\"\n    key         = \"Order Completed\"\n    version     = 1\n    json_schema = jsonencode({order})\n  }}]"
        );
        let edited = format!("{}{}{}", &joined[..open], rules, &joined[close + 1..]);
        edited.lines().map(str::to_string).collect()
    })
}

/// Usage errors exit 1 (clap's own 2 would read as "drift found"), and so
/// does a plan that cannot be read; `--plan -` reads stdin.
#[test]
fn check_usage_errors_exit_1_and_plan_dash_reads_stdin() {
    use std::process::Command;
    let run = |args: &[&str]| {
        let mut cmd = Command::new(support::gitops_binary());
        cmd.args(args);
        support::process::run(&mut cmd, support::COMMAND_LIMIT)
    };
    let dir = support::temp_dir();
    let missing = dir.path().join("missing.json");
    let missing = missing.to_str().expect("a UTF-8 path");
    for args in [
        &["check"][..],
        &["check", "--plan", missing, "--format", "xml"],
        &["check", "--plan", missing, "--fail-on", "everything"],
        &["drift"],
        &["check", "--plan", missing],
    ] {
        let done = run(args);
        assert_eq!(done.status.code(), Some(1), "{args:?}\n{}", done.output());
        assert!(!done.stderr.is_empty(), "{args:?} says why");
    }
    let not_a_plan = run(&["check", "--plan", "Cargo.toml"]);
    assert_eq!(not_a_plan.status.code(), Some(1));
    assert!(
        not_a_plan.stderr.contains("terraform show -json PLANFILE"),
        "{}",
        not_a_plan.output()
    );

    let file = dir.path().join("plan.json");
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {},
        "resource_changes": [{
            "address": "segment_label.team", "mode": "managed", "type": "segment_label",
            "change": { "actions": ["create"], "before": null,
                        "after": { "key": "team", "value": "growth" } }
        }]
    });
    std::fs::write(&file, plan.to_string()).expect("write");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("\"$0\" check --plan - --fail-on caution < \"$1\"")
        .arg(support::gitops_binary())
        .arg(&file);
    let done = support::process::run(&mut cmd, support::COMMAND_LIMIT);
    assert_eq!(done.status.code(), Some(0), "{}", done.output());
    assert!(
        done.stdout
            .contains("- `segment_label.team` (create)\n  - adds label `team:growth`"),
        "{}",
        done.stdout
    );
}
