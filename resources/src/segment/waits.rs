//! The warning an RPC gives when the workspace's rate limit made it wait:
//! Terraform went on, but the user should know why it was slow (and which
//! limit), since Segment's limits are per token and shared with others.

use segment_api::{Client, Usage};

use crate::diagnostics::{Diagnostic, Diagnostics};

/// A [`Client::scoped`] clone for one RPC, and the warning it earns.
pub(super) struct Scoped {
    pub api: Client,
}

impl Scoped {
    pub fn new(api: &Client) -> Self {
        Scoped { api: api.scoped() }
    }

    /// Adds the warning to `diagnostics` when this RPC waited for the
    /// rate limit. `what` names the operation, such as
    /// "segment_label create".
    pub fn warn_into(&self, what: &str, diagnostics: &mut Diagnostics) {
        if let Some(d) = warning(what, &self.api.usage()) {
            diagnostics.push(d);
        }
    }
}

/// The warning for `usage`, if it waited. Only measured figures and the
/// API's message about the limit: no request data, so no secrets.
pub fn warning(what: &str, usage: &Usage) -> Option<Diagnostic> {
    if usage.waited.is_zero() {
        return None;
    }
    let limit = match &usage.last_limit {
        Some(message) => format!(" (the workspace said: {message})"),
        None => String::new(),
    };
    let refused = match usage.rate_limited {
        0 => "another request's 429 held this one back".to_string(),
        1 => "1 request answered 429 Too Many Requests".to_string(),
        n => format!("{n} requests answered 429 Too Many Requests"),
    };
    Some(Diagnostic::warning(
        "Waited for the workspace's rate limit",
        format!(
            "{what} waited {:.1} s for the workspace's rate limit{limit}: {refused}, and the \
             provider waited as the API asked, then went on. Segment limits each token; \
             lower `terraform -parallelism` or spread changes out to wait less.",
            usage.waited.as_secs_f64()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn no_wait_no_warning() {
        assert!(warning("segment_label read", &Usage::default()).is_none());
    }

    #[test]
    fn names_the_operation_the_wait_and_the_limit() {
        let usage = Usage {
            requests: 4,
            rate_limited: 3,
            waited: Duration::from_millis(48_200),
            last_limit: Some(
                "Too many requests: destination subscription create/update/remove allows 5 \
                 requests every 60.000 s"
                    .into(),
            ),
        };
        let d = warning("segment_destination_subscription create", &usage).expect("a warning");
        assert!(!d.is_error());
        let text = &d.detail;
        for part in [
            "segment_destination_subscription create waited 48.2 s",
            "destination subscription create/update/remove allows 5",
            "3 requests answered 429",
        ] {
            assert!(text.contains(part), "{part:?} not in {text}");
        }
    }
}
