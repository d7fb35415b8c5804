//! The files around the resources: provider settings, `.gitignore`, the
//! Atlantis project and the manifest of what was exported.

use serde::{Deserialize, Serialize};

use crate::hcl::write;

/// Where the generator keeps its own records, inside the exported folder.
pub const STATE_DIR: &str = ".segment-gitops";
pub const MANIFEST: &str = ".segment-gitops/manifest.json";
pub const CURSOR: &str = ".segment-gitops/cursor.json";
pub const PROVIDERS: &str = "providers.tf";
pub const GITIGNORE: &str = ".gitignore";

/// `required_providers` with our address; the token comes from the
/// environment (`PUBLIC_API_TOKEN`), never from a file in Git.
pub fn providers_tf() -> String {
    format!(
        "terraform {{\n  required_providers {{\n    segment = {{\n      source  = \"segment-gitops/segment\"\n      version = \"~> {}\"\n    }}\n  }}\n}}\n\n# The URL and token come from PUBLIC_API_URL and PUBLIC_API_TOKEN in the\n# environment: never write the token here.\nprovider \"segment\" {{}}\n",
        minor_version()
    )
}

fn minor_version() -> String {
    let v = env!("CARGO_PKG_VERSION");
    let mut parts = v.split('.');
    format!(
        "{}.{}",
        parts.next().unwrap_or("0"),
        parts.next().unwrap_or("1")
    )
}

/// Plans stay out too: a saved plan and `terraform show -json` of it hold
/// every secret in clear.
pub const GITIGNORE_TEXT: &str = "# Secrets and state stay out of Git.\n*.tfvars\n*.tfvars.json\n*.tfstate\n*.tfstate.*\n.terraform/\n.terraform.tfstate.lock.info\ncrash.log\n# Plans hold secrets in clear.\n*.tfplan\n*.plan.json\n";

/// An Atlantis repo config (version 3) whose one project plans when the
/// exported files (or the provider lock) change, with a workflow that puts
/// `segment-gitops check`'s review of the plan in the plan's comment, and
/// applies only approved, mergeable pull requests.
///
/// The plan's JSON holds secrets in clear: it is written to `$SHOWFILE`, in
/// Atlantis' own data folder beside `$PLANFILE`, never printed; only the
/// review, which names no value, reaches the comment. The Atlantis server
/// must let the repository define it (`allowed_overrides: [workflow,
/// apply_requirements]`, `allow_custom_workflows: true`), and find
/// `segment-gitops` on its PATH.
pub fn atlantis_yaml(dir: &str) -> String {
    let dir = if dir.is_empty() { "." } else { dir };
    format!(
        r#"version: 3
automerge: false
projects:
  - name: segment
    dir: {dir}
    workflow: segment
    apply_requirements: [approved, mergeable]
    autoplan:
      enabled: true
      when_modified:
        - "*.tf"
        - ".terraform.lock.hcl"
        - ".segment-gitops/manifest.json"
workflows:
  segment:
    plan:
      steps:
        - init
        - plan
        # The plan as JSON holds secrets in clear: to a file, never to the comment.
        - run: terraform show -json $PLANFILE > $SHOWFILE
        # The review in the comment. Add `--fail-on breaking` to fail the plan,
        # and so block its apply, when a change is breaking.
        - run: segment-gitops check --plan $SHOWFILE
"#
    )
}

/// Inside a protected type's resource block: Terraform refuses any plan
/// that would destroy it (a replacement, `terraform destroy`).
pub const PREVENT_DESTROY: &str = "lifecycle {\n  prevent_destroy = true\n}\n";

/// `import { to = ... id = ... }`.
pub fn import_block(address: &str, id: &str) -> String {
    format!(
        "import {{\n  to = {address}\n  id = {}\n}}\n",
        write::quote(id)
    )
}

/// The variable that feeds a masked secret. `default = null` keeps a plan
/// possible without it: the provider sends a null secret nowhere, so the
/// workspace keeps the value it holds; set it only to replace that value.
pub fn variable_block(name: &str, address: &str) -> String {
    let description = format!(
        "Secret setting of {address}. The workspace keeps its value: left unset (null), \
         nothing is sent. To rotate it, set TF_VAR_{name} (or -var) and apply."
    );
    format!(
        "variable \"{name}\" {{\n  description = {}\n  type        = string\n  sensitive   = true\n  default     = null\n}}\n",
        write::quote(&description)
    )
}

/// What was exported: one entry per resource.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub resources: Vec<ManifestEntry>,
    /// Spaces whose profiles warehouses are exported.
    #[serde(default)]
    pub spaces: Vec<String>,
    /// Resource types whose blocks carry `prevent_destroy` (`export
    /// --protect`): sync writes it for their new objects too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protected: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    #[serde(rename = "type")]
    pub type_name: String,
    pub address: String,
    pub id: String,
    pub import_id: String,
    pub audit_id: String,
    pub file: String,
}

impl Manifest {
    /// Adds `types` to the protected ones: protection is never dropped by
    /// an export that does not repeat it.
    pub fn protect(&mut self, types: &[String]) {
        self.protected.extend(types.iter().cloned());
        self.protected.sort();
        self.protected.dedup();
    }

    pub fn is_protected(&self, type_name: &str) -> bool {
        self.protected.iter().any(|t| t == type_name)
    }

    pub fn parse(text: &str) -> Option<Manifest> {
        serde_json::from_str(text).ok()
    }

    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        text.push('\n');
        text
    }
}

/// Where a follower of the audit trail stands: the page it read last and
/// the last event it committed from that page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    pub page: Option<String>,
    pub event: Option<String>,
}

impl Cursor {
    pub fn parse(text: &str) -> Option<Cursor> {
        serde_json::from_str(text).ok()
    }

    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        text.push('\n');
        text
    }
}
