//! A throwaway PostgreSQL for the tests and the load figures: Debian's PostgreSQL 15 (installed by
//! [`crate::setup::postgres`]), a cluster `initdb` makes in a temp folder, `postgres` on a free
//! loopback port, stopped by its process group's id and its folder removed when dropped.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::shell::{free_port, random_token, Cmd, Process};

/// Where Debian puts PostgreSQL's server programs (not on PATH), newest version first; else PATH.
pub fn bin(program: &str) -> String {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(program))
        .filter(|p| p.is_file())
        .collect();
    found.sort_by_key(|p| {
        let version = p.parent().and_then(Path::parent).and_then(Path::file_name);
        std::cmp::Reverse(version.and_then(|v| v.to_str()?.parse::<u32>().ok()).unwrap_or(0))
    });
    found.first().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|| program.to_owned())
}

pub struct Postgres {
    folder: PathBuf,
    server: Option<Process>,
    pub port: u16,
}

impl Postgres {
    /// A new cluster on a free port, its superuser `postgres` trusted on loopback (a throwaway
    /// cluster for tests: no password, fsync off).
    pub fn start() -> Result<Self> {
        let folder = std::env::temp_dir().join(format!("news-widget-pg-{}", &random_token()[..12]));
        std::fs::create_dir_all(&folder)?;
        let mut pg = Self { folder, server: None, port: 0 };
        let data = pg.folder.join("data");
        let began = Instant::now();
        // PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's `postgres`.
        let as_user: Vec<String> = if Cmd::new("id").args(["-u"]).output().as_deref() == Some("0") {
            Cmd::new("chown").args(["-R", "postgres:postgres", path_str(&pg.folder)?]).output_checked()?;
            ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"].map(String::from).to_vec()
        } else {
            Vec::new()
        };
        let command = |program: &str| -> Cmd {
            match as_user.split_first() {
                Some((first, rest)) => Cmd::new(first).args(rest).args([bin(program)]),
                None => Cmd::new(&bin(program)),
            }
        };
        command("initdb")
            .args(["-D", path_str(&data)?, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"])
            .args(["--no-sync", "--no-instructions"])
            .output_checked()
            .context("initdb failed (is Debian's postgresql installed?)")?;
        let port = free_port()?;
        let server = command("postgres")
            .args(["-D", path_str(&data)?, "-p", &port.to_string(), "-k", path_str(&pg.folder)?])
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=400"])
            // A throwaway cluster: durability buys nothing here.
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
            .spawn(&pg.folder.join("postgres.log"))?;
        let server = pg.server.insert(server);
        server.wait_for_port(port, Duration::from_secs(60))?;
        pg.port = port;
        // Listening is not yet accepting: wait for a query to answer.
        let ready = Instant::now();
        loop {
            let answer = Cmd::new("psql")
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres", "-d", "postgres"])
                .args(["-XAtc", "SELECT 1"])
                .output_checked();
            match answer {
                Ok(_) => break,
                Err(e) if ready.elapsed() > Duration::from_secs(30) => return Err(e),
                Err(_) => {
                    pg.server.as_mut().map(Process::check_running).transpose()?;
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        println!(
            "    PostgreSQL on 127.0.0.1:{port} in {:.1} s ({})",
            began.elapsed().as_secs_f64(),
            pg.folder.display()
        );
        Ok(pg)
    }

    /// The superuser's URL to the `postgres` database (tests make their own databases from it).
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Makes the database `name` and answers its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            bail!("database names here are lowercase letters, digits and _: {name:?}");
        }
        Cmd::new("psql")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", "-d", "postgres"])
            .args(["-XAtc", &format!("CREATE DATABASE {name}")])
            .output_checked()?;
        Ok(format!("postgres://postgres@127.0.0.1:{}/{name}", self.port))
    }

    /// The server's process id.
    pub fn pid(&self) -> Option<u32> {
        self.server.as_ref().map(Process::pid)
    }

    /// Stops the server by its process group's id and removes the cluster.
    pub fn stop(&mut self) {
        if let Some(mut server) = self.server.take() {
            server.stop();
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str().with_context(|| format!("not UTF-8: {}", path.display()))
}
