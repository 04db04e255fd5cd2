//! The local SMTP sink with a web inbox that `cargo xtask serve` starts: maildev (npm, pinned in
//! `xtask/mail/package-lock.json`, installed into `target/mail`), on free loopback ports, stopped
//! by its process id when dropped. A person trying the project reads the moderators' alerts
//! there; nothing leaves the machine.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::root;
use crate::shell::{free_port, step, Cmd, Process};

/// A running maildev: SMTP on `smtp_port`, the inbox at `web_url`.
pub struct MailSink {
    pub smtp_port: u16,
    pub web_url: String,
    _process: Process,
    _dir: tempfile_dir::Dir,
}

fn install_dir() -> PathBuf {
    root().join("target/mail")
}

fn maildev_bin() -> PathBuf {
    install_dir().join("node_modules/maildev/bin/maildev")
}

/// Installs maildev into `target/mail` unless the pinned version is already there.
pub fn install() -> Result<()> {
    step("set-up: maildev (npm, pinned in xtask/mail/package-lock.json), the SMTP sink of `serve`", || {
        let source = root().join("xtask/mail");
        let dir = install_dir();
        let wanted = std::fs::read_to_string(source.join("package.json"))?;
        let installed = std::fs::read_to_string(dir.join("package.json")).unwrap_or_default();
        if wanted == installed && maildev_bin().is_file() {
            println!("    ok: {}", maildev_bin().display());
            return Ok(());
        }
        if Cmd::new("npm").args(["--version"]).output().is_none() {
            bail!("npm is missing; install it by hand: apt-get install -y nodejs npm");
        }
        std::fs::create_dir_all(&dir)?;
        for file in ["package.json", "package-lock.json"] {
            std::fs::copy(source.join(file), dir.join(file)).with_context(|| format!("copying xtask/mail/{file}"))?;
        }
        Cmd::new("npm").args(["ci", "--no-audit", "--no-fund"]).dir(&dir).run()
    })
}

impl MailSink {
    /// Starts maildev on two free loopback ports, its mails in a temporary folder.
    pub fn start() -> Result<Self> {
        install()?;
        let dir = tempfile_dir::Dir::new("news-widget-mail")?;
        let (smtp_port, web_port) = (free_port()?, free_port()?);
        let (smtp, web) = (smtp_port.to_string(), web_port.to_string());
        let mails = dir.path().join("mails");
        std::fs::create_dir_all(&mails)?;
        let mut process = Cmd::new("node")
            .args([maildev_bin().to_str().context("path is not UTF-8")?])
            .args(["--smtp", &smtp, "--web", &web, "--ip", "127.0.0.1", "--web-ip", "127.0.0.1"])
            .args(["--mail-directory", mails.to_str().context("path is not UTF-8")?])
            .spawn(&dir.path().join("maildev.log"))?;
        process.wait_for_port(smtp_port, Duration::from_secs(30))?;
        process.wait_for_port(web_port, Duration::from_secs(30))?;
        Ok(Self { smtp_port, web_url: format!("http://127.0.0.1:{web_port}/"), _process: process, _dir: dir })
    }

    /// The server's `--smtp-url` for this sink (plain SMTP on loopback: nothing to encrypt).
    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.smtp_port)
    }
}

/// A temporary folder removed when dropped (xtask's library does not depend on tempfile).
mod tempfile_dir {
    use std::path::{Path, PathBuf};

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new(prefix: &str) -> anyhow::Result<Self> {
            let path = std::env::temp_dir().join(format!("{prefix}-{}", crate::shell::random_token()));
            std::fs::create_dir_all(&path)?;
            Ok(Self(path))
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
