//! Installs what the project needs and the machine lacks, from the package registries only.
//! Each check is cheap when the tool is there at the right version.

use std::path::Path;

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
    step("set-up: wasm-opt, terser and axe-core (npm, pinned in package-lock.json)", npm_tools)?;
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
    let axe = root().join("node_modules/axe-core/axe.min.js").is_file();
    if terser && axe && version.as_deref().is_some_and(|v| v.contains(&format!("version {BINARYEN_VERSION}"))) {
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
    load_tools()?;
    step("set-up: Isso from PyPI in target/bench/venv (xtask/bench/requirements.txt)", isso_venv)
}

/// wrk and nginx (Debian's), for the benchmark's server figures and `cargo xtask load`.
pub fn load_tools() -> Result<()> {
    debian_tool("wrk", "--version", "the HTTP load generator")?;
    debian_tool("nginx", "-v", "the static-file ceiling and the load balancer of the load runs")
}

/// PostgreSQL 15 (Debian's `postgresql-15`: initdb, postgres; and `postgresql-client-15`: psql),
/// for the server's tests on PostgreSQL and the load figures. Debian starts no cluster here
/// (`policy-rc.d`); the xtask makes its own ([`crate::postgres::Postgres`]).
pub fn postgres() -> Result<()> {
    step("set-up: PostgreSQL (postgresql-15, Debian), the server's second engine", || {
        let initdb = crate::postgres::bin("initdb");
        if let (Some(version), Some(_)) =
            (Cmd::new(&initdb).args(["--version"]).output_any(), Cmd::new("psql").args(["--version"]).output_any())
        {
            println!("    ok: {}", version.lines().next().unwrap_or_default());
            return Ok(());
        }
        apt_install(&["postgresql-15", "postgresql-client-15"])
    })
}

/// Installs the Debian package `tool` unless `tool version_flag` answers.
fn debian_tool(tool: &str, version_flag: &str, purpose: &str) -> Result<()> {
    debian_tool_in(tool, &[tool], version_flag, purpose)
}

/// Installs the Debian `packages` unless `tool version_flag` answers.
fn debian_tool_in(tool: &str, packages: &[&str], version_flag: &str, purpose: &str) -> Result<()> {
    step(&format!("set-up: {tool} ({}, Debian), {purpose}", packages.join(", ")), || {
        if let Some(version) = Cmd::new(tool).args([version_flag]).output_any() {
            println!("    ok: {}", version.lines().next().unwrap_or_default());
            return Ok(());
        }
        apt_install(packages)
    })
}

/// Where WordPress is unpacked: `target/wordpress/core` (the Debian package's /usr/share/wordpress).
pub fn wordpress_core() -> std::path::PathBuf {
    root().join("target/wordpress/core")
}

/// What `cargo xtask wordpress` and the WordPress tests need: PHP with mysqli, XML and mbstring,
/// MariaDB (Debian packages), and WordPress itself: Debian's `wordpress` package, downloaded with
/// `apt-get download` and unpacked into [`wordpress_core`] (never installed: it would pull Apache).
pub fn wordpress() -> Result<()> {
    debian_tool_in("php", &["php-cli"], "--version", "runs WordPress (php -S)")?;
    step("set-up: PHP's mysqli, xml and mbstring (php-mysql, php-xml, php-mbstring, Debian)", || {
        let modules = Cmd::new("php").args(["-m"]).output().unwrap_or_default().to_lowercase();
        let missing: Vec<&str> = [("mysqli", "php-mysql"), ("xml", "php-xml"), ("mbstring", "php-mbstring")]
            .into_iter()
            .filter(|(module, _)| !modules.lines().any(|line| line.trim() == *module))
            .map(|(_, package)| package)
            .collect();
        if missing.is_empty() {
            println!("    ok: mysqli, xml, mbstring");
            return Ok(());
        }
        apt_install(&missing)
    })?;
    debian_tool_in("mariadbd", &["mariadb-server", "mariadb-client"], "--version", "WordPress's database")?;
    step("set-up: underscore.js (libjs-underscore, Debian), which Debian's WordPress links to", || {
        if Path::new(UNDERSCORE).is_file() {
            println!("    ok: {UNDERSCORE}");
            return Ok(());
        }
        apt_install(&["libjs-underscore"])
    })?;
    step("set-up: WordPress (Debian's wordpress package, unpacked into target/wordpress/core)", wordpress_unpacked)
}

