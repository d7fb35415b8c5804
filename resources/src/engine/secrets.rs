//! Secret settings: a key the API masks (or, for warehouses, omits) can
//! never be read back, so a configuration cannot be compared with it. Which
//! keys are secret, and a hash of the value this provider last sent for
//! each, live in the resource's private state. The rules for a secret key:
//!
//! - configured `null` (a variable left unset): no change, never sent, so
//!   the stored secret stays (the API's merge deletes a key sent as null);
//! - configured as the value last sent: no change, not sent again;
//! - any other string: sent, and the plan warns that it replaces the secret
//!   stored in the workspace (naming the key, never the value).

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use super::json_attr::{self, is_masked};
use super::{JsonMode, Obj, ResourceSpec};
use crate::diagnostics::Diagnostic;
use crate::value::AttributePath;

/// One settings attribute's secrets: key -> hash of the value last sent
/// (None: known secret, never sent by this provider).
pub type Known = BTreeMap<String, Option<String>>;

/// Every settings attribute's secrets, as kept in private state.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Secrets(BTreeMap<String, Known>);

impl Secrets {
    /// Private state as this module writes it; anything else (or nothing)
    /// knows no secrets.
    pub fn from_private(private: &[u8]) -> Secrets {
        serde_json::from_slice(private).unwrap_or_default()
    }

    /// Empty when no secret is known, so resources without any keep an
    /// empty private state.
    pub fn to_private(&self) -> Vec<u8> {
        if self.0.values().all(BTreeMap::is_empty) {
            return Vec::new();
        }
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn field(&self, name: &str) -> &Known {
        static NONE: Known = BTreeMap::new();
        self.0.get(name).unwrap_or(&NONE)
    }

    fn field_mut(&mut self, name: &str) -> &mut Known {
        self.0.entry(name.to_string()).or_default()
    }
}

fn hash(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn object(text: Option<&str>) -> Map<String, Json> {
    match text.and_then(json_attr::parse) {
        Some(Json::Object(m)) => m,
        _ => Map::new(),
    }
}

fn is_secret(known: &Known, key: &str, prior: Option<&Json>) -> bool {
    known.contains_key(key) || prior.is_some_and(is_masked)
}

/// Whether configuring `config` for a secret key leaves the stored secret
/// as it is.
fn keeps(known: &Known, key: &str, config: &Json, prior: Option<&Json>) -> bool {
    match config {
        // A mask sent back keeps the stored secret anyway.
        Json::Null => true,
        Json::String(s) if json_attr::is_mask(s) => true,
        Json::String(s) => {
            prior.is_some_and(|p| p.as_str() == Some(s.as_str()) && !is_masked(p))
                || known
                    .get(key)
                    .is_some_and(|h| h.as_deref() == Some(&hash(s)))
        }
        _ => false,
    }
}

/// The secret keys the configuration sets to a new value.
fn replaced<'c>(
    known: &Known,
    config: &'c Map<String, Json>,
    prior: &Map<String, Json>,
) -> Vec<&'c str> {
    config
        .iter()
        .filter(|(k, c)| {
            let p = prior.get(*k);
            is_secret(known, k, p) && !keeps(known, k, c, p)
        })
        .map(|(k, _)| k.as_str())
        .collect()
}

/// Whether configured settings mean what the prior state says, secrets
/// judged by the rules above and every other key as parsed JSON.
pub fn unchanged(config: &str, prior: &str, known: &Known) -> bool {
    let (Some(Json::Object(c)), Some(Json::Object(p))) =
        (json_attr::parse(config), json_attr::parse(prior))
    else {
        return json_attr::equivalent(config, prior);
    };
    let (mut plain_c, mut plain_p) = (Map::new(), Map::new());
    for k in c.keys().chain(p.keys()) {
        let (cv, pv) = (c.get(k), p.get(k));
        if !is_secret(known, k, pv) {
            if let Some(v) = cv {
                plain_c.insert(k.clone(), v.clone());
            }
            if let Some(v) = pv {
                plain_p.insert(k.clone(), v.clone());
            }
            continue;
        }
        let kept = match cv {
            Some(v) => keeps(known, k, v, pv),
            // Removed from the configuration: a change, as for any key.
            None => pv.is_none(),
        };
        if !kept {
            return false;
        }
    }
    json_attr::equivalent(
        &Json::Object(plain_c).to_string(),
        &Json::Object(plain_p).to_string(),
    )
}

