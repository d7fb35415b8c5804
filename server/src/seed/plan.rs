//! What a seed of a given scale creates, decided up front and without I/O:
//! the same scale and catalog always make the same workspace, and tests can
//! check the proportions without a server.

use segment_api::models::{DestinationMetadata, SourceMetadata, WarehouseMetadata};
use segment_api::models::{FILTER_ACTION_TYPES, FUNCTION_RESOURCE_TYPES};

use super::names::{self, Role};

/// The catalog as the workspace serves it.
pub struct CatalogView {
    pub sources: Vec<SourceMetadata>,
    pub destinations: Vec<DestinationMetadata>,
    pub warehouses: Vec<WarehouseMetadata>,
}

pub struct Plan {
    pub sources: Vec<SourcePlan>,
    pub warehouses: Vec<Named>,
    pub tracking_plans: Vec<TrackingPlanSpec>,
    pub functions: Vec<FunctionSpec>,
    pub groups: Vec<String>,
    pub invites: Vec<String>,
}

/// Something named that uses one catalog entry (an index into the view).
pub struct Named {
    pub name: String,
    pub metadata: usize,
}

pub struct SourcePlan {
    pub index: usize,
    pub name: String,
    pub slug: String,
    pub role: Role,
    pub metadata: usize,
    /// Indexes into [`names::LABELS`].
    pub labels: Vec<usize>,
    pub destinations: Vec<DestinationPlan>,
    /// Index into [`Plan::warehouses`].
    pub warehouse: Option<usize>,
    /// Index into [`Plan::tracking_plans`].
    pub tracking_plan: Option<usize>,
    pub transformation: bool,
    pub reverse_etl_models: usize,
}

pub struct DestinationPlan {
    /// Position among all destinations of the seed.
    pub index: usize,
    pub name: String,
    pub metadata: usize,
    pub enabled: bool,
    /// One of [`FILTER_ACTION_TYPES`].
    pub filter: Option<&'static str>,
    pub subscriptions: usize,
    /// Index into the INSERT_DESTINATION functions.
    pub insert_function: Option<usize>,
}

pub struct TrackingPlanSpec {
    pub name: String,
    /// TRACK rules besides the IDENTIFY, GROUP and PAGE ones.
    pub track_rules: usize,
}

pub struct FunctionSpec {
    pub name: String,
    /// One of [`FUNCTION_RESOURCE_TYPES`].
    pub resource_type: &'static str,
}

/// The demo workspace has this many sources; `--scale N` makes max(N, this).
pub fn source_count(scale: u32) -> usize {
    (scale as usize).max(names::DEMO_SOURCES.len())
}

/// `n`, at least `min`: counts that grow with the workspace but never vanish.
fn at_least(min: usize, n: usize) -> usize {
    n.max(min)
}

/// The `k`th name of a list, numbered once the list runs out.
fn cycled(list: &[&str], k: usize) -> String {
    let base = list[k % list.len()];
    match k / list.len() {
        0 => base.to_string(),
        round => format!("{base} ({})", round + 1),
    }
}

fn position<T>(items: &[T], slug: impl Fn(&T) -> &str, wanted: &str) -> Option<usize> {
    items.iter().position(|m| slug(m) == wanted)
}

/// Catalog slugs of the destinations a source of each role sends to.
fn destination_slugs(role: Role) -> &'static [&'static str] {
    match role {
        Role::Web => &[
            "actions-amplitude",
            "actions-google-analytics-4",
            "facebook-pixel",
            "mixpanel",
            "optimizely-web",
            "intercom",
            "actions-pendo-web",
            "hubspot",
        ],
        Role::Mobile => &[
            "actions-braze-cloud",
            "actions-mixpanel",
            "amplitude",
            "actions-iterable",
            "braze",
            "actions-facebook-conversions-api",
        ],
        Role::Server => &[
            "actions-webhook",
            "aws-s3",
            "actions-kafka",
            "amazon-kinesis",
            "google-cloud-storage",
            "actions-customerio",
            "actions-salesforce",
            "webhooks",
            "customer-io",
            "actions-segment",
        ],
        Role::Cloud => &[
            "slack",
            "actions-segment-profiles",
            "webhooks",
            "actions-google-enhanced-conversions",
            "zendesk",
            "iterable",
        ],
        Role::Warehouse => &[],
    }
}

