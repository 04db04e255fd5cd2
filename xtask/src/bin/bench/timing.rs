//! Browser time: each page in a fresh headless Chromium (an empty profile: a first visit), under
//! a profile (loopback, or throttled as a phone), read back from the probe the page carries.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use xtask::bench_args::Profile;
use xtask::browser::{self, Driver, PHONE};

/// After the probe has both its times: long tasks and layout shifts are reported once they end.
const SETTLE: Duration = Duration::from_millis(500);

/// One page load.
pub struct Sample {
    /// ms from navigation start until the thread was in the DOM and laid out.
    pub visible: f64,
    /// ms from navigation start until the widget was usable (see pages::OURS_READY, ISSO_READY).
    pub hydrated: f64,
    /// The sum of the layout shifts without recent input, until hydrated plus [`SETTLE`].
    pub cls: f64,
    /// The longest main-thread task the browser reported (it reports those over 50 ms), else 0.
    pub longest: f64,
}

/// A new browser with its profile in `dir`, throttled as `profile` says.
async fn session(driver: &Driver, dir: &Path, profile: Profile) -> Result<fantoccini::Client> {
    let client = driver.session(dir, &["--lang=fr-FR"]).await?;
    if profile == Profile::Phone {
        if let Err(e) = browser::throttle(&client, &PHONE).await {
            let _ = client.close().await;
            return Err(e);
        }
    }
    Ok(client)
}

/// Loads `url` in a new browser with its profile in `dir` and waits for the probe.
pub async fn load(driver: &Driver, dir: &Path, url: &str, profile: Profile) -> Result<Sample> {
    let client = session(driver, dir, profile).await?;
    let result = measure(&client, url).await;
    let _ = client.close().await;
    result
}

async fn measure(client: &fantoccini::Client, url: &str) -> Result<Sample> {
    client.goto(url).await.with_context(|| format!("opening {url}"))?;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let state = client.execute("return window.__bench", vec![]).await?;
        if state["hydrated"].is_number() {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "{url}: the widget never became visible and usable (the probe saw {} elements, visible at {})",
                state["count"],
                state["visible"]
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(SETTLE).await;
    let state = client.execute("return window.__bench", vec![]).await?;
    let number = |key: &str| state[key].as_f64().unwrap_or_default();
    Ok(Sample {
        visible: number("visible"),
        hydrated: number("hydrated"),
        cls: number("cls"),
        longest: number("longest"),
    })
}

/// What a profile measures as: ChromeDriver's network conditions read back, a fixed piece of
/// JavaScript work, and a download of a known size.
pub struct Calibration {
    pub cpu_ms: f64,
    pub download_ms: f64,
    pub bytes: f64,
}

/// Loads the calibration page (pages::calibration) in `profile`; for the phone, first checks that
/// ChromeDriver holds the conditions set (no timing is asserted: the figures go in the report).
pub async fn calibrate(driver: &Driver, dir: &Path, url: &str, profile: Profile) -> Result<Calibration> {
    let client = session(driver, dir, profile).await?;
    let result = async {
        match profile {
            Profile::Phone => {
                let read_back = browser::network_conditions(&client).await?;
                ensure!(PHONE.matches(&read_back), "ChromeDriver holds {read_back}, not the phone's conditions");
            }
            Profile::Loopback => {
                ensure!(
                    browser::network_conditions(&client).await.is_err(),
                    "a loopback session has network conditions"
                );
            }
        }
        client.goto(url).await.with_context(|| format!("opening {url}"))?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let state = client.execute("return window.__calibration", vec![]).await?;
            if state.is_object() {
                let number = |key: &str| state[key].as_f64().unwrap_or_default();
                return Ok(Calibration {
                    cpu_ms: number("cpu"),
                    download_ms: number("download"),
                    bytes: number("size"),
                });
            }
            if Instant::now() > deadline {
                bail!("{url}: the calibration page never finished");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    .await;
    let _ = client.close().await;
    result
}
