//! The provider page (`docs/index.md`) as a reader uses it: its example,
//! copied as it stands into an empty directory, initializes, validates and
//! plans against a local workspace given only through PUBLIC_API_URL and
//! PUBLIC_API_TOKEN, as the page says.

mod support;

use segment_e2e::{within, TestWorkspace};
use std::time::Duration;
use support::terraform::TerraformDir;
use terraform_provider_segment::docs;

const LIMIT: Duration = Duration::from_secs(60);

/// The body of every ```terraform block in `markdown`.
fn terraform_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```terraform" | "```hcl") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(body), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn code_blocks_are_found_with_their_bodies() {
    let md = "a\n```terraform\nprovider \"x\" {}\n```\n```sh\nls\n```\n```hcl\nb = 1\n```\n";
    assert_eq!(terraform_blocks(md), ["provider \"x\" {}\n", "b = 1\n"]);
}

/// Regression: the page's example had no `required_providers`, so copying
/// it made `terraform init` look for hashicorp/segment, which does not exist.
#[tokio::test(flavor = "multi_thread")]
async fn index_example_inits_validates_and_plans_against_a_local_workspace() {
    let page = std::fs::read_to_string(docs::crate_dir().join("docs/index.md"))
        .expect("read docs/index.md");
    let blocks = terraform_blocks(&page);
    assert!(
        !blocks.is_empty(),
        "docs/index.md has no ```terraform example"
    );
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("start workspace");
    let workspace = ws.owner().get_workspace().await.expect("read workspace");
    for (i, hcl) in blocks.iter().enumerate() {
        // Nothing but the environment the page tells readers to set.
        let tf = TerraformDir::new()
            .env("PUBLIC_API_URL", ws.base_url())
            .env("PUBLIC_API_TOKEN", ws.owner_token());
        tf.write("main.tf", hcl);
        let init = tf.terraform(&["init", "-input=false"]);
        assert!(
            init.status.success(),
            "terraform init failed on block {i} of docs/index.md:\n{hcl}\n{}",
            init.output()
        );
        tf.terraform_ok(&["validate"]);
        if hcl.contains("provider \"segment\"") {
            // The example's output shows the workspace's name: the data
            // source was read with the URL and token from the environment.
            let plan = tf.terraform_ok(&["plan", "-input=false"]);
            let shown = format!("workspace = {:?}", workspace.name);
            assert!(
                plan.output().contains(&shown),
                "the plan does not show {shown}:\n{}",
                plan.output()
            );
        }
    }
}
