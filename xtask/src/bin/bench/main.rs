//! `cargo xtask bench`: news-widget against Isso on this machine, in one run: size, browser time
//! to a visible and a usable thread of 0 to 1,000 comments on loopback and throttled as a phone,
//! layout shifts, and server throughput against nginx serving the same bytes. Prints the tables
//! and writes them, with a chart, to target/bench/.
//!
//! `cargo xtask bench` installs what this needs and builds the widget and the server first, then
//! runs this binary (`cargo run -p xtask --features bench --bin bench`).

mod budgets;
mod data;
mod load;
mod nginx;
mod pages;
mod report;
mod systems;
mod timing;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use xtask::bench_args::{BenchArgs as Args, Profile};
use xtask::browser::{Driver, PHONE};
use xtask::root;
use xtask::sizes::{measure, Size};

use crate::report::{BrowserRow, Panel, Row, ServerRow, Stats};
use crate::systems::{Isso, Ours};

#[derive(Parser)]
#[command(about = "news-widget against Isso: size, browser time, server throughput")]
struct Cli {
    #[command(flatten)]
    args: Args,
}

#[tokio::main]
async fn main() {
    let mut args = Cli::parse().args;
    if args.smoke {
        (args.runs, args.seconds, args.rounds, args.sizes, args.server_comments) = (1, 1, 1, vec![0, 30], 30);
    }
    let result = if args.budgets { run_budgets(&args).await } else { run(&args).await };
    if let Err(e) = result {
        eprintln!("\nbench: {e:#}");
        std::process::exit(1);
    }
}

/// The URL of the widget's HTML for the `n`-comment thread, as the included page asks for it.
fn fragment_url(server: &str, n: usize) -> String {
    let mut url = format!("{server}/api/v1/articles/{}/widget?lang=fr", slug(n));
    if n > 0 {
        url.push_str(&format!("&comments-per-page={n}"));
    }
    url
}

/// `--budgets`: our server on dist/ with a 20-comment thread, and the size budgets printed.
async fn run_budgets(args: &Args) -> Result<()> {
    let dist = root().join("dist");
    let files = budgets::files(&dist)?;
    let ours = Ours::start(&root().join(&args.server_bin), &dist)?;
    let http = reqwest::Client::new();
    let n = 20;
    ours.load(&http, &slug(n), &data::thread(n, 1000 + n as u64)).await?;
    let fragment = budgets::fragment_br(&http, &fragment_url(&ours.server.url, n)).await?;
    budgets::print(&[budgets::Budget::whole(&files), budgets::Budget::before_visible(&files, n, fragment)]);
    Ok(())
}

/// The systems each page load measures, in the report's order: label, page name prefix.
/// "static" is the floor no widget can beat: the included page's HTML and stylesheet, no script.
const SYSTEMS: [(&str, &str); 4] = [
    ("ours, through the loader", "loader"),
    ("ours, included by the host", "included"),
    ("Isso", "isso"),
    ("floor: the same HTML, no script", "static"),
];

fn slug(n: usize) -> String {
    format!("bench-{n}")
}

