//! `pagination.count` / `pagination[count]` and opaque cursors.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use segment_api::models::Pagination;

use crate::error::AppError;
use crate::store::Page;

pub const MAX_COUNT: u32 = 200;

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub after: i64,
    pub count: u32,
}

/// Reads the pagination parameters in either style the API's clients use.
/// A list call without them gets the first page of the largest size.
pub fn parse(raw_query: Option<&str>) -> Result<PageRequest, AppError> {
    let mut count = None;
    let mut cursor = None;
    for (k, v) in url::form_urlencoded::parse(raw_query.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "pagination.count" | "pagination[count]" => count = Some(v.into_owned()),
            "pagination.cursor" | "pagination[cursor]" => cursor = Some(v.into_owned()),
            _ => {}
        }
    }
    let count = match count {
        None => MAX_COUNT,
        Some(c) => match c.trim().parse::<u32>() {
            Ok(n @ 1..=MAX_COUNT) => n,
            _ => {
                return Err(AppError::bad_request(
                    "pagination.count",
                    format!(
                        "pagination.count must be a whole number from 1 to {MAX_COUNT}, not {c:?}"
                    ),
                ))
            }
        },
    };
    let after = match cursor.filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => decode_cursor(&c).ok_or_else(|| {
            AppError::bad_request(
                "pagination.cursor",
                "pagination.cursor is not a cursor this API handed out; start again without it",
            )
        })?,
    };
    Ok(PageRequest { after, count })
}

/// Cursors are base64 of a position, as the API's own are (its first page
/// is `MA==`, "0"), so clients that start from `MA==` work here too.
pub fn encode_cursor(position: i64) -> String {
    STANDARD.encode(position.to_string())
}

fn decode_cursor(c: &str) -> Option<i64> {
    // Clients may send the padding or drop it, and URL-safe or standard letters.
    let normalized: String = c
        .trim_end_matches('=')
        .chars()
        .map(|ch| match ch {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    let bytes = STANDARD_NO_PAD.decode(normalized).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .parse()
        .ok()
        .filter(|n: &i64| *n >= 0)
}

/// The pagination block for a page read at `request`.
pub fn output<T>(request: PageRequest, page: &Page<T>) -> Pagination {
    Pagination {
        current: encode_cursor(request.after),
        next: page.next.map(encode_cursor),
        previous: None,
        total_entries: Some(page.total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_query_styles() {
        let a = parse(Some("pagination.count=3&pagination.cursor=NQ%3D%3D")).unwrap();
        let b = parse(Some("pagination%5Bcount%5D=3&pagination%5Bcursor%5D=NQ")).unwrap();
        assert_eq!((a.count, a.after), (3, 5));
        assert_eq!((b.count, b.after), (3, 5));
    }

    #[test]
    fn count_bounds() {
        assert!(parse(Some("pagination.count=0")).is_err());
        assert!(parse(Some("pagination.count=201")).is_err());
        assert!(parse(Some("pagination.count=abc")).is_err());
        assert_eq!(parse(Some("pagination.count=200")).unwrap().count, 200);
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode_cursor(42);
        assert_eq!(
            parse(Some(&format!("pagination.cursor={c}")))
                .unwrap()
                .after,
            42
        );
        assert!(parse(Some("pagination.cursor=%%%")).is_err());
        // The API's own first-page cursor.
        assert_eq!(parse(Some("pagination.cursor=MA%3D%3D")).unwrap().after, 0);
    }
}
