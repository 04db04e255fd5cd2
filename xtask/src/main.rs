//! The project's two commands.
//!
//! - `cargo xtask serve`: installs what is missing, builds the widget, serves the demo on
//!   http://127.0.0.1:8080 with the demo article in a SQLite file under `data/`.
//! - `cargo xtask test`: installs what is missing, then runs every check and test.
//! - `cargo xtask console`: builds the moderators' console into target/console/dist (the server
//!   serves it at /admin/).
//! - `cargo xtask wordpress`: a throwaway WordPress with our plugin, until Ctrl-C.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

use xtask::bench_args::BenchArgs;
use xtask::shell::{self, cargo, step, Cmd, Server};
use xtask::{faults, root, setup, sizes};

#[derive(Parser)]
#[command(about = "news-widget's tasks: serve the demo, run every test")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install what is missing, build the widget, and serve the demo page and the API.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// SQLite database file (created, with the demo article, if missing).
        #[arg(long, default_value = "data/news-widget.sqlite3")]
        database: String,
    },
    /// Install what is missing, then run fmt, clippy, host tests, browser tests and end-to-end tests.
    Test,
    /// Only the fault-injection step of `test`: 200 comments sent from headless Chromium through a
    /// proxy that drops, fails and stalls them and restarts the server midway; prints the figures.
    Faults,
    /// Install what is missing and build the widget into dist/ (release).
    Build,
    /// Install what is missing and build the moderators' console into target/console/dist
    /// (release), which the server serves at /admin/.
    Console,
    /// Build the widget and print the size of each asset (raw, gzip and brotli), where the wasm's
    /// bytes go (by crate, and by part of the widget), and the size budgets.
    Sizes,
    /// Set up Isso, wrk and nginx, then measure the widget and the server against Isso on this
    /// machine, on loopback and throttled as a phone: prints the tables and writes
    /// target/bench/report.md and chart.svg.
    Bench(BenchArgs),
    /// Serve the hostile backend the browser tests use (poisoned JSON, CORS), until stopped: for
    /// running `wasm-pack test` by hand with NEWS_WIDGET_TEST_HOSTILE set to the URL it prints.
    #[command(hide = true)]
    Hostile {
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: String,
    },
    /// Start a throwaway WordPress (MariaDB, php -S, our plugin, the seed content) on free loopback
    /// ports and print its addresses, seed slugs and admin login; Ctrl-C stops and removes it.
    Wordpress {
        /// Serve it on this port of 127.0.0.1 (a free one by default).
        #[arg(long)]
        port: Option<u16>,
    },
    /// The release server under a read and write mix (wrk + xtask/load/mix.lua, `Accept-Encoding:
    /// br`) at 64 and 256 connections: SQLite ×1, PostgreSQL ×1 and ×2 behind nginx; prints req/s,
    /// p50, p99 and errors, and checks that every acknowledged write is in the database.
    Load {
        /// Seconds per run.
        #[arg(long, default_value_t = 10)]
        seconds: u32,
    },
    /// Start a throwaway PostgreSQL cluster (Debian's PostgreSQL 15, initdb into a temp folder) on
    /// a free loopback port and print its URLs, for running the server or its tests on
    /// PostgreSQL by hand; Ctrl-C stops and removes it.
    Postgres,
    /// Build the WordPress plugin with the widget's WordPress flavour inside, into
    /// target/wordpress-plugin/news-widget/ (copy it into wp-content/plugins/).
    WordpressPlugin,
    /// Build the release assets with stable names into dist/, for pages on any origin.
    Dist {
        /// Where dist/ will be served from, e.g. https://cdn.example/news-widget/ (trunk's --public-url;
        /// the loader finds the other files next to itself, wherever that is).
        #[arg(long, default_value = "/")]
        public_url: String,
    },
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Serve { addr, database } => serve(&addr, &database),
        Task::Test => test(),
        Task::Faults => fault_run(),
        Task::Build => setup::serving().and_then(|()| build_widget()),
        Task::Console => setup::serving().and_then(|()| build_console()),
        Task::Bench(args) => bench(&args),
        Task::Hostile { addr } => xtask::hostile::Hostile::start(&addr).map(|hostile| {
            println!("NEWS_WIDGET_TEST_HOSTILE={}", hostile.api);
            loop {
                std::thread::park();
            }
        }),
        Task::Wordpress { port } => wordpress(port),
        Task::Postgres => postgres(),
        Task::Load { seconds } => load(seconds),
        Task::WordpressPlugin => setup::serving().and_then(|()| xtask::plugin::build()).map(|folder| {
            println!(
                "\nxtask: the plugin is ready in {}.\nCopy that folder into wp-content/plugins/ and activate news-widget \
                 under Plugins: each post then shows the widget after its content (see wordpress/README.md).",
                folder.display()
            );
        }),
        Task::Dist { public_url } => setup::serving().and_then(|()| dist(&public_url)),
        Task::Sizes => setup::serving().and_then(|()| build_widget()).and_then(|()| {
            sizes::print(&root().join("dist"))?;
            wasm_by_crate()?;
            yew_floor()?;
            budgets()
        }),
    };
    if let Err(e) = result {
        eprintln!("\nxtask: {e:#}");
        std::process::exit(1);
    }
}

