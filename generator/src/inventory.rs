//! What the live workspace holds, by import ID: a walk over the registry,
//! each type listed as its declaration says (on its own, per parent, per
//! space). Reading each object is [`crate::desired`]'s job.

use futures::future::{self, BoxFuture, FutureExt};
use futures::stream::{self, StreamExt, TryStreamExt};
use segment_api::Client;
use segment_resources::engine::{Listed, Parent};

use crate::kinds::{self, Kind};

/// Requests in flight while listing children of many parents.
const CONCURRENCY: usize = 16;

type Result<T> = std::result::Result<T, segment_api::Error>;

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
    fn of(kind: &Kind, import_id: String) -> Live {
        Live {
            type_name: kind.type_name,
            audit_id: kind.audit_id.of(&import_id),
            import_id,
        }
    }
}

/// Every object of the workspace, in a stable order. Types that live in
/// spaces are listed in each space the API lists and each of `spaces`
/// (a workspace without Engage lists none; named ones are still asked).
pub async fn everything(api: &Client, spaces: &[String]) -> Result<Vec<Live>> {
    let started = std::time::Instant::now();
    let all_spaces = every_space(api, spaces).await?;
    let lists = kinds::all().iter().map(|kind| match kind.parent {
        Parent::Workspace => walk(api, kind, String::new()),
        Parent::Space => in_spaces(api, kind, &all_spaces),
        // Listed under each parent by the parent's walk.
        Parent::Type(_) => future::ready(Ok(Vec::new())).boxed(),
    });
    let mut out: Vec<Live> = future::try_join_all(lists)
        .await?
        .into_iter()
        .flatten()
        .collect();
    out.sort();
    out.dedup();
    tracing::debug!(objects = out.len(), elapsed = ?started.elapsed(), "listed the workspace");
    Ok(out)
}

/// The spaces the API lists and each of `named` (a workspace without
/// Engage lists none; named ones are still asked), each once.
pub async fn every_space(api: &Client, named: &[String]) -> Result<Vec<String>> {
    let mut spaces = named.to_vec();
    spaces.extend(api.list_spaces().await?.into_iter().map(|s| s.id));
    spaces.sort();
    spaces.dedup();
    Ok(spaces)
}

/// The objects of `kind` in each space, `CONCURRENCY` spaces at a time.
fn in_spaces<'a>(
    api: &'a Client,
    kind: &'static Kind,
    spaces: &[String],
) -> BoxFuture<'a, Result<Vec<Live>>> {
    let walks: Vec<_> = spaces.iter().map(|s| walk(api, kind, s.clone())).collect();
    async move {
        let groups: Vec<Vec<Live>> = stream::iter(walks)
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        Ok(groups.into_iter().flatten().collect())
    }
    .boxed()
}

/// The objects of `kind` under `parent` and everything below them: the
/// children of a page's objects are listed as soon as the page arrives
/// (`CONCURRENCY` objects at a time), while the next pages (3.8 MB each
/// for destinations, one after another) are still on their way.
fn walk<'a>(
    api: &'a Client,
    kind: &'static Kind,
    parent: String,
) -> BoxFuture<'a, Result<Vec<Live>>> {
    async move {
        let children = kinds::children_of(kind.type_name);
        let mut out = Vec::new();
        let below: Vec<Vec<Live>> = kind
            .list(api, &parent)
            .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
            .try_flatten()
            .inspect_ok(|listed: &Listed| out.push(Live::of(kind, listed.import_id.clone())))
            .map_ok(|listed| under(api, &children, listed))
            .try_buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        out.extend(below.into_iter().flatten());
        Ok(out)
    }
    .boxed()
}

/// Everything of the child types under one listed object.
async fn under(api: &Client, children: &[&'static Kind], listed: Listed) -> Result<Vec<Live>> {
    let walks = children
        .iter()
        .filter(|child| listed.may_hold(child.type_name))
        .map(|child| walk(api, child, listed.import_id.clone()));
    let groups = future::try_join_all(walks).await?;
    Ok(groups.into_iter().flatten().collect())
}

/// The object of `kind` whose audit id is `audit_id`, looked for under
/// `parents` only (import IDs of the parent type, space ids, or `""` for
/// the workspace), not below: sync finds a new child without listing the
/// whole workspace. Stops at the first parent that lists it.
pub async fn find_under(
    api: &Client,
    kind: &'static Kind,
    parents: &[String],
    audit_id: &str,
) -> Result<Option<Live>> {
    let found = stream::iter(parents.iter().cloned())
        .map(|parent| async move {
            let pages: Vec<Vec<Listed>> = kind.list(api, &parent).try_collect().await?;
            Ok(pages
                .into_iter()
                .flatten()
                .map(|listed| Live::of(kind, listed.import_id))
                .find(|live| live.audit_id == audit_id))
        })
        .buffer_unordered(CONCURRENCY)
        .try_filter_map(|hit| future::ready(Ok(hit)))
        .boxed()
        .try_next()
        .await?;
    Ok(found)
}

/// The import ID of the object an audit event names, without listing the
/// workspace where the event alone tells it (children whose events do not
/// name their parent are found by listing).
pub fn import_id_of_event(type_name: &str, resource_id: &str) -> Option<String> {
    match kinds::by_type(type_name) {
        Some(kind) => kind.audit_id.import_id(resource_id),
        None => Some(resource_id.to_string()),
    }
}
