//! Computes `NEWS_WIDGET_BUILD`: one id for a server and a wasm built from the same sources, so
//! that the wasm hydrates only markup it would render itself (see `news_widget::BUILD`): the
//! widget's and the wire types' sources, and `Cargo.lock`.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for dir in ["src", "api/src"] {
        println!("cargo:rerun-if-changed={dir}");
        files(&root.join(dir), &mut all);
    }
    // The locked dependencies too: a Yew or serde upgrade changes the markup or the seed.
    println!("cargo:rerun-if-changed=Cargo.lock");
    all.push(root.join("Cargo.lock"));
    // Sorted by path relative to the crate: the same sources hash the same on every machine.
    let mut named: Vec<(String, PathBuf)> = all
        .into_iter()
        .map(|p| (p.strip_prefix(&root).unwrap_or(&p).to_string_lossy().replace('\\', "/"), p))
        .collect();
    named.sort();
    // FNV-1a, 64 bits: fixed, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (name, path) in &named {
        eat(name.as_bytes());
        eat(&[0]);
        eat(&std::fs::read(path).unwrap_or_default());
        eat(&[0]);
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=NEWS_WIDGET_BUILD={version}-{hash:016x}");
}
