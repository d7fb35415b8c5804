//! What the `check` tests share: a small workspace with every kind of
//! change a review tells apart, exported and adopted by real Terraform,
//! and `segment-gitops check` on the JSON of a real plan.

use std::path::Path;
use std::process::Command;

use segment_api::models::{
    CreateTrackingPlan, Destination, Label, RuleInput, Source, TrackingPlan,
};
use segment_e2e::TestWorkspace;
use serde_json::json;

use super::process::{self, Finished};
use super::terraform::TerraformDir;
use super::{entry, gitops_binary, gitops_ok, terraform_for, COMMAND_LIMIT};

/// A secret nobody may see: rotated into Amplitude's `apiKey` by a plan.
pub const ROTATED_SECRET: &str = "rotated-amplitude-key-8f3e2d1c9b";

pub struct Objects {
    pub web: Source,
    pub app: Source,
    pub amplitude: Destination,
    pub plan: TrackingPlan,
}

/// Two sources (`web` with Amplitude, whose `apiKey` is secret; `app`), a
/// label, and a tracking plan with two rules that `web` is validated
/// against.
pub async fn objects(ws: &TestWorkspace) -> Objects {
    let api = ws.owner();
    let (web, amplitude) = super::source_with_amplitude(ws, "web").await;
    let app = super::source(ws, "app").await;
    api.create_label(&Label {
        key: "team".into(),
        value: "growth".into(),
        description: None,
    })
    .await
    .expect("label");
    let plan = api
        .create_tracking_plan(&CreateTrackingPlan {
            name: "Checkout".into(),
            description: None,
            kind: "LIVE".into(),
        })
        .await
        .expect("tracking plan");
    let order = json!({
        "type": "object",
        "properties": {
            "properties": {
                "type": "object",
                "properties": {
                    "price": { "type": "number" },
                    "tier": { "enum": ["free", "pro", "enterprise"] }
                }
            }
        }
    });
    let viewed = json!({
        "type": "object",
        "properties": { "properties": { "type": "object", "properties": { "sku": { "type": "string" } } } }
    });
    let rules =
        [("Order Completed", order), ("Product Viewed", viewed)].map(|(key, schema)| RuleInput {
            kind: "TRACK".into(),
            key: Some(key.into()),
            json_schema: schema,
            version: 1,
        });
    api.replace_rules(&plan.id, &rules).await.expect("rules");
    api.add_tracking_plan_source(&plan.id, &web.id)
        .await
        .expect("connect web to the tracking plan");
    Objects {
        web,
        app,
        amplitude,
        plan,
    }
}

/// Exports the workspace into a Terraform folder and applies the imports,
/// as a team adopting it would; the folder is a Git repository.
pub fn export_and_adopt(ws: &TestWorkspace) -> TerraformDir {
    let tf = TerraformDir::new();
    let repo = tf.work.to_str().expect("a UTF-8 path").to_string();
    gitops_ok(ws, &["export", "--repo", &repo]);
    let n = super::manifest(&tf.work).resources.len();
    let tf = terraform_for(ws, tf);
    tf.terraform_ok(&["init", "-input=false"]);
    let adopt = tf.terraform_ok(&["plan", "-input=false", "-out=adopt.tfplan"]);
    super::assert_imports_only(&adopt, n);
    tf.terraform_ok(&["apply", "-input=false", "adopt.tfplan"]);
    tf
}

/// `terraform plan -out` (with `-var NAME=VALUE` for each of `vars`) then
/// `show -json`: the plan's JSON text.
pub fn plan_json(tf: &TerraformDir, vars: &[(&str, &str)]) -> String {
    let mut plan = vec!["plan", "-input=false", "-out=review.tfplan"];
    let vars: Vec<String> = vars
        .iter()
        .map(|(name, value)| format!("-var={name}={value}"))
        .collect();
    plan.extend(vars.iter().map(String::as_str));
    tf.terraform_ok(&plan);
    tf.terraform_ok(&["show", "-json", "review.tfplan"]).stdout
}

/// `segment-gitops check --plan FILE ARGS` on plan JSON written to a file.
pub fn check(dir: &Path, plan_json: &str, args: &[&str]) -> Finished {
    let file = dir.join("review.plan.json");
    std::fs::write(&file, plan_json).expect("write the plan JSON");
    let mut cmd = Command::new(gitops_binary());
    cmd.arg("check")
        .arg("--plan")
        .arg(&file)
        .args(args)
        .env_remove("SEGMENT_GITOPS_LOG");
    process::run(&mut cmd, COMMAND_LIMIT)
}

/// The review as JSON, asserting the exit code.
pub fn check_json(dir: &Path, plan_json: &str, code: i32) -> serde_json::Value {
    let done = check(dir, plan_json, &["--format", "json"]);
    assert_eq!(done.status.code(), Some(code), "{}", done.output());
    serde_json::from_str(&done.stdout).expect("check writes JSON")
}

/// The change at `address` in a JSON review.
pub fn change<'a>(review: &'a serde_json::Value, address: &str) -> &'a serde_json::Value {
    review["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("no change for {address}: {review:#}"))
}

/// The resource block `address` in `text` as a person edits it: `edit`
/// gets the block's lines (header to closing brace) and returns new ones.
pub fn edit_block(
    text: &str,
    address: &str,
    edit: impl FnOnce(Vec<String>) -> Vec<String>,
) -> String {
    let (kind, name) = address.split_once('.').expect("an address");
    let header = format!("resource \"{kind}\" \"{name}\" {{");
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let start = lines
        .iter()
        .position(|l| *l == header)
        .unwrap_or_else(|| panic!("no {header} in\n{text}"));
    let end = start
        + lines[start..]
            .iter()
            .position(|l| l == "}")
            .expect("the block ends");
    let block = lines[start..=end].to_vec();
    let mut out: Vec<String> = lines[..start].to_vec();
    out.extend(edit(block));
    out.extend(lines[end + 1..].iter().cloned());
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// The file and address the export gave the object `id`.
pub fn file_of(repo: &Path, id: &str) -> (std::path::PathBuf, String) {
    let e = entry(repo, id);
    (repo.join(&e.file), e.address)
}

/// The name of the variable the export wrote for a destination's secret.
pub fn secret_variable(repo: &std::path::Path) -> String {
    let text: String = std::fs::read_dir(repo)
        .expect("read dir")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "tf"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    let start = text.find("variable \"").expect("a secret variable") + "variable \"".len();
    let end = text[start..].find('"').expect("its name ends") + start;
    text[start..end].to_string()
}
