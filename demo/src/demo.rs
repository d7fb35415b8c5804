//! `segment-demo`: a local workspace with a sample, exported to a
//! new repository, planned by Terraform, then followed through a change.
//! Terraform runs this very binary as its provider (see `main.rs`), so the
//! demo needs nothing but itself and `terraform` on PATH.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use segment_api::models::UpdateSource;
use segment_api::{Client, ClientConfig};
use segment_workspace::store::{Actor, Scope};

use segment_gitops::session::{Options, Session};
use segment_gitops::sync;

const TOKEN: &str = "demo-token";

pub async fn run(dir: Option<PathBuf>) -> Result<()> {
    let dir = match dir {
        Some(d) => d,
        None => std::env::temp_dir().join(format!("segment-gitops-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let repo = dir.join("repo");
    if repo.exists() {
        bail!("{} exists: give the demo an empty folder", repo.display());
    }

    // 1. A local workspace on SQLite, with the sample.
    let state =
        segment_workspace::open(&format!("sqlite://{}", dir.join("workspace.db").display()))
            .await?;
    state
        .store
        .create_token(
            &state.keys.token_hash(TOKEN),
            &Actor {
                name: "Demo Owner".into(),
                email: "owner@example.com".into(),
                scope: Scope::WorkspaceOwner,
            },
        )
        .await?;
    let (tx, rx) = tokio::sync::oneshot::channel::<SocketAddr>();
    let server_state = state.clone();
    tokio::spawn(async move {
        let on_bound = move |a| {
            let _ = tx.send(a);
        };
        let any: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 0));
        if let Err(e) =
            segment_workspace::serve(server_state, any, on_bound, std::future::pending()).await
        {
            eprintln!("the local workspace stopped: {e:#}");
        }
    });
    let addr = rx.await.context("starting the local workspace")?;
    let url = format!("http://{addr}");
    let api = Client::new(ClientConfig::new(&url, TOKEN))?;
    let counts = segment_workspace::seed::seed(&api, 1, 8).await?;
    println!(
        "1. local workspace at {url} (SQLite in {}), seeded: {}",
        dir.display(),
        counts.summary()
    );

    // 2. Export.
    let session = Session::open(
        api.clone(),
        Options {
            repo: repo.clone(),
            path: String::new(),
            ..Default::default()
        },
    )?;
    let report = session.export(&|_| {}, &|| {}).await?;
    println!(
        "2. exported {} resources to {} (commit {})",
        report.resources,
        repo.display(),
        report
            .commit
            .map(|c| c.to_string()[..12].to_string())
            .unwrap_or_default()
    );

    // 3. Terraform plans it as imports and no change.
    let cli_config = install_provider(&dir)?;
    let tf = |args: &[&str]| -> Result<std::process::Output> {
        let mut cmd = Command::new("terraform");
        cmd.args(args)
            .arg("-no-color")
            .current_dir(&repo)
            .env("TF_CLI_CONFIG_FILE", &cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("PUBLIC_API_URL", &url)
            .env("PUBLIC_API_TOKEN", TOKEN);
        cmd.output().context("running terraform (is it on PATH?)")
    };
    let init = tf(&["init", "-input=false"])?;
    if !init.status.success() {
        bail!(
            "terraform init failed:\n{}",
            String::from_utf8_lossy(&init.stderr)
        );
    }
    let plan = tf(&["plan", "-input=false"])?;
    let out = String::from_utf8_lossy(&plan.stdout);
    let line = out
        .lines()
        .find(|l| l.starts_with("Plan:") || l.starts_with("No changes"))
        .unwrap_or("(no plan line)");
    println!("3. terraform plan in the repository: {line}");
    if !plan.status.success() || !line.contains("0 to add, 0 to change, 0 to destroy") {
        bail!(
            "the plan was not clean:\n{out}\n{}",
            String::from_utf8_lossy(&plan.stderr)
        );
    }

    // 4. A change in the workspace becomes a commit.
    let source = api
        .list_sources()
        .await?
        .into_iter()
        .next()
        .context("the sample has sources")?;
    api.update_source(
        &source.id,
        &UpdateSource {
            name: Some(format!(
                "{} (renamed in the demo)",
                source.name.clone().unwrap_or_default()
            )),
            ..Default::default()
        },
    )
    .await?;
    let progress = sync::catch_up(&session).await?;
    println!(
        "4. renamed source {:?} in the workspace; sync made {} commit(s):\n",
        source.slug, progress.commits
    );
    let show = Command::new("git")
        .args(["-C"])
        .arg(&repo)
        .args(["show", "--stat", "--format=%an <%ae>%n%s%n%n%b", "HEAD"])
        .output();
    match show {
        Ok(o) => print!("{}", String::from_utf8_lossy(&o.stdout)),
        Err(_) => println!("(git is not on PATH to show it)"),
    }
    println!(
        "\nThe repository stays in {}; the local workspace stops with this command.",
        repo.display()
    );
    Ok(())
}

/// A filesystem mirror holding this binary as the provider.
fn install_provider(dir: &Path) -> Result<PathBuf> {
    let mirror = dir.join("mirror");
    let platform = mirror.join("registry.terraform.io/segment-gitops/segment/0.1.0/linux_amd64");
    std::fs::create_dir_all(&platform)?;
    let exe = std::env::current_exe()?;
    std::fs::copy(&exe, platform.join("terraform-provider-segment_v0.1.0"))
        .context("installing the provider")?;
    let config = dir.join("terraform.tfrc");
    std::fs::write(&config, format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/segment-gitops/segment\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/segment-gitops/segment\"]\n  }}\n}}\n",
        mirror.display()))?;
    Ok(config)
}
