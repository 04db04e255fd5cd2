//! Headless Chromium over WebDriver: one chromedriver, and a browser with a profile of its own
//! for each session (an empty profile is a reader's first visit).

use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result};
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

/// The Chromium preference that turns JavaScript off, as a reader can in the site settings.
pub fn no_javascript() -> Value {
    json!({ "profile.managed_default_content_settings.javascript": 2 })
}

/// Runs `source` in every page of this session before any of the page's own scripts (CDP's
/// `Page.addScriptToEvaluateOnNewDocument`, through ChromeDriver): `delete window.WebAssembly`
/// makes a browser without WebAssembly.
pub async fn before_every_page(client: &Client, source: &str) -> Result<()> {
    let params = json!({ "source": source });
    client
        .issue_cmd(Cdp { cmd: "Page.addScriptToEvaluateOnNewDocument", params })
        .await
        .context("ChromeDriver's CDP endpoint refused the init script")?;
    Ok(())
}

/// Lighthouse's mobile profile (its `mobileSlow4G` figures and its 4× CPU slowdown).
pub const PHONE: Throttle = Throttle { round_trip_ms: 150.0, down_kbps: 1638.4, up_kbps: 750.0, cpu_slowdown: 4.0 };

/// Network and CPU throttling for a session; kbit/s as Lighthouse counts them (1 kbit = 1,024 bits).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Throttle {
    pub round_trip_ms: f64,
    pub down_kbps: f64,
    pub up_kbps: f64,
    pub cpu_slowdown: f64,
}

impl Throttle {
    /// The body of ChromeDriver's `POST …/chromium/network_conditions`: the latency in ms and the
    /// throughputs in bytes/s, floored, as Lighthouse converts them for DevTools.
    pub fn network_conditions(&self) -> Value {
        let bytes = |kbps: f64| (kbps * 1024.0 / 8.0).floor();
        json!({
            "offline": false,
            "latency": self.round_trip_ms,
            "download_throughput": bytes(self.down_kbps),
            "upload_throughput": bytes(self.up_kbps),
        })
    }

    /// Whether `read_back` (ChromeDriver's `GET …/chromium/network_conditions`) holds these conditions.
    pub fn matches(&self, read_back: &Value) -> bool {
        let want = self.network_conditions();
        ["latency", "download_throughput", "upload_throughput"]
            .iter()
            .all(|key| read_back[key].as_f64().is_some_and(|v| Some(v) == want[key].as_f64()))
            && read_back["offline"].as_bool() != Some(true)
    }
}

/// Throttles this session's network (ChromeDriver's network conditions, applied to every request
/// of every tab) and its page's CPU (CDP `Emulation.setCPUThrottlingRate`).
pub async fn throttle(client: &Client, throttle: &Throttle) -> Result<()> {
    let body = json!({ "network_conditions": throttle.network_conditions() });
    client
        .issue_cmd(Chromium { method: http::Method::POST, path: "network_conditions", body: Some(body) })
        .await
        .context("ChromeDriver refused the network conditions")?;
    client
        .issue_cmd(Cdp { cmd: "Emulation.setCPUThrottlingRate", params: json!({ "rate": throttle.cpu_slowdown }) })
        .await
        .context("ChromeDriver's CDP endpoint refused the CPU throttling")?;
    Ok(())
}

/// The network conditions ChromeDriver holds for this session (an error when none were set).
pub async fn network_conditions(client: &Client) -> Result<Value> {
    client
        .issue_cmd(Chromium { method: http::Method::GET, path: "network_conditions", body: None })
        .await
        .context("ChromeDriver has no network conditions for this session")
}

/// One of ChromeDriver's own `session/{id}/chromium/…` commands.
#[derive(Debug)]
struct Chromium {
    method: http::Method,
    path: &'static str,
    body: Option<Value>,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Chromium {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/chromium/{}", session.unwrap_or_default(), self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (self.method.clone(), self.body.as_ref().map(Value::to_string))
    }
}

/// A Chrome DevTools Protocol command sent through ChromeDriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()))
    }
}

/// The flags that work on a machine with no network but loopback (no background requests).
pub const CHROMIUM_FLAGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1100,1600",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
];

/// A chromedriver on a free loopback port, stopped on drop.
pub struct Driver {
    port: u16,
    child: Child,
}

impl Driver {
    pub fn start() -> Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        // In a process group of its own, with the Chromiums it starts: dropped, the whole group
        // goes, even when a failing test never closed its session.
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .context("chromedriver does not start (apt-get install chromium-driver)")?;
        Ok(Self { port, child })
    }

    /// A new headless Chromium whose profile lives in `profile`, with `extra` flags.
    pub async fn session(&self, profile: &Path, extra: &[&str]) -> Result<Client> {
        self.session_with(profile, extra, json!({})).await
    }

    /// [`Driver::session`] with Chromium preferences, such as [`no_javascript`].
    pub async fn session_with(&self, profile: &Path, extra: &[&str], prefs: Value) -> Result<Client> {
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().chain(extra).map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args, "prefs": prefs }
        });
        let caps: fantoccini::wd::Capabilities = caps.as_object().cloned().unwrap_or_default();
        let mut last_error = None;
        // chromedriver takes a moment to listen after it starts.
        for _ in 0..50 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => return Ok(client),
                Err(e) => last_error = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        anyhow::bail!("no WebDriver session from chromedriver: {last_error:?}")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: kill(2) with the negated PID of our own child signals only its group.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phone_profile_is_lighthouses_in_chromedrivers_units() {
        let body = PHONE.network_conditions();
        assert_eq!(body["latency"], 150.0);
        // 1,638.4 kbit/s = 1,638.4 × 1,024 / 8 bytes/s; 750 kbit/s = 96,000 bytes/s.
        assert_eq!(body["download_throughput"], 209_715.0);
        assert_eq!(body["upload_throughput"], 96_000.0);
        assert_eq!(body["offline"], false);
        // ChromeDriver answers integers where it was given whole floats.
        let read_back =
            json!({ "latency": 150, "download_throughput": 209715, "upload_throughput": 96000, "offline": false });
        assert!(PHONE.matches(&read_back));
        assert!(!PHONE.matches(&json!({ "latency": 0, "download_throughput": 209715, "upload_throughput": 96000 })));
        assert!(!PHONE.matches(&json!({})));
    }
}
