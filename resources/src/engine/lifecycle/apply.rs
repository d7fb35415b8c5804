//! ApplyResourceChange: create, update or delete, with the secrets sent
//! remembered and the answer settled against the plan.

use segment_api::Client;

use super::{unknown_type, Engine};
use crate::backend::{ApplyResourceChangeRequest, ApplyResourceChangeResponse};
use crate::engine::conflict;
use crate::engine::diagnose::diagnose;
use crate::engine::plan::settle;
use crate::engine::secrets::{self, Secrets};
use crate::engine::{Failure, Obj};
use crate::value::Value;

impl Engine {
    pub async fn apply(
        &self,
        api: &Client,
        r: ApplyResourceChangeRequest,
    ) -> ApplyResourceChangeResponse {
        let mut response = ApplyResourceChangeResponse {
            new_state: r.prior_state.clone(),
            private: r.planned_private,
            ..Default::default()
        };
        let Some(e) = self.resources.get(r.type_name.as_str()) else {
            response.diagnostics = unknown_type(&r.type_name);
            return response;
        };
        let prior = Obj::from_value(&r.prior_state);
        let planned = Obj::from_value(&r.planned_state);
        let result = if r.planned_state.is_null() {
            match e.imp.delete(api, &prior).await {
                // Already gone is what a delete wants, once the API shows
                // the 404 is about the object and not about the URL.
                Err(Failure::Api(err)) if err.is_not_found() => {
                    match self.confirm_gone(e, api, &prior, &err, "delete").await {
                        Ok(()) => Ok(None),
                        Err(d) => {
                            response.diagnostics.push(d);
                            return response;
                        }
                    }
                }
                other => other.map(|()| None),
            }
        } else if r.prior_state.is_null() {
            let sent = secrets::all_strings(&e.spec, &planned);
            e.imp
                .create(api, &planned)
                .await
                .map(|returned| Some((returned, sent)))
        } else {
            let known = Secrets::from_private(&response.private);
            let out = secrets::outgoing(&e.spec, &prior, &planned, &known);
            e.imp
                .update(api, &out.prior, &out.planned)
                .await
                .map(|returned| Some((returned, out.sent)))
        };
        match result {
            Ok(None) => response.new_state = Value::Null,
            Ok(Some((returned, sent))) => {
                let mut known = Secrets::from_private(&response.private);
                secrets::learn(&e.spec, &mut known, &planned, &returned, &sent);
                response.private = known.to_private();
                response.new_state = settle(&e.spec, &planned, &returned).into_value()
            }
            Err(f) => {
                let creating = r.prior_state.is_null();
                let action = if r.planned_state.is_null() {
                    "delete"
                } else if creating {
                    "create"
                } else {
                    "update"
                };
                let exists = matches!(&f, Failure::Api(err) if err.status() == Some(409));
                let mut d = diagnose(&e.spec, action, f);
                if creating && exists {
                    let id = e.imp.existing_import_id(api, &planned).await;
                    d = conflict::explain(&e.spec, id.as_deref(), d);
                }
                response.diagnostics.push(d);
            }
        }
        response
    }
}
