//! Sources, destinations, subscriptions, warehouses, filters and the catalog.

use futures::stream::{Stream, TryStreamExt};
use reqwest::Method;

use super::{to_body, Client};
use crate::error::Result;
use crate::models::*;

/// Escapes one path segment (ids are URL-safe, but a caller may pass anything).
pub fn seg(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// What a list of destinations tells of each without decoding it whole.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct DestinationListing {
    pub id: String,
    #[serde(default)]
    metadata: Option<ListingMetadata>,
}

#[derive(Clone, Debug, serde::Deserialize)]
struct ListingMetadata {
    #[serde(default)]
    actions: Option<Vec<serde::de::IgnoredAny>>,
}

impl DestinationListing {
    /// False only when the answer shows its integration has no actions: a
    /// subscription names one of them, so it has none. An answer without
    /// the field tells nothing.
    pub fn may_have_subscriptions(&self) -> bool {
        self.metadata
            .as_ref()
            .and_then(|m| m.actions.as_ref())
            .is_none_or(|actions| !actions.is_empty())
    }
}

impl Client {
    /// A source, destination or warehouse as the API answers it, every
    /// field kept: the models name their catalog entry only, and the data
    /// sources show all of it. `collection` is `sources`, `destinations` or
    /// `warehouses`; `key` the answer's member (`source`...).
    pub async fn get_integration_document(
        &self,
        collection: &str,
        key: &str,
        id: &str,
    ) -> Result<serde_json::Value> {
        let path = format!("{collection}/{}", seg(id));
        self.one(Method::GET, &path, key, None).await
    }
    pub async fn list_sources(&self) -> Result<Vec<Source>> {
        self.list_kept("sources", "sources", &[]).await
    }
    pub async fn get_source(&self, id: &str) -> Result<Source> {
        self.one(Method::GET, &format!("sources/{}", seg(id)), "source", None)
            .await
    }
    pub async fn create_source(&self, input: &CreateSource) -> Result<Source> {
        self.one(Method::POST, "sources", "source", Some(to_body(input)?))
            .await
    }
    pub async fn update_source(&self, id: &str, input: &UpdateSource) -> Result<Source> {
        let path = format!("sources/{}", seg(id));
        self.one(Method::PATCH, &path, "source", Some(to_body(input)?))
            .await
    }
    pub async fn delete_source(&self, id: &str) -> Result<Status> {
        self.delete(&format!("sources/{}", seg(id)), &[]).await
    }
    /// Replaces the labels of a source.
    pub async fn replace_source_labels(&self, id: &str, labels: &[Label]) -> Result<Vec<Label>> {
        let path = format!("sources/{}/labels", seg(id));
        let body = Labels {
            labels: labels.to_vec(),
        };
        self.one(Method::PUT, &path, "labels", Some(to_body(&body)?))
            .await
    }
    /// Adds labels to a source, keeping the ones it has.
    pub async fn add_source_labels(&self, id: &str, labels: &[Label]) -> Result<Vec<Label>> {
        let path = format!("sources/{}/labels", seg(id));
        let body = Labels {
            labels: labels.to_vec(),
        };
        self.one(Method::POST, &path, "labels", Some(to_body(&body)?))
            .await
    }
    pub async fn list_connected_destinations(&self, source_id: &str) -> Result<Vec<Destination>> {
        let path = format!("sources/{}/connected-destinations", seg(source_id));
        self.list_all(&path, "destinations", &[]).await
    }
    pub async fn list_connected_warehouses(&self, source_id: &str) -> Result<Vec<Warehouse>> {
        let path = format!("sources/{}/connected-warehouses", seg(source_id));
        self.list_all(&path, "warehouses", &[]).await
    }

