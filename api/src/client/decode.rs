//! Answers decoded straight from their bytes into the models, with no
//! `serde_json::Value` tree in between, and the members nobody asked for
//! skipped without being built. A destination carries its catalog metadata
//! (tens of KB): a tree first and the model second doubled the client's
//! work, and a page of 200 destinations is megabytes.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use url::Url;

use crate::error::{Error, Result};
use crate::models::{Envelope, Pagination};

fn decode_error(url: &Url, message: String) -> Error {
    Error::Decode {
        url: url.to_string(),
        message,
    }
}

/// Runs `seed` over the whole of `bytes` (trailing garbage is an error).
fn parse<'de, S: DeserializeSeed<'de>>(bytes: &'de [u8], seed: S) -> serde_json::Result<S::Value> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = seed.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// The payload inside `{"data": ...}`.
pub(crate) fn data<T: DeserializeOwned>(url: &Url, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice::<Envelope<T>>(bytes)
        .map(|env| env.data)
        .map_err(|e| decode_error(url, e.to_string()))
}

/// The object under `key` in `{"data": {key: ...}}`.
pub(crate) fn one<T: DeserializeOwned>(url: &Url, bytes: &[u8], key: &str) -> Result<T> {
    let seed = Member {
        name: "data",
        seed: Member {
            name: key,
            seed: PhantomData::<T>,
        },
    };
    match parse(bytes, seed) {
        Ok(Some(Some(item))) => Ok(item),
        Ok(_) => Err(decode_error(url, format!("the answer has no `{key}`"))),
        Err(e) => Err(decode_error(url, format!("`{key}`: {e}"))),
    }
}

/// The items under `key` in `{"data": {key: [...], "pagination": {...}}}`
/// (none when absent) and the cursor block (empty when absent).
pub(crate) fn page<T: DeserializeOwned>(
    url: &Url,
    bytes: &[u8],
    key: &str,
) -> Result<(Vec<T>, Pagination)> {
    let seed = Member {
        name: "data",
        seed: Page {
            key,
            items: PhantomData::<T>,
        },
    };
    match parse(bytes, seed) {
        Ok(Some((items, pagination))) => {
            Ok((items.unwrap_or_default(), pagination.unwrap_or_default()))
        }
        Ok(None) => Err(decode_error(url, "the answer has no `data`".into())),
        Err(e) => Err(decode_error(url, format!("list `{key}`: {e}"))),
    }
}

/// One member of a JSON object, read with `seed`; `None` when absent.
struct Member<'k, S> {
    name: &'k str,
    seed: S,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Member<'_, S> {
    type Value = Option<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Member<'_, S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with `{}`", self.name)
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut seed = Some(self.seed);
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            match seed.take_if(|_| key == self.name) {
                Some(s) => found = Some(map.next_value_seed(s)?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// A list answer's `data`: its items and its cursor block.
struct Page<'k, T> {
    key: &'k str,
    items: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Page<'_, T> {
    type Value = (Option<Vec<T>>, Option<Pagination>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Page<'_, T> {
    type Value = (Option<Vec<T>>, Option<Pagination>);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with `{}` and `pagination`", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let (mut items, mut pagination) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            if key == self.key && items.is_none() {
                items = Some(map.next_value()?);
            } else if key == "pagination" && pagination.is_none() {
                pagination = Some(map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok((items, pagination))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Item {
        id: String,
    }

    fn url() -> Url {
        Url::parse("http://127.0.0.1/x").expect("a URL")
    }

    #[test]
    fn one_reads_its_key_and_skips_the_rest() {
        let body = br#"{"data":{"other":{"big":[1,2,{"a":null}]},"item":{"id":"a","extra":1}}}"#;
        assert_eq!(
            one::<Item>(&url(), body, "item").expect("decodes"),
            Item { id: "a".into() }
        );
        let err = one::<Item>(&url(), br#"{"data":{"other":1}}"#, "item").unwrap_err();
        assert!(err.to_string().contains("no `item`"), "{err}");
        let err = one::<Item>(&url(), br#"{"data":{"item":{"id":1}}}"#, "item").unwrap_err();
        assert!(err.to_string().contains("`item`"), "{err}");
        assert!(one::<Item>(&url(), br#"{"data":{"item":{"id":"a"}}} x"#, "item").is_err());
    }

    #[test]
    fn pages_have_items_and_cursors_or_defaults() {
        let body = br#"{"data":{"items":[{"id":"a"},{"id":"b"}],"pagination":{"current":"MA==","next":"Mg=="}}}"#;
        let (items, cursor) = page::<Item>(&url(), body, "items").expect("decodes");
        assert_eq!(items.len(), 2);
        assert_eq!(cursor.next.as_deref(), Some("Mg=="));
        let (items, cursor) = page::<Item>(&url(), br#"{"data":{}}"#, "items").expect("decodes");
        assert!(items.is_empty() && cursor == Pagination::default());
        assert!(page::<Item>(&url(), br#"{"nodata":1}"#, "items").is_err());
    }
}