async fn run(args: &Args) -> Result<()> {
    let began = Instant::now();
    let load_before = load_average();
    let out = root().join(if args.smoke { "target/bench/smoke" } else { "target/bench" });
    let work = out.join("run");
    let _ = std::fs::remove_dir_all(&work);
    let www = work.join("www");
    copy_dir(&root().join("dist"), &www).context("copying dist/ (build the widget first: cargo xtask build)")?;
    anyhow::ensure!(!args.sizes.is_empty() && !args.profiles.is_empty(), "no sizes or no profiles to measure");

    let mut counts = args.sizes.clone();
    counts.push(args.server_comments);
    counts.sort_unstable();
    counts.dedup();
    let threads: Vec<(usize, Vec<data::Generated>)> =
        counts.iter().map(|&n| (n, data::thread(n, 1000 + n as u64))).collect();
    let posted: usize = threads.iter().map(|t| t.1.len()).sum();
    let largest = threads.last().map(|t| &t.1[..]).unwrap_or_default();
    println!(
        "==> data: threads of {} comments, {:.0} % replies in the largest (seeded)",
        counts.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "),
        100.0 * data::reply_share(largest)
    );

    let ours = Ours::start(&root().join(&args.server_bin), &www)?;
    let isso = Isso::start(&work, &ours.server.url)?;
    let http = reqwest::Client::new();
    let started = Instant::now();
    for (n, thread) in &threads {
        ours.load(&http, &slug(*n), thread).await?;
    }
    println!("    news-widget: {} comments posted in {:.1} s", posted, started.elapsed().as_secs_f64());
    let started = Instant::now();
    for (n, thread) in &threads {
        isso.load(&http, &format!("/{}", slug(*n)), thread).await?;
    }
    println!("    Isso: {} comments posted in {:.1} s", posted, started.elapsed().as_secs_f64());

    // The pages: a host page with our loader, the same with our HTML included by the host's
    // server, and the same page with Isso; each thread rendered whole by both.
    let article = systems::article()?;
    let mut fragments_br = Vec::new();
    for &n in &args.sizes {
        let per_page = if n > 0 { format!(r#" data-comments-per-page="{n}""#) } else { String::new() };
        // What a host's server includes: the widget route's HTML for the element's attributes.
        let url = fragment_url(&ours.server.url, n);
        let fragment = http.get(&url).send().await?.error_for_status()?.text().await?;
        fragments_br.push((n, budgets::fragment_br(&http, &url).await?));
        let (theirs, mine) = (pages::probe(false, n), pages::probe(true, n));
        let pages = [
            (format!("loader-{n}.html"), pages::ours_loader(&slug(n), &per_page, &mine)),
            (format!("included-{n}.html"), pages::ours_included(&slug(n), &per_page, &fragment, &mine)),
            (format!("static-{n}.html"), pages::floor(&slug(n), &per_page, &fragment, &pages::probe_static(n))),
            (
                format!("isso-{n}.html"),
                pages::isso(
                    &article,
                    &isso.url,
                    &format!("/{}", slug(n)),
                    r#" data-isso-max-comments-nested="inf""#,
                    &theirs,
                )?,
            ),
        ];
        for (name, html) in &pages {
            std::fs::write(www.join(name), html)?;
        }
    }
    std::fs::write(www.join("calibrate.html"), pages::calibration("/calibrate.bin"))?;
    std::fs::write(www.join("calibrate.bin"), noise(CALIBRATION_BYTES))?;

    println!("==> sizes");
    let dist = root().join("dist");
    let (isso_js, isso_css) = Isso::assets()?;
    let assets = [
        ("news-widget", "news-widget-loader.js (all a page loads itself)", dist.join("news-widget-loader.js")),
        ("news-widget", "news-widget.js (wasm-bindgen glue, loaded by the loader)", dist.join("news-widget.js")),
        ("news-widget", "news-widget_bg.wasm (code and the English words)", dist.join("news-widget_bg.wasm")),
        ("news-widget", "widget.css (fetched with the widget's HTML)", dist.join("widget.css")),
        (
            "news-widget",
            "i18n/fr.json (the French words; inside the widget's HTML when the server renders it)",
            dist.join("i18n/fr.json"),
        ),
        ("Isso", "embed.min.js (the page's script tag)", isso_js),
        ("Isso", "isso.css (loaded by embed.min.js)", isso_css),
    ]
    .into_iter()
    .map(|(system, name, path)| Ok((system, name, measure(&std::fs::read(path)?)?)))
    .collect::<Result<Vec<_>>>()?;
    // The files a host page loads itself: our loader, Isso's script.
    let (loader, isso_script) = (assets[0].2, assets[5].2);
    let size_table = report::sizes_markdown(&assets);
    print!("{size_table}");
    let files = budgets::files(&dist)?;
    let budget_rows: Vec<budgets::Budget> = std::iter::once(budgets::Budget::whole(&files))
        .chain(fragments_br.iter().map(|&(n, bytes)| budgets::Budget::before_visible(&files, n, bytes)))
        .collect();
    budgets::print(&budget_rows);
    let budget_table = budgets::markdown(&budget_rows);

    let driver = Driver::start()?;
    println!("==> calibration: what each profile measures as (a fixed JS loop, a {CALIBRATION_BYTES}-byte download)");
    let mut calibration = Vec::new();
    let mut profile_dirs = 0;
    let mut next_dir = || {
        profile_dirs += 1;
        work.join(format!("profiles/{profile_dirs}"))
    };
    for &profile in &args.profiles {
        let url = format!("{}/calibrate.html", ours.server.url);
        let c = timing::calibrate(&driver, &next_dir(), &url, profile).await?;
        let line = format!(
            "{}: JS loop {:.0} ms; {} B downloaded in {:.0} ms ({:.0} kbit/s){}",
            profile.name(),
            c.cpu_ms,
            c.bytes,
            c.download_ms,
            c.bytes * 8.0 / 1024.0 / (c.download_ms / 1000.0),
            match profile {
                Profile::Phone => format!(
                    " (the conditions alone: {:.0} ms); ChromeDriver reads back the conditions set",
                    PHONE.round_trip_ms + c.bytes * 8.0 / (PHONE.down_kbps * 1024.0) * 1000.0
                ),
                Profile::Loopback => String::new(),
            }
        );
        println!("    {line}");
        calibration.push((profile, c, line));
    }

    println!(
        "==> browser: {} loads of each page in each profile ({}), alternating, each in a fresh Chromium",
        args.runs,
        args.profiles.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
    );
    let mut samples: HashMap<(Profile, usize, &str), Vec<timing::Sample>> = HashMap::new();
    for run in 0..args.runs {
        for &profile in &args.profiles {
            // Each system first in turn: none always gets the warm disk cache.
            let mut order = SYSTEMS.map(|s| s.1);
            order.rotate_left(run % SYSTEMS.len());
            for &n in &args.sizes {
                for system in order {
                    let page = format!("{system}-{n}.html");
                    let url = format!("{}/{page}", ours.server.url);
                    let sample = timing::load(&driver, &next_dir(), &url, profile).await?;
                    println!(
                        "    run {} {}: {page}: visible {:.0} ms, hydrated {:.0} ms, CLS {:.3}, longest task {:.0} ms",
                        run + 1,
                        profile.name(),
                        sample.visible,
                        sample.hydrated,
                        sample.cls,
                        sample.longest
                    );
                    samples.entry((profile, n, system)).or_default().push(sample);
                }
            }
        }
    }
    drop(driver);

    let n = args.server_comments;
    println!("==> server: GET of the whole {n}-comment thread, wrk -t2 -c64, {} s × {}", args.seconds, args.rounds);
    let ours_url = ours.thread_url(&slug(n));
    let isso_url = isso.thread_url(&format!("/{}", slug(n)));
    let plain = http.get(&ours_url).send().await?.error_for_status()?.bytes().await?;
    let nginx = nginx::Nginx::start(&plain)?;
    // Each request, and the servers that answer it as asked: nginx has no brotli in Debian, and
    // Isso compresses nothing (its answers to br and to gzip are its plain one).
    let requests: [(&str, Option<&str>, &[&str]); 3] = [
        ("plain (no Accept-Encoding)", None, &["news-widget", "nginx", "Isso"]),
        ("Accept-Encoding: br", Some("br"), &["news-widget", "Isso"]),
        ("Accept-Encoding: gzip", Some("gzip"), &["news-widget", "nginx"]),
    ];
    let url_of = |system: &str| match system {
        "news-widget" => ours_url.clone(),
        "nginx" => nginx.url.clone(),
        _ => isso_url.clone(),
    };
    let mut targets: Vec<(&str, Option<&str>, &str)> = Vec::new();
    for (request, encoding, systems) in requests {
        for system in systems {
            targets.push((request, encoding, system));
        }
    }
    let mut answers = HashMap::new();
    for &(request, encoding, system) in &targets {
        let mut get = http.get(url_of(system));
        if let Some(encoding) = encoding {
            get = get.header("Accept-Encoding", encoding);
        }
        let answer = get.send().await?.error_for_status()?;
        let used =
            answer.headers().get("content-encoding").and_then(|v| v.to_str().ok()).unwrap_or("identity").to_owned();
        let bytes = answer.bytes().await?.len() as f64;
        answers.insert((request, system), (bytes, used));
    }
    if !args.smoke {
        // Warm each up (caches, connection pools, Python's imports) before measuring.
        for &(_, encoding, system) in &targets {
            load::run(&url_of(system), 2, encoding)?;
        }
    }
    let mut loads: HashMap<(&str, &str), Vec<load::Throughput>> = HashMap::new();
    for round in 0..args.rounds {
        let mut order = targets.clone();
        let len = order.len();
        order.rotate_left(round % len);
        for (request, encoding, system) in order {
            let t = load::run(&url_of(system), args.seconds, encoding)?;
            println!(
                "    round {}: {system}, {request}: {:.0} req/s, p99 {:.2} ms",
                round + 1,
                t.requests_per_second,
                t.p99
            );
            loads.entry((request, system)).or_default().push(t);
        }
    }
    drop(nginx);

    // The tables.
    let stat = |v: &[f64]| Stats::of(v);
    let mut browser_rows = Vec::new();
    for &profile in &args.profiles {
        for &n in &args.sizes {
            let isso_visible = stat(&samples[&(profile, n, "isso")].iter().map(|s| s.visible).collect::<Vec<_>>());
            for (label, system) in SYSTEMS {
                let runs = &samples[&(profile, n, system)];
                let of = |f: fn(&timing::Sample) -> f64| stat(&runs.iter().map(f).collect::<Vec<_>>());
                let visible = of(|s| s.visible);
                browser_rows.push(BrowserRow {
                    profile: profile.name(),
                    size: n,
                    system: label,
                    visible,
                    hydrated: of(|s| s.hydrated),
                    cls: of(|s| s.cls),
                    longest: of(|s| s.longest),
                    vs_isso: (system != "isso" && isso_visible.median > 0.0)
                        .then(|| visible.median / isso_visible.median),
                });
            }
        }
    }
    let mut server_rows = Vec::new();
    for &(request, _, system) in &targets {
        let runs = &loads[&(request, system)];
        let rps = stat(&runs.iter().map(|t| t.requests_per_second).collect::<Vec<_>>());
        let ours_rps =
            stat(&loads[&(request, "news-widget")].iter().map(|t| t.requests_per_second).collect::<Vec<_>>());
        let (bytes, encoding) = answers[&(request, system)].clone();
        server_rows.push(ServerRow {
            request,
            system,
            bytes,
            encoding,
            rps,
            p99: stat(&runs.iter().map(|t| t.p99).collect::<Vec<_>>()),
            ours_over: (system != "news-widget" && rps.median > 0.0).then(|| ours_rps.median / rps.median),
        });
    }
    let total = |system: &str, f: fn(&Size) -> usize| {
        Stats::one(assets.iter().filter(|a| a.0 == system).map(|a| f(&a.2)).sum::<usize>() as f64)
    };
    let size_rows = vec![
        Row::new(
            "Host critical path: loader vs embed.min.js, gzip (B)",
            Stats::one(loader.gzip as f64),
            Stats::one(isso_script.gzip as f64),
            0,
        ),
        Row::new("Whole widget, gzip (B)", total("news-widget", |s| s.gzip), total("Isso", |s| s.gzip), 0),
        Row::new("Whole widget, brotli (B)", total("news-widget", |s| s.brotli), total("Isso", |s| s.brotli), 0),
    ];

    println!();
    report::print_browser(&browser_rows);
    println!();
    report::print_server(&server_rows);
    println!();
    report::print(&size_rows);
    std::fs::create_dir_all(&out)?;
    let panels: Vec<Panel> = args
        .profiles
        .iter()
        .flat_map(|&profile| {
            let rows = &browser_rows;
            let panel = move |what: &str, f: fn(&BrowserRow) -> f64| Panel {
                title: format!("{}: {what}", profile_title(profile)),
                groups: args.sizes.iter().map(|n| format!("{n} comments")).collect(),
                series: SYSTEMS.iter().map(|s| s.0).collect(),
                values: args
                    .sizes
                    .iter()
                    .map(|&n| rows.iter().filter(|r| r.profile == profile.name() && r.size == n).map(f).collect())
                    .collect(),
            };
            [panel("content visible", |r| r.visible.median), panel("hydrated (usable)", |r| r.hydrated.median)]
        })
        .collect();
    let machine = machine();
    let date = shell_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let title = format!("news-widget vs Isso 0.14.0 — {date}");
    report::bars(&panels, &format!("{title}: page loads, median ms (lower is better)"), &out.join("chart.svg"))?;
    let took = began.elapsed().as_secs_f64();
    let load_after = load_average();
    let md = format!(
        "# {title}\n\nMachine: {machine}.\n\n## Browser: page loads\n\n{}\n![Content visible and hydrated, \
         median ms, per thread size, system and profile](chart.svg)\n\nCalibration, one load each: {}.\n\n\
         ## Server: GET of the {n}-comment thread, 64 connections\n\n{}\n## Sizes\n\n{}\n{size_table}\n\
         ### Budgets\n\n{budget_table}\n\
         ## Method\n\n{}\n\nThe measuring took {:.1} min (the builds before it not counted); the machine's load average \
         (1 min) was {load_before} as it began and {load_after} as it ended: on 2 cores, anything else running \
         competes with the browser, the servers and wrk.\n",
        report::browser_markdown(&browser_rows),
        calibration.iter().map(|c| c.2.clone()).collect::<Vec<_>>().join("; "),
        report::server_markdown(&server_rows),
        report::markdown(&size_rows),
        method(args),
        took / 60.0,
    );
    std::fs::write(out.join("report.md"), md)?;
    println!("\nbench: wrote {} and {}", out.join("report.md").display(), out.join("chart.svg").display());
    println!("bench: measuring took {:.1} min", took / 60.0);
    Ok(())
}

/// The 1-minute load average, from /proc/loadavg.
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().next().unwrap_or("unknown").to_owned()
}

fn profile_title(profile: Profile) -> String {
    match profile {
        Profile::Loopback => "loopback".into(),
        Profile::Phone => format!(
            "phone ({:.0} ms RTT, {} kbit/s down, {}× CPU)",
            PHONE.round_trip_ms, PHONE.down_kbps, PHONE.cpu_slowdown
        ),
    }
}

/// The calibration download's size: 256 KiB.
const CALIBRATION_BYTES: usize = 256 * 1024;

/// `n` bytes that no compression shrinks (SplitMix64, fixed seed).
fn noise(n: usize) -> Vec<u8> {
    let mut state = 0x5eed_u64;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as u8
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn shell_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or_default().trim().to_owned())
        .unwrap_or_default()
}