fn build_widget() -> Result<()> {
    step("build the widget (trunk, release, offline)", || {
        Cmd::new("trunk").args(["build", "--release", "--offline"]).env("TRUNK_OFFLINE", "true").run()
    })
}

/// Builds the moderators' console (console/, its own Trunk.toml) into target/console/dist, with
/// wasm-opt as the widget (index.html's data-wasm-opt).
fn build_console() -> Result<()> {
    step("build the console (trunk, release, offline, into target/console/dist)", || {
        Cmd::new("trunk")
            .args(["--config", "console/Trunk.toml", "build", "--release", "--offline"])
            .env("TRUNK_OFFLINE", "true")
            .run()
    })
}

/// Builds the npm package into target/npm (with the widget's cargo profile) and checks it has its
/// README and its types.
fn npm_package() -> Result<()> {
    let out = root().join("target/npm");
    Cmd::new("wasm-pack")
        .args([
            "build",
            "--target",
            "web",
            // The widget's own profile (opt-level z, panic abort), as trunk builds it; `release`
            // is the server's (unwinding). wasm-pack passes it to cargo as `--profile widget`.
            "--profile",
            "widget",
            "--mode",
            "no-install",
            "--no-opt",
            "--out-name",
            "news-widget",
        ])
        .args(["--out-dir", out.to_str().context("path is not UTF-8")?])
        .run()?;
    ship_beside(&out, &["i18n"])?;
    let types = std::fs::read_to_string(out.join("news-widget.d.ts")).context("no news-widget.d.ts in the package")?;
    anyhow::ensure!(
        types.contains("export function mount(") && types.contains("export function mountAll("),
        "the types lack mount/mountAll"
    );
    anyhow::ensure!(
        out.join("README.md").is_file() && out.join("package.json").is_file(),
        "the package lacks its README or package.json"
    );
    println!(
        "    ok: {} holds package.json, README.md, news-widget.js, news-widget_bg.wasm and news-widget.d.ts",
        out.display()
    );
    Ok(())
}

