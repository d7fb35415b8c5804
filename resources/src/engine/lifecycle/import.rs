//! ImportResourceState, and the same read for the generator: the import
//! ID parsed into the type's import attributes, then one read.

use segment_api::Client;

use super::{unknown_type, Engine};
use crate::backend::{ImportResourceStateRequest, ImportResourceStateResponse, ImportedResource};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::engine::secrets::Secrets;
use crate::engine::Obj;
use crate::value::Value;

impl Engine {
    pub async fn import(
        &self,
        api: &Client,
        r: ImportResourceStateRequest,
    ) -> ImportResourceStateResponse {
        let mut response = ImportResourceStateResponse::default();
        match self.import_with_secrets(api, &r.type_name, &r.id).await {
            Ok(Some((state, known))) => response.imported_resources.push(ImportedResource {
                type_name: r.type_name,
                state,
                private: known.to_private(),
            }),
            Ok(None) => response.diagnostics.error(
                "Cannot import a missing object",
                format!("The workspace has no {} with ID {:?}.", r.type_name, r.id),
            ),
            Err(diags) => response.diagnostics = diags,
        }
        response
    }

    /// The state `terraform import` would record for `id`, or `None` when
    /// the workspace has no such object. The generator reads through this
    /// so that what it writes is what an import will see.
    pub async fn import_state(
        &self,
        api: &Client,
        type_name: &str,
        id: &str,
    ) -> Result<Option<Value>, Diagnostics> {
        let found = self.import_with_secrets(api, type_name, id).await?;
        Ok(found.map(|(state, _)| state))
    }

    /// [`Engine::import_state`] and the secrets the read showed.
    async fn import_with_secrets(
        &self,
        api: &Client,
        type_name: &str,
        id: &str,
    ) -> Result<Option<(Value, Secrets)>, Diagnostics> {
        let Some(e) = self.resources.get(type_name) else {
            return Err(unknown_type(type_name));
        };
        let Some(parts) = e.spec.import else {
            return Err(Diagnostic::error(
                format!("{} cannot be imported", e.spec.type_name),
                "Create it with Terraform instead.",
            )
            .into());
        };
        let values: Vec<&str> = id.splitn(parts.len(), ':').collect();
        if values.len() != parts.len() || values.iter().any(|v| v.is_empty()) {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!(
                    "{} imports by an ID of the form {}, not {:?}.",
                    e.spec.type_name,
                    e.spec.import_id_format().unwrap_or_default(),
                    id
                ),
            )
            .into());
        }
        let mut start = Obj::new();
        for f in &e.spec.fields {
            start.set(f.name, Value::Null);
        }
        for (name, v) in parts.iter().zip(values) {
            start.set(name, v);
        }
        let mut known = Secrets::default();
        match self.fetch(e, api, &start, "import", &mut known).await {
            Ok(found) => Ok(found.map(|state| (state.into_value(), known))),
            Err(d) => Err(d.into()),
        }
    }
}
