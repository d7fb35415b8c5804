//! Logs as hclog JSON lines on stderr, which is what Terraform expects of a
//! plugin: go-plugin reads each line, keeps its `@level`, and shows it under
//! `TF_LOG` / `TF_LOG_PROVIDER` (a non-JSON line would count as DEBUG).
//! stdout is reserved for the handshake line and never written by logging.

use std::io::Write;

use serde_json::{Map, Value as Json};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Our crate's tracing target, which gets the full configured level.
const OUR_TARGET: &str = "terraform_provider_segment";

/// Level from `TF_LOG_PROVIDER`, else `TF_LOG`, read the way Terraform reads
/// them: TRACE, DEBUG, INFO, WARN, ERROR, OFF, and JSON (= TRACE), any case;
/// anything else means TRACE. Unset means WARN: Terraform discards plugin
/// logs then anyway, and in `--debug` mode a user sees only what matters.
pub fn level_from_env(env: impl Fn(&str) -> Option<String>) -> LevelFilter {
    let set = |key| env(key).filter(|v| !v.trim().is_empty());
    let Some(value) = set("TF_LOG_PROVIDER").or_else(|| set("TF_LOG")) else {
        return LevelFilter::WARN;
    };
    match value.trim().to_ascii_uppercase().as_str() {
        "OFF" => LevelFilter::OFF,
        "ERROR" => LevelFilter::ERROR,
        "WARN" => LevelFilter::WARN,
        "INFO" => LevelFilter::INFO,
        "DEBUG" => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    }
}

/// Installs the stderr logger. Libraries (h2, hyper, tonic) log only
/// warnings and errors even at TRACE: their frame-level chatter would drown
/// the provider's own messages in Terraform's log.
pub fn init(level: LevelFilter) {
    let filter = Targets::new()
        .with_target(OUR_TARGET, level)
        .with_default(level.min(LevelFilter::WARN));
    // Fails only if a subscriber is already installed (tests): keep that one.
    let _ = tracing_subscriber::registry()
        .with(HclogLayer.with_filter(filter))
        .try_init();
}

pub struct HclogLayer;

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut line = format_event(event);
        line.push('\n');
        // One write per line so concurrent events never interleave.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

/// One JSON object: `@level`, `@message`, `@module`, `@timestamp`, then the
/// event's own fields.
pub fn format_event(event: &Event<'_>) -> String {
    let meta = event.metadata();
    let mut fields = FieldVisitor(Map::new());
    event.record(&mut fields);
    let mut fields = fields.0;
    let message = fields
        .remove("message")
        .unwrap_or(Json::String(String::new()));

    let mut entry = Map::new();
    entry.insert("@level".into(), hclog_level(*meta.level()).into());
    entry.insert("@message".into(), message);
    entry.insert("@module".into(), module_name(meta.target()).into());
    entry.insert("@timestamp".into(), timestamp().into());
    entry.extend(fields);
    Json::Object(entry).to_string()
}

fn hclog_level(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// `terraform_provider_segment::grpc::provider` -> `provider.grpc.provider`,
/// `h2::codec` -> `h2.codec`: hclog's dotted sub-logger names.
fn module_name(target: &str) -> String {
    let rest = target.strip_prefix(OUR_TARGET);
    match rest {
        Some(rest) => format!("provider{}", rest.replace("::", ".")),
        None => target.replace("::", "."),
    }
}

/// hclog's format, in UTC: `2006-01-02T15:04:05.000000Z`.
fn timestamp() -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    time::OffsetDateTime::now_utc()
        .format(format)
        .unwrap_or_default()
}

struct FieldVisitor(Map<String, Json>);

impl Visit for FieldVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    fn level(pairs: &[(&str, &str)]) -> LevelFilter {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        level_from_env(|k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn levels_follow_terraform() {
        assert_eq!(level(&[]), LevelFilter::WARN);
        assert_eq!(level(&[("TF_LOG", "debug")]), LevelFilter::DEBUG);
        assert_eq!(level(&[("TF_LOG", "JSON")]), LevelFilter::TRACE);
        assert_eq!(level(&[("TF_LOG", "nonsense")]), LevelFilter::TRACE);
        assert_eq!(level(&[("TF_LOG", "OFF")]), LevelFilter::OFF);
        assert_eq!(
            level(&[("TF_LOG", "TRACE"), ("TF_LOG_PROVIDER", "ERROR")]),
            LevelFilter::ERROR
        );
        assert_eq!(
            level(&[("TF_LOG", "INFO"), ("TF_LOG_PROVIDER", "")]),
            LevelFilter::INFO
        );
    }

    /// Captures formatted lines instead of writing to stderr.
    struct Capture(Arc<Mutex<Vec<String>>>);

    impl<S: Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
            if let Ok(mut lines) = self.0.lock() {
                lines.push(format_event(event));
            }
        }
    }

    #[test]
    fn events_become_hclog_json() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(type_name = "segment_source", attempt = 2, "slow \"API\"");
        });
        let lines = lines.lock().map(|l| l.clone()).unwrap_or_default();
        let entry: Json = serde_json::from_str(&lines[0]).expect("valid JSON");
        assert_eq!(entry["@level"], "warn");
        assert_eq!(entry["@message"], "slow \"API\"");
        assert_eq!(entry["@module"], "provider.logging.tests");
        assert_eq!(entry["type_name"], "segment_source");
        assert_eq!(entry["attempt"], 2);
        let ts = entry["@timestamp"].as_str().unwrap_or_default();
        assert_eq!(ts.len(), "2006-01-02T15:04:05.000000Z".len(), "{ts}");
        let keys: Vec<_> = entry
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(keys[..4], ["@level", "@message", "@module", "@timestamp"]);
    }
}
