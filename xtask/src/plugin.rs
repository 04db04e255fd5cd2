//! `cargo xtask wordpress-plugin`: the WordPress plugin with the widget inside, ready to copy
//! into `wp-content/plugins/`.
//!
//! The plugin ships the widget's WordPress flavour (the widget crate's `wordpress` feature:
//! `data-backend="wordpress"` built in, which readers of our own server never pay for), built by
//! trunk like `dist/`, beside `news-widget.php`. WordPress serves those files itself, so a site
//! runs nothing of ours.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::root;
use crate::shell::{step, Cmd};

/// The files of a trunk build a page needs (the demo page and its media stay out).
const ASSETS: &[&str] = &["news-widget-loader.js", "news-widget.js", "news-widget_bg.wasm", "widget.css"];

/// Builds the plugin into `target/wordpress-plugin/news-widget/` and answers that folder.
pub fn build() -> Result<PathBuf> {
    let staging = root().join("target/wordpress-plugin/build");
    step("build the widget's WordPress flavour (trunk, release, offline, --features wordpress)", || {
        Cmd::new("trunk")
            .args(["build", "--release", "--offline", "--features", "wordpress", "--dist"])
            .args([staging.to_str().context("path is not UTF-8")?])
            .env("TRUNK_OFFLINE", "true")
            .run()
    })?;
    let plugin = root().join("target/wordpress-plugin/news-widget");
    step("assemble the plugin folder", || assemble(&staging, &plugin))?;
    Ok(plugin)
}

/// `plugin/`: `news-widget.php`, its readme, and `assets/` with the widget's files and words.
fn assemble(staging: &Path, plugin: &Path) -> Result<()> {
    if plugin.exists() {
        std::fs::remove_dir_all(plugin)?;
    }
    let assets = plugin.join("assets");
    std::fs::create_dir_all(assets.join("i18n"))?;
    let source = root().join("wordpress");
    for file in ["news-widget.php", "README.md"] {
        std::fs::copy(source.join(file), plugin.join(file)).with_context(|| format!("copy wordpress/{file}"))?;
    }
    for file in ASSETS {
        std::fs::copy(staging.join(file), assets.join(file)).with_context(|| format!("no {file} in the build"))?;
    }
    for entry in std::fs::read_dir(staging.join("i18n"))? {
        let path = entry?.path();
        std::fs::copy(&path, assets.join("i18n").join(path.file_name().context("a file name")?))?;
    }
    println!("    ok: {}", plugin.display());
    Ok(())
}
