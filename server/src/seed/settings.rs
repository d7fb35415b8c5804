//! Integration settings made from a catalog entry's options: every required
//! option filled with a value of its type, secrets that look like secrets,
//! and the documented defaults of a few optional ones, as a user's would be.

use segment_api::models::{IntegrationOption, Settings};
use serde_json::{json, Value};

/// Settings for one integration instance; `salt` varies secrets and ids
/// between instances so no two sources share a key.
pub fn for_options(options: &[IntegrationOption], salt: u64) -> Settings {
    let mut out = Settings::new();
    for (i, o) in options.iter().enumerate() {
        let salt = mix(salt ^ (i as u64).wrapping_mul(0x9e37_79b9));
        let value = if o.is_secret() {
            // Optional secrets too: the seed must exercise masking.
            Some(Value::String(secret(&o.name, salt)))
        } else if o.required {
            Some(required_value(o, salt))
        } else {
            o.default_value.clone().filter(is_meaningful)
        };
        if let Some(v) = value {
            out.insert(o.name.clone(), v);
        }
    }
    out
}

/// Empty strings, lists and maps add nothing a user would have typed.
fn is_meaningful(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
        _ => true,
    }
}

fn required_value(o: &IntegrationOption, salt: u64) -> Value {
    if let Some(d) = o.default_value.clone().filter(is_meaningful) {
        return d;
    }
    match o.kind.as_str() {
        "boolean" => Value::Bool(true),
        "number" => json!(30),
        "array" => json!(["Order Completed", "Signed Up"]),
        "map" => json!({ "Order Completed": "Purchase" }),
        _ => Value::String(text_for(&o.name, salt)),
    }
}

/// A plausible value for a required text option, by its name.
fn text_for(name: &str, salt: u64) -> String {
    let n = salt % 100_000;
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "hostname" => format!("analytics-{n}.db.internal.example.com"),
        "database" => "ANALYTICS".to_string(),
        "warehouse" => "SEGMENT_LOAD_WH".to_string(),
        "username" => "segment_loader".to_string(),
        "account" => format!("acme-xy{n:05}.eu-central-1"),
        "catalog" => "main".to_string(),
        "httppath" | "http_path" => format!("/sql/1.0/warehouses/{:016x}", salt),
        "clientid" | "client_id" => format!("{:08x}-5e6f-4a1b-9c2d-{:012x}", n, salt >> 16),
        "projectid" | "gc-project" => format!("acme-analytics-{n}"),
        "subdomain" => "acme-support".to_string(),
        "email" => "ops+segment@example.com".to_string(),
        "accountsid" => format!("AC{:032x}", u128::from(salt) * 31),
        "datacenter" => "EU-01".to_string(),
        "portalid" | "pixelid" | "siteid" => format!("{}", 100_000_000 + salt % 899_999_999),
        "brokers" => {
            "kafka-1.internal.example.com:9092,kafka-2.internal.example.com:9092".to_string()
        }
        "awsregion" | "region" => "eu-west-1".to_string(),
        "bucket" => format!("acme-segment-archive-{n}"),
        "iamrolearn" => "arn:aws:iam::123456789012:role/segment-s3-writer".to_string(),
        "stream" => "segment-events".to_string(),
        _ => format!("{lower}-{n}"),
    }
}

/// A secret-looking value: a prefix hinting at its kind, then hex.
fn secret(name: &str, salt: u64) -> String {
    let body = format!("{:016x}{:016x}", salt, mix(salt));
    match name {
        "apiKey" => format!("sk_live_{body}"),
        "privateKey" | "private_key" => {
            format!("-----BEGIN PRIVATE KEY-----\nMIIE{body}\n-----END PRIVATE KEY-----")
        }
        "serviceAccountKey" | "credentials" | "gcsCredentials" => json!({
            "type": "service_account",
            "project_id": "acme-analytics",
            "private_key_id": body,
            "client_email": "segment@acme-analytics.iam.gserviceaccount.com",
        })
        .to_string(),
        "webhookUrl" => format!("https://hooks.slack.com/services/T000/B000/{body}"),
        _ => body,
    }
}

/// SplitMix64's finaliser: spreads a counter into well-mixed bits, so the
/// seed needs no random source and runs the same twice.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{self, Catalog};

    /// Every integration of the built-in catalog accepts what the seed makes.
    #[test]
    fn settings_pass_the_servers_validation() {
        let c = Catalog::get();
        let all = c
            .sources
            .iter()
            .map(|m| (&m.name, &m.options))
            .chain(c.destinations.iter().map(|m| (&m.name, &m.options)))
            .chain(c.warehouses.iter().map(|m| (&m.name, &m.options)));
        for (name, options) in all {
            let s = for_options(options, 7);
            catalog::validate_settings(name, options, &s, false)
                .unwrap_or_else(|e| panic!("{name}: {}", e.message));
            for o in options.iter().filter(|o| o.is_secret()) {
                assert!(s.contains_key(&o.name), "{name}: secret {} unset", o.name);
            }
        }
    }
}
