//! A real, throwaway WordPress for the tests: Debian's WordPress 6.1 (unpacked by
//! [`setup::wordpress`]), its own MariaDB (a copy of a data folder that `mariadb-install-db`
//! makes once, `target/wordpress/datadir-VERSION`), `php -S` on a free loopback
//! port, our plugin (`wordpress/news-widget.php`) activated, and seed content made through
//! WordPress's own PHP API (`xtask/wordpress/seed.php`). Offline: WordPress's HTTP requests to
//! other hosts, its cron and its updates are off. `cargo xtask wordpress` serves one until Ctrl-C;
//! `xtask/tests/wordpress.rs` tests the plugin and the REST API against one.
//!
//! Each site lives in `target/wordpress/sites/<random>/`: `wp/` (hard links to the unpacked core,
//! and the site's own `wp-config.php`, router, theme, must-use plugin and uploads), `db/` (MariaDB's
//! data) and the two servers' logs. Dropping the [`WordPress`] stops both servers by their PIDs and
//! removes the folder.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::shell::{free_port, random_token, Cmd, Process};
use crate::{root, setup};

/// The seed content's slugs and ids (`xtask/wordpress/seed.php` makes them).
#[derive(Clone, Debug, Default)]
pub struct Seed {
    /// The French seed article (`server/fixtures/cooperation-chine-kazakhstan.json`, from
    /// /work/shared/seed/article-fr.txt): slug `cooperation-chine-kazakhstan`, as on our server.
    /// Featured image with alt text, caption, credit and four sizes; threaded comments.
    pub article_slug: String,
    pub article_id: u64,
    /// The featured image's attachment id.
    pub featured_media: u64,
    /// The author ("La rédaction").
    pub author_id: u64,
    /// The article's approved comments (`type=comment`): four, three levels deep.
    pub article_comments: u64,
    /// Ids of the article's comments: the top one, its reply, the reply's reply (3 levels); one of
    /// three paragraphs.
    pub comment_top: u64,
    pub comment_reply: u64,
    pub comment_reply_to_reply: u64,
    pub comment_paragraphs: u64,
    /// Ids of the article's comments the public list must not show: held (status 0), spam,
    /// trashed, and an approved pingback.
    pub comment_held: u64,
    pub comment_spam: u64,
    pub comment_trash: u64,
    pub comment_pingback: u64,
    /// A post with `big_comments` (130) approved comments, threaded: two pages at per_page=100.
    pub big_slug: String,
    pub big_id: u64,
    pub big_comments: u64,
    /// A post whose comments are closed (`comment_status` closed).
    pub closed_slug: String,
    pub closed_id: u64,
    /// A page.
    pub page_slug: String,
    pub page_id: u64,
}

/// A running WordPress; stopped and removed when dropped.
pub struct WordPress {
    /// `http://127.0.0.1:PORT`.
    pub site: String,
    /// The REST root: `site` + `/wp-json`.
    pub rest: String,
    pub admin_user: String,
    pub admin_password: String,
    pub seed: Seed,
    /// WordPress's version (`$wp_version`).
    pub version: String,
    /// The site's WordPress folder (ABSPATH).
    pub wp_dir: PathBuf,
    /// How long [`WordPress::start`] took.
    pub started_in: Duration,
    folder: PathBuf,
    php_server: Option<Process>,
    db: Option<Process>,
}

const ADMIN_USER: &str = "admin";
/// A throwaway database: a small redo log, no flush at each commit.
const DB_FLAGS: [&str; 3] =
    ["--innodb-log-file-size=8M", "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0"];
const PLUGIN: &str = "news-widget/news-widget.php";

impl WordPress {
    /// Installs what is missing, then starts a new site with the seed content and our plugin
    /// active, on a free port. Start it on a thread that outlives it (see [`Process`]).
    pub fn start() -> Result<Self> {
        Self::start_on(None)
    }