    pub async fn list_destinations(&self) -> Result<Vec<Destination>> {
        self.list_kept("destinations", "destinations", &[]).await
    }
    /// Every destination's id alone: each one carries its integration's
    /// catalog metadata (tens of KB), left undecoded here.
    pub async fn list_destination_ids(&self) -> Result<Vec<String>> {
        self.destination_listing_pages()
            .map_ok(|page| page.into_iter().map(|d| d.id).collect::<Vec<_>>())
            .try_concat()
            .await
    }
    /// Each destination's id and whether its integration has actions, a
    /// page at a time, as the pages arrive: an export lists each
    /// destination's filters meanwhile. The catalog metadata (tens of KB a
    /// destination) is skimmed, not kept in memory.
    pub fn destination_listing_pages(
        &self,
    ) -> impl Stream<Item = Result<Vec<DestinationListing>>> + '_ {
        self.kept_pages::<DestinationListing>("destinations", "destinations", &[])
    }
    pub async fn get_destination(&self, id: &str) -> Result<Destination> {
        let path = format!("destinations/{}", seg(id));
        self.one(Method::GET, &path, "destination", None).await
    }
    pub async fn create_destination(&self, input: &CreateDestination) -> Result<Destination> {
        let body = Some(to_body(input)?);
        self.one(Method::POST, "destinations", "destination", body)
            .await
    }
    pub async fn update_destination(
        &self,
        id: &str,
        input: &UpdateDestination,
    ) -> Result<Destination> {
        let path = format!("destinations/{}", seg(id));
        self.one(Method::PATCH, &path, "destination", Some(to_body(input)?))
            .await
    }
    pub async fn delete_destination(&self, id: &str) -> Result<Status> {
        self.delete(&format!("destinations/{}", seg(id)), &[]).await
    }

    pub async fn list_subscriptions(
        &self,
        destination_id: &str,
    ) -> Result<Vec<DestinationSubscription>> {
        let path = format!("destinations/{}/subscriptions", seg(destination_id));
        self.list_kept(&path, "subscriptions", &[]).await
    }
    pub async fn get_subscription(
        &self,
        destination_id: &str,
        id: &str,
    ) -> Result<DestinationSubscription> {
        let path = format!(
            "destinations/{}/subscriptions/{}",
            seg(destination_id),
            seg(id)
        );
        self.one(Method::GET, &path, "subscription", None).await
    }
    pub async fn create_subscription(
        &self,
        destination_id: &str,
        input: &CreateDestinationSubscription,
    ) -> Result<DestinationSubscription> {
        let path = format!("destinations/{}/subscriptions", seg(destination_id));
        let body = Some(to_body(input)?);
        self.one(Method::POST, &path, "destinationSubscription", body)
            .await
    }
    pub async fn update_subscription(
        &self,
        destination_id: &str,
        id: &str,
        input: &UpdateDestinationSubscription,
    ) -> Result<DestinationSubscription> {
        let path = format!(
            "destinations/{}/subscriptions/{}",
            seg(destination_id),
            seg(id)
        );
        let body = UpdateDestinationSubscriptionBody {
            input: input.clone(),
        };
        self.one(Method::PATCH, &path, "subscription", Some(to_body(&body)?))
            .await
    }
    pub async fn delete_subscription(&self, destination_id: &str, id: &str) -> Result<Status> {
        let path = format!(
            "destinations/{}/subscriptions/{}",
            seg(destination_id),
            seg(id)
        );
        self.delete(&path, &[]).await
    }

    pub async fn list_warehouses(&self) -> Result<Vec<Warehouse>> {
        self.list_kept("warehouses", "warehouses", &[]).await
    }
    pub async fn get_warehouse(&self, id: &str) -> Result<Warehouse> {
        let path = format!("warehouses/{}", seg(id));
        self.one(Method::GET, &path, "warehouse", None).await
    }
    pub async fn create_warehouse(&self, input: &CreateWarehouse) -> Result<Warehouse> {
        self.one(
            Method::POST,
            "warehouses",
            "warehouse",
            Some(to_body(input)?),
        )
        .await
    }
    pub async fn update_warehouse(&self, id: &str, input: &UpdateWarehouse) -> Result<Warehouse> {
        let path = format!("warehouses/{}", seg(id));
        self.one(Method::PATCH, &path, "warehouse", Some(to_body(input)?))
            .await
    }
    pub async fn delete_warehouse(&self, id: &str) -> Result<Status> {
        self.delete(&format!("warehouses/{}", seg(id)), &[]).await
    }
    pub async fn list_warehouse_sources(&self, warehouse_id: &str) -> Result<Vec<Source>> {
        let path = format!("warehouses/{}/connected-sources", seg(warehouse_id));
        self.list_all(&path, "sources", &[]).await
    }
    pub async fn connect_warehouse_source(
        &self,
        warehouse_id: &str,
        source_id: &str,
    ) -> Result<Status> {
        let path = format!(
            "warehouses/{}/connected-sources/{}",
            seg(warehouse_id),
            seg(source_id)
        );
        self.post(&path, &serde_json::json!({})).await
    }
    pub async fn disconnect_warehouse_source(
        &self,
        warehouse_id: &str,
        source_id: &str,
    ) -> Result<Status> {
        let path = format!(
            "warehouses/{}/connected-sources/{}",
            seg(warehouse_id),
            seg(source_id)
        );
        self.delete(&path, &[]).await
    }

    pub async fn list_filters(&self, destination_id: &str) -> Result<Vec<DestinationFilter>> {
        let path = format!("destination/{}/filters", seg(destination_id));
        self.list_kept(&path, "filters", &[]).await
    }
    pub async fn get_filter(&self, destination_id: &str, id: &str) -> Result<DestinationFilter> {
        let path = format!("destination/{}/filters/{}", seg(destination_id), seg(id));
        self.one(Method::GET, &path, "filter", None).await
    }
    pub async fn create_filter(
        &self,
        destination_id: &str,
        input: &CreateDestinationFilter,
    ) -> Result<DestinationFilter> {
        let path = format!("destination/{}/filters", seg(destination_id));
        self.one(Method::POST, &path, "filter", Some(to_body(input)?))
            .await
    }
    pub async fn update_filter(
        &self,
        destination_id: &str,
        id: &str,
        input: &UpdateDestinationFilter,
    ) -> Result<DestinationFilter> {
        let path = format!("destination/{}/filters/{}", seg(destination_id), seg(id));
        self.one(Method::PATCH, &path, "filter", Some(to_body(input)?))
            .await
    }
    pub async fn delete_filter(&self, destination_id: &str, id: &str) -> Result<Status> {
        let path = format!("destination/{}/filters/{}", seg(destination_id), seg(id));
        self.delete(&path, &[]).await
    }

    pub async fn list_source_catalog(&self) -> Result<Vec<SourceMetadata>> {
        self.list_all("catalog/sources", "sourcesCatalog", &[])
            .await
    }
    pub async fn get_source_metadata(&self, id: &str) -> Result<SourceMetadata> {
        let path = format!("catalog/sources/{}", seg(id));
        self.one(Method::GET, &path, "sourceMetadata", None).await
    }
    pub async fn list_destination_catalog(&self) -> Result<Vec<DestinationMetadata>> {
        self.list_all("catalog/destinations", "destinationsCatalog", &[])
            .await
    }
    pub async fn get_destination_metadata(&self, id: &str) -> Result<DestinationMetadata> {
        let path = format!("catalog/destinations/{}", seg(id));
        self.one(Method::GET, &path, "destinationMetadata", None)
            .await
    }
    pub async fn list_warehouse_catalog(&self) -> Result<Vec<WarehouseMetadata>> {
        self.list_all("catalog/warehouses", "warehousesCatalog", &[])
            .await
    }
    pub async fn get_warehouse_metadata(&self, id: &str) -> Result<WarehouseMetadata> {
        let path = format!("catalog/warehouses/{}", seg(id));
        self.one(Method::GET, &path, "warehouseMetadata", None)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::DestinationListing;

    fn listing(json: &str) -> DestinationListing {
        serde_json::from_str(json).expect("a destination")
    }

    // Skipping a destination's subscriptions is safe only when its answer
    // shows an integration without actions; a missing field must not skip.
    #[test]
    fn only_an_integration_shown_without_actions_has_no_subscriptions() {
        let none = listing(r#"{"id": "d1", "metadata": {"id": "m", "actions": []}}"#);
        let some = listing(r#"{"id": "d2", "metadata": {"actions": [{"id": "a1", "x": [1]}]}}"#);
        let untold = listing(r#"{"id": "d3", "metadata": {"id": "m"}}"#);
        let bare = listing(r#"{"id": "d4"}"#);
        assert!(!none.may_have_subscriptions());
        assert!(some.may_have_subscriptions());
        assert!(untold.may_have_subscriptions());
        assert!(bare.may_have_subscriptions());
    }
}
