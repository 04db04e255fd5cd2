//! Installs what the project needs and the machine lacks, from the package registries only.
//! Each check is cheap when the tool is there at the right version.

use anyhow::{bail, Context, Result};

use crate::root;
use crate::shell::{step, Cmd};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const WASM_PACK_VERSION: &str = "0.15.1";
pub const BINARYEN_VERSION: &str = "132";

/// What building and serving the widget needs: the wasm32 target, wasm-opt, trunk and
/// wasm-bindgen-cli (`serve`, `build`, `dist`, `sizes`).
pub fn serving() -> Result<()> {
    step("set-up: wasm32-unknown-unknown target", wasm_target)?;
    step("set-up: wasm-opt (npm binaryen, pinned in package-lock.json)", npm_tools)?;
    step(&format!("set-up: trunk {TRUNK_VERSION}"), || {
        cargo_tool("trunk", TRUNK_VERSION, &["install", "--locked", "trunk", "--version", TRUNK_VERSION])
    })?;
    let bindgen = lock_version("wasm-bindgen")?;
    step(&format!("set-up: wasm-bindgen-cli {bindgen} (as in Cargo.lock)"), || {
        // Its own lock names a crate the registry lacks, so it installs without --locked.
        cargo_tool("wasm-bindgen", &bindgen, &["install", "wasm-bindgen-cli", "--version", &format!("={bindgen}")])
    })
}

/// Everything `test` and `bench` need: [`serving`], then wasm-pack, Chromium and ChromeDriver.
pub fn all() -> Result<()> {
    serving()?;
    step(&format!("set-up: wasm-pack {WASM_PACK_VERSION}"), || {
        cargo_tool(
            "wasm-pack",
            WASM_PACK_VERSION,
            &["install", "--locked", "wasm-pack", "--version", WASM_PACK_VERSION],
        )
    })?;
    step("set-up: Chromium and ChromeDriver (Debian packages)", chromium)
}

fn wasm_target() -> Result<()> {
    let installed = Cmd::new("rustup").args(["target", "list", "--installed"]).output().unwrap_or_default();
    if installed.lines().any(|t| t.trim() == "wasm32-unknown-unknown") {
        println!("    ok: installed");
        return Ok(());
    }
    Cmd::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]).run()
}

fn npm_tools() -> Result<()> {
    let wasm_opt = root().join("node_modules/.bin/wasm-opt");
    let version = Cmd::new(wasm_opt.to_str().unwrap_or_default()).args(["--version"]).output();
    let terser = root().join("node_modules/.bin/terser").is_file();
    if terser && version.as_deref().is_some_and(|v| v.contains(&format!("version {BINARYEN_VERSION}"))) {
        println!("    ok: {}", version.unwrap_or_default());
        return Ok(());
    }
    if Cmd::new("npm").args(["--version"]).output().is_none() {
        bail!("npm is missing; install it by hand: apt-get install -y nodejs npm");
    }
    Cmd::new("npm").args(["ci", "--no-audit", "--no-fund"]).run()
}

/// Installs `tool` with `cargo install_args` unless `tool --version` already says `version`.
fn cargo_tool(tool: &str, version: &str, install_args: &[&str]) -> Result<()> {
    let found = Cmd::new(tool).args(["--version"]).output();
    if let Some(found) = &found {
        if found.split_whitespace().any(|word| word.trim_start_matches('v') == version) {
            println!("    ok: {found}");
            return Ok(());
        }
        println!("    found {found}, want {version}: installing");
    } else {
        println!("    not installed: installing (this can take a while)");
    }
    let args: Vec<String> = install_args.iter().map(|s| s.to_string()).collect();
    Cmd::new(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args(&args).run()
}

/// The version of `package` that Cargo.lock pins.
fn lock_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let at = lock.find(&needle).with_context(|| format!("Cargo.lock has no {package}"))? + needle.len();
    Ok(lock[at..].split('"').next().unwrap_or_default().to_owned())
}

/// What `cargo xtask bench` needs besides the above: wrk and nginx (Debian) and Isso in a virtual
/// environment under target/bench/venv, at the versions xtask/bench/requirements.txt pins.
pub fn bench() -> Result<()> {
    debian_tool("wrk", "--version", "the HTTP load generator")?;
    debian_tool("nginx", "-v", "the static-file ceiling of the server figures")?;
    step("set-up: Isso from PyPI in target/bench/venv (xtask/bench/requirements.txt)", isso_venv)
}

/// Installs the Debian package `tool` unless `tool version_flag` answers.
fn debian_tool(tool: &str, version_flag: &str, purpose: &str) -> Result<()> {
    step(&format!("set-up: {tool} (Debian package), {purpose}"), || {
        if let Some(version) = Cmd::new(tool).args([version_flag]).output_any() {
            println!("    ok: {}", version.lines().next().unwrap_or_default());
            return Ok(());
        }
        apt_install(&[tool])
    })
}

/// The virtual environment that holds Isso.
pub fn venv() -> std::path::PathBuf {
    root().join("target/bench/venv")
}

fn isso_venv() -> Result<()> {
    let wanted = std::fs::read_to_string(root().join("xtask/bench/requirements.txt"))?;
    let stamp = venv().join("installed-requirements.txt");
    if std::fs::read_to_string(&stamp).is_ok_and(|had| had == wanted) && venv().join("bin/gunicorn").is_file() {
        println!("    ok: {}", venv().display());
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(venv());
    let venv = venv();
    let venv = venv.to_str().context("path is not UTF-8")?;
    Cmd::new("python3").args(["-m", "venv", venv]).run()?;
    Cmd::new(&format!("{venv}/bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "-r", "xtask/bench/requirements.txt"])
        .run()?;
    std::fs::write(stamp, wanted)?;
    Ok(())
}

fn apt_install(packages: &[&str]) -> Result<()> {
    let is_root = Cmd::new("id").args(["-u"]).output().as_deref() == Some("0");
    if !is_root {
        bail!(
            "{} missing; install by hand: sudo apt-get update && sudo apt-get install -y {}",
            packages.join(", "),
            packages.join(" ")
        );
    }
    Cmd::new("apt-get").args(["update", "-qq"]).run()?;
    Cmd::new("apt-get").args(["install", "-y", "-qq"]).args(packages).env("DEBIAN_FRONTEND", "noninteractive").run()
}

fn chromium() -> Result<()> {
    let browser = Cmd::new("chromium").args(["--version"]).output();
    let driver = Cmd::new("chromedriver").args(["--version"]).output();
    if let (Some(browser), Some(driver)) = (&browser, &driver) {
        println!("    ok: {browser}; {driver}");
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"])
}
