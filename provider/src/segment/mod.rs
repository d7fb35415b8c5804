//! The Segment provider's [`ProviderBackend`]. For now: the provider block
//! only (no resources yet); the resource engine plugs in here.

mod config;

use std::sync::RwLock;

pub use config::{provider_schema, ProviderConfig, DEFAULT_URL, TOKEN_ENV, URL_ENV};

use crate::backend::{ConfigureRequest, ProviderBackend, ProviderSchema};
use crate::diagnostics::Diagnostics;
use crate::value::Value;

pub struct SegmentProvider {
    schema: ProviderSchema,
    config: RwLock<Option<ProviderConfig>>,
}

impl SegmentProvider {
    pub fn new() -> Self {
        SegmentProvider {
            schema: ProviderSchema {
                provider: provider_schema(),
                ..ProviderSchema::default()
            },
            config: RwLock::new(None),
        }
    }

    /// The settings from Configure, once it has run.
    pub fn config(&self) -> Option<ProviderConfig> {
        self.config.read().ok().and_then(|c| c.clone())
    }
}

impl Default for SegmentProvider {
    fn default() -> Self {
        Self::new()
    }
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

impl ProviderBackend for SegmentProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    async fn validate_provider_config(&self, config: Value) -> Diagnostics {
        ProviderConfig::from_value(&config, env)
            .err()
            .unwrap_or_default()
    }

    async fn configure(&self, request: ConfigureRequest) -> Diagnostics {
        tracing::debug!(terraform_version = %request.terraform_version, "configure");
        match ProviderConfig::from_value(&request.config, env) {
            Ok(config) => {
                if let Ok(mut slot) = self.config.write() {
                    *slot = Some(config);
                }
                Diagnostics::new()
            }
            Err(diags) => diags,
        }
    }
}
