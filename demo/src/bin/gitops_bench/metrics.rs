//! Requests per route as the workspace counted them (`GET /metrics`), so
//! the bench can say what an export costs against a rate limit, kind by
//! kind, whatever the export itself printed.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;

/// `segment_workspace_requests_total` by (method, route, status).
#[derive(Clone, Debug, Default)]
pub struct Counts(BTreeMap<(String, String, String), u64>);

impl Counts {
    /// The workspace's counters now.
    pub async fn read(base: &str) -> anyhow::Result<Counts> {
        let url = format!("{}/metrics", base.trim_end_matches('/'));
        let text = tokio::time::timeout(Duration::from_secs(30), async {
            reqwest::get(&url).await?.error_for_status()?.text().await
        })
        .await
        .context("reading /metrics timed out")?
        .with_context(|| format!("reading {url}"))?;
        Ok(Counts::parse(&text))
    }

    fn parse(text: &str) -> Counts {
        Counts(terraform_provider_segment::bench::requests_total(text))
    }

    /// What was counted after `before`.
    pub fn since(&self, before: &Counts) -> Counts {
        Counts(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), v.saturating_sub(*before.0.get(k).unwrap_or(&0))))
                .filter(|(_, v)| *v > 0)
                .collect(),
        )
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// Requests answered 429.
    pub fn throttled(&self) -> u64 {
        self.0
            .iter()
            .filter(|((_, _, status), _)| status == "429")
            .map(|(_, v)| v)
            .sum()
    }

    /// One line per route, most requested first, statuses summed (429s
    /// named), then the total and what it costs at `per_minute`.
    pub fn table(&self, per_minute: u64) -> String {
        let mut routes: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
        for ((method, route, status), n) in &self.0 {
            let e = routes.entry((method.clone(), route.clone())).or_default();
            e.0 += n;
            if status == "429" {
                e.1 += n;
            }
        }
        let mut rows: Vec<_> = routes.into_iter().collect();
        rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
        let mut out = String::new();
        for ((method, route), (n, throttled)) in rows {
            let note = match throttled {
                0 => String::new(),
                t => format!(" ({t} answered 429)"),
            };
            out.push_str(&format!("  {n:>7}  {method} {route}{note}\n"));
        }
        let total = self.total();
        out.push_str(&format!(
            "  {total:>7}  in all: {:.1} minutes at {per_minute} requests a minute\n",
            total as f64 / per_minute.max(1) as f64
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_route_and_the_difference() {
        let before = Counts::parse(
            "# TYPE segment_workspace_requests_total counter\n\
             segment_workspace_requests_total{method=\"GET\",route=\"/labels\",status=\"200\"} 2\n",
        );
        let after = Counts::parse(
            "segment_workspace_requests_total{method=\"GET\",route=\"/labels\",status=\"200\"} 5\n\
             segment_workspace_requests_total{method=\"GET\",route=\"/labels\",status=\"429\"} 1\n\
             segment_workspace_request_duration_seconds_sum{method=\"GET\",route=\"/labels\"} 0.5\n",
        );
        let d = after.since(&before);
        assert_eq!((d.total(), d.throttled()), (4, 1));
        assert!(d.table(600).contains("4  GET /labels (1 answered 429)"));
    }
}
