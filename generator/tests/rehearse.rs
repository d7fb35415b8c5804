//! The rehearsal (issue 14, item 2): a pull request applied to a local
//! replica before production, with real Terraform and real
//! `segment-workspace` processes. Each rehearsal is two applies.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use segment_e2e::{fixtures, TestWorkspace};
use segment_gitops::rehearse::{rehearse, Refusal, RehearseOptions, Revision};
use support::terraform::TerraformDir;
use support::{git, process, temp_dir};

/// One rehearsal: a server start, two inits and two applies.
const REHEARSAL_LIMIT: Duration = Duration::from_secs(600);

/// The `segment-workspace` program built beside these tests.
fn workspace_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            let provider = support::provider_binary();
            let binary = provider.with_file_name("segment-workspace");
            if !binary.is_file() {
                let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
                let mut cmd = Command::new(cargo);
                cmd.args([
                    "build",
                    "-p",
                    "segment-workspace",
                    "--bin",
                    "segment-workspace",
                ]);
                let done = process::run(&mut cmd, Duration::from_secs(900));
                assert!(
                    done.status.success(),
                    "building segment-workspace\n{}",
                    done.output()
                );
            }
            binary
        })
        .clone()
}

/// A repository whose folder `segment/` holds `files`, committed.
fn commit(repo: &Path, files: &[(&str, &str)], message: &str) {
    for (name, text) in files {
        let file = repo.join("segment").join(name);
        std::fs::create_dir_all(file.parent().expect("a folder")).expect("mkdir");
        std::fs::write(file, text).expect("write");
    }
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", message]);
}

fn options(repo: &Path, tf: &TerraformDir, head: Revision) -> RehearseOptions {
    RehearseOptions {
        head,
        workspace: Some(workspace_binary()),
        cli_config: Some(tf.path().join("terraform.tfrc")),
        ..RehearseOptions::new(repo, "segment", "main")
    }
}

/// Every file below `dir`, `.git` included: the person's repository.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = e.path();
            let rel = path
                .strip_prefix(root)
                .expect("below")
                .display()
                .to_string();
            if path.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Requests production answered, but those to read these counts.
async fn production_requests(ws: &TestWorkspace) -> u64 {
    let all = support::answered(ws, None, None).await;
    all - support::answered(ws, Some("/metrics"), None).await
}

/// The 1-based lines of the block that starts with `header` in `text`,
/// through its closing brace: a diagnostic points at the block or at the
/// attribute the workspace named.
fn lines_of(text: &str, header: &str) -> std::ops::RangeInclusive<u64> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.starts_with(header));
    let start = start.unwrap_or_else(|| panic!("no {header} in\n{text}"));
    let end = start
        + lines[start..]
            .iter()
            .position(|l| *l == "}")
            .expect("a closing brace");
    start as u64 + 1..=end as u64 + 1
}

fn assert_within(r: &Refusal, text: &str, header: &str) {
    let lines = lines_of(text, header);
    assert!(
        r.line.is_some_and(|l| lines.contains(&l)),
        "want a line in {lines:?}: {r:#?}"
    );
}

fn refusal_of<'a>(refusals: &'a [Refusal], address: &str) -> &'a Refusal {
    refusals
        .iter()
        .find(|r| r.address.as_deref() == Some(address))
        .unwrap_or_else(|| panic!("no refusal of {address}: {refusals:#?}"))
}

/// Production's provider blocks (one aliased) and state backend, in the
/// repository as a person would write them: a leak would reach `prod`.
fn providers_tf(prod: &TestWorkspace) -> String {
    let (url, token) = (prod.base_url(), prod.owner_token());
    format!(
        r#"terraform {{
  required_providers {{
    segment = {{ source = "segment-gitops/segment" }}
  }}
  backend "http" {{
    address = "{url}/tfstate"
  }}
}}

provider "segment" {{
  url   = "{url}"
  token = "{token}"
}}

provider "segment" {{
  alias = "prod"
  url   = "{url}"
  token = "{token}"
}}
"#
    )
}

const VARIABLES_TF: &str = r#"variable "stripe_key" {
  type      = string
  sensitive = true
  default   = null
}
"#;

fn sources_tf(web_id: &str, extra: &str) -> String {
    format!(
        r#"import {{
  to = segment_source.web
  id = "{web_id}"
}}

resource "segment_source" "web" {{
  slug     = "web"
  name     = "Web"
  enabled  = true
  metadata = {{ id = "{js}" }}
}}

resource "segment_source" "stripe" {{
  slug     = "stripe"
  enabled  = true
  metadata = {{ id = "{stripe}" }}
  settings = jsonencode({{ apiKey = var.stripe_key }})
}}
{extra}"#,
        js = fixtures::JAVASCRIPT_SOURCE,
        stripe = fixtures::STRIPE_SOURCE,
    )
}

const PLANS_TF: &str = r#"resource "segment_tracking_plan" "checkout" {
  provider = segment.prod
  name     = "Checkout"
  type     = "LIVE"
  rules    = []
}

resource "segment_source_tracking_plan_connection" "web" {
  source_id        = segment_source.web.id
  tracking_plan_id = segment_tracking_plan.checkout.id
}
"#;

