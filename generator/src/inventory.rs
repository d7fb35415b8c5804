//! What the live workspace holds, by import ID: one list call per type (and
//! per parent for children). Reading each object is [`crate::desired`]'s job.

use futures::stream::{self, StreamExt, TryStreamExt};
use segment_api::models::Source;
use segment_api::Client;

/// Requests in flight while listing children of many parents.
const CONCURRENCY: usize = 16;
/// Function types; insert functions have instances.
const FUNCTION_TYPES: &[&str] = &[
    "SOURCE",
    "DESTINATION",
    "INSERT_DESTINATION",
    "INSERT_SOURCE",
];

/// One live object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Live {
    pub type_name: &'static str,
    /// What `terraform import` takes.
    pub import_id: String,
    /// The `resourceId` of its audit events.
    pub audit_id: String,
}

impl Live {
    fn new(type_name: &'static str, import_id: String, audit_id: String) -> Live {
        Live {
            type_name,
            import_id,
            audit_id,
        }
    }
    fn by_id(type_name: &'static str, id: &str) -> Live {
        Live::new(type_name, id.to_string(), id.to_string())
    }
}

/// Every object of the workspace, in a stable order. Profiles warehouses
/// live in spaces the API cannot list: `spaces` names them.
pub async fn everything(api: &Client, spaces: &[String]) -> Result<Vec<Live>, segment_api::Error> {
    let started = std::time::Instant::now();
    let (labels, sources, warehouses, plans, (destinations, children)) = tokio::try_join!(
        api.list_labels(),
        api.list_sources(),
        api.list_warehouses(),
        api.list_tracking_plans(),
        destinations_and_children(api),
    )?;
    let (functions, transformations, models, users, groups) = tokio::try_join!(
        async {
            let mut all = Vec::new();
            for t in FUNCTION_TYPES {
                all.extend(
                    api.list_functions(t)
                        .await?
                        .into_iter()
                        .map(|f| (f.id, f.resource_type)),
                );
            }
            Ok::<_, segment_api::Error>(all)
        },
        api.list_transformations(),
        api.list_reverse_etl_models(),
        api.list_users(),
        api.list_user_groups(),
    )?;

    let mut out = Vec::new();
    for l in &labels {
        let id = format!("{}:{}", l.key, l.value);
        out.push(Live::by_id("segment_label", &id));
    }
    out.extend(sources.iter().map(|s| Live::by_id("segment_source", &s.id)));
    out.extend(
        warehouses
            .iter()
            .map(|w| Live::by_id("segment_warehouse", &w.id)),
    );
    out.extend(
        plans
            .iter()
            .map(|p| Live::by_id("segment_tracking_plan", &p.id)),
    );
    out.extend(
        destinations
            .iter()
            .map(|id| Live::by_id("segment_destination", id)),
    );
    out.extend(
        functions
            .iter()
            .map(|(id, _)| Live::by_id("segment_function", id)),
    );
    out.extend(
        transformations
            .iter()
            .map(|t| Live::by_id("segment_transformation", &t.id)),
    );
    out.extend(
        models
            .iter()
            .map(|m| Live::by_id("segment_reverse_etl_model", &m.id)),
    );
    out.extend(users.iter().map(|u| Live::by_id("segment_user", &u.id)));
    out.extend(
        groups
            .iter()
            .map(|g| Live::by_id("segment_user_group", &g.id)),
    );

    let plan_sources = per_parent(plans.iter().map(|p| p.id.as_str()), |plan| async move {
        let sources = api.list_tracking_plan_sources(plan).await?;
        Ok(connections(
            "segment_source_tracking_plan_connection",
            plan,
            &sources,
        ))
    });
    let warehouse_sources = per_parent(
        warehouses.iter().map(|w| w.id.as_str()),
        |warehouse| async move {
            let sources = api.list_warehouse_sources(warehouse).await?;
            Ok(connections(
                "segment_source_warehouse_connection",
                warehouse,
                &sources,
            ))
        },
    );
    let insert_functions = functions
        .iter()
        .filter(|(_, t)| t.starts_with("INSERT_"))
        .map(|(id, _)| id.as_str());
    let instances = per_parent(insert_functions, |function| async move {
        let found = api.list_insert_function_instances(function).await?;
        Ok(found
            .iter()
            .map(|i| Live::by_id("segment_insert_function_instance", &i.id))
            .collect())
    });
    let profiles = per_parent(spaces.iter().map(String::as_str), |space| async move {
        let found = api.list_profiles_warehouses(space).await?;
        Ok(found
            .iter()
            .map(|w| {
                Live::new(
                    "segment_profiles_warehouse",
                    format!("{space}:{}", w.id),
                    w.id.clone(),
                )
            })
            .collect())
    });
    let (plan_sources, warehouse_sources, instances, profiles) =
        tokio::try_join!(plan_sources, warehouse_sources, instances, profiles)?;
    for group in [
        children,
        plan_sources,
        warehouse_sources,
        instances,
        profiles,
    ] {
        out.extend(group);
    }
    out.sort();
    out.dedup();
    tracing::debug!(objects = out.len(), elapsed = ?started.elapsed(), "listed the workspace");
    Ok(out)
}