/// Copies the widget's own files (`folders` of the repository and the stylesheet, fetched beside
/// the script) into the package in `out` and lists them in its package.json.
fn ship_beside(out: &std::path::Path, folders: &[&str]) -> Result<()> {
    let manifest = out.join("package.json");
    let mut package: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest)?)?;
    for folder in folders {
        std::fs::create_dir_all(out.join(folder))?;
        for entry in std::fs::read_dir(root().join(folder))? {
            let path = entry?.path();
            std::fs::copy(&path, out.join(folder).join(path.file_name().context("a file name")?))?;
        }
        if let Some(files) = package.get_mut("files").and_then(|f| f.as_array_mut()) {
            files.push(format!("{folder}/").into());
        }
    }
    // The stylesheet, fetched beside the script as dist/ serves it.
    std::fs::copy(root().join("styles/widget.css"), out.join("widget.css"))?;
    if let Some(files) = package.get_mut("files").and_then(|f| f.as_array_mut()) {
        files.push("widget.css".into());
    }
    std::fs::write(&manifest, serde_json::to_string_pretty(&package)?)?;
    anyhow::ensure!(out.join("i18n/fr.json").is_file(), "the package lacks i18n/fr.json");
    Ok(())
}

/// Builds xtask/floor (one Yew component with a state and a listener, hydrated: the least a Yew
/// widget that hydrates carries) as trunk builds the widget, and prints its size: what the
/// framework alone takes of the budget.
fn yew_floor() -> Result<()> {
    let target = root().join("target/floor");
    let out = target.join("dist");
    let out_str = out.to_str().context("path is not UTF-8")?;
    step("Yew's floor (xtask/floor: one component, hydrated; the widget's profile and wasm-opt -Oz)", || {
        Cmd::new(env!("CARGO"))
            .args(["build", "--release", "--offline", "--target", "wasm32-unknown-unknown", "--manifest-path"])
            .args([root().join("xtask/floor/Cargo.toml")])
            .env("CARGO_TARGET_DIR", target.to_str().context("path is not UTF-8")?)
            .run()?;
        let built = target.join("wasm32-unknown-unknown/release/yew_floor.wasm");
        Cmd::new("wasm-bindgen")
            .args([built.to_str().context("path is not UTF-8")?])
            .args(["--target", "web", "--out-name", "floor", "--out-dir", out_str])
            .run()?;
        Cmd::new("wasm-opt")
            .args(["-Oz", &format!("{out_str}/floor_bg.wasm"), "-o", &format!("{out_str}/floor-opt.wasm")])
            .run()
    })?;
    let wasm = sizes::measure(&std::fs::read(out.join("floor-opt.wasm"))?)?;
    println!(
        "\nYew's floor: wasm {} B raw, {} B brotli ({:.0} % of the whole widget's 140,000 B budget), before any of the widget's own code",
        wasm.raw,
        wasm.brotli,
        100.0 * wasm.brotli as f64 / 140_000.0
    );
    Ok(())
}

/// Rebuilds the release wasm as trunk does (wasm-bindgen, then wasm-opt -Oz) but keeping the
/// function names (-g), and prints its code size by crate.
fn wasm_by_crate() -> Result<()> {
    let out = root().join("target/sizes");
    let out_str = out.to_str().context("path is not UTF-8")?;
    step("the wasm by crate (wasm-bindgen, wasm-opt -Oz -g, then the name section)", || {
        Cmd::new("wasm-bindgen")
            .args(["target/wasm32-unknown-unknown/widget/news-widget.wasm", "--target", "web"])
            .args(["--out-name", "named", "--out-dir", out_str])
            .run()?;
        let (named, optimized) = (format!("{out_str}/named_bg.wasm"), format!("{out_str}/named-opt.wasm"));
        Cmd::new("wasm-opt").args(["-Oz", "-g", &named, "-o", &optimized]).run()
    })?;
    let wasm = std::fs::read(out.join("named-opt.wasm"))?;
    let rows = sizes::by_crate(&wasm)?;
    let total: usize = rows.iter().map(|r| r.1).sum();
    println!("\n{:<32} {:>9} {:>6}", "crate (code) or data", "bytes", "share");
    for (name, bytes) in rows.iter().filter(|r| r.1 * 200 >= total || r.0.starts_with('(')) {
        println!("{name:<32} {bytes:>9} {:>5.1}%", 100.0 * *bytes as f64 / total as f64);
    }
    println!("{:<32} {total:>9}   (raw bytes after wasm-opt -Oz; crates under 0.5 % left out)", "total");

    let (parts, shared) = sizes::by_part(&wasm)?;
    println!("\n{:<36} {:>9} {:>9} {:>9}", "part of the widget (code)", "own", "generic", "together");
    for part in &parts {
        println!("{:<36} {:>9} {:>9} {:>9}", part.name, part.own, part.generic, part.own + part.generic);
    }
    println!(
        "{:<36} {:>29}   (generic: Yew's and other crates' code built for the part's types;\n{:<36} {:>29}    shared: Yew's machinery, std, serde, the allocator, the api crate)",
        "shared by all", shared, "", ""
    );
    Ok(())
}

