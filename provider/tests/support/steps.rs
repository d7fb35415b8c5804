//! The Terraform steps every resource type's lifecycle test takes, each
//! with the assertions that make it that step: a create plans clean after
//! it, an update is in place, an import plans nothing but the import, an
//! object deleted outside Terraform is planned for creation.
//!
//! One `Steps` drives one resource address in a [`WorkspaceDir`]; it keeps
//! the configuration it last wrote, so an import runs against it.

use std::cell::{Cell, RefCell};

use segment_e2e::TestWorkspace;

use super::plans::{changed_attributes, exit_code};
use super::process::Finished;
use super::workspace_dir::{WorkspaceDir, APPLY, PLAN};

pub const DESTROY: &[&str] = &["destroy", "-auto-approve", "-input=false"];
/// A plan whose exit code is 0 whether or not it changes anything: 1 is
/// failure ([`PLAN`] exits 2 on changes).
pub const PLAN_ONLY: &[&str] = &["plan", "-input=false"];
/// What a plan with one `import {}` block and no other change says.
pub const CLEAN_IMPORT: &str = "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.";

pub struct Steps<'a> {
    pub dir: &'a WorkspaceDir,
    /// `<type>.<name>`, as in the configurations.
    pub address: String,
    body: RefCell<String>,
    /// Text no command's output may hold (values of sensitive settings).
    secrets: Vec<String>,
    /// Plans that showed a change ([`Steps::changes`]): a drift step
    /// proves it looked.
    changes_shown: Cell<usize>,
    /// A configured secret the API masks (`settings.<key>`): an import
    /// cannot compare it, so the first plan sends it once, with a warning.
    sent_on_import: Option<String>,
}

impl<'a> Steps<'a> {
    pub fn new(dir: &'a WorkspaceDir, address: &str) -> Self {
        Steps {
            dir,
            address: address.to_owned(),
            body: RefCell::new(String::new()),
            secrets: Vec::new(),
            changes_shown: Cell::new(0),
            sent_on_import: None,
        }
    }

    /// `settings.<key>` is configured and masked by the API: after an
    /// import it is sent once, and the plan warns that it replaces the
    /// stored secret.
    pub fn secret_sent_on_import(mut self, key: &str) -> Self {
        self.sent_on_import = Some(key.to_owned());
        self
    }

    /// `secret` must never reach the output of any command these steps run.
    pub fn secret(mut self, secret: &str) -> Self {
        self.secrets.push(secret.to_owned());
        self
    }

