//! `cargo xtask load`: the release server under a read and write mix (wrk with
//! `xtask/load/mix.lua`, `Accept-Encoding: br` as browsers send), on SQLite with one instance,
//! and on PostgreSQL with one and with two instances behind nginx; afterwards every acknowledged
//! write is looked for in the database. The test suite runs a short version of the same
//! ([`run`]), asserting no error and nothing lost, and one where an instance is killed mid-run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::postgres::Postgres;
use crate::shell::{free_port, random_token, Cmd, Process, Server, PUBLISH_AT_ONCE};

/// The demo article every server starts with.
pub const SLUG: &str = "cooperation-chine-kazakhstan";

/// Where the load runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setup {
    Sqlite,
    Postgres,
    /// Two instances on one PostgreSQL database, behind nginx.
    PostgresTwo,
}

impl Setup {
    pub const ALL: [Setup; 3] = [Setup::Sqlite, Setup::Postgres, Setup::PostgresTwo];

    pub fn name(self) -> &'static str {
        match self {
            Setup::Sqlite => "SQLite ×1",
            Setup::Postgres => "PostgreSQL ×1",
            Setup::PostgresTwo => "PostgreSQL ×2 + nginx",
        }
    }
}

/// What one run measured and found.
#[derive(Debug)]
pub struct Figures {
    pub setup: Setup,
    pub connections: u32,
    pub requests: u64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Socket errors and answers that were not 2xx or 3xx.
    pub errors: u64,
    pub acknowledged_comments: u64,
    pub acknowledged_votes: u64,
    /// Of the acknowledged writes, how many are not in the database (must be 0).
    pub lost_comments: u64,
    pub lost_votes: u64,
}

/// Server flags for load: the comments of one address publish at once and are not limited
/// (every request comes from 127.0.0.1), and every vote is a new voter.
const LOAD_FLAGS: [&str; 6] =
    ["--comment-burst", "1000000000", "--comments-per-minute", "1000000000", "--max-new-voters-per-ip", "1000000000"];

/// The servers of one setup, and the address wrk loads.
pub struct Site {
    pub url: String,
    pub servers: Vec<Server>,
    _nginx: Option<Process>,
    _postgres: Option<Postgres>,
    folder: PathBuf,
}