/// The size budgets: the whole widget, and what a reader downloads before the content is visible
/// (with the widget's HTML as the debug server sends it for a 20-comment thread; its bytes are
/// the release server's).
fn budgets() -> Result<()> {
    step("build the server", || cargo(["build", "-p", "news-widget-server"]).run())?;
    step("the budgets (our server on dist/, a 20-comment thread)", || {
        cargo(["run", "--quiet", "-p", "xtask", "--features", "bench", "--bin", "bench", "--"])
            .args(["--budgets", "--server-bin", "target/debug/news-widget-server"])
            .run()
    })
}

fn dist(public_url: &str) -> Result<()> {
    step("build the release assets (trunk, offline, stable names)", || {
        Cmd::new("trunk")
            .args(["build", "--release", "--offline", "--public-url", public_url])
            .env("TRUNK_OFFLINE", "true")
            .run()
    })?;
    let base = public_url.trim_end_matches('/');
    println!(
        "\nxtask: dist/ is ready. Serve it (e.g. news-widget-server --static-dir dist --allowed-origin https://your-site.example)\n\
         and paste into a page:\n\n  <script type=\"module\" src=\"{base}/news-widget-loader.js\"></script>\n  \
         <div data-news-widget data-article=\"your-article\" data-api=\"{base}/api/v1\"></div>\n"
    );
    sizes::print(&root().join("dist"))
}

/// Builds the release server (the one `serve` runs) into target/release/, the ordinary way.
fn build_release_server() -> Result<()> {
    step("build the server (release)", || cargo(["build", "--release", "-p", "news-widget-server"]).run())
}

/// Sets up Isso and wrk, builds what is measured, then runs the bench binary with `args`.
fn bench(args: &BenchArgs) -> Result<()> {
    let began = std::time::Instant::now();
    setup::all()?;
    setup::bench()?;
    build_widget()?;
    build_release_server()?;
    step("bench: news-widget against Isso", || {
        cargo(["run", "--quiet", "-p", "xtask", "--features", "bench", "--bin", "bench", "--"])
            .args(args.to_args())
            .run()
    })?;
    println!("xtask: cargo xtask bench took {:.1} min, builds included", began.elapsed().as_secs_f64() / 60.0);
    Ok(())
}

fn serve(addr: &str, database: &str) -> Result<()> {
    setup::serving()?;
    build_widget()?;
    build_console()?;
    build_release_server()?;
    let bin = root().join("target/release/news-widget-server");
    let bin = bin.to_str().context("path is not UTF-8")?;
    // The moderators' alerts go to a local inbox; the first admin hears of every comment.
    let mail = xtask::mail::MailSink::start()?;
    let (email, password) = first_admin(bin, database)?;
    let site = format!("http://{addr}");
    println!(
        "\n==> start the server (Ctrl-C stops it and the mail sink)\n\n  \
         the article      {site}/\n  \
         the console      {site}/admin/   email {email}   password {password}\n  \
         moderators' mail {inbox}   (a first comment waits for a moderator: the alert lands here)\n",
        inbox = mail.web_url,
    );
    shell::catch_stop_signals();
    let served = Cmd::new(bin)
        .args(["--addr", addr, "--database", database, "--static-dir", "dist"])
        .env("NEWS_WIDGET_SMTP_URL", &mail.smtp_url())
        .run();
    println!("xtask: stopping the mail sink");
    drop(mail);
    served
}