    pub fn ws(&self) -> &'a TestWorkspace {
        &self.dir.ws
    }

    /// The configuration last written (without import blocks).
    pub fn body(&self) -> String {
        self.body.borrow().clone()
    }

    pub fn write(&self, body: &str) {
        self.dir.write(body);
        *self.body.borrow_mut() = body.to_owned();
    }

    /// `terraform ARGS`, its output checked for secrets.
    pub fn terraform(&self, args: &[&str]) -> Finished {
        let done = self.dir.tf.terraform(args);
        let output = done.output();
        for secret in &self.secrets {
            assert!(
                !output.contains(secret.as_str()),
                "a secret reached the output of terraform {}:\n{output}",
                args.join(" ")
            );
        }
        done
    }

    /// Like [`Steps::terraform`], and asserts exit 0.
    pub fn terraform_ok(&self, args: &[&str]) -> Finished {
        let done = self.terraform(args);
        assert!(
            done.status.success(),
            "terraform {} failed\n{}",
            args.join(" "),
            done.output()
        );
        done
    }

    /// Bad input: `terraform <at>` of `body` fails, its errors hold every
    /// one of `needles`, and the address does not enter the state.
    pub fn refused(&self, body: &str, at: &[&str], needles: &[&str]) -> Finished {
        self.write(body);
        let bad = self.terraform(at);
        assert!(!bad.status.success(), "must fail\n{}", bad.output());
        for needle in needles {
            assert!(bad.stderr.contains(needle), "{needle}\n{}", bad.output());
        }
        assert!(!self.in_state(), "nothing enters the state");
        bad
    }

    /// Applies what is written; the apply must succeed.
    pub fn apply(&self) -> Finished {
        self.terraform_ok(APPLY)
    }

    /// Writes `body` and applies it, whose plan must say `expected`.
    pub fn apply_saying(&self, body: &str, expected: &str) -> Finished {
        self.write(body);
        let apply = self.apply();
        assert!(apply.stdout.contains(expected), "{}", apply.output());
        apply
    }

    /// Create: `body` applies, then plans clean.
    pub fn create(&self, body: &str) {
        self.apply_saying(body, &format!("{} will be created", self.address));
        self.clean();
    }

    /// Update in place: `body` applies without a replacement, then plans
    /// clean.
    pub fn update(&self, body: &str) {
        self.apply_saying(body, "will be updated in-place");
        self.clean();
    }

    /// Replace: `body` changes an attribute that forces a new object.
    pub fn replace(&self, body: &str) {
        self.apply_saying(body, "must be replaced");
        self.clean();
    }

    /// `plan -detailed-exitcode` says no changes.
    pub fn clean(&self) {
        let plan = self.terraform(PLAN);
        assert_eq!(exit_code(&plan), 0, "{}", plan.output());
    }

    /// The plan shows changes to exactly these top-level attributes.
    pub fn changes(&self, attributes: &[&str]) -> Finished {
        let plan = self.terraform(PLAN);
        assert_eq!(exit_code(&plan), 2, "{}", plan.output());
        assert_eq!(
            changed_attributes(&plan.stdout),
            attributes,
            "{}",
            plan.stdout
        );
        self.changes_shown.set(self.changes_shown.get() + 1);
        plan
    }

    /// How many plans have shown a change so far.
    pub fn changes_shown(&self) -> usize {
        self.changes_shown.get()
    }

    /// Deleted outside Terraform: the plan creates the object again.
    pub fn gone(&self) {
        let plan = self.terraform(PLAN);
        assert_eq!(exit_code(&plan), 2, "{}", plan.output());
        let created = format!("{} will be created", self.address);
        assert!(plan.stdout.contains(&created), "{}", plan.output());
    }

    /// Drops the address from the state (the object stays).
    pub fn forget(&self) {
        self.terraform_ok(&["state", "rm", &self.address]);
    }

    /// Plans `body` with an `import {}` block for `id`; the plan must run.
    pub fn plan_import_block(&self, body: &str, id: &str) -> Finished {
        let block = format!(
            "\nimport {{\n  to = {}\n  id = \"{id}\"\n}}\n",
            self.address
        );
        self.write(&format!("{body}{block}"));
        *self.body.borrow_mut() = body.to_owned();
        self.terraform_ok(&["plan", "-input=false"])
    }

    /// An `import {}` block for `id` plans nothing but the import (and
    /// the one secret a configuration sends, with its warning).
    pub fn import_with_block(&self, body: &str, id: &str) {
        let plan = self.plan_import_block(body, id);
        match &self.sent_on_import {
            None => assert!(plan.stdout.contains(CLEAN_IMPORT), "{}", plan.output()),
            Some(key) => {
                assert!(
                    plan.stdout
                        .contains("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy."),
                    "{}",
                    plan.output()
                );
                let warning = format!("settings.{key} of {}", self.type_name());
                assert!(plan.output().contains(&warning), "{}", plan.output());
            }
        }
    }

    fn type_name(&self) -> &str {
        self.address.split('.').next().unwrap_or_default()
    }

    /// `terraform import` of `id` fails, saying `needle`.
    pub fn import_refused(&self, id: &str, needle: &str) {
        let refused = self.terraform(&["import", "-input=false", &self.address, id]);
        assert!(!refused.status.success(), "{}", refused.output());
        assert!(refused.stderr.contains(needle), "{}", refused.output());
    }

    /// `terraform import` of `id` against `body`, then a clean plan (once
    /// a configured secret is sent).
    pub fn import_with_cli(&self, body: &str, id: &str) {
        self.write(body);
        self.terraform_ok(&["import", "-input=false", &self.address, id]);
        if self.sent_on_import.is_some() {
            self.apply();
        }
        self.clean();
    }

    /// Import both ways: an `import {}` block, then `terraform import`.
    pub fn import_both_ways(&self, body: &str, id: &str) {
        self.forget();
        self.import_with_block(body, id);
        self.import_with_cli(body, id);
    }

    pub fn destroy(&self) {
        self.terraform_ok(DESTROY);
    }

    /// What `terraform state list` prints: empty while there is no state.
    pub fn state_list(&self) -> String {
        let list = self.dir.tf.terraform(&["state", "list"]);
        if list.stderr.contains("No state file was found") {
            return String::new();
        }
        assert!(list.status.success(), "{}", list.output());
        list.stdout
    }

    fn in_state(&self) -> bool {
        self.state_list().lines().any(|l| l.trim() == self.address)
    }
}
