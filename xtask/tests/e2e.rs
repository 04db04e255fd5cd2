//! End to end: the built demo page, served by our server, in headless Chromium over WebDriver.
//! `cargo xtask test` runs these with the `e2e` feature, after building the widget and server.

#![cfg(feature = "e2e")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Harness {
    url: String,
    client: Client,
    _server: Process,
    _driver: Process,
    _dir: tempfile::TempDir,
}

fn env_path(key: &str) -> PathBuf {
    PathBuf::from(std::env::var(key).unwrap_or_else(|_| panic!("{key} is unset: run through `cargo xtask test`")))
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Our server on a free port with a fresh database, serving the built widget.
fn start_server(dir: &Path) -> (Process, String) {
    let mut child = Command::new(env_path("NEWS_WIDGET_SERVER_BIN"))
        .args(["--addr", "127.0.0.1:0", "--admin-token", "e2e-token", "--database"])
        .arg(dir.join("e2e.sqlite3"))
        .arg("--static-dir")
        .arg(env_path("NEWS_WIDGET_DIST"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url =
        line.trim().strip_prefix("news-widget: serving on ").expect("server URL").trim_end_matches('/').to_owned();
    (Process(child), url)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let (server, url) = start_server(dir.path());
    let port = free_port();
    let driver = Process(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (install chromium-driver)"),
    );
    let profile = dir.path().join("profile");
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1100,1600", "--lang=fr-FR",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let caps: fantoccini::wd::Capabilities = caps.as_object().unwrap().clone();
    let mut last_error = None;
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return Harness { url, client, _server: server, _driver: driver, _dir: dir },
            Err(e) => last_error = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no WebDriver session: {last_error:?}");
}

async fn text(client: &Client, css: &str) -> String {
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
}

#[tokio::test]
async fn the_demo_page_shows_the_french_article() {
    let h = start().await;
    h.client.goto(&format!("{}/", h.url)).await.unwrap();
    h.client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("h1.nw-title"))
        .await
        .expect("the article renders");

    assert_eq!(
        text(&h.client, "h1.nw-title").await,
        "Coopération: une nouvelle impulsion au partenariat permanent Chine-Kazakhstan"
    );
    for css in ["figure img", "figcaption .nw-caption", "figcaption .nw-credit", ".nw-meta time"] {
        let el = h.client.find(Locator::Css(css)).await.unwrap();
        assert!(el.is_displayed().await.unwrap(), "{css} is visible");
    }
    assert_eq!(text(&h.client, "figcaption .nw-caption").await, "photo illustrative");
    assert!(text(&h.client, "figcaption .nw-credit").await.contains("Xinhua News Agency"));
    assert_eq!(text(&h.client, ".nw-meta time").await, "5 juillet 2024");

    // The lead image really loaded from our server (not a broken image).
    let loaded = h
        .client
        .execute("const i = document.querySelector('figure img'); return i.complete && i.naturalWidth > 0;", vec![])
        .await
        .unwrap();
    assert_eq!(loaded, json!(true));

    let png = h.client.screenshot().await.unwrap();
    std::fs::write(screenshots().join("article-fr.png"), png).unwrap();
    h.client.close().await.unwrap();
}