// Three changes `terraform plan` accepts, as each resource is valid on
// its own, but the workspace refuses at apply (a source's settings, by
// contrast, the provider checks against the catalog at plan):
// - a second source with a slug already taken (409 naming `slug`, as
//   Segment answers a clash);
// - a second tracking plan with a name already taken (409 naming `name`);
// - a source connected to a second tracking plan (409 naming `sourceId`:
//   a source follows one plan).
const PR_SOURCES: &str = r#"
resource "segment_source" "web_again" {
  slug     = "web"
  enabled  = true
  metadata = { id = "IqDTy1TpoU" }
}
"#;

const PR_PLANS: &str = r#"
resource "segment_tracking_plan" "checkout_again" {
  provider = segment.prod
  name     = "Checkout"
  type     = "LIVE"
  rules    = []
}

resource "segment_tracking_plan" "orders" {
  name  = "Orders"
  type  = "LIVE"
  rules = []
}

resource "segment_source_tracking_plan_connection" "web_orders" {
  source_id        = segment_source.web.id
  tracking_plan_id = segment_tracking_plan.orders.id
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_point_at_their_blocks_and_production_is_untouched() {
    let prod = TestWorkspace::start().await.expect("production");
    let web = support::source(&prod, "web").await;
    let dir = temp_dir();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    let providers = providers_tf(&prod);
    commit(
        repo,
        &[
            ("providers.tf", &providers),
            ("variables.tf", VARIABLES_TF),
            ("sources.tf", &sources_tf(&web.id, "")),
            ("plans.tf", PLANS_TF),
        ],
        "production",
    );
    git(repo, &["checkout", "-q", "-b", "pr"]);
    let pr_sources = sources_tf(&web.id, PR_SOURCES);
    let pr_plans = format!("{PLANS_TF}{PR_PLANS}");
    commit(
        repo,
        &[("sources.tf", &pr_sources), ("plans.tf", &pr_plans)],
        "the PR",
    );
    let before_tree = tree(repo);
    let before_sources = prod.owner().list_sources().await.expect("sources");
    let before_requests = production_requests(&prod).await;

    let tf = TerraformDir::new();
    let head = Revision::Commit("HEAD".into());
    let rehearsal = segment_e2e::within(
        REHEARSAL_LIMIT,
        "rehearse",
        rehearse(&options(repo, &tf, head)),
    )
    .await
    .expect("rehearse");

    assert!(rehearsal.base_applied, "{rehearsal:#?}");
    assert_eq!(rehearsal.refusals.len(), 3, "{rehearsal:#?}");
    let clash = refusal_of(&rehearsal.refusals, "segment_source.web_again");
    assert_eq!(clash.file.as_deref(), Some("segment/sources.tf"));
    let header = "resource \"segment_source\" \"web_again\"";
    assert_within(clash, &pr_sources, header);
    assert!(clash.detail.contains("already exists"), "{clash:#?}");
    let second = refusal_of(
        &rehearsal.refusals,
        "segment_source_tracking_plan_connection.web_orders",
    );
    let header = "resource \"segment_source_tracking_plan_connection\" \"web_orders\"";
    assert_within(second, &pr_plans, header);
    assert!(second.detail.contains("sourceId"), "{second:#?}");
    let plan = refusal_of(&rehearsal.refusals, "segment_tracking_plan.checkout_again");
    assert_eq!(plan.file.as_deref(), Some("segment/plans.tf"));
    let header = "resource \"segment_tracking_plan\" \"checkout_again\"";
    assert_within(plan, &pr_plans, header);
    assert_eq!(rehearsal.changes.planned.add, 4, "{rehearsal:#?}");
    // The new plan "Orders" went in before its connection was refused.
    assert_eq!(rehearsal.changes.applied.add, 1, "{rehearsal:#?}");

    // Nothing reached production: not the provider (both blocks name it),
    // not the state backend, and its sources are as they were.
    assert_eq!(production_requests(&prod).await, before_requests);
    let after_sources = prod.owner().list_sources().await.expect("sources");
    assert_eq!(after_sources.len(), before_sources.len());
    // The person's repository: work tree, index, refs, objects.
    assert!(
        tree(repo) == before_tree,
        "the rehearsal changed the repository"
    );
    let secret = format!("{rehearsal:?}");
    assert!(
        !secret.contains(prod.owner_token()),
        "a token in the report"
    );
}

const PLAIN_PROVIDERS: &str = r#"terraform {
  required_providers {
    segment = { source = "segment-gitops/segment" }
  }
}
"#;

fn source_block(name: &str) -> String {
    format!(
        "resource \"segment_source\" \"{name}\" {{\n  slug     = \"{name}\"\n  enabled  = true\n  metadata = {{ id = \"{}\" }}\n}}\n",
        fixtures::JAVASCRIPT_SOURCE
    )
}

