//! Bearer tokens: who is calling and what they may do.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::error::AppError;
use crate::limits::{RateLimitConfig, RateLimits};
use crate::metrics::Metrics;
use crate::secrets::sealed::Sealed;
use crate::secrets::{legacy_token_hash, Keys};
use crate::store::{Actor, Scope, SharedWindows, Store};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

/// How long a token found valid is believed without asking the database:
/// a token revoked by `token revoke` (in any process) stops working within it.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct AppState {
    /// The backend behind [`Sealed`]: settings secrets are sealed at rest.
    pub store: Arc<dyn Store>,
    pub keys: Arc<Keys>,
    /// Tokens seen valid lately, by hash, with when they were looked up:
    /// most requests skip the database here.
    tokens: Arc<RwLock<HashMap<String, (Actor, Instant)>>>,
    /// Segment's rate limits, when on (off unless asked for).
    pub(crate) limits: Option<Arc<RateLimits>>,
    /// The backend's shared rate-limit windows, where several servers
    /// share its database.
    shared_windows: Option<Arc<dyn SharedWindows>>,
    pub(crate) metrics: Arc<Metrics>,
    /// Becomes true when the server stops, so long polls answer at once.
    pub(crate) stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

impl AppState {
    /// Serves `store` with `keys`: its settings secrets are sealed with them.
    pub fn new(store: Arc<dyn Store>, keys: Arc<Keys>) -> Self {
        AppState {
            shared_windows: store.shared_windows(),
            store: Arc::new(Sealed::new(store, keys.clone())),
            keys,
            tokens: Arc::default(),
            limits: None,
            metrics: Arc::default(),
            stopping: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }

    /// Enforces Segment's rate limits as `config` says, counted where
    /// every server on the database sees them.
    pub fn with_rate_limits(mut self, config: RateLimitConfig) -> Self {
        let limits = match &self.shared_windows {
            Some(shared) => RateLimits::shared(config, shared.clone()),
            None => RateLimits::new(config),
        };
        self.limits = Some(Arc::new(limits));
        self
    }

    /// The limits, to pause and resume them while serving.
    pub fn limits_handle(&self) -> Option<Arc<RateLimits>> {
        self.limits.clone()
    }
}

/// The caller's token hash, for what counts per token (rate limits).
#[derive(Clone, Debug)]
pub struct TokenHash(pub String);

async fn resolve(state: &AppState, hash: &str, token: &str) -> Result<Option<Actor>, AppError> {
    let cached = state.tokens.read().ok().and_then(|t| t.get(hash).cloned());
    if let Some((actor, seen)) = cached {
        if seen.elapsed() < TOKEN_CACHE_TTL {
            return Ok(Some(actor));
        }
    }
    let mut actor = state.store.token(hash).await?;
    if actor.is_none() {
        // A token stored before digests were keyed: admitted, and stored
        // keyed from now on, so the plain digest leaves the database.
        let legacy = legacy_token_hash(token);
        actor = state.store.token(&legacy).await?;
        if actor.is_some() {
            state.store.rehash_token(&legacy, hash).await?;
        }
    }
    if let Ok(mut cache) = state.tokens.write() {
        match &actor {
            Some(a) => {
                cache.insert(hash.to_string(), (a.clone(), Instant::now()));
            }
            None => {
                cache.remove(hash);
            }
        }
    }
    Ok(actor)
}

/// Admits requests with a valid token and puts the caller's [`Actor`] in the
/// request; read-only tokens may only read.
pub async fn require_token(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, AppError> {
    let token = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::unauthorized("send a token as `Authorization: Bearer <token>`"))?;
    let hash = state.keys.token_hash(token);
    let actor = resolve(&state, &hash, token)
        .await?
        .ok_or_else(|| AppError::unauthorized("the token is not valid for this workspace"))?;
    let reads = matches!(*req.method(), Method::GET | Method::HEAD);
    if actor.scope == Scope::ReadOnly && !reads {
        return Err(AppError::forbidden(
            "this token is read-only; use a workspace-owner token to make changes",
        ));
    }
    req.extensions_mut().insert(actor);
    req.extensions_mut().insert(TokenHash(hash));
    Ok(next.run(req).await)
}
