//! How long a 429 asks us to wait, from its body or headers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

use crate::error::ApiError;

/// The wait a rate-limited answer asks for: `data.msBeforeNext` in the error
/// body first, then `Retry-After` (seconds or an HTTP date), then
/// `X-RateLimit-Reset` (a date, Segment's documented form; or epoch seconds
/// or milliseconds, or seconds from now).
pub fn wait_hint(headers: &HeaderMap, err: &ApiError) -> Option<Duration> {
    let from_body = err.errors.iter().find_map(|e| {
        e.data
            .as_ref()?
            .get("msBeforeNext")?
            .as_f64()
            .filter(|ms| ms.is_finite() && *ms >= 0.0)
            .map(|ms| Duration::from_millis(ms as u64))
    });
    from_body
        .or_else(|| retry_after(headers))
        .or_else(|| rate_limit_reset(headers))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = header(headers, "retry-after")?;
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

fn rate_limit_reset(headers: &HeaderMap) -> Option<Duration> {
    let raw = header(headers, "x-ratelimit-reset")?;
    if let Ok(at) = httpdate::parse_http_date(raw) {
        return Some(at.duration_since(SystemTime::now()).unwrap_or_default());
    }
    let v: f64 = raw.parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    let at = if v > 1e12 {
        Duration::from_millis(v as u64)
    } else if v > 1e9 {
        Duration::from_secs_f64(v)
    } else {
        return Some(Duration::from_secs_f64(v));
    };
    Some(at.saturating_sub(now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiErrorItem;

    fn err_with(data: serde_json::Value) -> ApiError {
        ApiError {
            status: 429,
            errors: vec![ApiErrorItem {
                data: Some(data),
                ..Default::default()
            }],
        }
    }

    #[test]
    fn body_hint_wins() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "9".parse().unwrap());
        let d = wait_hint(&h, &err_with(serde_json::json!({"msBeforeNext": 250})));
        assert_eq!(d, Some(Duration::from_millis(250)));
    }

    #[test]
    fn retry_after_seconds_and_reset_epoch() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        let none = ApiError {
            status: 429,
            errors: vec![],
        };
        assert_eq!(wait_hint(&h, &none), Some(Duration::from_secs(2)));
        let mut h = HeaderMap::new();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis()
            + 3000;
        h.insert("x-ratelimit-reset", now.to_string().parse().unwrap());
        let d = wait_hint(&h, &none).unwrap();
        assert!(
            d > Duration::from_millis(2500) && d <= Duration::from_millis(3000),
            "{d:?}"
        );
    }

    /// Segment documents `X-RateLimit-Reset` as a date; it was read as a
    /// number only, so a date gave no wait at all.
    #[test]
    fn reset_as_a_date() {
        let none = ApiError {
            status: 429,
            errors: vec![],
        };
        let mut h = HeaderMap::new();
        let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(5));
        h.insert("x-ratelimit-reset", at.parse().unwrap());
        let d = wait_hint(&h, &none).expect("a date is a wait");
        assert!(
            d > Duration::from_secs(3) && d <= Duration::from_secs(5),
            "{d:?}"
        );
    }
}
