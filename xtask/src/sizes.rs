//! What a reader downloads: each built asset raw, gzip (level 9) and brotli (quality 11).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

#[derive(Clone, Copy)]
pub struct Size {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

pub fn measure(bytes: &[u8]) -> Result<Size> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let gzip = gz.finish()?.len();
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &params)?;
    Ok(Size { raw: bytes.len(), gzip, brotli: br.len() })
}

/// Prints a table of the widget's assets in `dist` (the demo page's own CSS and HTML left out).
pub fn print(dist: &Path) -> Result<()> {
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let kind = match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => "wasm",
            Some("js") if name.contains("loader") => "loader",
            Some("js") => "js",
            Some("css") if name.starts_with("widget") => "css", // none since the CSS is built into the wasm
            _ => continue,
        };
        rows.push((kind, measure(&std::fs::read(&path)?)?));
    }
    rows.sort_by_key(|(kind, _)| *kind);
    println!("\n{:<6} {:>10} {:>10} {:>10}", "asset", "raw", "gzip", "brotli");
    let mut total = Size { raw: 0, gzip: 0, brotli: 0 };
    for (kind, s) in &rows {
        println!("{kind:<6} {:>10} {:>10} {:>10}", s.raw, s.gzip, s.brotli);
        total.raw += s.raw;
        total.gzip += s.gzip;
        total.brotli += s.brotli;
    }
    println!("{:<6} {:>10} {:>10} {:>10}   (bytes)", "total", total.raw, total.gzip, total.brotli);
    Ok(())
}
