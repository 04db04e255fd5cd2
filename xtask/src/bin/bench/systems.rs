//! The two systems under test: our server (serving both pages and our API) and Isso under
//! gunicorn, each loaded with the same generated threads over its own HTTP API.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use xtask::shell::{random_token, Server};
use xtask::{root, setup};

use crate::data::Generated;

/// The demo article, as the server's seed has it: both pages show it.
pub fn article() -> Result<Value> {
    let path = root().join("server/fixtures/cooperation-chine-kazakhstan.json");
    Ok(serde_json::from_str(&std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?)?)
}

/// Our server on a fresh database, serving `www`, with the rate limits opened for the load.
pub struct Ours {
    pub server: Server,
    token: String,
}

impl Ours {
    pub fn start(bin: &Path, www: &Path) -> Result<Self> {
        let token = random_token();
        // Like Isso's moderation off: comments publish at once (no hold for new commenters, links).
        let mut args = vec!["--comment-burst", "1000000", "--comments-per-minute", "1000000"];
        args.extend(xtask::shell::PUBLISH_AT_ONCE);
        // Warnings and errors only: an access log line per request, written to this terminal,
        // would be measured with the server under wrk.
        let envs = [("NEWS_WIDGET_ADMIN_TOKEN", token.as_str()), ("RUST_LOG", "warn")];
        let server = Server::start_with_env(bin, &args, &envs, Some(www))?;
        Ok(Self { server, token })
    }

    /// Creates the article `slug` and posts `thread` to it, one comment after another.
    pub async fn load(&self, http: &reqwest::Client, slug: &str, thread: &[Generated]) -> Result<()> {
        let url = format!("{}/api/v1/articles/{slug}", self.server.url);
        let put = http.put(&url).bearer_auth(&self.token).json(&article()?).send().await?;
        if !put.status().is_success() {
            bail!("PUT {url}: {} {}", put.status(), put.text().await.unwrap_or_default());
        }
        let form: Value = http.get(format!("{url}/form-token")).send().await?.json().await?;
        let form_token = form["token"].as_str().context("no form token")?.to_owned();
        let mut ids: Vec<i64> = Vec::with_capacity(thread.len());
        for (i, c) in thread.iter().enumerate() {
            let body = json!({
                "parent_id": c.parent.map(|p| ids[p]),
                "author_name": c.author,
                "author_email": format!("reader{i}@bench.example"),
                "body": c.body,
                "form_token": form_token,
            });
            let answer: Value = post(http, &format!("{url}/comments"), &body).await?;
            ids.push(answer["comment"]["id"].as_i64().context("our answer has no comment.id")?);
        }
        Ok(())
    }

    /// The whole thread in one GET, as the load test asks for it.
    pub fn thread_url(&self, slug: &str) -> String {
        format!("{}/api/v1/articles/{slug}/comments?limit=1000", self.server.url)
    }
}

async fn post(http: &reqwest::Client, url: &str, body: &Value) -> Result<Value> {
    let answer = http.post(url).json(body).send().await?;
    let status = answer.status();
    let text = answer.text().await?;
    if !status.is_success() {
        bail!("POST {url}: {status} {text}");
    }
    Ok(serde_json::from_str(&text)?)
}

/// Isso under gunicorn (as its docs deploy it), on a fresh database; stopped on drop.
pub struct Isso {
    pub url: String,
    child: Child,
}

impl Isso {
    /// Starts Isso with its guard (rate limit) and moderation off, accepting pages from `page_origin`.
    pub fn start(dir: &Path, page_origin: &str) -> Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let url = format!("http://127.0.0.1:{port}");
        let config = dir.join("isso.cfg");
        std::fs::write(
            &config,
            format!(
                "[general]\ndbpath = {}\nhost = {page_origin}/\n\n[server]\nlisten = {url}/\n\n\
                 [guard]\nenabled = false\n\n[moderation]\nenabled = false\n",
                dir.join("isso.sqlite3").display()
            ),
        )?;
        // gunicorn's own advice: (2 × cores) + 1 synchronous workers.
        let workers = 2 * std::thread::available_parallelism().map_or(1, |n| n.get()) + 1;
        let child = Command::new(setup::venv().join("bin/gunicorn"))
            .args(["--bind", &format!("127.0.0.1:{port}"), "--workers", &workers.to_string(), "--preload"])
            .args(["--log-level", "warning", "--control-socket"])
            .arg(dir.join("gunicorn.ctl"))
            .arg("isso.run")
            .env("ISSO_SETTINGS", &config)
            .current_dir(dir)
            // Isso logs each new comment: keep that out of the report, in a file.
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("isso.log"))?)
            .spawn()
            .context("gunicorn does not start (run `cargo xtask bench` to set up target/bench/venv)")?;
        let isso = Self { url, child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                println!("    Isso at {} ({workers} gunicorn workers)", isso.url);
                return Ok(isso);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("Isso did not listen on {} within 30 s; see {}", isso.url, dir.join("isso.log").display())
    }

    /// Creates the thread `uri` (with a title, so that Isso need not fetch the page) and posts `thread`.
    pub async fn load(&self, http: &reqwest::Client, uri: &str, thread: &[Generated]) -> Result<()> {
        let url = format!("{}/new?uri={uri}", self.url);
        let title = article()?["title"].as_str().unwrap_or_default().to_owned();
        let mut ids: Vec<i64> = Vec::with_capacity(thread.len());
        for c in thread {
            let body = json!({
                "parent": c.parent.map(|p| ids[p]),
                "author": c.author,
                "text": c.body,
                "title": title,
            });
            let answer = post(http, &url, &body).await?;
            ids.push(answer["id"].as_i64().context("Isso's answer has no id")?);
        }
        Ok(())
    }

    pub fn thread_url(&self, uri: &str) -> String {
        format!("{}/?uri={uri}", self.url)
    }

    /// Isso's client files, as its server ships them.
    pub fn assets() -> Result<(PathBuf, PathBuf)> {
        let lib = setup::venv().join("lib");
        for entry in std::fs::read_dir(&lib)? {
            let isso = entry?.path().join("site-packages/isso");
            if isso.is_dir() {
                return Ok((isso.join("js/embed.min.js"), isso.join("css/isso.css")));
            }
        }
        bail!("no isso package under {}", lib.display())
    }
}

impl Drop for Isso {
    fn drop(&mut self) {
        // SIGTERM lets gunicorn stop its workers too; SIGKILL would orphan them.
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        for _ in 0..50 {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