    /// [`WordPress::start`], on `port` of 127.0.0.1 when given (a site's URL is in its database:
    /// a stable port keeps a page that embeds it working from one run to the next).
    pub fn start_on(port: Option<u16>) -> Result<Self> {
        setup::wordpress()?;
        println!("\n==> start a WordPress (MariaDB, php -S, the plugin, the seed content)");
        let began = Instant::now();
        let sites = root().join("target/wordpress/sites");
        remove_abandoned(&sites);
        let folder = sites.join(&random_token()[..12]);
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join("xtask.pid"), std::process::id().to_string())?;
        let mut wp = Self {
            site: String::new(),
            rest: String::new(),
            admin_user: ADMIN_USER.to_owned(),
            admin_password: random_token()[..24].to_owned(),
            seed: Seed::default(),
            version: String::new(),
            wp_dir: folder.join("wp"),
            started_in: Duration::ZERO,
            folder,
            php_server: None,
            db: None,
        };
        let db_port = wp.start_database()?;
        let db_took = began.elapsed();
        let port = match port {
            Some(port) => port,
            None => free_port()?,
        };
        wp.site = format!("http://127.0.0.1:{port}");
        wp.rest = format!("{}/wp-json", wp.site);
        wp.make_site(db_port)?;
        wp.install()?;
        let install_took = began.elapsed() - db_took;

