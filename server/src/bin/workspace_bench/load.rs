//! The workloads: concurrent seeding, timed GET and POST loops, full listings.

use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Bytes;
use futures::stream::{self, StreamExt};
use hdrhistogram::Histogram;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{json, Value};

/// Catalog ids of the sources the bench makes: a JavaScript source (no
/// settings) and, one in ten, a Stripe source with a secret to mask.
const JAVASCRIPT: &str = "IqDTy1TpoU";
const STRIPE: &str = "1bow82lmk";

/// The most requests one timed workload makes, whatever the deadline.
const MAX_REQUESTS: u64 = 50_000_000;

/// The servers a workload calls: several when they share one PostgreSQL,
/// each worker keeping to one of them (worker `w` to server `w % n`).
pub struct Target {
    http: reqwest::Client,
    bases: Vec<String>,
}

impl Target {
    pub fn new(base: &str, token: &str, workers: usize) -> anyhow::Result<Self> {
        Self::split(&[base.to_string()], token, workers)
    }

    /// Splits the load over `bases`, one server per worker in turn.
    pub fn split(bases: &[String], token: &str, workers: usize) -> anyhow::Result<Self> {
        anyhow::ensure!(!bases.is_empty(), "no server to measure");
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(&format!("Bearer {token}"))
            .context("the token is not a valid header value")?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            // One kept-alive connection per worker, reused for every request.
            .pool_max_idle_per_host(workers.max(64))
            .timeout(Duration::from_secs(30))
            .tcp_nodelay(true)
            .build()
            .context("building the HTTP client")?;
        Ok(Target {
            http,
            bases: bases.to_vec(),
        })
    }

    /// The server of worker (or request) `w`.
    fn base(&self, w: usize) -> &str {
        &self.bases[w % self.bases.len()]
    }

    /// Sends one request and reads the whole body; `Err` on a non-2xx answer.
    async fn send(&self, req: reqwest::RequestBuilder) -> anyhow::Result<Bytes> {
        let resp = req.send().await?;
        let status = resp.status();
        let body = resp.bytes().await?;
        anyhow::ensure!(
            status.is_success(),
            "HTTP {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        );
        Ok(body)
    }

    async fn create_source(&self, slug: &str, i: usize) -> anyhow::Result<String> {
        let body = if i % 10 == 9 {
            json!({ "slug": slug, "enabled": true, "metadataId": STRIPE,
                    "settings": { "apiKey": format!("rk_live_{i:024}") } })
        } else {
            json!({ "slug": slug, "enabled": true, "metadataId": JAVASCRIPT })
        };
        let req = self
            .http
            .post(format!("{}/sources", self.base(i)))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        let bytes = self.send(req).await?;
        let v: Value = serde_json::from_slice(&bytes).context("decoding a created source")?;
        v.pointer("/data/source/id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .context("the created source has no id")
    }
}

/// A list page, decoded only as far as a cursor-following client must: the
/// items are counted and skipped, not built, so the figure is the server's.
#[derive(Deserialize)]
struct ListPage {
    data: ListData,
}

#[derive(Deserialize)]
struct ListData {
    sources: Vec<IgnoredAny>,
    pagination: Cursor,
}

#[derive(Deserialize)]
struct Cursor {
    next: Option<String>,
}

pub struct Seeded {
    pub ids: Vec<String>,
    pub elapsed: Duration,
}

/// Creates `n` sources with `in_flight` requests at once.
pub async fn seed_sources(t: &Target, n: usize, in_flight: usize) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let results: Vec<anyhow::Result<String>> = stream::iter(0..n)
        .map(|i| async move { t.create_source(&format!("bench_seed_{i}"), i).await })
        .buffer_unordered(in_flight)
        .collect()
        .await;
    let ids = results
        .into_iter()
        .collect::<anyhow::Result<Vec<_>>>()
        .context("seeding sources")?;
    Ok(Seeded {
        ids,
        elapsed: started.elapsed(),
    })
}

/// Latencies and counts of one workload.
pub struct Measured {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    histogram: Histogram<u64>,
}

impl Measured {
    fn new() -> anyhow::Result<Self> {
        Ok(Measured {
            requests: 0,
            errors: 0,
            elapsed: Duration::ZERO,
            // Microseconds from 1 µs to 60 s, 3 significant digits.
            histogram: Histogram::new_with_bounds(1, 60_000_000, 3)?,
        })
    }

