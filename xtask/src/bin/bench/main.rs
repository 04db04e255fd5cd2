//! `cargo xtask bench`: news-widget against Isso on this machine, in one run: size, browser time
//! to a visible thread, rendering 1,000 comments, and server throughput. Prints one table and
//! writes it, with a chart, to target/bench/.
//!
//! `cargo xtask bench` installs what this needs and builds the widget and the server first, then
//! runs this binary (`cargo run -p xtask --features bench --bin bench`).

mod data;
mod load;
mod pages;
mod report;
mod systems;
mod timing;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use xtask::bench_args::BenchArgs as Args;
use xtask::browser::Driver;
use xtask::root;
use xtask::sizes::{measure, Size};

use crate::pages::Probe;
use crate::report::{Better, Row, Stats};
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
        (args.runs, args.seconds, args.rounds, args.comments, args.big) = (1, 1, 1, 30, 60);
    }
    if let Err(e) = run(&args).await {
        eprintln!("\nbench: {e:#}");
        std::process::exit(1);
    }
}

async fn run(args: &Args) -> Result<()> {
    let out = root().join(if args.smoke { "target/bench/smoke" } else { "target/bench" });
    let work = out.join("run");
    let _ = std::fs::remove_dir_all(&work);
    let www = work.join("www");
    copy_dir(&root().join("dist"), &www).context("copying dist/ (build the widget first: cargo xtask build)")?;

    let small = data::thread(args.comments, 2024);
    let big = data::thread(args.big, 1000);
    let (small_slug, big_slug) = (format!("bench-{}", args.comments), format!("bench-{}", args.big));
    println!(
        "==> data: {} and {} comments, {:.0} % and {:.0} % replies (seeded)",
        small.len(),
        big.len(),
        100.0 * data::reply_share(&small),
        100.0 * data::reply_share(&big)
    );

    let ours = Ours::start(&root().join(&args.server_bin), &www)?;
    let isso = Isso::start(&work, &ours.server.url)?;
    let http = reqwest::Client::new();
    let started = Instant::now();
    ours.load(&http, &small_slug, &small).await?;
    ours.load(&http, &big_slug, &big).await?;
    println!(
        "    news-widget: {} comments posted in {:.1} s",
        small.len() + big.len(),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    isso.load(&http, &format!("/{small_slug}"), &small).await?;
    isso.load(&http, &format!("/{big_slug}"), &big).await?;
    println!("    Isso: {} comments posted in {:.1} s", small.len() + big.len(), started.elapsed().as_secs_f64());

    // The pages: our demo page, and the same page with Isso.
    let demo = std::fs::read_to_string(www.join("index.html"))?;
    let article = systems::article()?;
    let first = |selector| Probe { selector, want: 1 };
    let all = |selector| Probe { selector, want: args.big };
    let per_page = format!(r#" data-comments-per-page="{}""#, args.big);
    // What a host's server includes: the widget route's HTML for the element's attributes.
    let fragment = |slug: &str, per_page: Option<usize>| {
        let mut url = format!("{}/api/v1/articles/{slug}/widget?lang=fr", ours.server.url);
        if let Some(n) = per_page {
            url.push_str(&format!("&comments-per-page={n}"));
        }
        let http = http.clone();
        async move { anyhow::Ok(http.get(&url).send().await?.error_for_status()?.text().await?) }
    };
    let (small_fragment, big_fragment) =
        (fragment(&small_slug, None).await?, fragment(&big_slug, Some(args.big)).await?);
    let pages = [
        ("ours-small.html", pages::ours(&demo, &small_slug, "", &first(".nw-comment"))?),
        ("ours-big.html", pages::ours(&demo, &big_slug, &per_page, &all(".nw-comment"))?),
        ("loader-small.html", pages::ours_loader(&small_slug, "", &first(".nw-comment"))),
        ("loader-big.html", pages::ours_loader(&big_slug, &per_page, &all(".nw-comment"))),
        ("included-small.html", pages::ours_included(&small_slug, "", &small_fragment, &first(".nw-comment"))),
        ("included-big.html", pages::ours_included(&big_slug, &per_page, &big_fragment, &all(".nw-comment"))),
        (
            "isso-small.html",
            pages::isso(&article, &isso.url, &format!("/{small_slug}"), "", &first("#isso-root .isso-comment"))?,
        ),
        (
            "isso-big.html",
            pages::isso(
                &article,
                &isso.url,
                &format!("/{big_slug}"),
                r#" data-isso-max-comments-nested="inf""#,
                &all("#isso-root .isso-comment"),
            )?,
        ),
    ];
    for (name, html) in &pages {
        std::fs::write(www.join(name), html)?;
    }

    println!("==> sizes");
    let dist = root().join("dist");
    let (isso_js, isso_css) = Isso::assets()?;
    let assets = [
        ("news-widget", "news-widget-loader.js (all a page loads itself)", dist.join("news-widget-loader.js")),
        ("news-widget", "news-widget.js (wasm-bindgen glue, loaded by the loader)", dist.join("news-widget.js")),
        ("news-widget", "news-widget_bg.wasm (code, texts and CSS)", dist.join("news-widget_bg.wasm")),
        ("Isso", "embed.min.js (the page's script tag)", isso_js),
        ("Isso", "isso.css (loaded by embed.min.js)", isso_css),
    ]
    .into_iter()
    .map(|(system, name, path)| Ok((system, name, measure(&std::fs::read(path)?)?)))
    .collect::<Result<Vec<_>>>()?;
    // The files a host page loads itself: our loader, Isso's script.
    let (loader, isso_script) = (assets[0].2, assets[3].2);
    let size_table = report::sizes_markdown(&assets);
    print!("{size_table}");

    println!("==> browser: {} loads of each page, alternating, each in a fresh Chromium", args.runs);
    let driver = Driver::start()?;
    let mut samples: std::collections::HashMap<String, Vec<timing::Sample>> = Default::default();
    let mut profile = 0;
    for run in 0..args.runs {
        // Each system first in turn: none always gets the warm disk cache.
        let mut order = ["ours", "loader", "included", "isso"];
        order.rotate_left(run % 4);
        for size in ["small", "big"] {
            for system in order {
                profile += 1;
                let page = format!("{system}-{size}.html");
                let url = format!("{}/{page}", ours.server.url);
                let sample = timing::load(&driver, &work.join(format!("profiles/{profile}")), &url).await?;
                println!(
                    "    run {}: {page}: visible at {:.0} ms, longest task {:.0} ms",
                    run + 1,
                    sample.visible,
                    sample.longest
                );
                samples.entry(format!("{system}-{size}")).or_default().push(sample);
            }
        }
    }
    drop(driver);

    println!(
        "==> server: GET of the whole {}-comment thread, wrk -t2 -c64, {} s × {}",
        args.comments, args.seconds, args.rounds
    );
    let ours_url = ours.thread_url(&small_slug);
    let isso_url = isso.thread_url(&format!("/{small_slug}"));
    let bytes = |url: String| {
        let http = http.clone();
        async move { anyhow::Ok(http.get(&url).send().await?.error_for_status()?.bytes().await?.len() as f64) }
    };
    let (ours_bytes, isso_bytes) = (bytes(ours_url.clone()).await?, bytes(isso_url.clone()).await?);
    if !args.smoke {
        // Warm both up (caches, connection pools, Python's imports) before measuring.
        load::run(&ours_url, 2)?;
        load::run(&isso_url, 2)?;
    }
    let (mut ours_load, mut isso_load) = (Vec::new(), Vec::new());
    for round in 0..args.rounds {
        let order = if round % 2 == 0 { [true, false] } else { [false, true] };
        for is_ours in order {
            let t = load::run(if is_ours { &ours_url } else { &isso_url }, args.seconds)?;
            println!(
                "    round {}: {}: {:.0} req/s, p99 {:.2} ms",
                round + 1,
                if is_ours { "news-widget" } else { "Isso" },
                t.requests_per_second,
                t.p99
            );
            if is_ours { &mut ours_load } else { &mut isso_load }.push(t);
        }
    }

    let stat = |key: &str, f: fn(&timing::Sample) -> f64| Stats::of(&samples[key].iter().map(f).collect::<Vec<_>>());
    let load_stat =
        |v: &[load::Throughput], f: fn(&load::Throughput) -> f64| Stats::of(&v.iter().map(f).collect::<Vec<_>>());
    let total = |system: &str, f: fn(&Size) -> usize| {
        Stats::one(assets.iter().filter(|a| a.0 == system).map(|a| f(&a.2)).sum::<usize>() as f64)
    };
    let (n, m) = (args.comments, args.big);
    let rows = vec![
        Row::new(
            "Host critical path: loader vs embed.min.js, gzip (B)",
            Stats::one(loader.gzip as f64),
            Stats::one(isso_script.gzip as f64),
            Better::Lower,
            0,
        ),
        Row::new(
            "Whole widget, gzip (B)",
            total("news-widget", |s| s.gzip),
            total("Isso", |s| s.gzip),
            Better::Lower,
            0,
        ),
        Row::new(
            "Whole widget, brotli (B)",
            total("news-widget", |s| s.brotli),
            total("Isso", |s| s.brotli),
            Better::Lower,
            0,
        ),
        Row::new(
            format!("{n} comments: thread visible, wasm renders (ms)"),
            stat("ours-small", |s| s.visible),
            stat("isso-small", |s| s.visible),
            Better::Lower,
            0,
        ),
        Row::new(
            format!("{n} comments: thread visible, through the loader (ms)"),
            stat("loader-small", |s| s.visible),
            stat("isso-small", |s| s.visible),
            Better::Lower,
            0,
        ),
        Row::new(
            format!("{n} comments: thread visible, included by the host (ms)"),
            stat("included-small", |s| s.visible),
            stat("isso-small", |s| s.visible),
            Better::Lower,
            0,
        ),
        Row::new(
            format!("{n} comments: longest task (ms, 0 = none > 50)"),
            stat("ours-small", |s| s.longest),
            stat("isso-small", |s| s.longest),
            Better::Lower,
            0,
        ),
        Row::new(
            format!("{m} comments: all rendered, wasm renders (ms)"),
            stat("ours-big", |s| s.visible),
            stat("isso-big", |s| s.visible),
            Better::Lower,
            0,
        ),
        Row::new(
            format!("{m} comments: all visible, through the loader (ms)"),
            stat("loader-big", |s| s.visible),
            stat("isso-big", |s| s.visible),
            Better::Lower,
            0,
        ),
        Row::new(
            format!("{m} comments: all visible, included by the host (ms)"),
            stat("included-big", |s| s.visible),
            stat("isso-big", |s| s.visible),
            Better::Lower,
            0,
        ),
        Row::new(
            format!("{m} comments: longest task (ms, 0 = none > 50)"),
            stat("ours-big", |s| s.longest),
            stat("isso-big", |s| s.longest),
            Better::Lower,
            0,
        ),
        Row::new(
            format!("Server: GET {n}-comment thread, 64 conns (req/s)"),
            load_stat(&ours_load, |t| t.requests_per_second),
            load_stat(&isso_load, |t| t.requests_per_second),
            Better::Higher,
            0,
        ),
        Row::new(
            "Server: p99 latency at 64 conns (ms)",
            load_stat(&ours_load, |t| t.p99),
            load_stat(&isso_load, |t| t.p99),
            Better::Lower,
            2,
        ),
        Row::new(
            format!("Server: {n}-comment thread response (B)"),
            Stats::one(ours_bytes),
            Stats::one(isso_bytes),
            Better::Lower,
            0,
        ),
    ];

    println!();
    report::print(&rows);
    std::fs::create_dir_all(&out)?;
    let machine = machine();
    let date = shell_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let title = format!("news-widget vs Isso 0.14.0 — {date}");
    let md = format!(
        "# {title}\n\n{}\nMachine: {machine}.\n\n{}\n\n## Assets, in bytes\n\n{size_table}",
        report::markdown(&rows),
        method(args)
    );
    std::fs::write(out.join("report.md"), md)?;
    report::chart(&rows, &title, &out.join("chart.svg"))?;
    println!("\nbench: wrote {} and {}", out.join("report.md").display(), out.join("chart.svg").display());
    Ok(())
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
         workers, both on loopback). Both systems get the same seeded threads over their HTTP APIs. Browser \
         figures: each page loaded {runs} times in a fresh headless Chromium (empty profile), alternating which \
         system goes first; ours three ways: the demo page (the wasm renders everything), a host page with \
         only the loader (it fetches the server's HTML for the element, then the wasm hydrates it), and that page \
         with the HTML included by its server; time from navigation start until the first comment ({n}-comment thread, each widget's \
         default view: ours shows 20 threads a page, Isso every thread) or all {m} comments (ours with \
         `data-comments-per-page`, Isso with `data-isso-max-comments-nested=\"inf\"`) are in the DOM and laid out, \
         seen by a MutationObserver that the page's first script starts and checked in the next animation \
         frame; the longest task comes from the `longtask` \
         PerformanceObserver, which reports tasks over 50 ms only. Server: wrk -t2 -c64 --latency for {s} s, {r} \
         rounds, alternating, after a 2 s warm-up; each GET returns the whole thread (ours `?limit=1000`, Isso \
         `/?uri=`). Sizes: ours is the loader, the wasm-bindgen JS and the wasm (its CSS is inside); Isso's is \
         `embed.min.js` and `isso.css`. Cells: median (min–max). Our server answers a burst of GETs \
         from a page it built less than a second ago; Isso builds every answer.",
        runs = args.runs,
        n = args.comments,
        m = args.big,
        s = args.seconds,
        r = args.rounds,
    )
}