/// CPU, cores, memory, kernel and browser, for the report.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu =
        cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).map(|l| l.trim_start_matches([' ', '\t', ':']));
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kb: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_default();
    format!(
        "{} × {}, {:.0} GiB RAM, {}, {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu.unwrap_or("unknown CPU"),
        mem_kb / 1024.0 / 1024.0,
        shell_line("uname", &["-sr"]),
        shell_line("chromium", &["--version"]),
    )
}

fn method(args: &Args) -> String {
    format!(
        "How: `cargo xtask bench` (release widget and server, Isso 0.14.0 under gunicorn with (2 × cores) + 1 \
         workers, nginx {nginx} for the static ceiling, all on loopback). Both systems get the same seeded threads \
         ({sizes} comments for the pages, {n} for the server; 30 % replies) over their HTTP APIs.\n\n\
         **Browser.** Each page loaded {runs} times in each profile, each time in a fresh headless Chromium (empty \
         profile: a first visit), rotating which system goes first. Profiles: *loopback* (no throttling) and *phone*, \
         Lighthouse's mobile profile (mobileSlow4G): {rtt:.0} ms round trip (ChromeDriver's network conditions add it \
         to each request as latency), {down} kbit/s down and {up} kbit/s up (Lighthouse's kbit, 1,024 bits: \
         {down_b} and {up_b} bytes/s), set with `POST /session/{{id}}/chromium/network_conditions` and read back with \
         `GET` before measuring, and CDP's `Emulation.setCPUThrottlingRate` {cpu}× on the page. (Lighthouse's own \
         DevTools throttling would add 562.5 ms a request and take 90 % of the throughputs.) Systems: ours on a host \
         page with only the loader (it fetches the server's HTML for the element, shows it, then hydrates it with \
         the wasm when the browser is idle or at the first touch), ours on the same page with that HTML already \
         included by the host's server (the loader only hydrates), Isso on the same page (same frame, the \
         article as static HTML) as its docs embed it, and the floor: the included page's HTML and stylesheet \
         with no script at all, the least time any widget could show that content in on that page (its ratio to \
         Isso's is the least any system could reach). Every thread is rendered whole: ours with \
         `data-comments-per-page` set to its size, Isso with `data-isso-max-comments-nested=\"inf\"` (its top \
         level is unlimited by default). A probe, the page's first script, records: *content visible*, the time \
         from navigation start until the thread's last comment is in the DOM and laid out (non-empty box), seen by \
         a MutationObserver and checked in the next animation frame; for an empty thread, the same for the note \
         that says so (ours `.nw-empty`; Isso's `h4.isso-thread-heading`, empty until its answer gives it the \
         \"no comments\" text); *hydrated*, the first frame after that in which the widget is usable: ours once the \
         element has `data-news-widget-mounted` (the wasm sets it as it mounts; Yew hydrates in that task's \
         microtasks, before the frame), Isso once its form (`.isso-postbox`, inserted with its handlers) is in \
         and its thread rendered (its heading gets its text after the last comment is inserted); *CLS*, the sum \
         of the `layout-shift` entries without recent input (a buffered PerformanceObserver) until hydrated plus \
         {settle} ms; the longest task comes from the `longtask` PerformanceObserver (over 50 ms only, else 0), \
         over the same span. The pages differ in one way that CLS sees: ours start with an empty element (the \
         widget brings the article too), so what the loader's HTML pushes down (the footer) is in view; Isso's \
         page has the article as HTML above its thread. The calibration line loads a page that times a fixed JavaScript loop and a \
         {cal}-byte incompressible download (Resource Timing, request start to response end) in each profile. \
         Target: content visible in at most {target}× Isso's time (*visible ÷ Isso*, of the medians).\n\n\
         **Server.** wrk -t2 -c64 --latency for {s} s, {r} rounds, rotating the order, {warm}; \
          each GET returns the whole thread (ours `?limit=1000`, Isso `/?uri=`); wrk sends no Accept-Encoding \
         (plain) or the one named. The ceiling is nginx serving the same bytes as a static file: our plain JSON \
         answer, and for gzip a level-9 copy through `gzip_static` (Debian's nginx has no brotli module, so it has \
         no br row; Isso compresses nothing, so its gzip row would repeat its plain one). Our server answers a \
         burst of GETs from a page it built less than a second ago, and its brotli and gzip bodies compressed \
         once per page; Isso builds every answer. Our server logs warnings only (`RUST_LOG=warn`): no access \
         log line per request.\n\n\
         **Sizes**: ours is the loader, the wasm-bindgen JS, the wasm, `widget.css` and the French words \
         (`i18n/fr.json`; the server puts them into the widget's HTML, a widget the wasm renders anew fetches \
         them); Isso's is `embed.min.js` and `isso.css`. Brotli at quality 11, gzip at 9, as a host serves \
         precompressed files. Budgets: the whole widget at most {whole} B brotli; before the content is visible \
         (the loader, `widget.css` and the widget's HTML as our server sends it with `Accept-Encoding: br`) at \
         most {visible} B. Cells: median (min–max).",
        whole = budgets::WHOLE,
        visible = budgets::BEFORE_VISIBLE,
        nginx = shell_line("sh", &["-c", "nginx -v 2>&1 | sed 's/.*nginx\\///'"]),
        sizes = args.sizes.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "),
        n = args.server_comments,
        runs = args.runs,
        rtt = PHONE.round_trip_ms,
        down = PHONE.down_kbps,
        up = PHONE.up_kbps,
        down_b = PHONE.network_conditions()["download_throughput"],
        up_b = PHONE.network_conditions()["upload_throughput"],
        cpu = PHONE.cpu_slowdown,
        settle = 500,
        cal = CALIBRATION_BYTES,
        target = report::TARGET,
        s = args.seconds,
        r = args.rounds,
        warm = if args.smoke { "without a warm-up (a smoke run)" } else { "after a 2 s warm-up of each" },
    )
}
