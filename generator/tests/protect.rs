//! `export --protect TYPE`: the types' blocks carry `prevent_destroy`, now
//! and for objects sync writes later, and a person's own `lifecycle` block
//! stays as written. What that protects, with real Terraform 1.11: a plan
//! that would destroy the object (`-destroy`, or a change that replaces
//! it) fails with Terraform's own message; a pull request that deletes
//! the block takes the lifecycle with it, and Terraform plans the destroy.

mod support;

use std::path::Path;

use segment_e2e::fixtures::{HTTP_API_SOURCE, JAVASCRIPT_SOURCE};
use segment_e2e::TestWorkspace;
use support::terraform::TerraformDir;
use support::{entry, git, gitops, gitops_ok, manifest, terraform_for};

const PREVENT: &str = "prevent_destroy = true";
const REFUSED: &str = "Instance cannot be destroyed";

fn read(repo: &Path, file: &str) -> String {
    std::fs::read_to_string(repo.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protected_blocks_carry_prevent_destroy_and_terraform_refuses_to_destroy_them() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let web = support::source(&ws, "web").await;
    let app = support::source(&ws, "app").await;
    let tf = TerraformDir::new();
    let repo = tf.work.clone();
    let arg = repo.to_str().expect("a UTF-8 path");

    // An unknown type: a usage error naming the valid ones, nothing written.
    let fresh = repo.join("fresh");
    let fresh_arg = fresh.to_str().expect("a UTF-8 path");
    let refused = gitops(
        &ws,
        &[
            "export",
            "--repo",
            fresh_arg,
            "--protect",
            "segment_source,segment_nope",
        ],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", refused.output());
    assert!(
        refused.stderr.contains("segment_nope"),
        "{}",
        refused.output()
    );
    assert!(
        refused.stderr.contains("segment_destination"),
        "{}",
        refused.output()
    );
    assert!(!fresh.exists(), "nothing written");

    // A person's own lifecycle block, committed before protection.
    gitops_ok(&ws, &["export", "--repo", arg]);
    let app_file = entry(&repo, &app.id).file;
    let exported = read(&repo, &app_file);
    // Inside the resource block, the file's last.
    let close = exported.rfind("\n}\n").expect("a block");
    let mine = format!(
        "{}\n\n  lifecycle {{\n    ignore_changes = [name]\n  }}\n}}\n",
        &exported[..close]
    );
    assert!(mine.contains("ignore_changes"), "{mine}");
    std::fs::write(repo.join(&app_file), &mine).expect("edit");
    git(&repo, &["commit", "-qam", "Names are ours"]);

    gitops_ok(
        &ws,
        &["export", "--repo", arg, "--protect", "segment_source"],
    );
    let web_entry = entry(&repo, &web.id);
    let web_text = read(&repo, &web_entry.file);
    assert!(web_text.contains(PREVENT), "{web_text}");
    assert_eq!(read(&repo, &app_file), mine, "the person's lifecycle stays");
    assert_eq!(
        manifest(&repo).protected,
        vec!["segment_source".to_string()]
    );

    // Adopted by Terraform, then three pull requests.
    let tf = terraform_for(&ws, tf);
    // Written as `terraform fmt` writes it.
    tf.terraform_ok(&["fmt", "-check"]);
    tf.terraform_ok(&["init", "-input=false"]);
    tf.terraform_ok(&["plan", "-input=false", "-out=adopt.tfplan"]);
    tf.terraform_ok(&["apply", "-input=false", "adopt.tfplan"]);
    let destroy = tf.terraform(&["plan", "-input=false", "-destroy"]);
    assert!(!destroy.status.success(), "{}", destroy.output());
    assert!(destroy.output().contains(REFUSED), "{}", destroy.output());
    assert!(
        destroy.output().contains(&web_entry.address),
        "{}",
        destroy.output()
    );
    // A change that replaces the source.
    let replaced = web_text.replace(JAVASCRIPT_SOURCE, HTTP_API_SOURCE);
    assert_ne!(replaced, web_text);
    std::fs::write(repo.join(&web_entry.file), &replaced).expect("edit");
    let replace = tf.terraform(&["plan", "-input=false"]);
    assert!(!replace.status.success(), "{}", replace.output());
    assert!(replace.output().contains(REFUSED), "{}", replace.output());
    // The block deleted: its lifecycle goes too, and Terraform plans the
    // destroy without a word (what protection does not cover).
    std::fs::remove_file(repo.join(&web_entry.file)).expect("delete");
    let deleted = tf.terraform_ok(&["plan", "-input=false"]);
    assert!(
        deleted
            .stdout
            .contains("Plan: 0 to add, 0 to change, 1 to destroy."),
        "{}",
        deleted.output()
    );
    git(&repo, &["checkout", "--", &web_entry.file]);

    // A source made later is protected by sync too.
    let later = support::source(&ws, "later").await;
    gitops_ok(&ws, &["sync", "--repo", arg]);
    let later_text = read(&repo, &entry(&repo, &later.id).file);
    assert!(later_text.contains(PREVENT), "{later_text}");
    tf.terraform_ok(&["fmt", "-check"]);
    assert_eq!(
        manifest(&repo).protected,
        vec!["segment_source".to_string()]
    );
}
