//! `seed --engage`: Engage spaces with a few audiences and computed traits.
//!
//! Spaces are made in Segment's app, not through the Public API; this
//! workspace's stand-in is its own `POST /spaces` (see `routes/spaces.rs`).
//! A space with one of the seed's slugs is reused, and what it already
//! holds under one of the seed's names is left as it is, so a second run
//! adds nothing. Against a workspace with no such path (Segment's own), the
//! seed fills the spaces it already has, and says so when there are none.

use anyhow::Context;
use segment_api::models::{
    AudienceDefinition, AudienceOptions, ComputedTraitDefinition, CreateAudience,
    CreateComputedTrait, Space, TraitOptions,
};
use segment_api::Client;
use serde_json::json;

/// The spaces the seed makes: (name, slug).
pub const SPACES: &[(&str, &str)] = &[("Marketing", "marketing"), ("Product", "product")];

/// Audiences per space: (name, query).
const AUDIENCES: &[(&str, &str)] = &[
    (
        "High Value Customers",
        "event('Order Completed').count() >= 3",
    ),
    (
        "Cart Abandoners",
        "event('Product Added').within(7 days).count() >= 1 && \
         event('Order Completed').within(7 days).count() = 0",
    ),
];

/// Computed traits per space: (name, query).
const TRAITS: &[(&str, &str)] = &[
    (
        "Orders Last 30 Days",
        "event('Order Completed').within(30 days).count()",
    ),
    (
        "Lifetime Revenue",
        "event('Order Completed').sum(properties.revenue)",
    ),
];

/// The answer of `POST /spaces`.
#[derive(serde::Deserialize)]
struct Made {
    space: Space,
}

/// What `--engage` made.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EngageCounts {
    pub spaces: usize,
    pub audiences: usize,
    pub computed_traits: usize,
}

impl EngageCounts {
    pub fn summary(&self) -> String {
        format!(
            "{} spaces, {} audiences, {} computed traits",
            self.spaces, self.audiences, self.computed_traits
        )
    }
}

/// Makes the seed's spaces (where missing) and fills each; answers what
/// was created.
pub async fn seed_engage(client: &Client) -> anyhow::Result<EngageCounts> {
    let mut counts = EngageCounts::default();
    let mut spaces = client.list_spaces().await.context("listing spaces")?;
    for (name, slug) in SPACES {
        if spaces.iter().any(|s| s.slug == *slug) {
            continue;
        }
        let made = client
            .post::<Made, _>("spaces", &json!({ "name": name, "slug": slug }))
            .await;
        match made {
            Ok(Made { space }) => {
                counts.spaces += 1;
                spaces.push(space);
            }
            Err(e) if spaces.is_empty() => {
                return Err(anyhow::Error::new(e).context(
                    "this workspace makes no spaces through its API (Segment makes them in \
                     the app): create a space there, then seed again",
                ))
            }
            // Segment's own workspace: fill the spaces it has.
            Err(_) => break,
        }
    }
    for space in &spaces {
        fill(client, space, &mut counts)
            .await
            .with_context(|| format!("seeding space {:?}", space.slug))?;
    }
    Ok(counts)
}

async fn fill(client: &Client, space: &Space, counts: &mut EngageCounts) -> anyhow::Result<()> {
    let audiences = client.list_audiences(&space.id).await?;
    for (i, (name, query)) in AUDIENCES.iter().enumerate() {
        if audiences.iter().any(|a| a.name == *name) {
            continue;
        }
        let input = CreateAudience {
            name: name.to_string(),
            enabled: Some(i == 0),
            description: Some(format!("Seeded in {}.", space.name)),
            definition: AudienceDefinition {
                query: query.to_string(),
                ..Default::default()
            },
            audience_type: Some("USERS".into()),
            options: (i == 0).then(|| AudienceOptions {
                include_historical_data: Some(true),
                ..Default::default()
            }),
        };
        client.create_audience(&space.id, &input).await?;
        counts.audiences += 1;
    }
    let traits = client.list_computed_traits(&space.id).await?;
    for (i, (name, query)) in TRAITS.iter().enumerate() {
        if traits.iter().any(|t| t.name == *name) {
            continue;
        }
        let input = CreateComputedTrait {
            name: name.to_string(),
            enabled: Some(true),
            description: None,
            definition: ComputedTraitDefinition {
                query: query.to_string(),
                kind: "users".into(),
            },
            options: (i == 1).then(|| TraitOptions {
                include_anonymous_users: Some(false),
                ..Default::default()
            }),
        };
        client.create_computed_trait(&space.id, &input).await?;
        counts.computed_traits += 1;
    }
    Ok(())
}
