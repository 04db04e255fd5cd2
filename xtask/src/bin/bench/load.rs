//! Server throughput: wrk, 64 connections on 2 threads for a fixed time, against one URL.

use std::process::Command;

use anyhow::{bail, Context, Result};
use xtask::load::millis;

pub struct Throughput {
    pub requests_per_second: f64,
    /// The 99th percentile latency in ms.
    pub p99: f64,
}

/// Runs `wrk -t2 -c64 -d{seconds}s --timeout 60s --latency url`, with an `Accept-Encoding`
/// header when `encoding` is some (wrk sends none of its own), and reads its figures.
pub fn run(url: &str, seconds: u32, encoding: Option<&str>) -> Result<Throughput> {
    let mut wrk = Command::new("wrk");
    // A long timeout: wrk leaves requests slower than it out of the latencies (default 2 s).
    wrk.args(["-t2", "-c64", &format!("-d{seconds}s"), "--timeout", "60s", "--latency"]);
    if let Some(encoding) = encoding {
        wrk.args(["-H", &format!("Accept-Encoding: {encoding}")]);
    }
    let out = wrk.arg(url).output().context("wrk does not start (apt-get install wrk)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("wrk {url} failed: {text}{}", String::from_utf8_lossy(&out.stderr));
    }
    parse(&text).with_context(|| format!("reading wrk's output for {url}:\n{text}"))
}

/// Reads `Requests/sec:` and the `99%` line of the latency distribution; any non-2xx answer fails.
fn parse(text: &str) -> Result<Throughput> {
    if let Some(line) = text.lines().find(|l| l.contains("Non-2xx or 3xx responses")) {
        bail!("errors under load: {}", line.trim());
    }
    let requests_per_second =
        text.lines().find_map(|l| l.trim().strip_prefix("Requests/sec:")).context("no Requests/sec")?.trim().parse()?;
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(|v| millis(v.trim()))
        .context("no 99% latency")??;
    Ok(Throughput { requests_per_second, p99 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_output() {
        let out = "Running 1s test @ http://127.0.0.1:1/\n  2 threads and 64 connections\n  Latency Distribution\n     50%  812.00us\n     99%    4.31ms\n  1234 requests in 1.00s, 9.00MB read\nRequests/sec:   1234.50\nTransfer/sec:      9.00MB\n";
        let t = parse(out).unwrap();
        assert_eq!(t.requests_per_second, 1234.5);
        assert!((t.p99 - 4.31).abs() < 1e-9);
        assert!((millis("812.00us").unwrap() - 0.812).abs() < 1e-9);
        assert_eq!(millis("1.50s").unwrap(), 1500.0);
        assert!(parse(&format!("{out}  Non-2xx or 3xx responses: 7\n")).is_err());
    }
}
