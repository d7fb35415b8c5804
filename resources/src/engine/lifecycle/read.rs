//! ReadResource, and the read that import and a refresh share: a 404 is
//! "gone" only once the object's collection answers (see `gone.rs`).

use std::collections::BTreeMap;

use segment_api::Client;

use super::{unknown_type, Engine, Entry};
use crate::backend::{ReadResourceRequest, ReadResourceResponse};
use crate::diagnostics::Diagnostic;
use crate::engine::diagnose::diagnose;
use crate::engine::empty;
use crate::engine::gone::{unconfirmed, NotShownGone};
use crate::engine::plan::known_or_null;
use crate::engine::secrets::{self, Secrets};
use crate::engine::{json_attr, Failure, JsonMode, Obj, ResourceType};
use crate::value::Value;

impl Engine {
    pub async fn read(&self, api: &Client, r: ReadResourceRequest) -> ReadResourceResponse {
        let mut response = ReadResourceResponse {
            new_state: r.current_state.clone(),
            private: r.private,
            ..Default::default()
        };
        let Some(e) = self.resources.get(r.type_name.as_str()) else {
            response.diagnostics = unknown_type(&r.type_name);
            return response;
        };
        let prior = Obj::from_value(&r.current_state);
        let mut known = Secrets::from_private(&response.private);
        // On any error the prior state goes back unchanged.
        match self.fetch(e, api, &prior, "read", &mut known).await {
            Ok(Some(state)) => {
                response.new_state = state.into_value();
                response.private = known.to_private();
            }
            Ok(None) => response.new_state = Value::Null,
            Err(d) => response.diagnostics.push(d),
        }
        response
    }
    /// Reads the object and brings the answer into state's shape: settings
    /// refreshed against the prior text, attributes the mapping could not
    /// know kept from the prior state. A 404 means gone once the object's
    /// collection answers (see `gone.rs`).
    pub(super) async fn fetch(
        &self,
        e: &Entry<dyn ResourceType>,
        api: &Client,
        prior: &Obj,
        action: &str,
        known: &mut Secrets,
    ) -> Result<Option<Obj>, Diagnostic> {
        let found = match e.imp.read(api, prior).await {
            Ok(found) => found,
            Err(Failure::Api(err)) if err.is_not_found() => {
                self.confirm_gone(e, api, prior, &err, action).await?;
                None
            }
            Err(f) => return Err(diagnose(&e.spec, action, f)),
        };
        Ok(found.map(|found| {
            secrets::learn(&e.spec, known, prior, &found, &BTreeMap::new());
            refreshed(e, prior, found)
        }))
    }

    /// `Ok` when a 404 for the object means it is gone.
    pub(super) async fn confirm_gone(
        &self,
        e: &Entry<dyn ResourceType>,
        api: &Client,
        state: &Obj,
        err: &segment_api::Error,
        action: &str,
    ) -> Result<(), Diagnostic> {
        let collections = e
            .imp
            .collections(state)
            .map_err(|f| diagnose(&e.spec, action, f))?;
        match self.confirmed.confirm(api, collections, err).await {
            Ok(()) => Ok(()),
            Err(NotShownGone::Failed(f)) => Err(diagnose(&e.spec, action, f)),
            Err(NotShownGone::NoCollection {
                base_url,
                asked,
                first,
            }) => Err(unconfirmed(
                e.spec.type_name,
                action,
                &base_url,
                &asked,
                &first,
            )),
        }
    }
}

/// `found` in state's shape: settings refreshed against the prior text,
/// attributes the mapping could not know kept from the prior state.
fn refreshed(e: &Entry<dyn ResourceType>, prior: &Obj, found: Obj) -> Obj {
    let mut state = Obj::new();
    for f in &e.spec.fields {
        let Some(v) = found.0.get(f.name) else {
            state.set(f.name, prior.get(f.name).clone());
            continue;
        };
        let v = match (f.json, v.as_str(), prior.str(f.name)) {
            (JsonMode::Settings { omits_secrets }, Some(remote), prior_text) => {
                match json_attr::parse(remote) {
                    Some(serde_json::Value::Object(map)) => {
                        Value::from(json_attr::refresh(prior_text, &map, omits_secrets))
                    }
                    _ => v.clone(),
                }
            }
            (JsonMode::Normalized, Some(remote), Some(p)) if json_attr::equivalent(remote, p) => {
                Value::from(p)
            }
            _ => v.clone(),
        };
        let v = empty::as_prior(f, prior.get(f.name), known_or_null(&v));
        state.set(f.name, v);
    }
    state
}
