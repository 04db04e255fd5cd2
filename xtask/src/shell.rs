//! Running commands: each says what it runs, and a failure says how to run it by hand.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::root;

/// Runs one named step, saying when it starts and, if it fails, which one failed.
pub fn step(name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    println!("\n==> {name}");
    f().with_context(|| format!("step failed: {name}"))
}

/// PATH with the project's tools first: npm's `node_modules/.bin` (wasm-opt) and cargo's bin.
pub fn tool_path() -> String {
    let mut dirs = vec![root().join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(Path::new(&home).join("bin"));
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".cargo/bin"));
    }
    let old = std::env::var_os("PATH").unwrap_or_default();
    let all = dirs.into_iter().chain(std::env::split_paths(&old));
    std::env::join_paths(all).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A command run from the workspace root with the project's PATH.
pub struct Cmd {
    command: Command,
    line: String,
}

impl Cmd {
    pub fn new(program: &str) -> Self {
        let mut command = Command::new(program);
        command.current_dir(root()).env("PATH", tool_path());
        Self { command, line: program.to_owned() }
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            let arg = arg.as_ref();
            self.line.push(' ');
            self.line.push_str(&arg.to_string_lossy());
            self.command.arg(arg);
        }
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    /// Runs it in `dir` instead of the workspace root.
    pub fn dir(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Its standard output; if it cannot start or fails, an error with what it printed on stderr.
    pub fn output_checked(mut self) -> Result<String> {
        let out = self.command.output().with_context(|| format!("could not start `{}`", self.line))?;
        if !out.status.success() {
            bail!(
                "`{}` failed ({}):\n{}{}",
                self.line,
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Starts it in the background as a [`Process`], in a process group of its own, its output
    /// (both streams) appended to `log`.
    pub fn spawn(mut self, log: &Path) -> Result<Process> {
        use std::os::unix::process::CommandExt;
        let file = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
        self.command.stdin(Stdio::null()).stdout(file.try_clone()?).stderr(file).process_group(0);
        #[cfg(target_os = "linux")]
        // SAFETY: prctl is async-signal-safe; it only asks the kernel for SIGTERM when the
        // thread that started the child ends, so that a killed xtask leaves nothing behind.
        unsafe {
            self.command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        println!("    $ {} &", self.line);
        let child = self.command.spawn().with_context(|| format!("could not start `{}`", self.line))?;
        Ok(Process { child, line: self.line, log: log.to_owned() })
    }

    /// Runs it, its output shown as it comes.
    pub fn run(mut self) -> Result<()> {
        println!("    $ {}", self.line);
        let status = self
            .command
            .status()
            .with_context(|| format!("could not start `{}`; is it installed and on PATH?", self.line))?;
        if !status.success() {
            bail!("`{}` failed ({status}); run it by hand from {} to see why", self.line, root().display());
        }
        Ok(())
    }

    /// What it printed on either stream, whatever its exit status, or `None` if it cannot start
    /// (for tools like wrk whose `--version` exits non-zero).
    pub fn output_any(mut self) -> Option<String> {
        let out = self.command.output().ok()?;
        Some(
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
                .trim()
                .to_owned(),
        )
    }

    /// Its standard output, or `None` if it cannot start or fails (for version checks).
    pub fn output(mut self) -> Option<String> {
        let out = self.command.stderr(Stdio::null()).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

pub fn cargo<I: IntoIterator<Item = &'static str>>(args: I) -> Cmd {
    Cmd::new(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args(args)
}

/// A long random hex token, from the kernel's random source.
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut bytes);
    }
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}{nanos:x}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Our server on a free loopback port with a database in a temporary folder; stopped on drop.
pub struct Server {
    pub url: String,
    child: Child,
    dir: std::path::PathBuf,
    bin: std::path::PathBuf,
    args: Vec<std::ffi::OsString>,
    envs: Vec<(String, String)>,
}

/// Server flags under which a robot's comments publish at once: no time trap, no hold for a new
/// commenter nor for links (each has its own server tests). For the browser, end-to-end and
/// benchmark servers.
pub const PUBLISH_AT_ONCE: [&str; 6] = ["--form-min-seconds", "0", "--trusted-after", "0", "--link-limit", "0"];

impl Server {
    pub fn start(bin: &Path, args: &[&str], static_dir: Option<&Path>) -> Result<Self> {
        Self::start_with_env(bin, args, &[], static_dir)
    }

    /// [`Server::start`] with environment variables (secrets such as NEWS_WIDGET_ADMIN_TOKEN go
    /// there, never in argv where every user's `ps` reads them).
    pub fn start_with_env(bin: &Path, args: &[&str], envs: &[(&str, &str)], static_dir: Option<&Path>) -> Result<Self> {
        Self::start_on(bin, None, args, envs, static_dir)
    }

    /// [`Server::start_with_env`] on `database` (a `postgres://` URL, say), or on a new SQLite
    /// file in its own temporary folder.
    pub fn start_on(
        bin: &Path,
        database: Option<&str>,
        args: &[&str],
        envs: &[(&str, &str)],
        static_dir: Option<&Path>,
    ) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("news-widget-test-{}", random_token()));
        std::fs::create_dir_all(&dir)?;
        let database: std::ffi::OsString = match database {
            Some(database) => database.into(),
            None => dir.join("test.sqlite3").into(),
        };
        let mut all: Vec<std::ffi::OsString> = vec!["--database".into(), database];
        all.extend(args.iter().map(Into::into));
        if let Some(static_dir) = static_dir {
            all.extend(["--static-dir".into(), static_dir.into()]);
        }
        let envs: Vec<(String, String)> = envs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let (url, child) = match spawn(bin, "127.0.0.1:0", &all, &envs) {
            Ok(started) => started,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        println!("    server at {url}");
        Ok(Self { url, child, dir, bin: bin.to_owned(), args: all, envs })
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server (SIGKILL to its own PID, mid-request if it is in one) and starts it
    /// again on the same port with the same database file and flags.
    pub fn restart(&mut self) -> Result<()> {
        self.restart_after(std::time::Duration::ZERO)
    }

    /// [`Server::restart`], the server staying down for `down` in between.
    pub fn restart_after(&mut self, down: std::time::Duration) -> Result<()> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(down);
        let addr = self.url.trim_start_matches("http://").to_owned();
        let mut tries = 0;
        loop {
            match spawn(&self.bin, &addr, &self.args, &self.envs) {
                Ok((_, child)) => {
                    self.child = child;
                    return Ok(());
                }
                // The port may take a moment to be free again.
                Err(e) if tries < 50 => {
                    tries += 1;
                    if tries == 50 {
                        return Err(e);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Starts the server on `addr` and answers its URL once it listens.
fn spawn(bin: &Path, addr: &str, args: &[std::ffi::OsString], envs: &[(String, String)]) -> Result<(String, Child)> {
    let mut command = Command::new(bin);
    command.args(["--addr", addr]).args(args);
    for (key, value) in envs {
        command.env(key, value);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("could not start the server {}", bin.display()))?;
    // The server prints `news-widget: serving on http://127.0.0.1:PORT/` once it listens.
    let stdout = child.stdout.take().context("server stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let Some(url) = line.trim().strip_prefix("news-widget: serving on ") else {
        let _ = child.kill();
        let _ = child.wait();
        bail!("the server did not start (it said {line:?})");
    };
    Ok((url.trim_end_matches('/').to_owned(), child))
}

impl Server {
    /// The SQLite file the server runs on (in its own temporary folder).
    pub fn database(&self) -> std::path::PathBuf {
        self.dir.join("test.sqlite3")
    }

    /// Stops the server (by its PID) and removes its database; dropping it does the same.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A background process started by [`Cmd::spawn`], the leader of its own process group (a
/// server's workers included); stopped on drop: SIGTERM to the group, then SIGKILL after 10 s.
///
/// The kernel also sends it SIGTERM when the thread that started it ends, so start it on a
/// thread that outlives it (the main thread, or the test's).
pub struct Process {
    child: Child,
    line: String,
    log: std::path::PathBuf,
}

impl Process {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Fails, with the end of its log, if it has ended.
    pub fn check_running(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!("`{}` ended ({status}); the end of {}:\n{}", self.line, self.log.display(), self.log_tail());
        }
        Ok(())
    }

    /// The last lines of its log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Waits until it accepts TCP connections on `port` of 127.0.0.1.
    pub fn wait_for_port(&mut self, port: u16, timeout: std::time::Duration) -> Result<()> {
        let began = std::time::Instant::now();
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            self.check_running()?;
            if began.elapsed() > timeout {
                bail!("`{}` does not listen on port {port} after {timeout:?}:\n{}", self.line, self.log_tail());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Stops the process group by its PID: SIGTERM, then SIGKILL if it is still there after 10 s.
    pub fn stop(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            self.kill_group(libc::SIGKILL);
            return;
        }
        self.kill_group(libc::SIGTERM);
        let began = std::time::Instant::now();
        while began.elapsed() < std::time::Duration::from_secs(10) {
            if self.child.try_wait().ok().flatten().is_some() {
                // Workers that outlive their leader go too.
                self.kill_group(libc::SIGKILL);
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        self.kill_group(libc::SIGKILL);
        let _ = self.child.wait();
    }

    fn kill_group(&self, signal: libc::c_int) {
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: kill(2) with the negated PID of our own child signals only its group.
            unsafe {
                libc::kill(-pid, signal);
            }
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A free TCP port on 127.0.0.1 (free when asked: bound, then let go).
pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

static STOP_SIGNAL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_stop_signal(_: libc::c_int) {
    STOP_SIGNAL.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// From now on SIGINT (Ctrl-C), SIGTERM and SIGHUP no longer end xtask: they are noted, so that
/// the caller's drops still stop its children (which, in their own process groups, do not get
/// the terminal's Ctrl-C).
pub fn catch_stop_signals() {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            libc::signal(signal, on_stop_signal as extern "C" fn(libc::c_int) as libc::sighandler_t);
        }
    }
}

/// Blocks until SIGINT (Ctrl-C), SIGTERM or SIGHUP arrives (see [`catch_stop_signals`]).
pub fn wait_for_stop_signal() {
    catch_stop_signals();
    while !STOP_SIGNAL.load(std::sync::atomic::Ordering::SeqCst) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_a_process_stops_its_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("grandchild.pid");
        let script = format!("sleep 60 & echo $! > {}; wait", pid_file.display());
        let mut process = Cmd::new("sh").args(["-c", &script]).spawn(&dir.path().join("log")).unwrap();
        let began = std::time::Instant::now();
        let grandchild = loop {
            if let Some(pid) = std::fs::read_to_string(&pid_file).ok().filter(|p| p.ends_with('\n')) {
                break pid.trim().to_owned();
            }
            assert!(began.elapsed() < std::time::Duration::from_secs(10), "the child did not start");
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        process.check_running().unwrap();
        process.stop();
        // Gone, or a zombie until init reaps it.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let status = std::fs::read_to_string(format!("/proc/{grandchild}/status")).unwrap_or_default();
        assert!(status.is_empty() || status.contains("State:\tZ"), "{status}");
        assert!(process.check_running().is_err());
    }
}