impl CatalogView {
    /// The source entry for `slug`; else the first of the role's kind (a
    /// Warehouse-category source for Reverse ETL); else the first there is.
    fn source_for(&self, slug: &str, role: Role) -> Option<usize> {
        position(&self.sources, |m| &m.slug, slug)
            .or_else(|| {
                let warehouse = |m: &SourceMetadata| m.categories.iter().any(|c| c == "Warehouse");
                match role {
                    Role::Warehouse => self.sources.iter().position(warehouse),
                    _ => None,
                }
            })
            .or((!self.sources.is_empty()).then_some(0))
    }

    /// The role's destinations that this catalog has, or all of them.
    fn destinations_for(&self, role: Role) -> Vec<usize> {
        let found: Vec<usize> = destination_slugs(role)
            .iter()
            .filter_map(|s| position(&self.destinations, |m| &m.slug, s))
            .collect();
        if found.is_empty() && role != Role::Warehouse {
            (0..self.destinations.len()).collect()
        } else {
            found
        }
    }
}

pub fn build(scale: u32, catalog: &CatalogView) -> anyhow::Result<Plan> {
    anyhow::ensure!(
        !catalog.sources.is_empty() && !catalog.destinations.is_empty(),
        "the workspace's catalog has no sources or no destinations; the seed needs both"
    );
    let n = source_count(scale);
    let warehouses = warehouses(catalog, at_least(2, n / 100));
    let tracking_plans: Vec<TrackingPlanSpec> = (0..at_least(3, n / 50))
        .map(|k| TrackingPlanSpec {
            name: cycled(names::PLAN_NAMES, k),
            // The first plan is the big one: more rules than one PATCH carries.
            track_rules: if k == 0 { 300 } else { 8 + (k % 5) * 4 },
        })
        .collect();
    let functions = functions(n);
    let insert_functions = functions
        .iter()
        .filter(|f| f.resource_type == "INSERT_DESTINATION")
        .count();
    let mut next_destination = 0;
    let mut sources = Vec::with_capacity(n);
    for i in 0..n {
        let (name, role, slug) = match names::DEMO_SOURCES.get(i) {
            Some(&(name, role, slug)) => (name.to_string(), role, slug),
            None => {
                let k = i - names::DEMO_SOURCES.len();
                let role = names::generated_role(k);
                let (name, slug) = names::generated(k, role);
                (name, role, slug)
            }
        };
        let metadata = catalog
            .source_for(slug, role)
            .ok_or_else(|| anyhow::anyhow!("the catalog has no sources"))?;
        let event = matches!(role, Role::Web | Role::Mobile | Role::Server);
        let choices = catalog.destinations_for(role);
        let wanted = match role {
            Role::Warehouse => 0,
            Role::Cloud => 1,
            _ if i % 3 == 0 => 2,
            _ => 1,
        };
        let destinations = (0..wanted.min(choices.len()))
            .map(|j| {
                let d = next_destination + j;
                let metadata = choices[(i + j * 3) % choices.len()];
                let meta = &catalog.destinations[metadata];
                DestinationPlan {
                    index: d,
                    name: format!("{} – {name}", meta.name),
                    metadata,
                    enabled: d % 10 != 9,
                    filter: (d % 3 == 1).then(|| FILTER_ACTION_TYPES[(d / 3) % 4]),
                    subscriptions: if meta.actions.iter().any(|a| !a.hidden) {
                        1 + d % 2
                    } else {
                        0
                    },
                    insert_function: (d % 6 == 2 && insert_functions > 0)
                        .then(|| (d / 6) % insert_functions),
                }
            })
            .collect::<Vec<_>>();
        next_destination += destinations.len();
        sources.push(SourcePlan {
            index: i,
            slug: names::slugify(&name),
            labels: labels_for(i, role),
            destinations,
            warehouse: (role != Role::Warehouse && i % 4 == 0 && !warehouses.is_empty())
                .then(|| (i / 4) % warehouses.len()),
            tracking_plan: (event && i % 2 == 0).then(|| (i / 2) % tracking_plans.len()),
            transformation: event && i % 5 == 1,
            reverse_etl_models: if role == Role::Warehouse { 2 } else { 0 },
            name,
            role,
            metadata,
        });
    }
    Ok(Plan {
        sources,
        warehouses,
        tracking_plans,
        functions,
        groups: (0..at_least(3, n / 500))
            .map(|k| cycled(names::GROUP_NAMES, k))
            .collect(),
        invites: (0..at_least(5, n / 100)).map(invite_email).collect(),
    })
}

