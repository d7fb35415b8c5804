//! A [`Store`] wrapper that seals settings secrets on the way in and opens
//! them on the way out, so no backend ever holds them in plaintext.
//!
//! Which settings are secret is what the API masks: the catalog options
//! marked secret of a source's, destination's or warehouse's integration,
//! and the settings an insert function marks sensitive for its instances.
//! A plaintext secret from before sealing still reads as it is and is
//! sealed on the document's next write.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use super::{Keys, SEALED_PREFIX};
use crate::catalog::Catalog;
use crate::kind::Kind;
use crate::store::*;

pub struct Sealed {
    inner: Arc<dyn Store>,
    keys: Arc<Keys>,
}

impl Sealed {
    pub fn new(inner: Arc<dyn Store>, keys: Arc<Keys>) -> Sealed {
        Sealed { inner, keys }
    }

    /// The settings of `doc` to seal: the catalog's secret options, or for
    /// an insert function instance the settings its function marks sensitive.
    async fn secret_names(&self, doc: &Doc) -> StoreResult<Option<Vec<String>>> {
        if doc.kind != Kind::InsertFunctionInstance {
            return Ok(catalog_secrets(doc));
        }
        let Some(class_id) = doc.body.get("classId").and_then(Value::as_str) else {
            return Ok(None);
        };
        let Some(function) = self.inner.get(Kind::Function, class_id).await? else {
            return Ok(None);
        };
        let names = function
            .body
            .get("settings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|s| s.get("sensitive").and_then(Value::as_bool) == Some(true))
            .filter_map(|s| s.get("name").and_then(Value::as_str).map(String::from))
            .collect::<Vec<_>>();
        Ok((!names.is_empty()).then_some(names))
    }

    async fn seal(&self, doc: &mut Doc) -> StoreResult<()> {
        let Some(secret) = self.secret_names(doc).await? else {
            return Ok(());
        };
        let Some(Value::Object(settings)) = doc.body.get_mut("settings") else {
            return Ok(());
        };
        for name in secret {
            if let Some(Value::String(plain)) = settings.get_mut(&name) {
                if plain.is_empty() || plain.starts_with(SEALED_PREFIX) {
                    continue;
                }
                let sealed = self
                    .keys
                    .seal(&name, plain)
                    .map_err(|e| StoreError::Backend(e.to_string()))?;
                *plain = sealed;
            }
        }
        Ok(())
    }

    fn open(&self, mut doc: Doc) -> StoreResult<Doc> {
        if !holds_settings(doc.kind) {
            return Ok(doc);
        }
        let Some(Value::Object(settings)) = doc.body.get_mut("settings") else {
            return Ok(doc);
        };
        for (name, value) in settings.iter_mut() {
            if let Value::String(s) = value {
                if s.starts_with(SEALED_PREFIX) {
                    *s = self.keys.open(name, s).map_err(|e| StoreError::Corrupt {
                        kind: doc.kind,
                        id: doc.id.clone(),
                        reason: format!("settings.{name}: {e}"),
                    })?;
                }
            }
        }
        Ok(doc)
    }

    fn open_all(&self, docs: Vec<Doc>) -> StoreResult<Vec<Doc>> {
        docs.into_iter().map(|d| self.open(d)).collect()
    }
}

fn holds_settings(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Source
            | Kind::Destination
            | Kind::Warehouse
            | Kind::ProfilesWarehouse
            | Kind::InsertFunctionInstance
    )
}

/// The names of the settings the API masks for this document's integration.
fn catalog_secrets(doc: &Doc) -> Option<Vec<String>> {
    if !holds_settings(doc.kind) {
        return None;
    }
    let meta_id = doc.body.get("metadataId")?.as_str()?;
    let catalog = Catalog::get();
    let options = match doc.kind {
        Kind::Source => &catalog.source(meta_id)?.options,
        Kind::Destination => &catalog.destination(meta_id)?.options,
        Kind::Warehouse | Kind::ProfilesWarehouse => &catalog.warehouse(meta_id)?.options,
        _ => return None,
    };
    let names: Vec<String> = options
        .iter()
        .filter(|o| o.is_secret())
        .map(|o| o.name.clone())
        .collect();
    (!names.is_empty()).then_some(names)
}

#[async_trait]
impl Store for Sealed {
    async fn workspace(&self) -> StoreResult<segment_api::models::Workspace> {
        self.inner.workspace().await
    }
    async fn get(&self, kind: Kind, id: &str) -> StoreResult<Option<Doc>> {
        self.inner
            .get(kind, id)
            .await?
            .map(|d| self.open(d))
            .transpose()
    }
    async fn find_by_key(&self, kind: Kind, natural_key: &str) -> StoreResult<Option<Doc>> {
        let found = self.inner.find_by_key(kind, natural_key).await?;
        found.map(|d| self.open(d)).transpose()
    }
    async fn get_with_keyed(
        &self,
        kind: Kind,
        id: &str,
        keyed: Kind,
    ) -> StoreResult<(Option<Doc>, Option<Doc>)> {
        let (doc, other) = self.inner.get_with_keyed(kind, id, keyed).await?;
        let doc = doc.map(|d| self.open(d)).transpose()?;
        Ok((doc, other.map(|d| self.open(d)).transpose()?))
    }
    async fn list(&self, kind: Kind, query: &ListQuery) -> StoreResult<Page<Doc>> {
        let page = self.inner.list(kind, query).await?;
        Ok(Page {
            items: self.open_all(page.items)?,
            next: page.next,
            total: page.total,
        })
    }
    async fn list_all(&self, kind: Kind, parent: Option<&str>) -> StoreResult<Vec<Doc>> {
        self.open_all(self.inner.list_all(kind, parent).await?)
    }
    async fn apply(&self, mut batch: Batch, actor: &Actor) -> StoreResult<()> {
        for op in &mut batch.ops {
            if let Op::Insert(doc) | Op::Update(doc) = op {
                self.seal(doc).await?;
            }
        }
        self.inner.apply(batch, actor).await
    }
    fn commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.commits()
    }
    async fn audit_events(
        &self,
        filter: &AuditFilter,
        after: i64,
        count: u32,
    ) -> StoreResult<Page<segment_api::models::AuditEvent>> {
        self.inner.audit_events(filter, after, count).await
    }
    async fn token(&self, hash: &str) -> StoreResult<Option<Actor>> {
        self.inner.token(hash).await
    }
    async fn create_token(&self, hash: &str, actor: &Actor) -> StoreResult<()> {
        self.inner.create_token(hash, actor).await
    }
    async fn tokens(&self) -> StoreResult<Vec<TokenInfo>> {
        self.inner.tokens().await
    }
    async fn revoke_tokens(&self, name: &str) -> StoreResult<u64> {
        self.inner.revoke_tokens(name).await
    }
    async fn rehash_token(&self, old: &str, new: &str) -> StoreResult<()> {
        self.inner.rehash_token(old, new).await
    }
}
