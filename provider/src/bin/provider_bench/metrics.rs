//! API requests the server counted, from its `GET /metrics`: the bench
//! reads them before and after each command to print what the command
//! cost the workspace.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{bail, Context};
use terraform_provider_segment::bench::requests_total;

/// Requests by (method, route template), every status included.
#[derive(Debug, Default, Clone)]
pub struct Counts(BTreeMap<(String, String), u64>);

impl Counts {
    /// The server's counts now. `base` is `http://host:port`; plain HTTP
    /// over std keeps the bench free of an HTTP client dependency.
    pub fn read(base: &str) -> anyhow::Result<Counts> {
        let host = base
            .strip_prefix("http://")
            .with_context(|| format!("the server URL {base} is not http://"))?
            .trim_end_matches('/');
        let mut stream =
            TcpStream::connect(host).with_context(|| format!("connecting to {host}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.set_write_timeout(Some(Duration::from_secs(30)))?;
        write!(
            stream,
            "GET /metrics HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )?;
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .context("reading /metrics")?;
        let Some((head, body)) = answer.split_once("\r\n\r\n") else {
            bail!("/metrics answered without a body");
        };
        if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
            bail!(
                "/metrics answered {}",
                head.lines().next().unwrap_or_default()
            );
        }
        Ok(parse(body))
    }

    /// What happened between `before` and `self`.
    pub fn since(&self, before: &Counts) -> Counts {
        Counts(
            self.0
                .iter()
                .map(|(k, n)| (k.clone(), n - before.0.get(k).copied().unwrap_or(0).min(*n)))
                .filter(|(_, n)| *n > 0)
                .collect(),
        )
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// Requests of one method on one route template.
    pub fn of(&self, method: &str, route: &str) -> u64 {
        self.0
            .get(&(method.to_string(), route.to_string()))
            .copied()
            .unwrap_or(0)
    }
}

/// Sums `segment_workspace_requests_total` over statuses.
fn parse(body: &str) -> Counts {
    let mut counts = BTreeMap::new();
    for ((method, route, _status), n) in requests_total(body) {
        *counts.entry((method, route)).or_insert(0) += n;
    }
    Counts(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_statuses_per_route() {
        let body = "# HELP x\n\
            segment_workspace_requests_total{method=\"GET\",route=\"/labels\",status=\"200\"} 7\n\
            segment_workspace_requests_total{method=\"GET\",route=\"/labels\",status=\"429\"} 2\n\
            segment_workspace_requests_total{method=\"POST\",route=\"/labels\",status=\"200\"} 3\n\
            segment_workspace_request_duration_seconds_count{method=\"GET\",route=\"/labels\"} 9\n";
        let c = parse(body);
        assert_eq!(c.of("GET", "/labels"), 9);
        assert_eq!(c.total(), 12);
        let later = parse(&body.replace("} 7", "} 10"));
        assert_eq!(later.since(&c).total(), 3);
    }
}
