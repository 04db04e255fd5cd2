//! A TCP proxy that breaks comment submissions on purpose, for the fault-injection run of
//! `cargo xtask test`.
//!
//! It listens on a free loopback port and forwards to our server, one request per connection
//! (it answers `Connection: close`, so the browser opens a fresh connection for every request and
//! never silently retries on a reused one). Each comment `POST` draws its fate from a seeded
//! schedule, by its number: pass; drop the connection before forwarding (nothing stored); drop it
//! after the server answered (stored, the client never hears); a canned `500` with a problem+json
//! body (nothing stored); or stall: forward, then hold the answer past the client's time-out.
//! Every other request (CORS preflights, reads) passes. Once the server has answered
//! `restart_after` comments, the proxy kills the server by its PID and starts it again on the same
//! port and database while it keeps listening; requests in that window find no server and are
//! dropped.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};

use std::path::Path;

use crate::shell::{Cmd, Server};

/// What the proxy does to one comment submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Pass,
    /// Closed before anything is forwarded: nothing stored.
    DropBefore,
    /// Forwarded and answered by the server, then closed unanswered: stored, unheard.
    DropAfter,
    /// A canned `HTTP/1.1 500` with a problem+json body: nothing stored.
    Error500,
    /// Forwarded, the answer held past the client's time-out: stored, heard too late.
    Stall,
}

/// The schedule: the same seed gives the same fault to the same submission number.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub seed: u64,
    /// Chance in 100 that a submission passes; the rest is split evenly between the four faults.
    pub pass_percent: u64,
    /// How long a stall holds the answer.
    pub stall: Duration,
    /// Restart the server once it has answered this many comment submissions.
    pub restart_after: usize,
    /// How long the server stays down between the kill and the new start (a deploy's gap).
    pub down: Duration,
}

impl Plan {
    pub fn fault(&self, n: u64) -> Fault {
        let roll = splitmix64(self.seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15)) % 100;
        if roll < self.pass_percent {
            return Fault::Pass;
        }
        let share = (100 - self.pass_percent).div_ceil(4).max(1);
        match (roll - self.pass_percent) / share {
            0 => Fault::DropBefore,
            1 => Fault::DropAfter,
            2 => Fault::Error500,
            _ => Fault::Stall,
        }
    }
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// What the proxy saw and did.
#[derive(Default, Debug)]
pub struct Figures {
    pub requests: AtomicUsize,
    pub submissions: AtomicUsize,
    pub passed: AtomicUsize,
    pub dropped_before: AtomicUsize,
    pub dropped_after: AtomicUsize,
    pub error_500: AtomicUsize,
    pub stalled: AtomicUsize,
    /// Requests that found no server (it was restarting), dropped unanswered.
    pub no_server: AtomicUsize,
    /// Comment submissions the server answered (201, or a replay of one).
    pub server_answered: AtomicUsize,
    pub restarts: AtomicUsize,
    /// Why the restart failed, if it did.
    pub restart_error: Mutex<Option<String>>,
}

impl Figures {
    pub fn get(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::SeqCst)
    }
}

/// The running proxy; dropping it stops it listening.
pub struct Proxy {
    pub url: String,
    pub figures: Arc<Figures>,
    stop: Arc<AtomicBool>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

struct Shared {
    plan: Plan,
    upstream: SocketAddr,
    server: Arc<Mutex<Server>>,
    figures: Arc<Figures>,
    restarting: AtomicBool,
}

impl Proxy {
    /// Starts the proxy in front of `server` on a free loopback port. It runs until the process
    /// ends (its threads only ever wait on sockets).
    pub fn start(server: Arc<Mutex<Server>>, plan: Plan) -> Result<Self> {
        let upstream: SocketAddr = {
            let url = server.lock().map_err(|_| anyhow::anyhow!("server lock"))?.url.clone();
            url.trim_start_matches("http://").parse().with_context(|| format!("server URL {url}"))?
        };
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);
        let figures = Arc::new(Figures::default());
        let shared =
            Arc::new(Shared { plan, upstream, server, figures: figures.clone(), restarting: AtomicBool::new(false) });
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                let shared = shared.clone();
                std::thread::spawn(move || {
                    let _ = handle(&shared, client);
                });
            }
        });
        Ok(Self { url, figures, stop })
    }
}

