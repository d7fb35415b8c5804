//! Terraform state as the generator needs it: which address already
//! manages which object. An object Terraform manages must never be written
//! again under another name, nor get an import block, whoever wrote its
//! resource (a person's pull request applied by Atlantis, say).

use std::collections::HashMap;
use std::path::Path;

/// `(type, id)` → `type.name` of every managed resource of the root module.
pub type Managed = HashMap<(String, String), String>;

/// The local backend's state, beside the `.tf` files.
pub const LOCAL_STATE: &str = "terraform.tfstate";

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("reading {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not Terraform state JSON (terraform state pull prints it; if Terraform is writing it now, run again): {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
}

/// Reads a state file (format 4).
pub fn read(path: &Path) -> Result<Managed, StateError> {
    let text = std::fs::read_to_string(path).map_err(|source| StateError::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse(&text).map_err(|source| StateError::Json {
        path: path.display().to_string(),
        source,
    })
}

/// The managed resources in a state's text. An empty file is no state:
/// Terraform truncates the file before it rewrites it.
pub fn parse(text: &str) -> Result<Managed, serde_json::Error> {
    if text.trim().is_empty() {
        return Ok(Managed::new());
    }
    let json: serde_json::Value = serde_json::from_str(text)?;
    let mut out = Managed::new();
    for r in json["resources"].as_array().into_iter().flatten() {
        if r["mode"] != "managed" || r.get("module").is_some() {
            continue;
        }
        let (Some(t), Some(n)) = (r["type"].as_str(), r["name"].as_str()) else {
            continue;
        };
        for i in r["instances"].as_array().into_iter().flatten() {
            if let Some(id) = i["attributes"]["id"].as_str() {
                out.insert((t.to_string(), id.to_string()), format!("{t}.{n}"));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_root_resources_by_type_and_id() {
        let text = r#"{"version": 4, "resources": [
          {"mode": "managed", "type": "segment_destination_filter", "name": "mine",
           "instances": [{"attributes": {"id": "f1", "title": "t"}}]},
          {"mode": "data", "type": "segment_source", "name": "d",
           "instances": [{"attributes": {"id": "s9"}}]},
          {"module": "module.m", "mode": "managed", "type": "segment_source", "name": "m",
           "instances": [{"attributes": {"id": "s8"}}]}
        ]}"#;
        let m = parse(text).expect("parses");
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(
            m[&("segment_destination_filter".into(), "f1".into())],
            "segment_destination_filter.mine"
        );
        assert!(parse("").expect("empty").is_empty());
        assert!(parse("{not json").is_err());
    }
}
