//! Bearer tokens: who is calling and what they may do.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::limits::{RateLimitConfig, RateLimits};
use crate::metrics::Metrics;
use crate::store::{Actor, Scope, Store};

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Tokens seen before, by hash: most requests skip the database here.
    tokens: Arc<RwLock<HashMap<String, Actor>>>,
    /// Segment's rate limits, when on (off unless asked for).
    pub(crate) limits: Option<Arc<RateLimits>>,
    pub(crate) metrics: Arc<Metrics>,
    /// Becomes true when the server stops, so long polls answer at once.
    pub(crate) stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> Self {
        AppState {
            store,
            tokens: Arc::default(),
            limits: None,
            metrics: Arc::default(),
            stopping: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }

    /// Enforces Segment's rate limits as `config` says.
    pub fn with_rate_limits(mut self, config: RateLimitConfig) -> Self {
        self.limits = Some(Arc::new(RateLimits::new(config)));
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

/// Tokens are stored as SHA-256 digests, never in the clear.
pub fn token_hash(token: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(token.as_bytes());
    // Every request hashes its token: one allocation, not one per byte.
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

async fn resolve(state: &AppState, hash: &str) -> Result<Option<Actor>, AppError> {
    if let Some(actor) = state.tokens.read().ok().and_then(|t| t.get(hash).cloned()) {
        return Ok(Some(actor));
    }
    let actor = state.store.token(hash).await?;
    if let (Some(a), Ok(mut cache)) = (&actor, state.tokens.write()) {
        cache.insert(hash.to_string(), a.clone());
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
    let hash = token_hash(token);
    let actor = resolve(&state, &hash)
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

#[cfg(test)]
mod tests {
    /// Stored hashes must not change with the encoding code: a known digest.
    #[test]
    fn token_hash_is_lowercase_hex_sha256() {
        assert_eq!(
            super::token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
