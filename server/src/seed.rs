//! `segment-workspace seed`: fills a workspace through the API.

use clap::Args;

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The workspace's base URL (or PUBLIC_API_URL).
    #[arg(long, env = "PUBLIC_API_URL")]
    pub url: String,
    /// A workspace-owner token (or PUBLIC_API_TOKEN).
    #[arg(long, env = "PUBLIC_API_TOKEN", hide_env_values = true)]
    pub token: String,
    /// How many sources to make; everything else comes in proportion.
    #[arg(long, default_value_t = 1)]
    pub scale: u32,
}

pub async fn run(_args: SeedArgs) -> anyhow::Result<()> {
    anyhow::bail!("seed is not written yet")
}
