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

/// The wasm's functions (demangled name, body size) and the size of its data segments. `wasm`
/// must keep its name section (`wasm-opt -g`).
fn functions(wasm: &[u8]) -> Result<(Vec<(String, usize)>, usize)> {
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
    let functions = bodies
        .into_iter()
        .enumerate()
        .map(|(i, size)| {
            let name = names.get(&(imported + i as u32)).map(String::as_str).unwrap_or("");
            (without_disambiguators(&rustc_demangle::demangle(name).to_string()), size)
        })
        .collect();
    Ok((functions, data))
}

/// Where the wasm's bytes go: the code of each crate (function bodies, by the crate in the
/// demangled name; a generic function counts for the crate that defines it, a `drop_in_place`
/// for the crate of the type it drops) and the data segments (strings, the English catalogue).
/// `wasm` must keep its name section (`wasm-opt -g`).
pub fn by_crate(wasm: &[u8]) -> Result<Vec<(String, usize)>> {
    let (functions, data) = functions(wasm)?;
    let mut by: HashMap<String, usize> = HashMap::new();
    for (name, size) in functions {
        *by.entry(crate_of(&name)).or_default() += size;
    }
    let mut rows: Vec<(String, usize)> = by.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.push(("(data segments)".into(), data));
    Ok(rows)
}

/// One part of the widget and the code it costs: its own functions, and Yew's (or another
/// crate's) generic code instantiated for its types.
pub struct Part {
    pub name: &'static str,
    pub own: usize,
    pub generic: usize,
}

/// The parts of the widget, by the module their code names first.
const PARTS: [(&str, &str); 12] = [
    ("news_widget::comments::form", "comment form"),
    ("news_widget::comments", "comment thread (and its store)"),
    ("news_widget::rating", "rating"),
    ("news_widget::share", "share bar"),
    ("news_widget::article", "article"),
    ("news_widget::sanitize", "article sanitizer"),
    ("news_widget::backend::local", "local backend (the browser alone)"),
    ("news_widget::backend", "REST backend"),
    ("news_widget::i18n", "languages"),
    ("news_widget::intl", "Intl formatting"),
    ("news_widget::live", "live updates (the stream)"),
    ("news_widget", "mount, config, hydration, JS API"),
];

/// The wasm's code by part of the widget: a function belongs to the part of the first
/// `news_widget::…` path in its demangled name (v0 names carry generic arguments, so
/// `yew::…::CompStateInner<news_widget::rating::RatingView>::view` is the rating's), and counts
/// as generic when its own path is another crate's. What names no part of ours is the shared
/// runtime (Yew's machinery, std, serde, the allocator). `wasm` must keep its name section.
pub fn by_part(wasm: &[u8]) -> Result<(Vec<Part>, usize)> {
    let (functions, _) = functions(wasm)?;
    let mut parts: Vec<Part> = PARTS.iter().map(|(_, name)| Part { name, own: 0, generic: 0 }).collect();
    let mut shared = 0;
    for (name, size) in functions {
        let Some(i) = part_of(&name) else {
            shared += size;
            continue;
        };
        if crate_of(&name) == "news_widget" {
            parts[i].own += size;
        } else {
            parts[i].generic += size;
        }
    }
    parts.sort_by_key(|p| std::cmp::Reverse(p.own + p.generic));
    Ok((parts, shared))
}

/// The index in [`PARTS`] of the first `news_widget::…` path in `name`.
fn part_of(name: &str) -> Option<usize> {
    let at = name.find("news_widget::")?;
    let path = &name[at..];
    PARTS.iter().position(|(module, _)| {
        path.strip_prefix(module).is_some_and(|rest| rest.starts_with("::") || rest.starts_with(['<', '>', ',', ' ']))
    })
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
    use super::{crate_of, part_of, PARTS};

    #[test]
    fn parts_of_demangled_names() {
        let part = |name: &str| part_of(name).map(|i| PARTS[i].1);
        let view = "<yew::html::component::lifecycle::CompStateInner<news_widget::rating::RatingView> as yew::html::component::lifecycle::Stateful>::view";
        assert_eq!(part(view), Some("rating"));
        assert_eq!(
            part("<news_widget::comments::form::CommentForm as yew::functional::FunctionProvider>::run"),
            Some("comment form")
        );
        assert_eq!(
            part("core::ptr::drop_in_place::<news_widget::comments::Ctx>"),
            Some("comment thread (and its store)")
        );
        assert_eq!(part("news_widget::backend::local::load::<u8>"), Some("local backend (the browser alone)"));
        assert_eq!(part("news_widget::backend::rest::body"), Some("REST backend"));
        assert_eq!(part("news_widget::mount_handle"), Some("mount, config, hydration, JS API"));
        assert_eq!(part("news_widget_api::comment::Comment::parse"), None);
        assert_eq!(part("yew::scheduler::start"), None);
    }

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