// A pull request the workspace accepts: no refusals, its one addition
// applied. It is the work tree, uncommitted, and it moves the state to
// Terraform Cloud on a host where nothing listens: the override's local
// backend must win over a `cloud` block, or init fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fine_pull_request_in_the_work_tree_has_no_refusals() {
    let dir = temp_dir();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    commit(
        repo,
        &[
            ("providers.tf", PLAIN_PROVIDERS),
            ("sources.tf", &source_block("web")),
        ],
        "production",
    );
    let cloud = PLAIN_PROVIDERS.replace(
        "  }\n}\n",
        "  }\n  cloud {\n    hostname     = \"127.0.0.1:1\"\n    organization = \"prod\"\n    workspaces {\n      name = \"segment\"\n    }\n  }\n}\n",
    );
    let sources = format!("{}\n{}", source_block("web"), source_block("app"));
    std::fs::write(repo.join("segment/providers.tf"), &cloud).expect("write");
    std::fs::write(repo.join("segment/sources.tf"), sources).expect("write");
    let before_tree = tree(repo);

    let tf = TerraformDir::new();
    let rehearsal = segment_e2e::within(
        REHEARSAL_LIMIT,
        "rehearse",
        rehearse(&options(repo, &tf, Revision::WorkTree)),
    )
    .await
    .expect("rehearse");

    assert!(rehearsal.base_applied, "{rehearsal:#?}");
    assert!(rehearsal.refusals.is_empty(), "{rehearsal:#?}");
    // The replica has no rate limits: a warning of a wait would be noise.
    assert!(rehearsal.warnings.is_empty(), "{rehearsal:#?}");
    assert_eq!(rehearsal.changes.applied.add, 1, "{rehearsal:#?}");
    assert_eq!(rehearsal.changes.applied.remove, 0, "{rehearsal:#?}");
    assert!(
        tree(repo) == before_tree,
        "the rehearsal changed the repository"
    );
}

// When production's own configuration does not apply to an empty replica
// the pull request is not to blame: the base's refusals come apart, and
// the pull request is not applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_base_the_replica_refuses_is_reported_apart_from_the_pull_request() {
    let dir = temp_dir();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    let clash = format!(
        "{}\n{}",
        source_block("web"),
        source_block("web").replace("\"web\" {", "\"web2\" {")
    );
    commit(
        repo,
        &[("providers.tf", PLAIN_PROVIDERS), ("sources.tf", &clash)],
        "base",
    );

    let tf = TerraformDir::new();
    let head = Revision::Commit("HEAD".into());
    let rehearsal = segment_e2e::within(
        REHEARSAL_LIMIT,
        "rehearse",
        rehearse(&options(repo, &tf, head)),
    )
    .await
    .expect("rehearse");

    assert!(!rehearsal.base_applied, "{rehearsal:#?}");
    assert_eq!(rehearsal.base_refusals.len(), 1, "{rehearsal:#?}");
    assert!(rehearsal.refusals.is_empty(), "{rehearsal:#?}");
    assert_eq!(
        rehearsal.base_refusals[0].file.as_deref(),
        Some("segment/sources.tf")
    );
}

// `segment-gitops check --rehearse --base REF`, as the Atlantis workflow or a
// person runs it: the replica's refusal in the comment with its file and
// line, and exit 3 so the pull request's check fails before production.
#[test]
fn check_rehearse_reports_the_refusal_in_the_review_and_exits_3() {
    let dir = temp_dir();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    commit(
        repo,
        &[
            ("providers.tf", PLAIN_PROVIDERS),
            ("sources.tf", &source_block("web")),
        ],
        "production",
    );
    git(repo, &["checkout", "-q", "-b", "pr"]);
    // A second block with the slug `web` plans fine; the API refuses it.
    let clash = source_block("web").replace("\"web\" {", "\"web_again\" {");
    commit(
        repo,
        &[("sources.tf", &format!("{}\n{}", source_block("web"), clash))],
        "a second web source",
    );

    let tf = TerraformDir::new();
    let programs = workspace_binary()
        .parent()
        .expect("a folder")
        .display()
        .to_string();
    let path = format!("{programs}:{}", std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new(support::gitops_binary());
    cmd.args(["check", "--rehearse", "--base", "main", "--path", "segment"])
        .arg("--repo")
        .arg(repo)
        .env("PATH", path)
        .env("TF_CLI_CONFIG_FILE", tf.path().join("terraform.tfrc"))
        .env("CHECKPOINT_DISABLE", "1");
    let done = process::run(&mut cmd, REHEARSAL_LIMIT);
    assert_eq!(done.status.code(), Some(3), "{}", done.output());
    assert!(
        done.stdout.contains("The replica refused 1 change"),
        "{}",
        done.output()
    );
    let lines = lines_of(
        &std::fs::read_to_string(repo.join("segment/sources.tf")).expect("read"),
        "resource \"segment_source\" \"web_again\"",
    );
    let at = done
        .stdout
        .lines()
        .find(|l| l.contains("`segment/sources.tf:") && l.contains("segment_source.web_again"))
        .unwrap_or_else(|| panic!("no refusal of web_again with its line:\n{}", done.output()));
    let line: u64 = at
        .split("`segment/sources.tf:")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .and_then(|n| n.parse().ok())
        .expect("a line number");
    assert!(lines.contains(&line), "line {line} is outside {lines:?}");
}