    fn record(&mut self, took: Duration, ok: bool) {
        self.requests += 1;
        if !ok {
            self.errors += 1;
        }
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.histogram.saturating_record(micros.max(1));
    }

    fn merge(&mut self, other: &Measured) -> anyhow::Result<()> {
        self.requests += other.requests;
        self.errors += other.errors;
        self.histogram.add(&other.histogram)?;
        Ok(())
    }

    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn percentile_ms(&self, p: f64) -> f64 {
        self.histogram.value_at_percentile(p) as f64 / 1000.0
    }
}

pub enum Workload<'a> {
    /// GET /sources/{id} over these ids, at random.
    Get(&'a [String]),
    /// POST /sources with fresh slugs.
    Create,
}

/// Runs `workers` loops of one request at a time until `duration` passes.
pub async fn timed(
    t: &Target,
    workers: usize,
    duration: Duration,
    workload: Workload<'_>,
) -> anyhow::Result<Measured> {
    let started = Instant::now();
    let deadline = started + duration;
    let per_worker = MAX_REQUESTS / workers.max(1) as u64;
    let workload = &workload;
    let loops = (0..workers).map(|w| async move {
        let mut m = Measured::new()?;
        let mut n = 0u64;
        while Instant::now() < deadline && n < per_worker {
            let t0 = Instant::now();
            let ok = match workload {
                Workload::Get(ids) => {
                    let id = &ids[fastrand::usize(..ids.len())];
                    let req = t.http.get(format!("{}/sources/{id}", t.base(w)));
                    t.send(req).await.is_ok()
                }
                Workload::Create => t
                    .create_source(&format!("bench_new_{w}_{n}"), n as usize)
                    .await
                    .is_ok(),
            };
            m.record(t0.elapsed(), ok);
            n += 1;
        }
        anyhow::Ok(m)
    });
    let mut total = Measured::new()?;
    for m in futures::future::join_all(loops).await {
        total.merge(&m?)?;
    }
    total.elapsed = started.elapsed();
    Ok(total)
}

pub struct Listings {
    /// Wall time of each full listing.
    pub walls: Vec<Duration>,
    /// Every page request of every listing.
    pub pages: Measured,
    /// Sources in one listing.
    pub items: usize,
}

impl Listings {
    pub fn median(&self) -> Duration {
        let mut w = self.walls.clone();
        w.sort();
        w.get(w.len() / 2).copied().unwrap_or_default()
    }
}

/// Lists every source `runs` times, page by page at the largest page size,
/// one page after another as a client following cursors must.
pub async fn listings(t: &Target, runs: usize, expected: usize) -> anyhow::Result<Listings> {
    let mut out = Listings {
        walls: Vec::with_capacity(runs),
        pages: Measured::new()?,
        items: 0,
    };
    // A listing never needs more pages than this; a cursor loop cannot hang us.
    let max_pages = expected / 200 + 10;
    let started = Instant::now();
    for _ in 0..runs {
        let run_started = Instant::now();
        let mut cursor: Option<String> = None;
        let mut items = 0;
        for page in 0..=max_pages {
            anyhow::ensure!(
                page < max_pages,
                "the listing did not end after {max_pages} pages"
            );
            let mut req = t
                .http
                .get(format!("{}/sources", t.base(0)))
                .query(&[("pagination.count", "200")]);
            if let Some(c) = &cursor {
                req = req.query(&[("pagination.cursor", c)]);
            }
            let t0 = Instant::now();
            let body = t.send(req).await;
            out.pages.record(t0.elapsed(), body.is_ok());
            let page: ListPage = serde_json::from_slice(&body?).context("decoding a page")?;
            items += page.data.sources.len();
            cursor = page.data.pagination.next.filter(|c| !c.is_empty());
            if cursor.is_none() {
                break;
            }
        }
        out.walls.push(run_started.elapsed());
        out.items = items;
    }
    out.pages.elapsed = started.elapsed();
    Ok(out)
}
