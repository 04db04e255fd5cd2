//! What the project's commands share: running commands, installing tools, measuring sizes and,
//! with the `browser` feature, driving headless Chromium.

pub mod bench_args;
#[cfg(feature = "browser")]
pub mod browser;
pub mod faults;
pub mod hostile;
pub mod load;
pub mod mail;
pub mod plugin;
pub mod postgres;
pub mod setup;
pub mod shell;
pub mod sizes;
pub mod wordpress;

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_owned()
}