fn warehouses(catalog: &CatalogView, count: usize) -> Vec<Named> {
    const WANTED: &[(&str, &str)] = &[
        ("snowflake", "Snowflake – EU Analytics"),
        ("bigquery", "BigQuery – Marketing Lake"),
        ("redshift", "Redshift – Finance"),
        ("postgres", "Postgres – Product Replica"),
        ("databricks", "Databricks – Lakehouse"),
    ];
    if catalog.warehouses.is_empty() {
        return Vec::new();
    }
    (0..count)
        .map(|k| {
            let (slug, _) = WANTED[k % WANTED.len()];
            let names: Vec<&str> = WANTED.iter().map(|(_, n)| *n).collect();
            Named {
                name: cycled(&names, k),
                metadata: position(&catalog.warehouses, |m| &m.slug, slug)
                    .unwrap_or(k % catalog.warehouses.len()),
            }
        })
        .collect()
}

fn functions(n: usize) -> Vec<FunctionSpec> {
    const DESTINATION: &[&str] = &[
        "Send to Internal CRM",
        "Slack Alerts – Große Bestellungen",
        "Enrich with Clearbit",
    ];
    const SOURCE: &[&str] = &["Typeform Webhook", "Shopify Orders Ingest"];
    const INSERT: &[&str] = &["Mask PII – e-mail", "Currency → EUR"];
    let mut out = Vec::new();
    for (kind, names, count) in [
        ("DESTINATION", DESTINATION, at_least(2, n / 200)),
        ("SOURCE", SOURCE, at_least(1, n / 400)),
        ("INSERT_DESTINATION", INSERT, at_least(2, n / 200)),
    ] {
        debug_assert!(FUNCTION_RESOURCE_TYPES.contains(&kind));
        out.extend((0..count).map(|k| FunctionSpec {
            name: cycled(names, k),
            resource_type: kind,
        }));
    }
    out
}

/// Every source has an environment and a team; some also a region.
fn labels_for(i: usize, role: Role) -> Vec<usize> {
    let environment = match i % 7 {
        4 => 1,
        6 => 2,
        _ => 0,
    };
    let team = match role {
        Role::Web => 3,
        Role::Mobile => 6,
        Role::Cloud => 4,
        Role::Server | Role::Warehouse => 5,
    };
    let mut labels = vec![environment, team];
    if i % 3 != 2 {
        labels.push(7 + i % 2);
    }
    labels
}

pub fn invite_email(k: usize) -> String {
    let person = names::PEOPLE[k % names::PEOPLE.len()];
    match k / names::PEOPLE.len() {
        0 => format!("{person}@example.com"),
        round => format!("{person}+{round}@example.com"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use std::collections::HashSet;

    fn view() -> CatalogView {
        let c = Catalog::get();
        CatalogView {
            sources: c.sources.clone(),
            destinations: c.destinations.clone(),
            warehouses: c.warehouses.clone(),
        }
    }

    #[test]
    fn the_demo_has_every_kind_of_resource() {
        let catalog = view();
        let plan = build(1, &catalog).unwrap();
        assert_eq!(plan.sources.len(), names::DEMO_SOURCES.len());
        let dests: Vec<&DestinationPlan> =
            plan.sources.iter().flat_map(|s| &s.destinations).collect();
        let filters: HashSet<&str> = dests.iter().filter_map(|d| d.filter).collect();
        assert_eq!(filters.len(), FILTER_ACTION_TYPES.len(), "{filters:?}");
        assert!(dests.iter().any(|d| d.subscriptions > 0));
        assert!(dests.iter().any(|d| d.insert_function.is_some()));
        assert!(plan.sources.iter().any(|s| s.warehouse.is_some()));
        assert!(plan.sources.iter().any(|s| s.transformation));
        assert!(plan.sources.iter().any(|s| s.tracking_plan == Some(0)));
        let retl = plan.sources.iter().find(|s| s.reverse_etl_models > 0);
        let retl = retl.expect("a Reverse ETL source");
        assert_eq!(catalog.sources[retl.metadata].slug, "snowflake");
        let kinds: HashSet<&str> = plan.functions.iter().map(|f| f.resource_type).collect();
        assert_eq!(kinds.len(), 3);
        assert!(plan.tracking_plans[0].track_rules > 200);
    }

    #[test]
    fn slugs_are_unique_and_proportions_hold_at_scale() {
        let plan = build(10_000, &view()).unwrap();
        assert_eq!(plan.sources.len(), 10_000);
        let slugs: HashSet<&str> = plan.sources.iter().map(|s| s.slug.as_str()).collect();
        assert_eq!(slugs.len(), 10_000);
        let dests: usize = plan.sources.iter().map(|s| s.destinations.len()).sum();
        assert!((10_000..=20_000).contains(&dests), "{dests} destinations");
        let invites: HashSet<&String> = plan.invites.iter().collect();
        assert_eq!(invites.len(), plan.invites.len());
    }
}