/// The children of each parent, `CONCURRENCY` parents at a time.
async fn per_parent<'p, F, Fut>(
    parents: impl Iterator<Item = &'p str>,
    list: F,
) -> Result<Vec<Live>, segment_api::Error>
where
    F: Fn(&'p str) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<Live>, segment_api::Error>>,
{
    let groups: Vec<Vec<Live>> = stream::iter(parents.map(list))
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    Ok(groups.into_iter().flatten().collect())
}

/// Source connections of one plan or warehouse: imported as
/// `<source>:<parent>`, audited as `<parent>:<source>`.
fn connections(type_name: &'static str, parent: &str, sources: &[Source]) -> Vec<Live> {
    sources
        .iter()
        .map(|s| {
            Live::new(
                type_name,
                format!("{}:{parent}", s.id),
                format!("{parent}:{}", s.id),
            )
        })
        .collect()
}

/// Every destination's id, and its filters and subscriptions: those of a
/// page of destinations are listed as soon as the page arrives, while the
/// next pages (3.8 MB each, one after another) are still on their way.
async fn destinations_and_children(
    api: &Client,
) -> Result<(Vec<String>, Vec<Live>), segment_api::Error> {
    let mut ids = Vec::new();
    let children: Vec<Vec<Live>> = api
        .destination_id_pages()
        .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
        .try_flatten()
        .inspect_ok(|id: &String| ids.push(id.clone()))
        .map_ok(|id| async move { children_of_destination(api, &id).await })
        .try_buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    Ok((ids, children.into_iter().flatten().collect()))
}

async fn children_of_destination(api: &Client, id: &str) -> Result<Vec<Live>, segment_api::Error> {
    let (filters, subscriptions) =
        tokio::try_join!(api.list_filters(id), api.list_subscriptions(id))?;
    let mut out: Vec<Live> = filters
        .iter()
        .map(|f| {
            Live::new(
                "segment_destination_filter",
                format!("{id}:{}", f.id),
                f.id.clone(),
            )
        })
        .collect();
    out.extend(subscriptions.iter().map(|s| {
        Live::new(
            "segment_destination_subscription",
            format!("{id}:{}", s.id),
            s.id.clone(),
        )
    }));
    Ok(out)
}

/// The import ID of the object an audit event names, without listing the
/// workspace where the event alone tells it.
pub fn import_id_of_event(type_name: &str, resource_id: &str) -> Option<String> {
    let swap = |id: &str| id.split_once(':').map(|(a, b)| format!("{b}:{a}"));
    match type_name {
        // Their audit ids are `<plan>:<source>` and `<warehouse>:<source>`.
        "segment_source_tracking_plan_connection" | "segment_source_warehouse_connection" => {
            swap(resource_id)
        }
        // Children need their parent: found by listing.
        "segment_destination_filter"
        | "segment_destination_subscription"
        | "segment_profiles_warehouse" => None,
        _ => Some(resource_id.to_string()),
    }
}
