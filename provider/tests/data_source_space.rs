//! `segment_space` through real Terraform: a space found by slug, name or
//! id; a name two spaces share, a slug no space has and a workspace
//! without spaces refused with what there is.

mod support;

use support::workspace_dir::{WorkspaceDir, PLAN};

fn lookup(by: &str) -> String {
    format!(
        r#"
data "segment_space" "s" {{
  {by}
}}

output "space" {{
  value = "${{data.segment_space.s.id}}/${{data.segment_space.s.name}}/${{data.segment_space.s.slug}}"
}}
"#
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn spaces_are_found_by_slug_name_or_id() {
    let dir = WorkspaceDir::start().await;
    let marketing = dir
        .ws
        .make_space("Marketing", "marketing")
        .await
        .expect("a space");
    dir.ws
        .make_space("Marketing", "marketing-eu")
        .await
        .expect("a space");
    dir.ws
        .make_space("Product", "product")
        .await
        .expect("a space");
    let product = dir
        .ws
        .owner()
        .list_spaces()
        .await
        .expect("spaces")
        .pop()
        .expect("a space");

    for (by, space) in [
        ("slug = \"marketing\"".to_string(), &marketing),
        ("name = \"Product\"".to_string(), &product),
        (format!("id = \"{}\"", marketing.id), &marketing),
    ] {
        dir.apply(&lookup(&by));
        let shown = dir.tf.terraform_ok(&["output", "-raw", "space"]).stdout;
        assert_eq!(
            shown,
            format!("{}/{}/{}", space.id, space.name, space.slug),
            "{by}"
        );
    }

    for (by, needles) in [
        ("name = \"Marketing\"", &["2 spaces", "marketing-eu"][..]),
        (
            "slug = \"sales\"",
            &["No space has the slug \"sales\"", "\"product\""][..],
        ),
        ("", &["Set one of `id`, `name` or `slug`"][..]),
    ] {
        dir.write(&lookup(by));
        let refused = dir.tf.terraform(PLAN);
        assert!(!refused.status.success(), "{}", refused.output());
        let said = refused
            .stderr
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for needle in needles {
            assert!(said.contains(needle), "{needle}: {}", refused.output());
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workspace_without_spaces_says_so() {
    let dir = WorkspaceDir::start().await;
    dir.write(&lookup("slug = \"marketing\""));
    let refused = dir.tf.terraform(PLAN);
    assert!(!refused.status.success(), "{}", refused.output());
    let said = refused
        .stderr
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains("The workspace has no spaces"),
        "{}",
        refused.output()
    );
}
