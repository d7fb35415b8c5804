//! A fresh local workspace and a Terraform directory pointed at it, `init`
//! done: the start of every test that applies configurations and plans.

use std::time::Duration;

use segment_api::models::{CreateDestination, CreateSource};
use segment_e2e::{within, TestWorkspace};

use super::plans::exit_code;
use super::terraform::{provider_config, TerraformDir};

pub const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false"];
pub const PLAN: &[&str] = &["plan", "-detailed-exitcode", "-input=false"];

pub struct WorkspaceDir {
    pub ws: TestWorkspace,
    pub tf: TerraformDir,
    /// `terraform { required_providers }` and the provider block.
    pub head: String,
}

impl WorkspaceDir {
    pub async fn start() -> WorkspaceDir {
        Self::start_with(&[]).await
    }

    /// Like [`Self::start`], with `env` for every Terraform command.
    pub async fn start_with(env: &[(&str, &str)]) -> WorkspaceDir {
        let ws = within(
            Duration::from_secs(30),
            "start workspace",
            TestWorkspace::start(),
        )
        .await
        .expect("workspace starts");
        Self::on(ws, env)
    }

    /// A Terraform directory pointed at `ws` (one started with rate
    /// limits, say), with `env` for every Terraform command.
    pub fn on(ws: TestWorkspace, env: &[(&str, &str)]) -> WorkspaceDir {
        let mut tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
        for (key, value) in env {
            tf = tf.env(key, value);
        }
        let head = provider_config(ws.base_url());
        tf.write("main.tf", &head);
        tf.terraform_ok(&["init", "-input=false"]);
        WorkspaceDir { ws, tf, head }
    }

    /// `main.tf` is the provider block and `body`.
    pub fn write(&self, body: &str) {
        self.tf.write("main.tf", &format!("{}{body}", self.head));
    }

    /// Writes `body` and applies it, which must succeed; its output.
    pub fn apply(&self, body: &str) -> String {
        self.write(body);
        self.tf.terraform_ok(APPLY).output()
    }

    /// `plan -detailed-exitcode`: its code and output.
    pub fn plan(&self) -> (i32, String) {
        let plan = self.tf.terraform(PLAN);
        (exit_code(&plan), plan.output())
    }

    /// Makes a source the configurations point at, through the API; its id.
    pub async fn source(&self, source: &CreateSource) -> String {
        let made = self.ws.owner().create_source(source);
        let made = within(Duration::from_secs(30), "create a source", made).await;
        made.expect("create a source").id
    }

    /// Makes a destination the configurations point at; its id.
    pub async fn destination(&self, destination: &CreateDestination) -> String {
        let made = self.ws.owner().create_destination(destination);
        let made = within(Duration::from_secs(30), "create a destination", made).await;
        made.expect("create a destination").id
    }
}