/// The demo's first admin, `admin@news-widget.localhost`, with a new random password each time
/// `serve` starts (made on the first start, reset on the next ones), its alerts on every comment.
fn first_admin(bin: &str, database: &str) -> Result<(String, String)> {
    const EMAIL: &str = "admin@news-widget.localhost";
    let password = shell::random_token()[..20].to_owned();
    let users = |args: &[&str]| -> Result<std::process::Output> {
        use std::io::Write;
        let mut child = std::process::Command::new(bin)
            .args(["--database", database, "users"])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()?;
        writeln!(child.stdin.take().context("stdin")?, "{password}")?;
        Ok(child.wait_with_output()?)
    };
    let listed = users(&["list"])?;
    let exists = String::from_utf8_lossy(&listed.stdout).lines().any(|l| l.ends_with(&format!("  {EMAIL}")));
    let made = if exists { users(&["reset", EMAIL])? } else { users(&["add", EMAIL, "--role", "admin"])? };
    if !made.status.success() {
        bail!("could not make the demo's admin account: {}", String::from_utf8_lossy(&made.stderr));
    }
    let alerts = users(&["alerts", EMAIL, "each"])?;
    if !alerts.status.success() {
        bail!("could not set the admin's alerts: {}", String::from_utf8_lossy(&alerts.stderr));
    }
    Ok((EMAIL.to_owned(), password))
}

/// `cargo xtask wordpress`: a WordPress until Ctrl-C (or SIGTERM), then stopped by its PIDs.
fn load(seconds: u32) -> Result<()> {
    use xtask::load::{run, table, Setup, Site};
    setup::postgres()?;
    setup::load_tools()?;
    build_release_server()?;
    let bin = root().join("target/release/news-widget-server");
    let mut rows = Vec::new();
    for setup in Setup::ALL {
        step(&format!("load: {}", setup.name()), || {
            let mut site = Site::start(&bin, setup)?;
            for connections in [64, 256] {
                let figures = run(&mut site, setup, connections, seconds, |_| {})?;
                println!("    {figures:?}");
                rows.push(figures);
            }
            Ok(())
        })?;
    }
    let lost: u64 = rows.iter().map(|f| f.lost_comments + f.lost_votes).sum();
    println!(
        "\n{seconds} s per run, wrk -t2, release server, on this machine ({} cores):\n\n{}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        table(&rows)
    );
    anyhow::ensure!(lost == 0, "{lost} acknowledged write(s) are not in the database");
    println!("\n==> load: GET thread without and with 10,000 idle live streams (SQLite ×1)");
    let idle = xtask::load::idle_streams(&bin, 10_000, seconds)?;
    let change = (idle.with.0 / idle.without.0 - 1.0) * 100.0;
    println!(
        "\nGET thread, wrk -t2 -c64, {seconds} s: {:.0} req/s (p99 {:.2} ms) without streams; {:.0} req/s (p99 {:.2} ms) with {} idle streams open: {change:+.1} % ({} the 10 % bound)",
        idle.without.0,
        idle.without.1,
        idle.with.0,
        idle.with.1,
        idle.streams,
        if change.abs() <= 10.0 { "within" } else { "outside" }
    );
    Ok(())
}

fn postgres() -> Result<()> {
    setup::postgres()?;
    shell::catch_stop_signals();
    let pg = xtask::postgres::Postgres::start()?;
    let database = pg.create_database("news_widget")?;
    println!(
        "\nPostgreSQL is up:\n\n  a database for the server   {database}\n  \
         its superuser (tests)       NEWS_WIDGET_TEST_POSTGRES={admin}\n\n  \
         cargo run -p news-widget-server -- --database {database}\n\nCtrl-C stops it and removes its folder.",
        admin = pg.admin_url()
    );
    shell::wait_for_stop_signal();
    println!("\nxtask: stopping PostgreSQL");
    drop(pg);
    Ok(())
}

