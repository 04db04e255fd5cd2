//! Browser time: each page in a fresh headless Chromium (an empty profile: a first visit), read
//! back from the probe the page carries.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use xtask::browser::Driver;

/// One page load.
pub struct Sample {
    /// ms from navigation start until the thread was in the DOM and visible.
    pub visible: f64,
    /// The longest main-thread task the browser reported (it reports those over 50 ms), else 0.
    pub longest: f64,
}

/// Loads `url` in a new browser with its profile in `profile` and waits for the probe.
pub async fn load(driver: &Driver, profile: &Path, url: &str) -> Result<Sample> {
    let client = driver.session(profile, &["--lang=fr-FR"]).await?;
    let result = measure(&client, url).await;
    let _ = client.close().await;
    result
}

async fn measure(client: &fantoccini::Client, url: &str) -> Result<Sample> {
    client.goto(url).await.with_context(|| format!("opening {url}"))?;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let state = client.execute("return window.__bench", vec![]).await?;
        if state["visible"].is_number() {
            break;
        }
        if Instant::now() > deadline {
            bail!("{url}: the thread never became visible (the probe saw {} comments)", state["count"]);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Long tasks are reported once they end: give the last one time to arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let state = client.execute("return window.__bench", vec![]).await?;
    Ok(Sample {
        visible: state["visible"].as_f64().unwrap_or_default(),
        longest: state["longest"].as_f64().unwrap_or_default(),
    })
}
