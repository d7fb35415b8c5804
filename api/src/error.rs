//! Errors a caller of the client can see.

use serde::{Deserialize, Serialize};

/// One entry of the API's `{"errors": [...]}` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ApiErrorItem {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// The body the API answers errors with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ErrorBody {
    pub errors: Vec<ApiErrorItem>,
}

/// An error answer from the API: its status and the error list it carried.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub errors: Vec<ApiErrorItem>,
}

impl ApiError {
    /// The first error's field, where the API named one.
    pub fn field(&self) -> Option<&str> {
        self.errors.iter().find_map(|e| e.field.as_deref())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        for (i, e) in self.errors.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            f.write_str(&e.message)?;
            if let Some(field) = &e.field {
                write!(f, " (field `{field}`)")?;
            }
        }
        Ok(())
    }
}

/// A request the rate limit kept refusing until the client's deadline.
#[derive(Debug, thiserror::Error)]
#[error(
    "the workspace API's rate limit refused {method} {url} for {:.1} s; it asked for \
     {:.1} s more, past this client's {:.0} s deadline for rate-limit waits. Send fewer \
     requests at once (terraform -parallelism), or retry later. Last answer: {last}",
    waited.as_secs_f64(),
    asked.as_secs_f64(),
    deadline.as_secs_f64()
)]
pub struct RateLimited {
    pub method: String,
    pub url: String,
    /// From the first attempt to the last answer.
    pub waited: std::time::Duration,
    /// The wait the last 429 asked for.
    pub asked: std::time::Duration,
    pub deadline: std::time::Duration,
    pub last: ApiError,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API answered with an error status.
    #[error("the workspace API refused the request: {0}")]
    Api(ApiError),
    /// The request never got an answer (connection refused, timeout, TLS).
    #[error("could not reach the workspace API at {url}: {source}")]
    Transport {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The answer was not what the API promises.
    #[error("unexpected answer from {url}: {message}")]
    Decode { url: String, message: String },
    /// The client was configured wrongly (bad base URL, missing token).
    #[error("{0}")]
    Config(String),
    /// The workspace's rate limit kept refusing the request past the
    /// client's deadline (`RetryPolicy::rate_limit_deadline`).
    #[error("{0}")]
    RateLimited(Box<RateLimited>),
}

impl Error {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        self.api().map(|e| e.status)
    }

    /// True for a 404: the resource is gone.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::RateLimited(r) => Some(&r.last),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