impl Site {
    pub fn start(bin: &Path, setup: Setup) -> Result<Self> {
        let folder = std::env::temp_dir().join(format!("news-widget-load-{}", &random_token()[..12]));
        std::fs::create_dir_all(&folder)?;
        let mut args: Vec<&str> = LOAD_FLAGS.to_vec();
        args.extend(PUBLISH_AT_ONCE);
        let envs = [("RUST_LOG", "warn")];
        let (postgres, database) = match setup {
            Setup::Sqlite => (None, None),
            Setup::Postgres | Setup::PostgresTwo => {
                let pg = Postgres::start()?;
                let url = pg.create_database("load")?;
                (Some(pg), Some(url))
            }
        };
        let count = if setup == Setup::PostgresTwo { 2 } else { 1 };
        let mut servers = Vec::new();
        for _ in 0..count {
            servers.push(Server::start_on(bin, database.as_deref(), &args, &envs, None)?);
        }
        let (url, nginx) = if count > 1 {
            let (url, nginx) = nginx(&folder, &servers)?;
            (url, Some(nginx))
        } else {
            (servers[0].url.clone(), None)
        };
        Ok(Self { url, servers, _nginx: nginx, _postgres: postgres, folder })
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// nginx in front of `servers`, on a free port: a failed instance's requests go to the next,
/// POSTs too (the mix sends Idempotency-Keys, as the widget does).
fn nginx(folder: &Path, servers: &[Server]) -> Result<(String, Process)> {
    let port = free_port()?;
    let dir = folder.to_str().context("temp path is not UTF-8")?;
    let upstreams: String = servers
        .iter()
        .map(|s| format!("    server {} max_fails=1 fail_timeout=2s;\n", s.url.trim_start_matches("http://")))
        .collect();
    let root = Cmd::new("id").args(["-u"]).output().as_deref() == Some("0");
    let config = format!(
        "daemon off;\nmaster_process on;\nworker_processes 1;\npid {dir}/nginx.pid;\nerror_log {dir}/nginx-error.log warn;\n{user}\
         events {{ worker_connections 4096; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {dir}/body;\n  proxy_temp_path {dir}/proxy;\n  \
         fastcgi_temp_path {dir}/fastcgi;\n  uwsgi_temp_path {dir}/uwsgi;\n  scgi_temp_path {dir}/scgi;\n  \
         upstream news_widget {{\n{upstreams}    keepalive 64;\n  }}\n  \
         server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://news_widget;\n      \
         proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n      proxy_set_header Host $host;\n      \
         proxy_next_upstream error timeout http_502 http_503 non_idempotent;\n    }}\n  }}\n}}\n",
        user = if root { "user root;\n" } else { "" },
    );
    let conf = folder.join("nginx.conf");
    std::fs::write(&conf, config)?;
    let mut process = Cmd::new("nginx")
        .args(["-p", dir, "-e", &format!("{dir}/nginx-error.log"), "-c", conf.to_str().unwrap_or_default()])
        .spawn(&folder.join("nginx.log"))?;
    process.wait_for_port(port, Duration::from_secs(10))?;
    Ok((format!("http://127.0.0.1:{port}"), process))
}

/// A form token for the article, as the widget takes one when it shows the form.
fn form_token(url: &str) -> Result<String> {
    let answer = Cmd::new("curl")
        .args(["-sf", &format!("{url}/api/v1/articles/{SLUG}/form-token")])
        .output_checked()
        .context("GET form-token")?;
    let body: serde_json::Value = serde_json::from_str(&answer)?;
    body["token"].as_str().map(str::to_owned).context("no form token in the answer")
}

/// Approved comments and votes on the article, read back from the server (from the database).
fn stored(url: &str) -> Result<(u64, u64)> {
    let counts = Cmd::new("curl")
        .args(["-sf", "-H", "Content-Type: application/json", "-d", &format!("{{\"slugs\":[\"{SLUG}\"]}}")])
        .args([&format!("{url}/api/v1/counts")])
        .output_checked()?;
    let counts: serde_json::Value = serde_json::from_str(&counts)?;
    let rating = Cmd::new("curl").args(["-sf", &format!("{url}/api/v1/articles/{SLUG}/rating")]).output_checked()?;
    let rating: serde_json::Value = serde_json::from_str(&rating)?;
    Ok((counts[SLUG].as_u64().unwrap_or(0), rating["count"].as_u64().unwrap_or(0)))
}

/// Loads `site` for `seconds` with `connections` (wrk, 2 threads), then checks that every
/// acknowledged write is stored; `during` runs on this thread while wrk runs (a kill, say).
pub fn run(
    site: &mut Site,
    setup: Setup,
    connections: u32,
    seconds: u32,
    during: impl FnOnce(&mut Site),
) -> Result<Figures> {
    let (comments_before, votes_before) = stored(&site.url)?;
    let token = form_token(&site.url)?;
    let script = site.folder.join("mix.lua");
    std::fs::write(&script, include_str!("../load/mix.lua"))?;
    let seed = random_token()[..8].to_owned();
    let mut wrk = std::process::Command::new("wrk");
    wrk.args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s"), "--timeout", "10s", "--latency"])
        .args(["-H", "Accept-Encoding: br", "-s"])
        .arg(&script)
        .arg(&site.url)
        .args(["--", SLUG, &token, &seed])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = wrk.spawn().context("wrk does not start (apt-get install wrk)")?;
    during(site);
    let out = child.wait_with_output()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        bail!("wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr));
    }
    let mut figures = parse(&text).with_context(|| format!("reading wrk's output:\n{text}"))?;
    figures.setup = setup;
    figures.connections = connections;
    // Read through a server still up (the last: a killed one is the first).
    let reader = site.servers.last().map(|s| s.url.clone()).unwrap_or_else(|| site.url.clone());
    let (comments_after, votes_after) = stored(&reader)?;
    let stored_comments = comments_after - comments_before;
    let stored_votes = votes_after - votes_before;
    figures.lost_comments = figures.acknowledged_comments.saturating_sub(stored_comments);
    figures.lost_votes = figures.acknowledged_votes.saturating_sub(stored_votes);
    Ok(figures)
}

fn field<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    text.lines().find_map(|l| l.trim().strip_prefix(prefix).map(str::trim))
}

/// wrk's summary: (requests, req/s, p50 ms, p99 ms, errors).
fn summary(text: &str) -> Result<(u64, f64, f64, f64, u64)> {
    let field = |prefix: &str| field(text, prefix);
    let requests_per_second: f64 = field("Requests/sec:").context("no Requests/sec")?.parse()?;
    let requests: u64 = text
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next())
        .context("no request count")?
        .parse()?;
    let p50_ms = millis(field("50%").context("no 50% latency")?)?;
    let p99_ms = millis(field("99%").context("no 99% latency")?)?;
    let mut errors = 0;
    if let Some(socket) = field("Socket errors:") {
        // `connect 0, read 0, write 0, timeout 0`
        errors += socket.split(',').filter_map(|part| part.split_whitespace().nth(1)?.parse::<u64>().ok()).sum::<u64>();
    }
    if let Some(non_2xx) = field("Non-2xx or 3xx responses:") {
        errors += non_2xx.parse::<u64>()?;
    }
    Ok((requests, requests_per_second, p50_ms, p99_ms, errors))
}

/// wrk's summary, its `--latency` distribution and the script's `acknowledged:` line.
fn parse(text: &str) -> Result<Figures> {
    let (requests, requests_per_second, p50_ms, p99_ms, errors) = summary(text)?;
    let acked = field(text, "acknowledged:").context("no acknowledged line from the script")?;
    let words: Vec<&str> = acked.split_whitespace().collect();
    let (acknowledged_comments, acknowledged_votes) = match words.as_slice() {
        ["comments", c, "votes", v] => (c.parse()?, v.parse()?),
        _ => bail!("an acknowledged line of another shape: {acked}"),
    };
    Ok(Figures {
        setup: Setup::Sqlite,
        connections: 0,
        requests,
        requests_per_second,
        p50_ms,
        p99_ms,
        errors,
        acknowledged_comments,
        acknowledged_votes,
        lost_comments: 0,
        lost_votes: 0,
    })
}

