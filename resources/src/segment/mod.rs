//! The Segment provider's [`ProviderBackend`]: the provider block, the API
//! client it configures, and the resource engine over the registry.

mod config;
mod probe;
mod waits;

use std::sync::RwLock;

pub use config::{provider_schema, ProviderConfig, DEFAULT_URL, TOKEN_ENV, URL_ENV};
use segment_api::{Client, ClientConfig};

use crate::backend::*;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::engine::Engine;
use crate::value::Value;

pub struct SegmentProvider {
    schema: ProviderSchema,
    engine: Engine,
    config: RwLock<Option<ProviderConfig>>,
    client: RwLock<Option<Client>>,
}

impl SegmentProvider {
    pub fn new() -> Self {
        let engine = Engine::new(crate::resources::all(), crate::data_sources::all());
        SegmentProvider {
            schema: ProviderSchema {
                provider: provider_schema(),
                resources: engine.resource_schemas(),
                data_sources: engine.data_source_schemas(),
                // The schema never changes and every RPC works without a
                // GetProviderSchema first: Terraform may reuse the one it
                // cached, instead of asking each provider process again
                // (it starts several per command).
                capabilities: ServerCapabilities {
                    get_provider_schema_optional: true,
                    ..ServerCapabilities::default()
                },
                ..ProviderSchema::default()
            },
            engine,
            config: RwLock::new(None),
            client: RwLock::new(None),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The settings from Configure, once it has run.
    pub fn config(&self) -> Option<ProviderConfig> {
        self.config.read().ok().and_then(|c| c.clone())
    }

    /// The API client, or the diagnostic that says why there is none.
    fn client(&self) -> Result<Client, Diagnostics> {
        if let Some(c) = self.client.read().ok().and_then(|c| c.clone()) {
            return Ok(c);
        }
        let Some(config) = self.config() else {
            return Err(Diagnostic::error(
                "Provider not configured",
                "Terraform did not configure the provider before using it.",
            )
            .into());
        };
        let Some(token) = config.token.clone() else {
            return Err(missing_token().into());
        };
        let client_config =
            ClientConfig::new(config.url.clone(), token).with_user_agent(USER_AGENT);
        // One process serves one Terraform command: lists are read once
        // and reused until the provider writes (see `with_list_snapshots`).
        let client = Client::new(client_config)
            .map_err(|e| {
                Diagnostics::from(Diagnostic::error(
                    "Invalid provider configuration",
                    e.to_string(),
                ))
            })?
            .with_list_snapshots();
        if let Ok(mut slot) = self.client.write() {
            // Terraform's first RPCs come in parallel: all must share one
            // client, or each builds its own list snapshots.
            if let Some(first) = slot.as_ref() {
                return Ok(first.clone());
            }
            *slot = Some(client.clone());
        }
        Ok(client)
    }
}

impl Default for SegmentProvider {
    fn default() -> Self {
        Self::new()
    }
}

const USER_AGENT: &str = concat!("terraform-provider-segment/", env!("CARGO_PKG_VERSION"));

fn missing_token() -> Diagnostic {
    Diagnostic::error(
        "Missing API token",
        format!(
            "Set `token` in the provider \"segment\" block or the {TOKEN_ENV} \
             environment variable to a Public API token."
        ),
    )
}

/// Checks a known URL and token once, here, so that a wrong one is one
/// diagnostic and not one per resource. Unknown settings (they depend on
/// resources not yet applied) are checked by the requests that use them.
async fn check(config: &ProviderConfig) -> Diagnostics {
    if config.has_unknowns {
        return Diagnostics::new();
    }
    match &config.token {
        Some(token) => probe::probe(&config.url, token, USER_AGENT).await,
        None => missing_token().into(),
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
                let diags = check(&config).await;
                if let Ok(mut slot) = self.config.write() {
                    *slot = Some(config);
                }
                if let Ok(mut slot) = self.client.write() {
                    *slot = None;
                }
                self.engine.forget_workspace();
                diags
            }
            Err(diags) => diags,
        }
    }

    async fn validate_resource_config(&self, request: ValidateConfigRequest) -> Diagnostics {
        self.engine
            .validate_resource(&request.type_name, &request.config)
    }

    async fn validate_data_source_config(&self, request: ValidateConfigRequest) -> Diagnostics {
        self.engine
            .validate_data_source(&request.type_name, &request.config)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequest,
    ) -> Result<ReadResourceResponse, BackendError> {
        Ok(match self.client() {
            Ok(api) => {
                let what = format!("{} read", request.type_name);
                let scoped = waits::Scoped::new(&api);
                let mut response = self.engine.read(&scoped.api, request).await;
                scoped.warn_into(&what, &mut response.diagnostics);
                response
            }
            Err(diagnostics) => ReadResourceResponse {
                new_state: request.current_state,
                private: request.private,
                diagnostics,
            },
        })
    }

    async fn plan_resource_change(
        &self,
        request: PlanResourceChangeRequest,
    ) -> Result<PlanResourceChangeResponse, BackendError> {
        // Checks against the workspace are a bonus: without a usable
        // client (unknown configuration, no token) the plan goes on.
        let api = || {
            let config = self.config()?;
            if config.has_unknowns {
                return None;
            }
            self.client().ok()
        };
        Ok(self.engine.plan_checked(&api, request).await)
    }

    async fn apply_resource_change(
        &self,
        request: ApplyResourceChangeRequest,
    ) -> Result<ApplyResourceChangeResponse, BackendError> {
        Ok(match self.client() {
            Ok(api) => {
                let action = if request.planned_state.is_null() {
                    "delete"
                } else if request.prior_state.is_null() {
                    "create"
                } else {
                    "update"
                };
                let what = format!("{} {action}", request.type_name);
                let scoped = waits::Scoped::new(&api);
                let mut response = self.engine.apply(&scoped.api, request).await;
                scoped.warn_into(&what, &mut response.diagnostics);
                response
            }
            Err(diagnostics) => ApplyResourceChangeResponse {
                new_state: request.prior_state,
                private: request.planned_private,
                diagnostics,
            },
        })
    }

    async fn import_resource_state(
        &self,
        request: ImportResourceStateRequest,
    ) -> Result<ImportResourceStateResponse, BackendError> {
        Ok(match self.client() {
            Ok(api) => {
                let what = format!("{} import", request.type_name);
                let scoped = waits::Scoped::new(&api);
                let mut response = self.engine.import(&scoped.api, request).await;
                scoped.warn_into(&what, &mut response.diagnostics);
                response
            }
            Err(diagnostics) => ImportResourceStateResponse {
                diagnostics,
                ..Default::default()
            },
        })
    }

    async fn read_data_source(
        &self,
        request: ReadDataSourceRequest,
    ) -> Result<ReadDataSourceResponse, BackendError> {
        Ok(match self.client() {
            Ok(api) => {
                let what = format!("data source {} read", request.type_name);
                let scoped = waits::Scoped::new(&api);
                let mut response = self.engine.read_data_source(&scoped.api, request).await;
                scoped.warn_into(&what, &mut response.diagnostics);
                response
            }
            Err(diagnostics) => ReadDataSourceResponse {
                diagnostics,
                ..Default::default()
            },
        })
    }
}
