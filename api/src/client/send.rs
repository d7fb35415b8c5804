//! The one request path: auth, the shared rate-limit pacing, retries.
//!
//! A 429 is waited out as the server says (`data.msBeforeNext`,
//! `Retry-After`, `X-RateLimit-Reset`) for as long as the policy's
//! deadline allows, and holds back every request of the client and its
//! clones meanwhile; 5xx answers and connection errors are retried a
//! bounded number of times, for idempotent methods only.

use std::time::Instant;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use url::Url;

use super::{api_error, rate_limit, Client};
use crate::error::{ApiError, Error, RateLimited, Result};

impl Client {
    /// [`Self::request`] with the success body handed to `decode`.
    pub(super) async fn request_with<T>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        decode: impl FnOnce(&Url, &[u8]) -> Result<T>,
    ) -> Result<T> {
        let url = self.url(path)?;
        let answer = self.send_until_answered(&method, &url, query, body).await;
        // Any write may change what a list answers (deletes cascade to
        // children): snapshots go, whatever the answer was.
        if method != Method::GET {
            if let Some(p) = &self.prefetch {
                p.forget();
            }
        }
        let bytes = answer?.bytes().await.map_err(|e| Error::Transport {
            url: url.to_string(),
            source: e,
        })?;
        decode(&url, &bytes)
    }

    /// The body of the first successful answer, after the retries the
    /// policy allows.
    async fn send_until_answered(
        &self,
        method: &Method,
        url: &Url,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<reqwest::Response> {
        // Every PATCH in Public API v1 sets the named fields to given values,
        // so replaying one yields the same state: it is retried like PUT.
        let idempotent = !matches!(*method, Method::POST);
        let started = Instant::now();
        let deadline = started + self.retry.rate_limit_deadline;
        // Failures (5xx, connection) and 429s are bounded apart: by
        // attempts and by time.
        let mut failures = 0u32;
        let mut refusals = 0u32;
        loop {
            let waited = self.pacing.wait(deadline).await;
            self.meter.waited(waited);
            let mut req = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(&self.token)
                .header(reqwest::header::ACCEPT, "application/json")
                .query(query);
            if let Some(b) = body {
                req = req.json(b);
            }
            self.meter.sent();
            tracing::trace!(target: "segment_api::request", %method, "sending");
            let resp = match req.send().await {
                Ok(resp) => resp,
                Err(e) => {
                    failures += 1;
                    let last = failures >= self.retry.max_attempts;
                    if idempotent && !last && (e.is_connect() || e.is_timeout()) {
                        let wait = self.retry.delay(failures, None);
                        tracing::debug!(%url, failures, ?wait, "request failed, retrying: {e}");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(Error::Transport {
                        url: url.to_string(),
                        source: e,
                    });
                }
            };
            let status = resp.status();
            if status.is_success() {
                return Ok(resp);
            }
            let headers = resp.headers().clone();
            let text = resp.text().await.unwrap_or_default();
            let err = api_error(status, &text);
            if status == StatusCode::TOO_MANY_REQUESTS {
                refusals += 1;
                // A zero hint would have us hammer: back off instead.
                let hint = rate_limit::wait_hint(&headers, &err).filter(|d| !d.is_zero());
                let wait = self.retry.delay(refusals, hint);
                self.meter.refused(limit_message(&err).as_deref());
                let now = Instant::now();
                if now + wait > deadline {
                    return Err(Error::RateLimited(Box::new(RateLimited {
                        method: method.to_string(),
                        url: url.to_string(),
                        waited: now - started,
                        asked: wait,
                        deadline: self.retry.rate_limit_deadline,
                        last: err,
                    })));
                }
                tracing::debug!(%url, refusals, ?wait, "rate limited, waiting");
                // Everyone waits, so parallel callers do not each collect
                // a 429 of their own; `pacing.wait` does the waiting.
                self.pacing.hold_until(now + wait);
                continue;
            }
            failures += 1;
            let last = failures >= self.retry.max_attempts;
            if idempotent && status.is_server_error() && !last {
                let wait = self
                    .retry
                    .delay(failures, rate_limit::wait_hint(&headers, &err));
                tracing::debug!(%url, failures, status = status.as_u16(), ?wait, "retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
            return Err(Error::Api(err));
        }
    }
}

/// The limit a 429 names, without its "try again in" tail (the wait is
/// reported as measured).
fn limit_message(err: &ApiError) -> Option<String> {
    let message = err.errors.first()?.message.trim();
    let message = message
        .split_once("; try again")
        .map_or(message, |(limit, _)| limit);
    (!message.is_empty()).then(|| message.chars().take(300).collect())
}
