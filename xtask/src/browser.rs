//! Headless Chromium over WebDriver: one chromedriver, and a browser with a profile of its own
//! for each session (an empty profile is a reader's first visit).

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
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
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
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