fn wordpress(port: Option<u16>) -> Result<()> {
    // The plugin with the widget inside, so that the site's posts show the widget.
    setup::serving()?;
    xtask::plugin::build()?;
    let wp = xtask::wordpress::WordPress::start_on(port)?;
    let seed = &wp.seed;
    println!(
        "\nWordPress {version} is up (started in {secs:.1} s):\n\
         \n  site         {site}\n  REST root    {rest}\n  admin        {site}/wp-admin/  user {user}  password {password}\n\
         \n  NEWS_WIDGET_TEST_WORDPRESS={rest}\n  NEWS_WIDGET_TEST_WORDPRESS_SITE={site}\n  \
         NEWS_WIDGET_TEST_WORDPRESS_SLUG={slug}\n  NEWS_WIDGET_TEST_WORDPRESS_CLOSED_SLUG={closed}\n\
         \n  seed article  {slug} (post {article}; featured image {media}; comments {top} > {reply} > {deep}, held {held}, spam {spam}, trash {trash}, pingback {ping})\n  \
         long thread   {big} (post {big_id}, {big_n} comments)\n  closed        {closed} (post {closed_id})\n  page          {page} (page {page_id})\n\
         \n  rating        {rest}/news-widget/v1/articles/{slug}/rating\n\
         \n  the widget    {site}/{slug}/ (the plugin puts it after the post)\n\
         \nCtrl-C stops it and removes its folder.",
        version = wp.version,
        secs = wp.started_in.as_secs_f64(),
        site = wp.site,
        rest = wp.rest,
        user = wp.admin_user,
        password = wp.admin_password,
        slug = seed.article_slug,
        article = seed.article_id,
        media = seed.featured_media,
        top = seed.comment_top,
        reply = seed.comment_reply,
        deep = seed.comment_reply_to_reply,
        held = seed.comment_held,
        spam = seed.comment_spam,
        trash = seed.comment_trash,
        ping = seed.comment_pingback,
        big = seed.big_slug,
        big_id = seed.big_id,
        big_n = seed.big_comments,
        closed = seed.closed_slug,
        closed_id = seed.closed_id,
        page = seed.page_slug,
        page_id = seed.page_id,
    );
    shell::wait_for_stop_signal();
    println!("\nxtask: stopping WordPress");
    drop(wp);
    Ok(())
}

const FAULT_STEP: &str =
    "fault injection: 200 comments through the form's send path, across a proxy that breaks them, the server restarted midway";

/// `--test NAME` for every browser test file in `tests/` but `faults.rs`, which needs the fault
/// proxy and runs in a step of its own.
fn browser_tests_but_faults() -> Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests"))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".rs").map(str::to_owned))
        // faults has its own step; wordpress runs on the WordPress flavour in its own step.
        .filter(|name| name != "faults" && name != "wordpress")
        .collect();
    names.sort();
    Ok(names.into_iter().flat_map(|name| ["--test".to_owned(), name]).collect())
}

/// The fault-injection step of `test` alone.
fn fault_run() -> Result<()> {
    setup::all()?;
    step("build the server", || cargo(["build", "-p", "news-widget-server"]).run())?;
    step(FAULT_STEP, || faults::run(&root().join("target/debug/news-widget-server")))
}

/// The server's test targets that need PostgreSQL (`test = false` in server/Cargo.toml: a plain
/// `cargo test` leaves them out, and `test` runs them by name on its throwaway cluster).
const POSTGRES_TESTS: [&str; 2] = ["instances", "migrate"];