        let log = wp.folder.join("php-server.log");
        let wp_dir = path_str(&wp.wp_dir)?.to_owned();
        // php -S's workers outlive their leader when it is killed alone: a shell leads the group
        // and, on SIGTERM (from Process::stop, or from the kernel when the xtask dies), kills it all.
        let server = Cmd::new("sh")
            .args(["-c", "trap 'trap - TERM; kill 0' TERM INT HUP; php \"$@\" & wait", "php-server"])
            .args(php_ini())
            .args(["-S", &format!("127.0.0.1:{port}"), "-t", &wp_dir, &format!("{wp_dir}/router.php")])
            // php -S answers one request at a time otherwise; the browser makes them in parallel.
            .env("PHP_CLI_SERVER_WORKERS", "4")
            .dir(&wp.wp_dir)
            .spawn(&log)?;
        let server = wp.php_server.insert(server);
        server.wait_for_port(port, Duration::from_secs(20))?;
        wp.started_in = began.elapsed();
        println!(
            "    WordPress {} at {} (php -S, PID {}; MariaDB PID {}) in {:.1} s: MariaDB {:.1} s, install and seed {:.1} s",
            wp.version,
            wp.site,
            server.pid(),
            wp.db.as_ref().map_or(0, Process::pid),
            wp.started_in.as_secs_f64(),
            db_took.as_secs_f64(),
            install_took.as_secs_f64()
        );
        Ok(wp)
    }

    /// A MariaDB of its own: a new data folder, `mariadbd` on a free loopback port (no grant
    /// tables: it listens on 127.0.0.1 only, for a throwaway site), and the `wordpress` database.
    fn start_database(&mut self) -> Result<u16> {
        let data = self.folder.join("db");
        let root_user = Cmd::new("id").args(["-u"]).output().as_deref() == Some("0");
        let user: &[&str] = if root_user { &["--user=root"] } else { &[] };
        // mariadb-install-db takes seconds: it runs once, into a template each site copies.
        let version = Cmd::new("mariadbd").args(["--version"]).output().unwrap_or_default();
        let version = version.split_whitespace().find(|w| w.contains("MariaDB")).unwrap_or("mariadb");
        let template = root().join("target/wordpress").join(format!("datadir-{version}"));
        if !template.join("mysql").is_dir() {
            let fresh = root().join("target/wordpress").join(format!("datadir-new-{}", &random_token()[..8]));
            Cmd::new("mariadb-install-db")
                .args(["--no-defaults", &format!("--datadir={}", path_str(&fresh)?)])
                .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
                .args(DB_FLAGS)
                .args(user)
                .output_checked()?;
            if std::fs::rename(&fresh, &template).is_err() {
                // Another xtask made it meanwhile.
                let _ = std::fs::remove_dir_all(&fresh);
            }
        }
        Cmd::new("cp").args(["-a", path_str(&template)?, path_str(&data)?]).output_checked()?;
        let port = free_port()?;
        let socket = std::env::temp_dir().join(format!("news-widget-wp-{}.sock", &random_token()[..12]));
        let db = Cmd::new("mariadbd")
            .args(["--no-defaults", &format!("--datadir={}", path_str(&data)?)])
            .args([format!("--socket={}", path_str(&socket)?), format!("--port={port}")])
            .args(["--bind-address=127.0.0.1", "--skip-grant-tables", "--skip-name-resolve", "--skip-log-bin"])
            .args(["--innodb-buffer-pool-size=64M", "--max-connections=100"])
            .args(DB_FLAGS)
            .args(user)
            .spawn(&self.folder.join("mariadb.log"))?;
        let db = self.db.insert(db);
        db.wait_for_port(port, Duration::from_secs(60))?;
        let began = Instant::now();
        loop {
            let created = Cmd::new("mariadb")
                .args(["--no-defaults", "--protocol=tcp", "-h", "127.0.0.1", "-P", &port.to_string(), "-u", "root"])
                .args([
                    "-e",
                    "CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
                ])
                .output_checked();
            match created {
                Ok(_) => break,
                Err(e) if began.elapsed() > Duration::from_secs(30) => return Err(e),
                Err(_) => {
                    db.check_running()?;
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        let _ = std::fs::remove_file(&socket);
        Ok(port)
    }

    /// The site's folder: hard links to the unpacked core (a copy where links cannot be made),
    /// then its own wp-config.php, router, theme, must-use plugin and our plugin (a symbolic
    /// link to `wordpress/news-widget.php`, so that edits show at once).
    fn make_site(&mut self, db_port: u16) -> Result<()> {
        let core = setup::wordpress_core();
        let (core_str, wp_str) = (path_str(&core)?, path_str(&self.wp_dir)?);
        if Cmd::new("cp").args(["-al", core_str, wp_str]).output_checked().is_err() {
            let _ = std::fs::remove_dir_all(&self.wp_dir);
            Cmd::new("cp").args(["-a", core_str, wp_str]).output_checked()?;
        }
        let version = std::fs::read_to_string(self.wp_dir.join("wp-includes/version.php"))?;
        self.version = version
            .lines()
            .find_map(|l| l.strip_prefix("$wp_version = '"))
            .and_then(|l| l.split('\'').next())
            .unwrap_or_default()
            .to_owned();
        let here = root().join("xtask/wordpress");
        let content = self.wp_dir.join("wp-content");
        // Never write through a hard link: replace the file.
        let write = |path: &Path, text: &str| -> Result<()> {
            let _ = std::fs::remove_file(path);
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
        };
        write(&self.wp_dir.join("wp-config.php"), &self.wp_config(db_port))?;
        write(&self.wp_dir.join("router.php"), &std::fs::read_to_string(here.join("router.php"))?)?;
        for dir in ["mu-plugins", "themes/news-widget-test", "plugins/news-widget", "uploads"] {
            std::fs::create_dir_all(content.join(dir))?;
        }
        write(
            &content.join("mu-plugins/news-widget-test-site.php"),
            &std::fs::read_to_string(here.join("test-site.php"))?,
        )?;
        for file in ["style.css", "index.php"] {
            let text = std::fs::read_to_string(here.join("theme").join(file))?;
            write(&content.join("themes/news-widget-test").join(file), &text)?;
        }
        std::os::unix::fs::symlink(
            root().join("wordpress/news-widget.php"),
            content.join("plugins/news-widget/news-widget.php"),
        )?;
        Ok(())
    }

    /// Our wp-config.php in place of Debian's (which reads /etc/wordpress/config-HOST.php).
    fn wp_config(&self, db_port: u16) -> String {
        let salts: String = [
            "AUTH_KEY",
            "SECURE_AUTH_KEY",
            "LOGGED_IN_KEY",
            "NONCE_KEY",
            "AUTH_SALT",
            "SECURE_AUTH_SALT",
            "LOGGED_IN_SALT",
            "NONCE_SALT",
        ]
        .iter()
        .map(|name| format!("define( '{name}', '{}' );\n", random_token()))
        .collect();
        format!(
            "<?php
// The throwaway test site of xtask/src/wordpress.rs: written when it starts, removed with it.
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', '127.0.0.1:{db_port}' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
{salts}$table_prefix = 'wp_';
define( 'WP_HOME', '{site}' );
define( 'WP_SITEURL', '{site}' );
// Offline: no requests to other hosts, no cron, no updates.
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'WP_ENVIRONMENT_TYPE', 'local' );
define( 'WP_DEBUG', false );
if ( ! defined( 'ABSPATH' ) ) {{
\tdefine( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
",
            site = self.site
        )
    }

    /// wp_install(), pretty permalinks (so that /wp-json/ works), our plugin activated, the
    /// test theme, then the seed content.
    fn install(&mut self) -> Result<()> {
        let installed = self.run_php(
            "define( 'WP_INSTALLING', true );",
            &format!(
                "require_once ABSPATH . 'wp-admin/includes/upgrade.php';
                 $result = wp_install( 'news-widget test', '{ADMIN_USER}', 'admin@example.org', false, '', '{}', '' );
                 echo $result['user_id'];",
                self.admin_password
            ),
        )?;
        anyhow::ensure!(installed.trim().parse::<u64>().is_ok(), "wp_install() said {installed:?}");
        let fixture = root().join("server/fixtures/cooperation-chine-kazakhstan.json");
        let seeded = self.php(&format!(
            "require_once ABSPATH . 'wp-admin/includes/plugin.php';
             global $wp_rewrite;
             $wp_rewrite->set_permalink_structure( '/%postname%/' );
             flush_rewrite_rules( false );
             switch_theme( 'news-widget-test' );
             // WordPress's sample post, page and privacy page: the seed is all there is.
             foreach ( get_posts( array( 'post_type' => 'any', 'post_status' => 'any', 'numberposts' => -1 ) ) as $old ) {{
                 wp_delete_post( $old->ID, true );
             }}
             $activated = activate_plugin( '{PLUGIN}' );
             if ( is_wp_error( $activated ) ) {{
                 fwrite( STDERR, $activated->get_error_message() );
                 exit( 1 );
             }}
             $news_widget_fixture = {};
             require {};",
            php_string(path_str(&fixture)?),
            php_string(path_str(&root().join("xtask/wordpress/seed.php"))?)
        ))?;
        let json_start = seeded.find('{').with_context(|| format!("the seed printed no JSON: {seeded:?}"))?;
        let v: serde_json::Value =
            serde_json::from_str(&seeded[json_start..]).with_context(|| format!("the seed printed {seeded:?}"))?;
        let id = |pointer: &str| -> Result<u64> {
            v.pointer(pointer).and_then(serde_json::Value::as_u64).with_context(|| format!("seed JSON lacks {pointer}"))
        };
        let text = |pointer: &str| -> Result<String> {
            v.pointer(pointer)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
                .with_context(|| format!("seed JSON lacks {pointer}"))
        };
        self.seed = Seed {
            article_slug: text("/article/slug")?,
            article_id: id("/article/id")?,
            featured_media: id("/featured_media")?,
            author_id: id("/author")?,
            article_comments: id("/comments/approved")?,
            comment_top: id("/comments/top")?,
            comment_reply: id("/comments/reply")?,
            comment_reply_to_reply: id("/comments/reply_to_reply")?,
            comment_paragraphs: id("/comments/paragraphs")?,
            comment_held: id("/comments/held")?,
            comment_spam: id("/comments/spam")?,
            comment_trash: id("/comments/trash")?,
            comment_pingback: id("/comments/pingback")?,
            big_slug: text("/big/slug")?,
            big_id: id("/big/id")?,
            big_comments: id("/big/comments")?,
            closed_slug: text("/closed/slug")?,
            closed_id: id("/closed/id")?,
            page_slug: text("/page/slug")?,
            page_id: id("/page/id")?,
        };
        Ok(())
    }

    /// Runs PHP `code` (statements, without `<?php`) with WordPress loaded, as a request to the
    /// site's home would have it, and answers what it printed on stdout.
    pub fn php(&self, code: &str) -> Result<String> {
        self.run_php("", code)
    }

    /// A new application password of the admin, as `user:password` for HTTP Basic auth on the
    /// REST API (the site is `WP_ENVIRONMENT_TYPE` local, so WordPress allows them over http).
    pub fn application_password(&self) -> Result<String> {
        let password = self.php(&format!(
            "$user = get_user_by( 'login', '{ADMIN_USER}' ); \
             list( $password ) = WP_Application_Passwords::create_new_application_password( $user->ID, array( 'name' => 'tests' ) ); \
             echo $password;"
        ))?;
        let password = password.trim();
        anyhow::ensure!(password.len() >= 16, "no application password: {password:?}");
        Ok(format!("{ADMIN_USER}:{password}"))
    }

    /// Deactivates (`false`) or activates (`true`) our plugin.
    pub fn set_plugin_active(&self, active: bool) -> Result<()> {
        let call =
            if active { format!("activate_plugin( '{PLUGIN}' )") } else { format!("deactivate_plugins( '{PLUGIN}' )") };
        let active_now = self.php(&format!(
            "require_once ABSPATH . 'wp-admin/includes/plugin.php'; {call}; echo is_plugin_active( '{PLUGIN}' ) ? 'yes' : 'no';"
        ))?;
        anyhow::ensure!((active_now.trim() == "yes") == active, "the plugin is still {}", active_now.trim());
        Ok(())
    }

    /// Writes the WXR file that WordPress's own exporter makes (Tools → Export, all content):
    /// `export_wp()`, its header() calls harmless on the CLI, its output captured.
    pub fn export_wxr(&self, path: &Path) -> Result<()> {
        let wxr = self
            .php("require_once ABSPATH . 'wp-admin/includes/export.php'; export_wp( array( 'content' => 'all' ) );")?;
        if !wxr.trim_start().starts_with("<?xml") || !wxr.contains("</rss>") {
            bail!("export_wp() did not print a WXR file: {:?}", wxr.chars().take(300).collect::<String>());
        }
        std::fs::write(path, wxr).with_context(|| format!("writing {}", path.display()))
    }

    fn run_php(&self, before_load: &str, code: &str) -> Result<String> {
        let code = code.trim_start().strip_prefix("<?php").unwrap_or(code);
        let host = self.site.trim_start_matches("http://");
        let port = host.rsplit(':').next().unwrap_or("80");
        let script = self.folder.join(format!("run-{}.php", &random_token()[..12]));
        std::fs::write(
            &script,
            format!(
                "<?php
$_SERVER['HTTP_HOST'] = '{host}';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = '{port}';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
define( 'WP_USE_THEMES', false );
{before_load}
require {};
{code}
",
                php_string(path_str(&self.wp_dir.join("wp-load.php"))?)
            ),
        )?;
        let out = Cmd::new("php").args(php_ini()).args([path_str(&script)?]).dir(&self.wp_dir).output_checked();
        let _ = std::fs::remove_file(&script);
        out
    }

    /// Stops php -S and MariaDB by their PIDs and removes the site's folder.
    pub fn stop(&mut self) {
        if let Some(mut server) = self.php_server.take() {
            server.stop();
        }
        if let Some(mut db) = self.db.take() {
            db.stop();
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

impl Drop for WordPress {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Removes the folders of sites whose xtask is gone (killed before it could remove them).
fn remove_abandoned(sites: &Path) {
    for entry in std::fs::read_dir(sites).into_iter().flatten().flatten() {
        let pid = std::fs::read_to_string(entry.path().join("xtask.pid")).unwrap_or_default();
        let alive = if pid.trim().is_empty() {
            // Just made by another xtask, which has not written its PID yet.
            let age = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            age.is_some_and(|age| age < Duration::from_secs(60))
        } else {
            Path::new("/proc").join(pid.trim()).exists()
        };
        if !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// PHP's settings for the site: errors to stderr (never into a JSON or XML answer).
fn php_ini() -> [&'static str; 4] {
    ["-d", "display_errors=stderr", "-d", "log_errors=0"]
}

/// `text` as a single-quoted PHP string.
fn php_string(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str().with_context(|| format!("{} is not UTF-8", path.display()))
}