/// One warning per secret an update replaces (never on create: nothing is
/// stored yet).
pub fn warnings(
    spec: &ResourceSpec,
    prior: &Obj,
    planned: &Obj,
    secrets: &Secrets,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(id) = prior.str("id") else {
        return out;
    };
    for f in settings_fields(spec) {
        let config = object(planned.str(f));
        let before = object(prior.str(f));
        for key in replaced(secrets.field(f), &config, &before) {
            out.push(
                Diagnostic::warning(
                    format!("{f}.{key} replaces a stored secret"),
                    format!(
                        "{f}.{key} of {} (id {id:?}) will replace the secret stored in the \
                         workspace. Leave its variable unset (null) to keep the stored value.",
                        spec.type_name
                    ),
                )
                .at(AttributePath::attr(f)),
            );
        }
    }
    out
}

fn settings_fields(spec: &ResourceSpec) -> impl Iterator<Item = &'static str> + '_ {
    spec.fields
        .iter()
        .filter(|f| matches!(f.json, JsonMode::Settings { .. }))
        .map(|f| f.name)
}

/// Hashes of every string setting a create sends: which are secrets only
/// the answer tells.
pub fn all_strings(
    spec: &ResourceSpec,
    planned: &Obj,
) -> BTreeMap<&'static str, BTreeMap<String, String>> {
    settings_fields(spec)
        .map(|f| {
            let hashes = object(planned.str(f))
                .iter()
                .filter_map(|(k, v)| {
                    Some((
                        k.clone(),
                        hash(v.as_str().filter(|s| !json_attr::is_mask(s))?),
                    ))
                })
                .collect();
            (f, hashes)
        })
        .collect()
}

/// What an update sends: `prior` and `planned` without the secret keys the
/// plan keeps (so neither a null, a mask nor an unchanged value goes out,
/// and no "removed key" is derived from them), and the hashes of the
/// secrets it does send, by field.
pub struct Outgoing {
    pub prior: Obj,
    pub planned: Obj,
    pub sent: BTreeMap<&'static str, BTreeMap<String, String>>,
}

pub fn outgoing(spec: &ResourceSpec, prior: &Obj, planned: &Obj, secrets: &Secrets) -> Outgoing {
    let mut out = Outgoing {
        prior: prior.clone(),
        planned: planned.clone(),
        sent: BTreeMap::new(),
    };
    for f in settings_fields(spec) {
        let known = secrets.field(f);
        let (Some(Json::Object(mut config)), before) = (
            planned.str(f).and_then(json_attr::parse),
            object(prior.str(f)),
        ) else {
            continue;
        };
        let mut before_kept = before.clone();
        let mut sent = BTreeMap::new();
        for (k, v) in config.clone() {
            let p = before.get(&k);
            if !is_secret(known, &k, p) {
                continue;
            }
            if keeps(known, &k, &v, p) {
                config.remove(&k);
                before_kept.remove(&k);
            } else if let Some(s) = v.as_str() {
                sent.insert(k, hash(s));
            }
        }
        out.planned
            .set(f, json_attr::canonical(&Json::Object(config)));
        if prior.str(f).is_some() {
            out.prior
                .set(f, json_attr::canonical(&Json::Object(before_kept)));
        }
        out.sent.insert(f, sent);
    }
    out
}

/// Learns from an API answer (after a read, import, create or update):
/// keys it masks are secret, and so, where the API `omits_secrets`, are
/// keys the state holds that it left out. `sent` records what went out.
pub fn learn(
    spec: &ResourceSpec,
    secrets: &mut Secrets,
    state: &Obj,
    answer: &Obj,
    sent: &BTreeMap<&'static str, BTreeMap<String, String>>,
) {
    for f in &spec.fields {
        let JsonMode::Settings { omits_secrets } = f.json else {
            continue;
        };
        let remote = object(answer.str(f.name));
        let held = object(state.str(f.name));
        let sent = sent.get(f.name);
        let known = secrets.field_mut(f.name);
        let mut mark = |k: &str| {
            known.entry(k.to_string()).or_insert(None);
        };
        for (k, v) in &remote {
            if is_masked(v) {
                mark(k);
            }
        }
        if omits_secrets {
            for (k, v) in &held {
                if !remote.contains_key(k) && !v.is_null() {
                    mark(k);
                }
            }
        }
        // Only secrets keep a hash: on create `sent` holds every string.
        for (k, h) in sent.into_iter().flatten() {
            if let Some(slot) = known.get_mut(k) {
                *slot = Some(h.clone());
            }
        }
    }
}

#[cfg(test)]
#[path = "secrets_tests.rs"]
mod tests;
