//! The async client: one request path with retries, typed endpoints on top.

mod code;
mod decode;
mod engage;
mod governance;
mod iam;
mod integrations;
mod pacing;
mod prefetch;
mod profiles;
mod rate_limit;
mod send;

pub use integrations::{seg as path_segment, DestinationListing};
pub use pacing::Usage;

use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, Stream, TryStreamExt};
use reqwest::{Method, StatusCode};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use url::Url;

use crate::error::{ApiError, ApiErrorItem, Error, ErrorBody, Result};
use crate::models::Pagination;
use crate::retry::RetryPolicy;

pub const DEFAULT_URL: &str = "https://api.segmentapis.com";
/// The largest page the API serves; list calls walk every page at this size.
pub const PAGE_SIZE: u32 = 200;
/// Pages read of one list at most (200 million items).
const MAX_PAGES: u32 = 1_000_000;

/// How to reach a workspace.
#[derive(Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub token: String,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Who is calling, such as "terraform-provider-segment/0.1.0".
    pub user_agent: String,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token never reaches a log line.
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            token: token.into(),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            user_agent: concat!("segment-api/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }

    /// Arguments win over `PUBLIC_API_URL` / `PUBLIC_API_TOKEN`; the URL
    /// defaults to Segment's US endpoint.
    pub fn resolve(url: Option<String>, token: Option<String>) -> Result<Self> {
        let url = url
            .or_else(|| std::env::var("PUBLIC_API_URL").ok())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| DEFAULT_URL.to_string());
        let token = token
            .or_else(|| std::env::var("PUBLIC_API_TOKEN").ok())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Error::Config("no API token: pass --token or set PUBLIC_API_TOKEN".to_string())
            })?;
        Ok(ClientConfig::new(url, token))
    }

    pub fn with_user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// A client of one workspace. Cheap to clone: clones share a connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    token: String,
    retry: RetryPolicy,
    /// Objects lists returned, for the reads that follow (an export's), or
    /// snapshots of lists until the next write (the provider's).
    prefetch: Option<Arc<prefetch::Prefetch>>,
    /// When the rate limit lets anyone send again; shared by every clone.
    pacing: Arc<pacing::Pacing>,
    /// Requests and waits of this client (and a scoped clone's own).
    meter: Arc<pacing::Meter>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self> {
        let mut base = Url::parse(&config.base_url).map_err(|e| {
            Error::Config(format!(
                "the API URL {:?} is not a URL ({e}); use one such as {DEFAULT_URL}",
                config.base_url
            ))
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "the API URL {:?} must start with http:// or https://",
                config.base_url
            )));
        }
        // Paths are joined below the base, so it must end in a slash.
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        if config.token.trim().is_empty() {
            return Err(Error::Config("the API token is empty".into()));
        }
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent)
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            http,
            base,
            token: config.token,
            retry: config.retry,
            prefetch: None,
            pacing: Default::default(),
            meter: Default::default(),
        })
    }

    pub fn from_env() -> Result<Self> {
        Client::new(ClientConfig::resolve(None, None)?)
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// What this client and its clones sent and waited so far (a
    /// [`Self::scoped`] clone: what it and its own clones did).
    pub fn usage(&self) -> Usage {
        self.meter.usage()
    }

    /// HTTP requests sent so far, retries included (see [`Self::usage`]).
    pub fn requests_sent(&self) -> u64 {
        self.usage().requests
    }

    /// Time spent waiting for the workspace's rate limit so far.
    pub fn rate_limit_waited(&self) -> Duration {
        self.usage().waited
    }

    /// A clone that counts its own requests and waits (and still counts
    /// them into this client's): what one operation cost.
    pub fn scoped(&self) -> Client {
        Client {
            meter: Arc::new(pacing::Meter::child(&self.meter)),
            ..self.clone()
        }
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::Config(format!("bad request path {path:?}: {e}")))
    }

    /// Sends one request, retrying as the policy allows, and returns the
    /// payload inside the `data` envelope.
    pub async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<T> {
        self.request_with(method, path, query, body, decode::data)
            .await
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.request(Method::GET, path, &[], None).await
    }

    pub async fn get_with<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        self.request(Method::GET, path, query, None).await
    }

    pub async fn post<T: DeserializeOwned, B: Serialize>(&self, path: &str, body: &B) -> Result<T> {
        self.request(Method::POST, path, &[], Some(&to_body(body)?))
            .await
    }

    pub async fn patch<T: DeserializeOwned, B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.request(Method::PATCH, path, &[], Some(&to_body(body)?))
            .await
    }

    pub async fn put<T: DeserializeOwned, B: Serialize>(&self, path: &str, body: &B) -> Result<T> {
        self.request(Method::PUT, path, &[], Some(&to_body(body)?))
            .await
    }

    pub async fn delete<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        self.request(Method::DELETE, path, query, None).await
    }

    /// Sends a request whose answer holds one object under `key`, such as
    /// `{"data": {"source": {...}}}`.
    pub async fn one<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> Result<T> {
        if method == Method::GET {
            if let Some(kept) = self.prefetch.as_ref().and_then(|p| p.take(path)) {
                return serde_json::from_str(kept.get()).map_err(|e| Error::Decode {
                    url: path.to_string(),
                    message: format!("`{key}`: {e}"),
                });
            }
        }
        self.request_with(method, path, &[], body.as_ref(), |url, bytes| {
            decode::one(url, bytes, key)
        })
        .await
    }

    /// Reads one page of a list: the items under `key` and the cursor block.
    pub async fn list_page<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
        query: &[(&str, String)],
        cursor: Option<&str>,
        count: u32,
    ) -> Result<(Vec<T>, Pagination)> {
        let mut q: Vec<(&str, String)> = query.to_vec();
        q.push(("pagination.count", count.to_string()));
        if let Some(c) = cursor {
            q.push(("pagination.cursor", c.to_string()));
        }
        self.request_with(Method::GET, path, &q, None, |url, bytes| {
            decode::page(url, bytes, key)
        })
        .await
    }

    /// Reads every page of a list, 200 at a time (a prefetching client
    /// reads each list once).
    pub async fn list_all<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &self,
        path: &str,
        key: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>> {
        match &self.prefetch {
            Some(prefetch) => Ok(prefetch
                .list_once(self, path, key, query)
                .await?
                .as_ref()
                .clone()),
            None => self.walk_pages(path, key, query).await,
        }
    }

    /// Every item of a list without copying a snapshot: a refresh of N
    /// labels reads one list, and copying it for each read would make that
    /// N copies of N items.
    pub async fn list_shared<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &self,
        path: &str,
        key: &str,
        query: &[(&str, String)],
    ) -> Result<std::sync::Arc<Vec<T>>> {
        match &self.prefetch {
            Some(prefetch) => prefetch.list_once(self, path, key, query).await,
            None => Ok(std::sync::Arc::new(
                self.walk_pages(path, key, query).await?,
            )),
        }
    }

    /// Every page of a list, from the API.
    async fn walk_pages<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>> {
        self.pages(path, key, query).try_concat().await
    }

    /// The pages of a list as they arrive, so that a caller can start on
    /// the first before the last is read.
    pub(crate) fn pages<'a, T: DeserializeOwned + 'a>(
        &'a self,
        path: &'a str,
        key: &'a str,
        query: &'a [(&'a str, String)],
    ) -> impl Stream<Item = Result<Vec<T>>> + 'a {
        // The cursor to read next (`None` for the first page), until there
        // is none; a server that hands back the same cursor forever must
        // not hang us.
        stream::try_unfold(
            (Some(None::<String>), 0u32),
            move |(cursor, read)| async move {
                let Some(cursor) = cursor else {
                    return Ok(None);
                };
                if read >= MAX_PAGES {
                    return Err(Error::Decode {
                        url: path.to_string(),
                        message: "pagination never ended".into(),
                    });
                }
                let (items, page) = self
                    .list_page::<T>(path, key, query, cursor.as_deref(), PAGE_SIZE)
                    .await?;
                // An empty page ends a walk too: a follower's cursor at the
                // end of the audit trail (`wait`) is never null.
                let next = page.next.filter(|next| {
                    !items.is_empty() && !next.is_empty() && Some(next) != cursor.as_ref()
                });
                Ok(Some((items, (next.map(Some), read + 1))))
            },
        )
    }
}

/// Bodies are encoded once, before the first attempt, so a retry sends the
/// same bytes.
pub(crate) fn to_body<B: Serialize>(body: &B) -> Result<Value> {
    serde_json::to_value(body)
        .map_err(|e| Error::Config(format!("cannot encode the request body: {e}")))
}

fn api_error(status: StatusCode, text: &str) -> ApiError {
    let errors = match serde_json::from_str::<ErrorBody>(text) {
        Ok(body) if !body.errors.is_empty() => body.errors,
        _ => vec![ApiErrorItem {
            kind: "http-error".into(),
            message: if text.trim().is_empty() {
                status
                    .canonical_reason()
                    .unwrap_or("request failed")
                    .to_string()
            } else {
                text.chars().take(500).collect()
            },
            status: Some(status.as_u16()),
            ..Default::default()
        }],
    };
    ApiError {
        status: status.as_u16(),
        errors,
    }
}
