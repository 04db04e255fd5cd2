//! What a reader downloads: each built asset raw, gzip (level 9) and brotli (quality 11).

use std::collections::HashMap;
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
            Some("css") if name.starts_with("widget") => "css",
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

/// Where the wasm's bytes go: the code of each crate (function bodies, by the crate in the
/// demangled name; a generic function counts for the crate that defines it, a `drop_in_place`
/// for the crate of the type it drops) and the data segments (strings, catalogues, CSS).
/// `wasm` must keep its name section (`wasm-opt -g`).
pub fn by_crate(wasm: &[u8]) -> Result<Vec<(String, usize)>> {
    use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};
    let (mut imported, mut bodies, mut data) = (0u32, Vec::new(), 0usize);
    let mut names: HashMap<u32, String> = HashMap::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(import?.ty, TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.range().len()),
            Payload::DataSection(reader) => {
                for segment in reader {
                    data += segment?.data.len();
                }
            }
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    for name in reader {
                        if let Name::Function(map) = name? {
                            for naming in map {
                                let naming = naming?;
                                names.insert(naming.index, naming.name.to_owned());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    anyhow::ensure!(!names.is_empty(), "the wasm has no name section");
    let mut by: HashMap<String, usize> = HashMap::new();
    for (i, size) in bodies.into_iter().enumerate() {
        let name = names.get(&(imported + i as u32)).map(String::as_str).unwrap_or("");
        *by.entry(crate_of(&rustc_demangle::demangle(name).to_string())).or_default() += size;
    }
    let mut rows: Vec<(String, usize)> = by.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.push(("(data segments)".into(), data));
    Ok(rows)
}

/// `yew::html::…` is yew's; `<alloc::vec::Vec<T> as …>::drop` is alloc's;
/// `core::ptr::drop_in_place<news_widget::app::Widget>` is news_widget's; `<f64 as
/// core::fmt::Display>::fmt` is core's. Crate disambiguators (`core[c5930c85]`) are dropped.
fn crate_of(name: &str) -> String {
    let name = without_disambiguators(name);
    let name = name.strip_prefix("core::ptr::drop_in_place<").unwrap_or(&name);
    let bare = name.trim_start_matches(['<', '&', '*', '(', '[']).trim_start_matches("mut ").trim_start_matches("dyn ");
    let end = bare.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(bare.len());
    if end > 0 && bare[end..].starts_with("::") {
        return bare[..end].to_owned();
    }
    // An impl on a primitive type: the trait's crate, else the standard library's.
    match name.split_once(" as ") {
        Some((_, rest)) if bare.starts_with(|c: char| c.is_ascii_lowercase()) => crate_of(rest),
        _ if name.starts_with('<') => "core/alloc (on primitives)".into(),
        _ if name.is_empty() => "(unnamed)".into(),
        _ => "(runtime and C)".into(),
    }
}

/// `core[c5930c85a12de822]::fmt` as `core::fmt`.
fn without_disambiguators(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match after.find(']') {
            Some(close) if close > 0 && after[..close].bytes().all(|b| b.is_ascii_hexdigit()) => {
                rest = &after[close + 1..]
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::crate_of;

    #[test]
    fn crates_of_demangled_names() {
        assert_eq!(crate_of("yew::html::component::lifecycle::foo::h0123"), "yew");
        assert_eq!(crate_of("<alloc::vec::Vec<T> as core::ops::drop::Drop>::drop::h1"), "alloc");
        assert_eq!(crate_of("core::ptr::drop_in_place<news_widget::app::Widget>::h2"), "news_widget");
        assert_eq!(crate_of("<&mut serde_json::de::Deserializer<R>>::x"), "serde_json");
        assert_eq!(crate_of("memcpy"), "(runtime and C)");
        assert_eq!(crate_of("<f64 as core[c5930c85a12de822]::fmt::Display>::fmt"), "core");
        assert_eq!(crate_of("<dlmalloc[e24a]::dlmalloc::Dlmalloc<dlmalloc[e24a]::sys::System>>::malloc"), "dlmalloc");
        assert_eq!(crate_of("<str>::to_lowercase"), "core/alloc (on primitives)");
        assert_eq!(crate_of("<[T]>::sort"), "core/alloc (on primitives)");
        assert_eq!(crate_of(""), "(unnamed)");
    }
}
