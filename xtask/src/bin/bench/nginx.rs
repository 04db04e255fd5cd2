//! The ceiling: nginx (Debian's package) serving the same JSON bytes as a static file, from a
//! temporary folder on a free loopback port, stopped by its PID on drop.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

pub struct Nginx {
    /// The URL of the JSON file.
    pub url: String,
    dir: PathBuf,
    child: Child,
}

/// The configuration: in the foreground (`daemon off`) with its master process, every path of
/// its own in `dir`, one worker per core, no access log; `gzip_static` answers the precompressed
/// `thread.json.gz` to a request that accepts gzip (Debian's nginx has no brotli module).
pub fn config(dir: &str, port: u16) -> String {
    format!(
        "daemon off;\nmaster_process on;\nworker_processes auto;\npid {dir}/nginx.pid;\n\
         error_log {dir}/error.log warn;\n{user}\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {dir}/body;\n  proxy_temp_path {dir}/proxy;\n  \
         fastcgi_temp_path {dir}/fastcgi;\n  uwsgi_temp_path {dir}/uwsgi;\n  scgi_temp_path {dir}/scgi;\n  \
         types {{ application/json json; }}\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 1000000;\n  \
         gzip_static on;\n  server {{\n    listen 127.0.0.1:{port};\n    root {dir}/www;\n  }}\n}}\n",
        // As root, the workers would drop to `nobody`: they stay who started them.
        user = if is_root() { "user root;\n" } else { "" },
    )
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl Nginx {
    /// Serves `json` as /thread.json, with a gzip (level 9) copy beside it for `gzip_static`.
    pub fn start(json: &[u8]) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("news-widget-bench-nginx-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("www"))?;
        std::fs::write(dir.join("www/thread.json"), json)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, json)?;
        std::fs::write(dir.join("www/thread.json.gz"), gz.finish()?)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let dir_str = dir.to_str().context("temp path is not UTF-8")?;
        std::fs::write(dir.join("nginx.conf"), config(dir_str, port))?;
        let child = Command::new("nginx")
            .args(["-p", dir_str, "-e", &format!("{dir_str}/error.log"), "-c"])
            .arg(dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("nginx does not start (apt-get install nginx)")?;
        let nginx = Self { url: format!("http://127.0.0.1:{port}/thread.json"), dir, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut nginx = nginx;
        while Instant::now() < deadline {
            if let Some(status) = nginx.child.try_wait()? {
                let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
                bail!("nginx stopped ({status}): {log}");
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                println!("    nginx at {} (pid {})", nginx.url, nginx.child.id());
                return Ok(nginx);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("nginx did not listen on port {port} within 10 s")
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGQUIT: the master stops its workers and exits.
        let _ = Command::new("kill").args(["-QUIT", &self.child.id().to_string()]).status();
        for _ in 0..50 {
            if self.child.try_wait().ok().flatten().is_some() {
                let _ = std::fs::remove_dir_all(&self.dir);
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_config_keeps_every_path_in_its_folder() {
        let conf = super::config("/tmp/x", 4242);
        for line in
            ["daemon off;", "master_process on;", "pid /tmp/x/nginx.pid;", "listen 127.0.0.1:4242;", "gzip_static on;"]
        {
            assert!(conf.contains(line), "{line} missing from\n{conf}");
        }
        for path in conf.split_whitespace().filter(|w| w.starts_with('/')) {
            assert!(path.starts_with("/tmp/x/"), "{path} is outside the folder");
        }
        assert_eq!(conf.matches('{').count(), conf.matches('}').count());
    }
}
