//! One request at ConfigureProvider that tells a wrong URL or token apart
//! from everything else, so the user reads one diagnostic instead of one
//! per resource (and a wrong URL never reaches the reads that drop state).

use std::time::Duration;

use segment_api::{Client, ClientConfig, Error, RetryPolicy};

use super::config::{TOKEN_ENV, URL_ENV};
use crate::diagnostics::{Diagnostic, Diagnostics};

/// An unreachable host costs at most this much: the probe never retries.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// `GET /` (the workspace) with `token`: nothing when the URL answers as a
/// Public API and accepts the token, otherwise one diagnostic that says
/// which of the two is wrong.
pub async fn probe(url: &str, token: &str, user_agent: &str) -> Diagnostics {
    let config = ClientConfig::new(url, token)
        .with_user_agent(user_agent)
        .with_retry(RetryPolicy::none())
        .with_timeout(PROBE_TIMEOUT);
    let answer = match Client::new(config) {
        Ok(client) => client.get_workspace().await.map(|_| ()),
        Err(e) => Err(e),
    };
    match answer {
        Ok(()) => Diagnostics::new(),
        Err(e) => judge(url, &e).map(Diagnostics::from).unwrap_or_default(),
    }
}

/// The diagnostic for a probe that failed with `e`, or none where the
/// answer says nothing about the configuration (a busy or failing API).
fn judge(url: &str, e: &Error) -> Option<Diagnostic> {
    let status = match e {
        Error::Api(api) => api.status,
        // A busy API says nothing about the configuration.
        Error::RateLimited(_) => return None,
        Error::Transport { .. } => {
            return Some(Diagnostic::error(
                "Cannot reach the Segment Public API",
                format!(
                    "{}\n\nCheck the provider's `url` (or {URL_ENV}): the host, port and \
                     scheme, and that the API is running and reachable from here.",
                    transport_chain(e)
                ),
            ))
        }
        Error::Decode { .. } => return Some(not_an_api(url, &e.to_string())),
        Error::Config(message) => {
            return Some(Diagnostic::error(
                "Invalid provider configuration",
                message.clone(),
            ))
        }
    };
    match status {
        401 => Some(Diagnostic::error(
            "The Segment Public API refused the token",
            format!(
                "{url} answered 401 Unauthorized to the provider's token: {e}\n\nSet \
                 `token` in the provider \"segment\" block (or {TOKEN_ENV}) to a valid Public \
                 API token of this workspace."
            ),
        )),
        403 => Some(Diagnostic::warning(
            "The token may not read the workspace",
            format!(
                "{url} answered 403 to GET / (the workspace), so the provider could not \
                 check its configuration: {e}\n\nResources the token's role covers still work."
            ),
        )),
        // Busy or failing: the requests that follow retry.
        429 | 500..=599 => {
            tracing::debug!(status, "workspace probe inconclusive: {e}");
            None
        }
        _ => Some(not_an_api(url, &e.to_string())),
    }
}

fn not_an_api(url: &str, answer: &str) -> Diagnostic {
    let hint = match without_path(url) {
        Some(base) => {
            format!(" The URL has a path: the API's base URL has none, so try `url = \"{base}\"`.")
        }
        None => String::new(),
    };
    Diagnostic::error(
        "Not a Segment Public API at this URL",
        format!(
            "GET / at {url} (the workspace) did not answer as a Segment Public API: \
             {answer}\n\nSet the provider's `url` (or {URL_ENV}) to the API's base URL, such \
             as https://api.segmentapis.com.{hint}"
        ),
    )
}

/// `http://host:port` for `http://host:port/v1/`; `None` when there is no
/// path.
fn without_path(url: &str) -> Option<String> {
    let after_scheme = url.find("://")? + 3;
    let slash = url[after_scheme..].find('/')? + after_scheme;
    let rest = url[slash..].trim_matches('/');
    if rest.is_empty() {
        return None;
    }
    Some(url[..slash].to_string())
}

/// The error with its causes: reqwest's own text ("error sending
/// request") hides whether the connection was refused, DNS failed or TLS.
fn transport_chain(e: &Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Severity;
    use segment_api::ApiError;

    fn status(code: u16) -> Error {
        Error::Api(ApiError {
            status: code,
            errors: Vec::new(),
        })
    }

    fn judged(e: Error) -> Option<(Severity, String)> {
        judge("http://h:1/v1", &e).map(|d| (d.severity, d.summary))
    }

    /// The probe says which setting is wrong; a scope refusal or a busy
    /// API does not stop the run.
    #[test]
    fn each_answer_names_its_cause() {
        let error = |s: &str| Some((Severity::Error, s.to_string()));
        assert_eq!(
            judged(status(401)),
            error("The Segment Public API refused the token")
        );
        assert_eq!(
            judged(status(404)),
            error("Not a Segment Public API at this URL")
        );
        let html = Error::Decode {
            url: "http://h:1/v1/".into(),
            message: "expected value".into(),
        };
        assert_eq!(judged(html), error("Not a Segment Public API at this URL"));
        assert_eq!(judged(status(403)).map(|(s, _)| s), Some(Severity::Warning));
        assert_eq!(judged(status(429)), None);
        assert_eq!(judged(status(503)), None);
    }

    #[test]
    fn a_path_is_named_and_dropped() {
        assert_eq!(
            without_path("http://127.0.0.1:8791/v1").as_deref(),
            Some("http://127.0.0.1:8791")
        );
        assert_eq!(
            without_path("https://api.segmentapis.com/v1/").as_deref(),
            Some("https://api.segmentapis.com")
        );
        assert_eq!(without_path("https://api.segmentapis.com/"), None);
        assert_eq!(without_path("https://api.segmentapis.com"), None);
    }
}
