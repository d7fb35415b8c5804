//! The README's first command: `segment-demo` starts a local
//! workspace, exports it, shows terraform planning it as imports only, and
//! shows the commit a workspace change became.

#[allow(dead_code)]
#[path = "../../generator/tests/support/git_log.rs"]
mod git_log;
#[allow(dead_code)]
#[path = "../../provider/tests/support/process.rs"]
mod process;

use std::process::Command;
use std::time::Duration;

#[test]
fn the_demo_exports_plans_clean_and_follows_a_change() {
    let dir = tempfile::tempdir().expect("temp dir");
    let done = process::run(
        Command::new(env!("CARGO_BIN_EXE_segment-demo"))
            .arg(dir.path())
            .env("CHECKPOINT_DISABLE", "1"),
        Duration::from_secs(600),
    );
    assert!(done.status.success(), "{}", done.output());
    let plan = done
        .stdout
        .lines()
        .find(|l| l.starts_with("3. terraform plan"))
        .unwrap_or_else(|| panic!("no plan line\n{}", done.output()));
    assert!(
        plan.contains(" to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    assert!(
        done.stdout.contains("sync made 1 commit(s)"),
        "{}",
        done.output()
    );
    let log = git_log::log(&dir.path().join("repo"));
    assert_eq!(log.len(), 2, "the export, then the rename: {log:?}");
    assert!(
        log[1].message.contains("(renamed in the demo)"),
        "{:?}",
        log[1]
    );
}
