//! `segment_source_warehouse_connection`: a source whose events load into a
//! warehouse. The connection has no attributes of its own, so both ids
//! replace it.
//!
//! Unlike the official provider, it can be imported, as
//! `<source_id>:<warehouse_id>`, and a connection removed outside Terraform
//! reads as gone (the official one writes "not_found" ids into state).

use async_trait::async_trait;
use segment_api::Client;

use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::engine::{Collection, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::Type;

pub struct SourceWarehouseConnectionResource;

#[async_trait]
impl ResourceType for SourceWarehouseConnectionResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_source_warehouse_connection",
            description: "Configures a connection between a source and a warehouse.",
            fields: vec![
                Field::required("source_id", Type::String, "The id of the Source.")
                    .replaces()
                    .non_empty(),
                Field::required("warehouse_id", Type::String, "The id of the Warehouse.")
                    .replaces()
                    .non_empty(),
            ],
            import: Some(&["source_id", "warehouse_id"]),
        }
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let (source_id, warehouse_id) = (plan.string("source_id")?, plan.string("warehouse_id")?);
        api.connect_warehouse_source(&warehouse_id, &source_id)
            .await?;
        Ok(plan.clone())
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let (source_id, warehouse_id) = (prior.string("source_id")?, prior.string("warehouse_id")?);
        // The warehouse's list, not the source's: a warehouse has many
        // sources, so an export or a refresh reads one list per warehouse
        // (the one the export lists connections from) instead of one per
        // source. A missing warehouse is a 404 here, which the engine
        // reads as gone.
        let connected = api.list_warehouse_sources(&warehouse_id).await?;
        Ok(connected.iter().any(|s| s.id == source_id).then(|| {
            Obj::new()
                .with("source_id", source_id.as_str())
                .with("warehouse_id", warehouse_id.as_str())
        }))
    }

    async fn update(&self, _api: &Client, _prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        // Unreachable in practice: every attribute forces replacement.
        Ok(plan.clone())
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.disconnect_warehouse_source(
            &state.string("warehouse_id")?,
            &state.string("source_id")?,
        )
        .await?;
        Ok(())
    }

    fn collections(&self, state: &Obj) -> Outcome<Vec<Collection>> {
        let warehouse = state.string("warehouse_id")?;
        Ok(vec![
            Collection::under("warehouses", &warehouse, "connected-sources", "sources"),
            Collection::new("warehouses", "warehouses"),
        ])
    }
}

impl Exported for SourceWarehouseConnectionResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["Source Warehouse Connection"],
            natural_key: &["source_id", "warehouse_id"],
            name_from: &["source_id", "warehouse_id"],
            parent: Parent::Type("segment_warehouse"),
            audit_id: AuditId::Swapped,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_warehouse_sources(parent).await?;
            Ok(found
                .iter()
                .map(|o| Listed::new(format!("{}:{parent}", o.id)))
                .collect())
        })
    }
}
