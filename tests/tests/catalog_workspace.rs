//! The workspace and the integration catalog.

use std::collections::HashSet;

use segment_e2e::{assert_client_error, fixtures, TestWorkspace};

#[tokio::test]
async fn the_workspace() {
    let ws = TestWorkspace::start().await.unwrap();
    let w = ws.owner().get_workspace().await.unwrap();
    assert_eq!(w.id.len(), 22);
    assert!(w.id.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(w.slug, "local-workspace");
    assert_eq!(w.name, "Local Workspace");
    assert_eq!(ws.reader().get_workspace().await.unwrap(), w);
    let raw = ws.get_raw("").await;
    assert_eq!(raw.data()["workspace"]["id"], w.id.as_str());
    // The client's base URL may carry a trailing slash or not.
    let c = ws.client_with_token(ws.owner_token()).unwrap();
    let slash = segment_api::Client::new(segment_api::ClientConfig::new(
        format!("{}/", ws.base_url()),
        ws.owner_token(),
    ))
    .unwrap();
    assert_eq!(c.get_workspace().await.unwrap(), w);
    assert_eq!(slash.get_workspace().await.unwrap(), w);
}

#[tokio::test]
async fn the_catalog_lists_and_pages() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();

    let sources = c.list_source_catalog().await.unwrap();
    let raw = ws.get_raw("catalog/sources?pagination.count=1").await;
    assert_eq!(
        raw.data()["pagination"]["totalEntries"],
        sources.len() as u64
    );
    assert!(sources.len() >= 20, "{}", sources.len());
    let js = sources
        .iter()
        .find(|m| m.id == fixtures::JAVASCRIPT_SOURCE)
        .unwrap();
    assert_eq!(
        (js.slug.as_str(), js.name.as_str()),
        ("javascript", "Javascript")
    );
    assert_eq!(c.get_source_metadata(&js.id).await.unwrap(), *js);

    let destinations = c.list_destination_catalog().await.unwrap();
    let amp = c
        .get_destination_metadata(fixtures::AMPLITUDE_DESTINATION)
        .await
        .unwrap();
    assert!(destinations.contains(&amp));
    let api_key = amp.options.iter().find(|o| o.name == "apiKey").unwrap();
    assert!(api_key.required && api_key.is_secret());
    let actions = c
        .get_destination_metadata(fixtures::AMPLITUDE_ACTIONS_DESTINATION)
        .await
        .unwrap();
    assert!(!actions.actions.is_empty());

    let warehouses = c.list_warehouse_catalog().await.unwrap();
    let pg = c
        .get_warehouse_metadata(fixtures::POSTGRES_WAREHOUSE)
        .await
        .unwrap();
    assert!(warehouses.contains(&pg));
    assert_eq!(pg.name, "Postgres");

    // Ids are unique across the three catalogs.
    let mut ids = HashSet::new();
    for id in sources
        .iter()
        .map(|m| &m.id)
        .chain(destinations.iter().map(|m| &m.id))
        .chain(warehouses.iter().map(|m| &m.id))
    {
        assert!(ids.insert(id.clone()), "{id} twice");
    }

    // Small pages through the cursors give the same list.
    let mut paged = Vec::new();
    let mut cursor = String::new();
    for _ in 0..100 {
        let raw = ws
            .get_raw(&format!(
                "catalog/destinations?pagination[count]=5&pagination[cursor]={cursor}"
            ))
            .await;
        let data = raw.data();
        let page = data["destinationsCatalog"].as_array().unwrap();
        assert!(page.len() <= 5);
        paged.extend(page.iter().map(|m| m["id"].as_str().unwrap().to_string()));
        match data["pagination"]["next"].as_str() {
            Some(n) => cursor = n.to_string(),
            None => break,
        }
    }
    let all: Vec<String> = destinations.iter().map(|m| m.id.clone()).collect();
    assert_eq!(paged, all);

    assert_client_error(c.get_source_metadata("nope").await, 404, None);
    // A destination's id is not a source's.
    assert_client_error(
        c.get_source_metadata(fixtures::AMPLITUDE_DESTINATION).await,
        404,
        None,
    );
    assert_client_error(c.get_warehouse_metadata("nope").await, 404, None);
}

/// The API answers its versioned media types as it answers plain JSON.
#[tokio::test]
async fn versioned_media_types_are_taken() {
    let ws = TestWorkspace::start().await.unwrap();
    for media in [
        "application/json",
        "application/vnd.segment.v1+json",
        "application/vnd.segment.v1beta+json",
        "application/vnd.segment.v1alpha+json",
    ] {
        let slug = media.replace(['/', '.', '+'], "-");
        let body = serde_json::json!({
            "slug": slug, "enabled": true, "metadataId": fixtures::JAVASCRIPT_SOURCE,
        });
        let rb = ws
            .request(reqwest::Method::POST, "sources")
            .header("accept", media)
            .header("content-type", media)
            .body(body.to_string());
        let raw = segment_e2e::Raw::send(rb).await;
        assert_eq!(raw.status, 200, "{media}: {}", raw.text);
        assert_eq!(raw.data()["source"]["slug"], slug.as_str());
        let rb = ws.request(reqwest::Method::GET, "").header("accept", media);
        assert_eq!(segment_e2e::Raw::send(rb).await.status, 200, "{media}");
    }
}