/// GET thread figures without and with idle live streams open on the same instance.
#[derive(Debug)]
pub struct IdleStreams {
    pub streams: usize,
    pub without: (f64, f64),
    pub with: (f64, f64),
}

/// `streams` idle SSE connections on one instance (SQLite): wrk's GET of the thread (64
/// connections, `Accept-Encoding: br`) before and while they are open. (req/s, p99 ms) each.
pub fn idle_streams(bin: &Path, streams: usize, seconds: u32) -> Result<IdleStreams> {
    use std::io::{Read, Write};
    raise_open_files(streams as u64 * 2 + 1024);
    let site = Site::start(bin, Setup::Sqlite)?;
    let thread = format!("{}/api/v1/articles/{SLUG}/comments", site.url);
    let get = |label: &str| -> Result<(f64, f64)> {
        let out = std::process::Command::new("wrk")
            .args(["-t2", "-c64", &format!("-d{seconds}s"), "--timeout", "10s", "--latency"])
            .args(["-H", "Accept-Encoding: br", &thread])
            .output()
            .context("wrk does not start")?;
        let text = String::from_utf8_lossy(&out.stdout);
        let (_, rps, _, p99, errors) = summary(&text).with_context(|| format!("wrk ({label}):\n{text}"))?;
        anyhow::ensure!(errors == 0, "{errors} error(s) under load ({label})");
        Ok((rps, p99))
    };
    let without = get("no streams")?;
    let addr = site.url.trim_start_matches("http://").to_owned();
    let request =
        format!("GET /api/v1/articles/{SLUG}/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    let mut open = Vec::with_capacity(streams);
    for i in 0..streams {
        let mut stream = std::net::TcpStream::connect(&addr).with_context(|| format!("stream {i}"))?;
        stream.write_all(request.as_bytes())?;
        open.push(stream);
    }
    // Every stream was taken: its answer's head says 200 (then it idles, a heartbeat at times).
    for (i, stream) in open.iter_mut().enumerate() {
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut head = Vec::new();
        let mut byte = [0u8; 512];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut byte).with_context(|| format!("stream {i}'s answer"))?;
            anyhow::ensure!(n > 0, "stream {i} closed");
            head.extend_from_slice(&byte[..n]);
        }
        anyhow::ensure!(head.starts_with(b"HTTP/1.1 200"), "stream {i}: {}", String::from_utf8_lossy(&head));
    }
    let with = get("with streams")?;
    drop(open);
    Ok(IdleStreams { streams, without, with })
}

/// Lifts this process's open-file limit (inherited by the servers it starts) toward `want`.
fn raise_open_files(want: u64) {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit read and write the struct we own.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < want {
            limit.rlim_cur = want.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// wrk's durations, in ms: `812.00us`, `4.31ms`, `1.02s`, `2.00m`.
pub fn millis(value: &str) -> Result<f64> {
    let split = value.find(|c: char| c.is_ascii_alphabetic()).context("a duration without a unit")?;
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse()?;
    Ok(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        other => bail!("unknown unit {other:?}"),
    })
}

/// The table the closing note and the README carry.
pub fn table(rows: &[Figures]) -> String {
    let mut out = String::from(
        "| setup | connections | req/s | p50 ms | p99 ms | errors | comments acknowledged / lost | votes acknowledged / lost |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for f in rows {
        out.push_str(&format!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {} / {} | {} / {} |\n",
            f.setup.name(),
            f.connections,
            f.requests_per_second,
            f.p50_ms,
            f.p99_ms,
            f.errors,
            f.acknowledged_comments,
            f.lost_comments,
            f.acknowledged_votes,
            f.lost_votes
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_and_the_scripts_figures() {
        let out = "Running 5s test @ http://127.0.0.1:1\n  2 threads and 64 connections\n  Latency Distribution\n     50%  812.00us\n     75%    1.00ms\n     99%    4.31ms\n  12345 requests in 5.00s, 9.00MB read\n  Socket errors: connect 0, read 2, write 0, timeout 1\n  Non-2xx or 3xx responses: 4\nRequests/sec:   2469.00\nTransfer/sec:      1.80MB\nacknowledged: comments 617 votes 616\n";
        let f = parse(out).unwrap();
        assert_eq!((f.requests, f.errors, f.acknowledged_comments, f.acknowledged_votes), (12345, 7, 617, 616));
        assert_eq!(f.requests_per_second, 2469.0);
        assert!((f.p50_ms - 0.812).abs() < 1e-9 && (f.p99_ms - 4.31).abs() < 1e-9);
        assert!(parse("Requests/sec: 1\n").is_err());
    }
}