/// One HTTP/1.1 request as read from the client.
struct Request {
    head: String,
    body: Vec<u8>,
}

impl Request {
    fn method_and_path(&self) -> (&str, &str) {
        let mut words = self.head.split(' ');
        (words.next().unwrap_or_default(), words.next().unwrap_or_default())
    }

    /// The request as sent upstream: the same, asking the server to close after answering.
    fn upstream_bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        for (i, line) in self.head.split("\r\n").enumerate() {
            let name = line.split(':').next().unwrap_or_default().to_ascii_lowercase();
            if i > 0 && (name == "connection" || name == "keep-alive") {
                continue;
            }
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str("Connection: close\r\n\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// Reads one request (head and `Content-Length` body); `None` if the client sent none.
fn read_request(client: &mut TcpStream) -> Result<Option<Request>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = client.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .split("\r\n")
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim().eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = client.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(Request { head, body }))
}

/// Sends `request` to the server and reads its whole answer (it closes after it), with the
/// answer's `Connection` header made `close`; `None` when no server listens.
fn forward(upstream: SocketAddr, request: &Request) -> Result<Option<Vec<u8>>> {
    let Ok(mut server) = TcpStream::connect_timeout(&upstream, Duration::from_secs(2)) else {
        return Ok(None);
    };
    server.set_read_timeout(Some(Duration::from_secs(30)))?;
    server.write_all(&request.upstream_bytes())?;
    let mut answer = Vec::new();
    if server.read_to_end(&mut answer).is_err() || answer.is_empty() {
        return Ok(None); // the server went away mid-request
    }
    let Some(head_end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else { return Ok(None) };
    let head = String::from_utf8_lossy(&answer[..head_end]).into_owned();
    let mut out = String::new();
    for line in head.split("\r\n") {
        let name = line.split(':').next().unwrap_or_default().to_ascii_lowercase();
        if name != "connection" && name != "keep-alive" {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&answer[head_end + 4..]);
    Ok(Some(bytes))
}

fn status_of(answer: &[u8]) -> u16 {
    String::from_utf8_lossy(&answer[..answer.len().min(16)]).split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// A `500` as a broken server would send it, with the CORS header the page needs to read it.
fn canned_500() -> Vec<u8> {
    let body =
        r#"{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"injected by the fault proxy"}"#;
    format!(
        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/problem+json\r\n\
         Access-Control-Allow-Origin: *\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn handle(shared: &Shared, mut client: TcpStream) -> Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(60)))?;
    let Some(request) = read_request(&mut client)? else { return Ok(()) };
    let figures = &shared.figures;
    figures.requests.fetch_add(1, Ordering::SeqCst);
    let (method, path) = request.method_and_path();
    let is_submission = method == "POST" && path.split('?').next().unwrap_or_default().ends_with("/comments");
    let fault = if is_submission {
        let n = figures.submissions.fetch_add(1, Ordering::SeqCst);
        shared.plan.fault(n as u64)
    } else {
        Fault::Pass
    };
    let counter = match fault {
        Fault::Pass if is_submission => Some(&figures.passed),
        Fault::Pass => None,
        Fault::DropBefore => Some(&figures.dropped_before),
        Fault::DropAfter => Some(&figures.dropped_after),
        Fault::Error500 => Some(&figures.error_500),
        Fault::Stall => Some(&figures.stalled),
    };
    if let Some(counter) = counter {
        counter.fetch_add(1, Ordering::SeqCst);
    }
    match fault {
        Fault::DropBefore => return close(client),
        Fault::Error500 => {
            client.write_all(&canned_500())?;
            return close(client);
        }
        Fault::Pass | Fault::DropAfter | Fault::Stall => {}
    }
    let Some(answer) = forward(shared.upstream, &request)? else {
        figures.no_server.fetch_add(1, Ordering::SeqCst);
        return close(client);
    };
    if is_submission && status_of(&answer) == 201 {
        let answered = figures.server_answered.fetch_add(1, Ordering::SeqCst) + 1;
        if answered >= shared.plan.restart_after && !shared.restarting.swap(true, Ordering::SeqCst) {
            restart(shared);
        }
    }
    match fault {
        Fault::DropAfter => return close(client),
        Fault::Stall => std::thread::sleep(shared.plan.stall),
        _ => {}
    }
    // After a stall the client has given up and closed: this write fails, and that is the point.
    let _ = client.write_all(&answer);
    close(client)
}

/// Kills the server and starts it again (other connections go on meanwhile, finding no server).
fn restart(shared: &Shared) {
    let figures = &shared.figures;
    let result =
        shared.server.lock().map_err(|_| anyhow::anyhow!("the server's lock is poisoned")).and_then(|mut server| {
            println!(
                "    fault proxy: {} comments answered by the server, restarting it (SIGKILL to PID {})",
                shared.plan.restart_after,
                server.pid()
            );
            server.restart_after(shared.plan.down)?;
            println!("    fault proxy: the server is back (PID {})", server.pid());
            Ok(())
        });
    match result {
        Ok(()) => {
            figures.restarts.fetch_add(1, Ordering::SeqCst);
        }
        Err(e) => {
            if let Ok(mut failed) = figures.restart_error.lock() {
                *failed = Some(format!("{e:#}"));
            }
        }
    }
}

fn close(client: TcpStream) -> Result<()> {
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

/// The fault-injection run: the server (flags for 200 quick comments, a temporary SQLite file)
/// behind the proxy, the browser test `tests/faults.rs` sending through it, then the figures and
/// a count of what the server stored, asked directly.
pub fn run(server_bin: &Path) -> Result<()> {
    let token = crate::shell::random_token();
    let mut args =
        vec!["--allowed-origin", "*", "--comment-burst", "100000", "--comments-per-minute", "100000", "--no-demo"];
    // The time trap holds comments sent under --form-min-seconds after their form token; the
    // test sends all 200 at once, so where the server has the flag it is 0.
    let help =
        Cmd::new(server_bin.to_str().context("path is not UTF-8")?).args(["--help"]).output().unwrap_or_default();
    if help.contains("--form-min-seconds") {
        args.extend(["--form-min-seconds", "0"]);
    }
    // Likewise the moderation rules would hold a new commenter's comments: all publish at once.
    if help.contains("--trusted-after") {
        args.extend(["--trusted-after", "0", "--link-limit", "0"]);
    }
    let server =
        Server::start_with_env(server_bin, &args, &[("NEWS_WIDGET_ADMIN_TOKEN", &token), ("RUST_LOG", "warn")], None)?;
    let server_url = server.url.clone();
    let server = Arc::new(Mutex::new(server));
    let result = drive(&server, &server_url, &token);
    // The proxy's threads may hold the server a while longer: stop it now, by its PID.
    if let Ok(mut server) = server.lock() {
        server.stop();
    }
    result
}

fn drive(server: &Arc<Mutex<Server>>, server_url: &str, token: &str) -> Result<()> {
    let plan = Plan {
        seed: 2026,
        pass_percent: 50,
        stall: Duration::from_millis(2_500),
        restart_after: 100,
        down: Duration::from_millis(700),
    };
    let proxy = Proxy::start(server.clone(), plan)?;
    println!(
        "    fault proxy at {} (seed {}, {} % pass, stalls {} ms, the server down {} ms after {} answers)",
        proxy.url,
        plan.seed,
        plan.pass_percent,
        plan.stall.as_millis(),
        plan.down.as_millis(),
        plan.restart_after
    );
    let started = std::time::Instant::now();
    let tested = Cmd::new("wasm-pack")
        .args(["test", "--headless", "--chrome", "--mode", "no-install", "--", "--test", "faults"])
        .args(["--", "--nocapture"])
        .env("NEWS_WIDGET_FAULT_PROXY", &format!("{}/api/v1", proxy.url))
        .env("NEWS_WIDGET_FAULT_SERVER", &format!("{server_url}/api/v1"))
        .env("NEWS_WIDGET_FAULT_ADMIN_TOKEN", token)
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "300")
        .run();
    let f = &proxy.figures;
    let n = Figures::get;
    println!(
        "\n    fault run (proxy): {} requests, {} comment submissions: {} passed, {} dropped before forwarding, \
         {} dropped after the server answered, {} canned 500s, {} stalled {} ms; {} found no server; \
         {} answered by the server; {} server restart(s); {:.1} s with the build",
        n(&f.requests),
        n(&f.submissions),
        n(&f.passed),
        n(&f.dropped_before),
        n(&f.dropped_after),
        n(&f.error_500),
        n(&f.stalled),
        plan.stall.as_millis(),
        n(&f.no_server),
        n(&f.server_answered),
        n(&f.restarts),
        started.elapsed().as_secs_f64()
    );
    tested?;
    if let Some(e) = f.restart_error.lock().ok().and_then(|e| e.clone()) {
        anyhow::bail!("the server did not restart: {e}");
    }
    anyhow::ensure!(n(&f.restarts) == 1, "the server was not restarted midway");
    for (what, counter) in [
        ("dropped before", &f.dropped_before),
        ("dropped after", &f.dropped_after),
        ("500", &f.error_500),
        ("stalled", &f.stalled),
    ] {
        anyhow::ensure!(n(counter) > 0, "no submission was {what}");
    }
    // Counted again here, straight from the server: published, and held for review.
    let (status, page) = get(server_url, &format!("/api/v1/articles/{SLUG}/comments?limit=1000"), &[])?;
    anyhow::ensure!(status == 200, "the comment list answered {status}: {page}");
    let page: serde_json::Value = serde_json::from_str(&page)?;
    let bearer = format!("Bearer {token}");
    let (status, held) = get(server_url, "/api/v1/admin/comments?status=pending", &[("Authorization", &bearer)])?;
    anyhow::ensure!(status == 200, "the moderation queue answered {status}: {held}");
    let held: serde_json::Value = serde_json::from_str(&held)?;
    drop(proxy);
    let mut bodies: Vec<&str> =
        page["comments"].as_array().into_iter().flatten().filter_map(|c| c["body"].as_str()).collect();
    bodies.extend(
        held.as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["article_slug"] == SLUG)
            .filter_map(|m| m["comment"]["body"].as_str()),
    );
    let distinct: std::collections::BTreeSet<&str> = bodies.iter().copied().collect();
    println!(
        "    fault run (server, asked directly): {} stored, {} distinct, {} duplicates",
        bodies.len(),
        distinct.len(),
        bodies.len() - distinct.len()
    );
    anyhow::ensure!(
        bodies.len() == 200 && distinct.len() == 200,
        "the server stored {} comments, {} distinct, not 200",
        bodies.len(),
        distinct.len()
    );
    Ok(())
}

/// The article the browser test posts to.
const SLUG: &str = "fault-injection";

/// A GET straight to `addr` (not through the proxy), answering the status and the body.
pub fn get(addr: &str, path: &str, headers: &[(&str, &str)]) -> Result<(u16, String)> {
    let mut stream =
        TcpStream::connect(addr.trim_start_matches("http://")).with_context(|| format!("connect {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let head_end = answer.windows(4).position(|w| w == b"\r\n\r\n").context("no end of head")?;
    let head = String::from_utf8_lossy(&answer[..head_end]).to_ascii_lowercase();
    let mut body = answer[head_end + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Ok((status_of(&answer), String::from_utf8_lossy(&body).into_owned()))
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&raw[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&raw[start..(start + size).min(raw.len())]);
        raw = &raw[(start + size + 2).min(raw.len())..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_seeded_and_mixes_every_fault() {
        let plan =
            Plan { seed: 7, pass_percent: 50, stall: Duration::from_secs(1), restart_after: 1, down: Duration::ZERO };
        let faults: Vec<Fault> = (0..400).map(|n| plan.fault(n)).collect();
        assert_eq!(faults, (0..400).map(|n| plan.fault(n)).collect::<Vec<_>>());
        for kind in [Fault::Pass, Fault::DropBefore, Fault::DropAfter, Fault::Error500, Fault::Stall] {
            assert!(faults.iter().filter(|f| **f == kind).count() >= 20, "{kind:?}");
        }
    }

    #[test]
    fn a_chunked_body_is_read_whole() {
        assert_eq!(dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), b"abcde");
    }
}