/// Debian's WordPress links to its own copy of underscore.js (wp-admin's scripts need it).
const UNDERSCORE: &str = "/usr/share/javascript/underscore/underscore.min.js";

fn wordpress_unpacked() -> Result<()> {
    let core = wordpress_core();
    let linked = core.join("wp-includes/js/underscore.min.js").is_file();
    if let Some(version) = std::fs::read_to_string(core.join("wp-includes/version.php")).ok().filter(|_| linked) {
        let found = version.lines().find(|l| l.starts_with("$wp_version")).unwrap_or_default();
        println!("    ok: {} ({found})", core.display());
        return Ok(());
    }
    let work = root().join("target/wordpress/download");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let download = || Cmd::new("apt-get").args(["download", "-qq", "wordpress"]).dir(&work).run();
    if download().is_err() {
        // A machine whose package lists are empty or stale.
        if Cmd::new("id").args(["-u"]).output().as_deref() == Some("0") {
            Cmd::new("apt-get").args(["update", "-qq"]).run()?;
        }
        download()?;
    }
    let deb = std::fs::read_dir(&work)?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .find(|path| path.extension().is_some_and(|ext| ext == "deb"))
        .context("apt-get download wordpress left no .deb")?;
    let unpacked = work.join("unpacked");
    Cmd::new("dpkg-deb").args(["-x".as_ref(), deb.as_os_str(), unpacked.as_os_str()]).run()?;
    let _ = std::fs::remove_dir_all(&core);
    std::fs::rename(unpacked.join("usr/share/wordpress"), &core)?;
    // Its links to other Debian packages' files (underscore.js, cropper, getID3, the CA bundle,
    // /etc/wordpress/htaccess) are relative to /usr/share/wordpress: the files that are on this
    // machine are copied in their place; the others stay dangling (WordPress does without them).
    for link in walk(&core)?.into_iter().filter(|p| p.is_symlink()) {
        let relative = link.strip_prefix(&core)?;
        let target = std::fs::read_link(&link)?;
        let joined = Path::new("/usr/share/wordpress").join(relative).parent().context("a parent")?.join(target);
        // `..` resolved by hand: /usr/share/wordpress itself is not there.
        let mut absolute = std::path::PathBuf::new();
        for part in joined.components() {
            match part {
                std::path::Component::ParentDir => {
                    absolute.pop();
                }
                other => absolute.push(other),
            }
        }
        if absolute.is_file() {
            std::fs::remove_file(&link)?;
            std::fs::copy(&absolute, &link)?;
        }
    }
    // Debian's wp-config.php reads /etc/wordpress/config-HOST.php; each site writes its own.
    std::fs::remove_file(core.join("wp-config.php"))?;
    std::fs::remove_dir_all(&work)?;
    println!("    unpacked {} into {}", deb.file_name().unwrap_or_default().to_string_lossy(), core.display());
    Ok(())
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

/// The virtual environment that holds aiosmtpd, the SMTP server the alert tests send to
/// (server/tests/alerts.rs reads it from `NEWS_WIDGET_SMTP_PYTHON`).
pub fn smtp_venv() -> std::path::PathBuf {
    root().join("target/smtp/venv")
}

/// The Python of [`smtp_venv`].
pub fn smtp_python() -> std::path::PathBuf {
    smtp_venv().join("bin/python")
}

/// aiosmtpd from PyPI in target/smtp/venv, at the versions xtask/smtp/requirements.txt pins.
pub fn smtp() -> Result<()> {
    step("set-up: aiosmtpd from PyPI in target/smtp/venv (xtask/smtp/requirements.txt)", || {
        let wanted = std::fs::read_to_string(root().join("xtask/smtp/requirements.txt"))?;
        let stamp = smtp_venv().join("installed-requirements.txt");
        if std::fs::read_to_string(&stamp).is_ok_and(|had| had == wanted) && smtp_python().is_file() {
            println!("    ok: {}", smtp_venv().display());
            return Ok(());
        }
        let _ = std::fs::remove_dir_all(smtp_venv());
        let venv = smtp_venv();
        let venv = venv.to_str().context("path is not UTF-8")?;
        Cmd::new("python3").args(["-m", "venv", venv]).run()?;
        Cmd::new(&format!("{venv}/bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r", "xtask/smtp/requirements.txt"])
            .run()?;
        std::fs::write(stamp, wanted)?;
        Ok(())
    })
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

/// Every path under `dir` (links not followed).
fn walk(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() && !path.is_symlink() {
            paths.extend(walk(&path)?);
        }
        paths.push(path);
    }
    Ok(paths)
}
