//! Catalog ids (from `server/catalog/*.json`) and create bodies whose
//! required settings are filled.

use segment_api::models::{CreateDestination, CreateSource, CreateWarehouse, Settings};
use serde_json::{json, Value};

/// Source "Javascript": no settings.
pub const JAVASCRIPT_SOURCE: &str = "IqDTy1TpoU";
/// Source "HTTP API": no settings.
pub const HTTP_API_SOURCE: &str = "iUM16Md8P2";
/// Source "Stripe": requires `apiKey` (a secret); `includeTestData` is a boolean.
pub const STRIPE_SOURCE: &str = "1bow82lmk";
/// Source "Postgres" (a warehouse source, for Reverse ETL): requires
/// `hostname`, `database`, `username`, `password`.
pub const POSTGRES_SOURCE: &str = "WvlvcGEJsT";
/// Destination "Amplitude": requires `apiKey` (a secret); `trackAllPages`
/// is a boolean, `traitsToIncrement` an array.
pub const AMPLITUDE_DESTINATION: &str = "54521fd525e721e32a72ee91";
/// Destination "Webhooks": no required settings.
pub const WEBHOOKS_DESTINATION: &str = "54521fdc25e721e32a72ef04";
/// Destination "Amplitude (Actions)": requires `apiKey` and `secretKey`; has actions.
pub const AMPLITUDE_ACTIONS_DESTINATION: &str = "5f7dd6d21ad74f3842b1fc47";
/// Warehouse "Postgres": requires `hostname`, `database`, `username`,
/// `password` (a secret, left out of answers); `port` is a number.
pub const POSTGRES_WAREHOUSE: &str = "55d3d3aea3c";

/// A JSON object as [`Settings`]; panics on anything but an object.
pub fn settings(v: Value) -> Settings {
    match v {
        Value::Object(m) => m,
        other => panic!("settings must be an object, not {other}"),
    }
}

/// An enabled Javascript source.
pub fn javascript_source(slug: &str) -> CreateSource {
    CreateSource {
        slug: slug.to_string(),
        enabled: true,
        metadata_id: JAVASCRIPT_SOURCE.to_string(),
        settings: None,
    }
}

/// A Stripe source with its required secret.
pub fn stripe_source(slug: &str, api_key: &str) -> CreateSource {
    CreateSource {
        slug: slug.to_string(),
        enabled: true,
        metadata_id: STRIPE_SOURCE.to_string(),
        settings: Some(settings(json!({ "apiKey": api_key }))),
    }
}

/// A Postgres warehouse source (for Reverse ETL models).
pub fn postgres_source(slug: &str) -> CreateSource {
    CreateSource {
        slug: slug.to_string(),
        enabled: true,
        metadata_id: POSTGRES_SOURCE.to_string(),
        settings: Some(settings(json!({
            "hostname": "db.internal",
            "database": "analytics",
            "username": "segment",
            "password": "hunter2",
        }))),
    }
}

/// An Amplitude destination of `source_id` with its required secret.
pub fn amplitude_destination(source_id: &str) -> CreateDestination {
    CreateDestination {
        source_id: source_id.to_string(),
        metadata_id: AMPLITUDE_DESTINATION.to_string(),
        enabled: Some(true),
        name: Some("Amplitude".to_string()),
        settings: settings(json!({ "apiKey": "amp-key-1", "trackAllPages": true })),
    }
}

/// An Amplitude (Actions) destination of `source_id`, for subscriptions.
pub fn amplitude_actions_destination(source_id: &str) -> CreateDestination {
    CreateDestination {
        source_id: source_id.to_string(),
        metadata_id: AMPLITUDE_ACTIONS_DESTINATION.to_string(),
        enabled: Some(true),
        name: Some("Amplitude Actions".to_string()),
        settings: settings(json!({ "apiKey": "amp-key", "secretKey": "amp-secret" })),
    }
}

/// A Postgres warehouse with every required setting.
pub fn postgres_warehouse(name: &str) -> CreateWarehouse {
    CreateWarehouse {
        metadata_id: POSTGRES_WAREHOUSE.to_string(),
        name: Some(name.to_string()),
        enabled: Some(true),
        settings: settings(json!({
            "hostname": "pg.internal",
            "port": 5432,
            "database": "warehouse",
            "username": "loader",
            "password": "s3cret",
        })),
    }
}
