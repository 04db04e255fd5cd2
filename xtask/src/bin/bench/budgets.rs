//! The size budgets (issue 13): the whole widget at most 140 KB brotli, and what a reader
//! downloads before the content is visible at most 20 KB brotli.
//!
//! The widget's files count as a host serves them precompressed (brotli quality 11, as
//! `cargo xtask sizes` measures them); the widget's HTML counts as our server sends it to a
//! browser (`Accept-Encoding: br`, its cached brotli body).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use xtask::sizes::measure;

/// The whole widget: every byte a reader's browser fetches for it, in brotli.
pub const WHOLE: usize = 140_000;
/// Before the content is visible: the loader, the stylesheet and the widget's HTML, in brotli.
pub const BEFORE_VISIBLE: usize = 20_000;

/// The widget's files, each with its brotli size: the loader, the JS glue, the wasm, the
/// stylesheet, and the words of the reader's language (French, the first page's).
pub fn files(dist: &Path) -> Result<Vec<(&'static str, usize)>> {
    [
        ("news-widget-loader.js", "the loader"),
        ("news-widget.js", "the JS glue"),
        ("news-widget_bg.wasm", "the wasm"),
        ("widget.css", "the stylesheet"),
        ("i18n/fr.json", "the French words"),
    ]
    .into_iter()
    .map(|(file, name)| {
        let bytes = std::fs::read(dist.join(file)).with_context(|| format!("reading {}", dist.join(file).display()))?;
        Ok((name, measure(&bytes)?.brotli))
    })
    .collect()
}

/// The widget's HTML as our server sends it to a browser that asks for brotli (the loader's
/// fetch): the bytes on the wire.
pub async fn fragment_br(http: &reqwest::Client, url: &str) -> Result<usize> {
    let answer = http.get(url).header("Accept-Encoding", "br").send().await?.error_for_status()?;
    let coding = answer.headers().get("content-encoding").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    anyhow::ensure!(coding == "br", "{url} answered in {coding:?}, not br");
    Ok(answer.bytes().await?.len())
}

/// One budget: what counts, its bytes, its limit.
pub struct Budget {
    pub name: String,
    pub parts: String,
    pub bytes: usize,
    pub limit: usize,
}

impl Budget {
    pub fn whole(files: &[(&str, usize)]) -> Self {
        Self {
            name: "whole widget".into(),
            parts: files.iter().map(|(n, b)| format!("{n} {b}")).collect::<Vec<_>>().join(" + "),
            bytes: files.iter().map(|f| f.1).sum(),
            limit: WHOLE,
        }
    }

    /// Before the content is visible with `n` comments: the loader, the stylesheet, and the
    /// widget's HTML (`fragment` bytes in brotli).
    pub fn before_visible(files: &[(&str, usize)], n: usize, fragment: usize) -> Self {
        let size = |name: &str| files.iter().find(|f| f.0 == name).map_or(0, |f| f.1);
        let (loader, css) = (size("the loader"), size("the stylesheet"));
        Self {
            name: format!("before the content is visible, {n} comments"),
            parts: format!("the loader {loader} + the stylesheet {css} + the widget's HTML {fragment}"),
            bytes: loader + css + fragment,
            limit: BEFORE_VISIBLE,
        }
    }

    fn verdict(&self) -> String {
        if self.bytes <= self.limit {
            format!("met ({:.0} % of it)", 100.0 * self.bytes as f64 / self.limit as f64)
        } else {
            format!("missed by {} B", self.bytes - self.limit)
        }
    }
}

/// The budgets as a Markdown table.
pub fn markdown(budgets: &[Budget]) -> String {
    let mut out =
        String::from("| budget | brotli (B) | limit (B) | verdict | what counts (B) |\n|---|---:|---:|---|---|\n");
    for b in budgets {
        let [bytes, limit] = [b.bytes, b.limit].map(|n| crate::report::group(n as f64, 0));
        let _ = writeln!(out, "| {} | {bytes} | {limit} | {} | {} |", b.name, b.verdict(), b.parts);
    }
    out
}

/// The budgets for a terminal.
pub fn print(budgets: &[Budget]) {
    println!("\n{:<44} {:>9} {:>9}  verdict", "budget (brotli bytes)", "bytes", "limit");
    for b in budgets {
        println!("{:<44} {:>9} {:>9}  {}", b.name, b.bytes, b.limit, b.verdict());
        println!("    {}", b.parts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_and_sums() {
        let files = [("the loader", 1_000), ("the JS glue", 7_000), ("the stylesheet", 4_000)];
        let whole = Budget::whole(&files);
        assert_eq!((whole.bytes, whole.limit), (12_000, WHOLE));
        assert!(whole.verdict().starts_with("met"));
        let visible = Budget::before_visible(&files, 20, 16_000);
        assert_eq!(visible.bytes, 21_000);
        assert_eq!(visible.verdict(), "missed by 1000 B");
        assert!(markdown(&[whole, visible]).lines().count() == 4);
    }
}
