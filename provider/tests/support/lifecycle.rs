//! A resource type's lifecycle as a specification: the test states its
//! configurations ([`Lifecycle`]) and what only it knows ([`Subject`]: how
//! to count and name its objects, change and delete one outside
//! Terraform, and its own checks), and [`Lifecycle::run`] takes the
//! standard steps in order:
//!
//! bad input refused (nothing created) → create (clean plan) → update in
//! place (same object, clean plan) → replace (another object) → import
//! both ways → drift shown → deleted outside (planned for creation, then
//! created again) → destroy (nothing left).

use super::steps::{Steps, PLAN_ONLY};
use super::workspace_dir::{WorkspaceDir, APPLY};

/// The standard step a [`Subject::after`] hook follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// One bad configuration was refused (by its index in `refusals`).
    Refused(usize),
    Created,
    Updated,
    Replaced,
    /// The address left the state, before the import block's plan.
    Forgotten,
    Imported,
    Recreated,
    Destroyed,
}

/// A configuration Terraform or the workspace must refuse.
pub struct Refusal {
    pub body: String,
    /// The command that must fail: a plan-time check or an apply.
    pub at: &'static [&'static str],
    /// Text its errors must hold (the attribute, the reason).
    pub needles: Vec<String>,
}

impl Refusal {
    pub fn at_plan(body: String, needles: &[&str]) -> Self {
        Refusal::new(body, PLAN_ONLY, needles)
    }

    pub fn at_apply(body: String, needles: &[&str]) -> Self {
        Refusal::new(body, APPLY, needles)
    }

    fn new(body: String, at: &'static [&'static str], needles: &[&str]) -> Self {
        let needles = needles.iter().map(|n| (*n).to_owned()).collect();
        Refusal { body, at, needles }
    }
}

/// What only the type's test knows, asked by [`Lifecycle::run`].
#[allow(async_fn_in_trait)]
pub trait Subject {
    /// How many of the type's objects the workspace holds.
    async fn count(&self) -> usize;

    /// The ID `terraform import` takes for the one object there is.
    async fn import_id(&self) -> String;

    /// Checks (and extra steps) of this type after a standard step.
    async fn after(&self, _steps: &Steps<'_>, _step: Step) {}

    /// Changes the object outside Terraform, and shows each change with
    /// [`Steps::changes`] (the run checks one was shown, unless the
    /// lifecycle says why there is no drift).
    async fn drift(&self, _steps: &Steps<'_>, _id: &str) {}

    /// Deletes the object outside Terraform.
    async fn delete(&self, steps: &Steps<'_>, id: &str);
}

/// The configurations of one type's lifecycle.
pub struct Lifecycle {
    /// `<type>.<name>` in every configuration.
    pub address: &'static str,
    pub refusals: Vec<Refusal>,
    pub create: String,
    /// Changes only attributes updated in place.
    pub update: Option<String>,
    /// Changes an attribute that forces a new object.
    pub replace: Option<String>,
    /// What the imports run against, when not the last configuration.
    pub import_body: Option<String>,
    /// IDs `terraform import` refuses, with what it must say.
    pub refused_imports: Vec<(String, &'static str)>,
    /// Why the type has no drift step (nothing the API changes in place).
    pub no_drift: Option<&'static str>,
    /// What is applied to create the object again, when not the last
    /// configuration.
    pub recreate: Option<String>,
    /// Text no command's output may hold.
    pub secrets: Vec<&'static str>,
    /// A configured `settings` key the API masks, sent once after an import.
    pub secret_sent_on_import: Option<&'static str>,
}

impl Lifecycle {
    /// The configurations every type has; the rest empty.
    pub fn new(address: &'static str, create: String) -> Self {
        Lifecycle {
            address,
            refusals: Vec::new(),
            create,
            update: None,
            replace: None,
            import_body: None,
            refused_imports: Vec::new(),
            no_drift: None,
            recreate: None,
            secrets: Vec::new(),
            secret_sent_on_import: None,
        }
    }

    pub async fn run(self, dir: &WorkspaceDir, subject: &impl Subject) {
        let mut steps = Steps::new(dir, self.address);
        for secret in &self.secrets {
            steps = steps.secret(secret);
        }
        if let Some(key) = self.secret_sent_on_import {
            steps = steps.secret_sent_on_import(key);
        }
        let steps = &steps;

        for (i, refusal) in self.refusals.iter().enumerate() {
            let needles: Vec<&str> = refusal.needles.iter().map(String::as_str).collect();
            steps.refused(&refusal.body, refusal.at, &needles);
            assert_eq!(subject.count().await, 0, "nothing is created");
            subject.after(steps, Step::Refused(i)).await;
        }

        steps.create(&self.create);
        assert_eq!(subject.count().await, 1, "created");
        subject.after(steps, Step::Created).await;
        let first = subject.import_id().await;

        if let Some(body) = &self.update {
            steps.update(body);
            let id = subject.import_id().await;
            assert_eq!(id, first, "an update keeps the object");
            subject.after(steps, Step::Updated).await;
        }

        if let Some(body) = &self.replace {
            let before = subject.import_id().await;
            steps.replace(body);
            assert_eq!(subject.count().await, 1, "the old object is deleted");
            let id = subject.import_id().await;
            assert_ne!(id, before, "a replacement is another object");
            subject.after(steps, Step::Replaced).await;
        }

        let id = subject.import_id().await;
        let body = self.import_body.clone().unwrap_or_else(|| steps.body());
        steps.forget();
        subject.after(steps, Step::Forgotten).await;
        steps.import_with_block(&body, &id);
        steps.write(&body);
        for (bad, needle) in &self.refused_imports {
            steps.import_refused(bad, needle);
        }
        steps.import_with_cli(&body, &id);
        subject.after(steps, Step::Imported).await;

        let shown = steps.changes_shown();
        subject.drift(steps, &id).await;
        match self.no_drift {
            None => assert!(
                steps.changes_shown() > shown,
                "the drift step must show a change in a plan"
            ),
            Some(why) => assert_eq!(steps.changes_shown(), shown, "no drift: {why}"),
        }

        subject.delete(steps, &id).await;
        steps.gone();
        if let Some(body) = &self.recreate {
            steps.write(body);
        }
        steps.apply();
        assert_eq!(subject.count().await, 1, "created again");
        subject.after(steps, Step::Recreated).await;

        steps.destroy();
        assert_eq!(subject.count().await, 0, "destroyed");
        subject.after(steps, Step::Destroyed).await;
    }
}
