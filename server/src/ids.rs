//! Identifiers, write keys and timestamps as the API shapes them.

use rand::distributions::Alphanumeric;
use rand::Rng;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// An opaque, URL-safe id like the API's (22 alphanumerics, ~131 bits).
pub fn new_id() -> String {
    random_alnum(22)
}

/// A source write key.
pub fn new_write_key() -> String {
    random_alnum(32)
}

/// A new API token: a prefix that says what it is, then 40 random characters.
pub fn new_token() -> String {
    format!("sgw_{}", random_alnum(40))
}

fn random_alnum(n: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

/// Now, as RFC 3339 in UTC with milliseconds: `2026-11-21T16:03:53.123Z`.
/// Fixed width, so these strings sort in time order.
pub fn now() -> String {
    format_time(OffsetDateTime::now_utc())
}

pub fn format_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Parses any RFC 3339 time into the stored form, for range filters.
pub fn normalize_time(s: &str) -> Option<String> {
    OffsetDateTime::parse(s, &Rfc3339).ok().map(format_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_url_safe_and_distinct() {
        let a = new_id();
        assert_eq!(a.len(), 22);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, new_id());
    }

    #[test]
    fn times_normalize_to_fixed_width_utc() {
        assert_eq!(
            normalize_time("2026-01-02T03:04:05+01:00").as_deref(),
            Some("2026-01-02T02:04:05.000Z")
        );
        assert_eq!(now().len(), 24);
        assert!(normalize_time("yesterday").is_none());
    }
}
