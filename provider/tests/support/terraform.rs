//! Real Terraform in a temporary directory, with this provider installed
//! the way a user would get it offline: a filesystem mirror and a CLI
//! configuration that sends `segment-gitops/segment` there.
//!
//! ```ignore
//! let tf = TerraformDir::new();
//! tf.write("main.tf", &provider_config("http://127.0.0.1:1"));
//! tf.terraform_ok(&["init"]);
//! tf.terraform_ok(&["plan"]);
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tempfile::TempDir;

use super::process::{self, Finished};

pub const PROVIDER_HOST: &str = "registry.terraform.io";
pub const PROVIDER_NAMESPACE: &str = "segment-gitops";
pub const PROVIDER_TYPE: &str = "segment";
pub const PROVIDER_VERSION: &str = "0.1.0";

/// Any single Terraform command; generous for a 2-core CI machine.
pub const TERRAFORM_TIMEOUT: Duration = Duration::from_secs(180);

pub fn provider_address() -> String {
    format!("{PROVIDER_HOST}/{PROVIDER_NAMESPACE}/{PROVIDER_TYPE}")
}

/// `terraform { required_providers }` plus a provider block with `url`.
pub fn provider_config(url: &str) -> String {
    provider_config_with(url, "")
}

/// [`provider_config`] with `lines` (each ending in a newline) added to the
/// provider block.
pub fn provider_config_with(url: &str, lines: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    segment = {{ source = "{PROVIDER_NAMESPACE}/{PROVIDER_TYPE}" }}
  }}
}}

provider "segment" {{
  url = "{url}"
{lines}}}
"#
    )
}

pub struct TerraformDir {
    root: TempDir,
    /// The working directory Terraform runs in (write `*.tf` here).
    pub work: PathBuf,
    cli_config: PathBuf,
    env: Vec<(String, String)>,
}

impl TerraformDir {
    pub fn new() -> Self {
        let root = super::temp_dir();
        let mirror = root.path().join("mirror");
        let platform = mirror
            .join(PROVIDER_HOST)
            .join(PROVIDER_NAMESPACE)
            .join(PROVIDER_TYPE)
            .join(PROVIDER_VERSION)
            .join("linux_amd64");
        std::fs::create_dir_all(&platform).expect("create mirror");
        let installed = platform.join(format!(
            "terraform-provider-{PROVIDER_TYPE}_v{PROVIDER_VERSION}"
        ));
        let binary = super::provider_binary();
        // A debug binary is ~100 MB: link when we can, copy otherwise.
        if std::fs::hard_link(&binary, &installed).is_err() {
            std::fs::copy(&binary, &installed).expect("copy provider into mirror");
        }

        let cli_config = root.path().join("terraform.tfrc");
        let address = provider_address();
        let cli = format!(
            r#"provider_installation {{
  filesystem_mirror {{
    path    = "{}"
    include = ["{address}"]
  }}
  direct {{
    exclude = ["{address}"]
  }}
}}
"#,
            mirror.display()
        );
        std::fs::write(&cli_config, cli).expect("write CLI config");

        let work = root.path().join("work");
        std::fs::create_dir_all(&work).expect("create work dir");
        TerraformDir {
            root,
            work,
            cli_config,
            env: Vec::new(),
        }
    }

    /// Extra environment for every Terraform command (and so the provider).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn write(&self, name: &str, contents: &str) {
        std::fs::write(self.work.join(name), contents).expect("write file");
    }

    pub fn path(&self) -> &Path {
        self.root.path()
    }

    /// Runs `terraform ARGS` in the work directory, bounded in time. Fails
    /// (never skips) when Terraform is not on PATH.
    pub fn terraform(&self, args: &[&str]) -> Finished {
        let mut cmd = Command::new("terraform");
        cmd.args(args)
            .arg("-no-color")
            .current_dir(&self.work)
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            // Nothing from the caller's shell may redirect the provider.
            .env_remove("TF_REATTACH_PROVIDERS")
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .env_remove("TF_DATA_DIR");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        if which_terraform().is_none() {
            panic!("terraform is not on PATH: these tests need the real Terraform CLI (1.11)");
        }
        process::run(&mut cmd, TERRAFORM_TIMEOUT)
    }

    /// Like [`Self::terraform`], and asserts exit 0.
    pub fn terraform_ok(&self, args: &[&str]) -> Finished {
        let result = self.terraform(args);
        assert!(
            result.status.success(),
            "terraform {} failed\n{}",
            args.join(" "),
            result.output()
        );
        result
    }

    /// `apply`, which must succeed adding exactly `added` objects.
    pub fn apply_adding(&self, added: usize) -> Finished {
        let apply = self.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
        assert!(
            apply
                .stdout
                .contains(&format!("Apply complete! Resources: {added} added")),
            "{}",
            apply.output()
        );
        apply
    }
}

impl Default for TerraformDir {
    fn default() -> Self {
        Self::new()
    }
}

fn which_terraform() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("terraform"))
        .find(|candidate| candidate.is_file())
}
