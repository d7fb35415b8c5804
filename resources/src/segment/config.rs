//! The `provider "segment" { ... }` block: its schema and how a
//! configuration becomes settings (configuration wins over environment,
//! environment over defaults, as in the official provider).

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::{Attribute, Block, Schema};
use crate::value::{AttributePath, Type, Value};

pub const DEFAULT_URL: &str = "https://api.segmentapis.com";
pub const URL_ENV: &str = "PUBLIC_API_URL";
pub const TOKEN_ENV: &str = "PUBLIC_API_TOKEN";

pub fn provider_schema() -> Schema {
    Schema::new(
        Block::new([
            Attribute::optional("url", Type::String).description(format!(
                "The Segment Public API URL. Defaults to {DEFAULT_URL}; can also be set with \
                 the {URL_ENV} environment variable."
            )),
            Attribute::optional("token", Type::String)
                .sensitive()
                .description(format!(
                    "The Segment Public API token. Can also be set with the {TOKEN_ENV} \
                     environment variable."
                )),
        ])
        .description("The Segment provider manages a Segment workspace through the Public API."),
    )
}

/// Settings after Configure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderConfig {
    pub url: String,
    pub token: Option<String>,
    /// Some setting was unknown (it depends on a resource not yet applied):
    /// Terraform configures with unknowns during plan, and resources should
    /// not call the API with the fallback values in that case.
    pub has_unknowns: bool,
}

impl ProviderConfig {
    /// Reads the provider block, falling back to `env` (the process
    /// environment in production). Unknown values fall back too, flagged.
    pub fn from_value(
        config: &Value,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Diagnostics> {
        let attr = |name| config.get(name).unwrap_or(&Value::Null);
        let setting = |name, env_key| match attr(name) {
            Value::String(s) => Some(s.clone()),
            _ => env(env_key).filter(|v| !v.is_empty()),
        };
        let url = setting("url", URL_ENV).unwrap_or_else(|| DEFAULT_URL.to_owned());
        let token = setting("token", TOKEN_ENV);
        let has_unknowns = attr("url").is_unknown() || attr("token").is_unknown();

        let mut diags = Diagnostics::new();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            let mut d = Diagnostic::error(
                "Invalid provider URL",
                format!("The url {url:?} must start with http:// or https://."),
            );
            if attr("url").is_known() {
                d = d.at(AttributePath::attr("url"));
            }
            diags.push(d);
        }
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(ProviderConfig {
            url,
            token,
            has_unknowns,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: Value, token: Value) -> Value {
        Value::object([("url", url), ("token", token)])
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn config_wins_over_env_over_default() {
        let env = |k: &str| match k {
            URL_ENV => Some("http://env".to_owned()),
            TOKEN_ENV => Some("env-token".to_owned()),
            _ => None,
        };
        let c = ProviderConfig::from_value(&config(Value::from("http://cfg"), Value::Null), env)
            .expect("valid");
        assert_eq!(c.url, "http://cfg");
        assert_eq!(c.token.as_deref(), Some("env-token"));
        let c =
            ProviderConfig::from_value(&config(Value::Null, Value::Null), no_env).expect("valid");
        assert_eq!(c.url, DEFAULT_URL);
        assert_eq!(c.token, None);
        assert!(!c.has_unknowns);
    }

    #[test]
    fn unknowns_are_flagged() {
        let c = ProviderConfig::from_value(&config(Value::Unknown, Value::Null), no_env)
            .expect("valid");
        assert!(c.has_unknowns);
    }

    #[test]
    fn bad_url_points_at_the_attribute() {
        let err = ProviderConfig::from_value(&config(Value::from("ftp://x"), Value::Null), no_env)
            .expect_err("invalid");
        let d = err.iter().next().cloned();
        assert_eq!(
            d.and_then(|d| d.attribute),
            Some(AttributePath::attr("url"))
        );
    }

    #[test]
    fn schema_marks_token_sensitive() {
        let schema = provider_schema();
        let token = schema.block.attributes.iter().find(|a| a.name == "token");
        assert!(token.is_some_and(|t| t.sensitive && t.optional && !t.description.is_empty()));
    }
}