fn test() -> Result<()> {
    // A clean clone builds everything once: incremental caches would only fill the disk (about
    // 13 GB of target/debug/incremental by the end of a run), which CI machines may not have.
    if std::env::var_os("CI").is_some() && std::env::var_os("CARGO_INCREMENTAL").is_none() {
        std::env::set_var("CARGO_INCREMENTAL", "0");
    }
    setup::all()?;
    setup::wordpress()?;
    step("check formatting", || cargo(["fmt", "--all", "--", "--check"]).run())?;
    step("clippy (host)", || {
        cargo(["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"]).run()?;
        // `--all-targets` leaves out the tests a plain `cargo test` does not run.
        cargo(["clippy", "-p", "news-widget-server"])
            .args(POSTGRES_TESTS.iter().flat_map(|name| ["--test", name]))
            .args(["--", "-D", "warnings"])
            .run()
    })?;
    step("clippy (wasm32)", || {
        cargo([
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "news-widget",
            "-p",
            "news-widget-api",
            "-p",
            "news-widget-console",
            "--all-targets",
            // The WordPress flavour too (its backend is wasm-only code).
            "--features",
            "news-widget/wordpress",
            "--",
            "-D",
            "warnings",
        ])
        .run()
    })?;
    setup::smtp()?;
    setup::postgres()?;
    step("host tests (the server's on SQLite)", || {
        let python = setup::smtp_python();
        cargo(["test", "--workspace"]).env("NEWS_WIDGET_SMTP_PYTHON", &python.to_string_lossy()).run()
    })?;
    step("the server's tests again, on PostgreSQL (a throwaway cluster on a free port)", || {
        let postgres = xtask::postgres::Postgres::start()?;
        let python = setup::smtp_python();
        let on_postgres = |args: &[&str]| {
            cargo(["test", "-p", "news-widget-server"])
                .args(args.iter().copied())
                .env("NEWS_WIDGET_SMTP_PYTHON", &python.to_string_lossy())
                .env("NEWS_WIDGET_TEST_POSTGRES", &postgres.admin_url())
                .run()
        };
        on_postgres(&[])?;
        // Then the tests that need PostgreSQL: several instances on one database, the move from SQLite.
        on_postgres(&POSTGRES_TESTS.iter().flat_map(|name| ["--test", name]).collect::<Vec<_>>())
    })?;
    step("build the server for the WordPress, browser and end-to-end tests", || {
        cargo(["build", "-p", "news-widget-server"]).run()
    })?;
    // The console the server serves at /admin/ (target/console/dist, its default --console-dir).
    build_console()?;
    let server_bin = root().join("target/debug/news-widget-server");
    step(
        "load: a short read and write mix on SQLite and PostgreSQL, and one of two instances killed mid-run (wrk, nginx)",
        || {
            setup::load_tools()?;
            cargo(["test", "-p", "xtask", "--features", "load", "--test", "load", "--", "--test-threads=1"])
                .env("NEWS_WIDGET_SERVER_BIN", server_bin.to_str().unwrap_or_default())
                .run()
        },
    )?;
    step("WordPress: the plugin, the REST API and the import of its export, against a real WordPress", || {
        cargo(["test", "-p", "xtask", "--features", "wordpress", "--test", "wordpress", "--test", "wordpress_import"])
            .env("NEWS_WIDGET_SERVER_BIN", server_bin.to_str().unwrap_or_default())
            .run()
    })?;
    step("browser tests (wasm-pack test, headless Chromium, against a real server)", || {
        let token = shell::random_token();
        // Every browser test posts from 127.0.0.1: a roomy comment rate limit keeps them independent.
        // The browser tests post as soon as a form shows: no time trap, and their comments publish
        // at once: no hold for new commenters nor for links (both have server tests).
        let mut args = vec!["--allowed-origin", "*", "--comment-burst", "10000"];
        args.extend(shell::PUBLISH_AT_ONCE);
        let server = Server::start_with_env(&server_bin, &args, &[("NEWS_WIDGET_ADMIN_TOKEN", &token)], None)?;
        // A backend of another origin that answers poison, for tests/hostile.rs.
        let hostile = xtask::hostile::Hostile::start("127.0.0.1:0")?;
        Cmd::new("wasm-pack")
            .args(["test", "--headless", "--chrome", "--mode", "no-install", "--"])
            .args(browser_tests_but_faults()?)
            .env("NEWS_WIDGET_TEST_API", &format!("{}/api/v1", server.url))
            .env("NEWS_WIDGET_TEST_ADMIN_TOKEN", &token)
            .env("NEWS_WIDGET_TEST_HOSTILE", &hostile.api)
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .run()
    })?;
    step("browser tests of the WordPress flavour (headless Chromium, against a real WordPress)", || {
        // The widget built with its `wordpress` feature, as the plugin ships it, on the test
        // runner's origin: another origin than the WordPress site's.
        let wordpress = xtask::wordpress::WordPress::start()?;
        // And one as WordPress comes: without our plugin.
        let bare = xtask::wordpress::WordPress::start()?;
        bare.set_plugin_active(false)?;
        Cmd::new("wasm-pack")
            .args(["test", "--headless", "--chrome", "--mode", "no-install", "--"])
            .args(["--features", "wordpress", "--test", "wordpress"])
            .env("NEWS_WIDGET_TEST_WORDPRESS", &wordpress.rest)
            .env("NEWS_WIDGET_TEST_WORDPRESS_SITE", &wordpress.site)
            .env("NEWS_WIDGET_TEST_WORDPRESS_SLUG", &wordpress.seed.article_slug)
            .env("NEWS_WIDGET_TEST_WORDPRESS_BIG_SLUG", &wordpress.seed.big_slug)
            .env("NEWS_WIDGET_TEST_WORDPRESS_CLOSED_SLUG", &wordpress.seed.closed_slug)
            .env("NEWS_WIDGET_TEST_WORDPRESS_AUTH", &wordpress.application_password()?)
            .env("NEWS_WIDGET_TEST_WORDPRESS_BARE", &bare.rest)
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .run()
    })?;
    step(FAULT_STEP, || faults::run(&server_bin))?;
    build_widget()?;
    xtask::plugin::build()?;
    step("npm package (wasm-pack build --target web)", npm_package)?;
    step("end-to-end tests (the demo page in headless Chromium)", || {
        cargo(["test", "-p", "xtask", "--features", "e2e", "--test", "e2e", "--", "--test-threads=1"])
            .env("NEWS_WIDGET_SERVER_BIN", server_bin.to_str().unwrap_or_default())
            .env("NEWS_WIDGET_DIST", root().join("dist").to_str().unwrap_or_default())
            .run()
    })?;
    step("the moderators' console by keyboard only, with axe-core (headless Chromium)", || {
        cargo(["test", "-p", "xtask", "--features", "e2e", "--test", "console", "--", "--test-threads=1"])
            .env("NEWS_WIDGET_SERVER_BIN", server_bin.to_str().unwrap_or_default())
            .env("NEWS_WIDGET_CONSOLE_DIST", root().join("target/console/dist").to_str().unwrap_or_default())
            .env("NEWS_WIDGET_DIST", root().join("dist").to_str().unwrap_or_default())
            .run()
    })?;
    step("bench smoke test (cargo xtask bench --smoke, against the debug server)", || {
        setup::bench()?;
        cargo(["test", "-p", "xtask", "--features", "bench", "--lib", "--bin", "bench"]).run()?;
        cargo(["run", "--quiet", "-p", "xtask", "--features", "bench", "--bin", "bench", "--", "--smoke"])
            .args(["--server-bin", "target/debug/news-widget-server"])
            .run()
    })?;
    println!("\nxtask: every check and test passed.");
    Ok(())
}
