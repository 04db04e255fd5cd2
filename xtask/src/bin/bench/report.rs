//! The report's tables (median with min and max), printed and written to report.md: the browser
//! (per profile, size and system), the server (per request and server) and the sizes; and the
//! browser's chart, grouped bars per size in a panel per profile and figure.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{anyhow, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The median, min and max of a figure's runs.
#[derive(Clone, Copy)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    pub fn of(values: &[f64]) -> Self {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = match n {
            0 => 0.0,
            _ if n % 2 == 1 => v[n / 2],
            _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        };
        Self { median, min: v.first().copied().unwrap_or_default(), max: v.last().copied().unwrap_or_default() }
    }

    pub fn one(value: f64) -> Self {
        Self::of(&[value])
    }

    fn show(&self, decimals: usize) -> String {
        let f = |x: f64| group(x, decimals);
        if self.min == self.max {
            f(self.median)
        } else {
            format!("{} ({}–{})", f(self.median), f(self.min), f(self.max))
        }
    }
}

/// `1234567.8` as `1,234,568` (or with `decimals`).
pub fn group(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

pub struct Row {
    pub figure: String,
    pub ours: Stats,
    pub isso: Stats,
    pub decimals: usize,
}

impl Row {
    pub fn new(figure: impl Into<String>, ours: Stats, isso: Stats, decimals: usize) -> Self {
        Self { figure: figure.into(), ours, isso, decimals }
    }

    /// Ours ÷ Isso, of the medians.
    fn ratio(&self) -> Option<f64> {
        (self.ours.median > 0.0 && self.isso.median > 0.0).then(|| self.ours.median / self.isso.median)
    }

    fn ratio_text(&self) -> String {
        match self.ratio() {
            Some(r) if r < 0.01 => format!("{r:.4}×"),
            Some(r) if r < 0.1 => format!("{r:.3}×"),
            Some(r) => format!("{r:.2}×"),
            None => "–".into(),
        }
    }
}

/// The table as Markdown.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from("| Figure | news-widget | Isso | news-widget ÷ Isso |\n|---|---:|---:|---:|\n");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            r.figure,
            r.ours.show(r.decimals),
            r.isso.show(r.decimals),
            r.ratio_text()
        );
    }
    out
}

/// Each asset of both systems, raw, gzip (level 9) and brotli (quality 11).
pub fn sizes_markdown(assets: &[(&str, &str, xtask::sizes::Size)]) -> String {
    let mut out = String::from("| system | asset | raw | gzip | brotli |\n|---|---|---:|---:|---:|\n");
    for (system, name, s) in assets {
        let [raw, gzip, brotli] = [s.raw, s.gzip, s.brotli].map(|n| group(n as f64, 0));
        let _ = writeln!(out, "| {system} | {name} | {raw} | {gzip} | {brotli} |");
    }
    out
}

/// The table for a terminal.
pub fn print(rows: &[Row]) {
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|r| [r.figure.clone(), r.ours.show(r.decimals), r.isso.show(r.decimals), r.ratio_text()])
        .collect();
    let head = ["figure", "news-widget", "Isso", "ratio"].map(String::from);
    let width = |i: usize| cells.iter().chain([&head]).map(|c| c[i].chars().count()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2), width(3)];
    for row in [&head].into_iter().chain(&cells) {
        let pad = |i: usize| " ".repeat(widths[i] - row[i].chars().count());
        println!("{}{}  {}{}  {}{}  {}{}", row[0], pad(0), pad(1), row[1], pad(2), row[2], pad(3), row[3]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_ratios() {
        let s = Stats::of(&[5.0, 1.0, 3.0, 2.0]);
        assert_eq!((s.median, s.min, s.max), (2.5, 1.0, 5.0));
        assert_eq!(group(1234567.0, 0), "1,234,567");
        assert_eq!(group(-1234.5, 1), "-1,234.5");
        let faster = Row::new("t", Stats::one(50.0), Stats::one(200.0), 0);
        assert_eq!(faster.ratio_text(), "0.25×");
        let tiny = Row::new("t", Stats::one(13.5), Stats::one(3480.0), 0);
        assert_eq!(tiny.ratio_text(), "0.0039×");
        let none = Row::new("t", Stats::one(0.0), Stats::one(80.0), 0);
        assert_eq!(none.ratio_text(), "–");
    }
}

/// One system's page loads of one thread size in one profile.
pub struct BrowserRow {
    pub profile: &'static str,
    pub size: usize,
    pub system: &'static str,
    pub visible: Stats,
    pub hydrated: Stats,
    pub cls: Stats,
    pub longest: Stats,
    /// Content visible, this system's median ÷ Isso's (None for Isso itself).
    pub vs_isso: Option<f64>,
}

/// The target: content visible in at most half Isso's time.
pub const TARGET: f64 = 0.5;

fn ratio_cell(r: Option<f64>) -> String {
    match r {
        Some(r) if r < 0.01 => format!("{r:.4}×"),
        Some(r) if r < 0.1 => format!("{r:.3}×"),
        Some(r) => format!("{r:.2}×"),
        None => "–".into(),
    }
}

/// The browser table as Markdown: a row per profile, size and system.
pub fn browser_markdown(rows: &[BrowserRow]) -> String {
    let mut out = String::from(
        "| profile | comments | system | content visible (ms) | hydrated (ms) | CLS | longest task (ms) | visible ÷ Isso | target ≤ 0.5× |\n\
         |---|---:|---|---:|---:|---:|---:|---:|:---:|\n",
    );
    for r in rows {
        let target = match r.vs_isso {
            // The floor is no system: what its ratio says is how low any could go.
            Some(_) if r.system.starts_with("floor") => "(the least possible)",
            Some(x) if x <= TARGET => "met",
            Some(_) => "**missed**",
            None => "",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {target} |",
            r.profile,
            group(r.size as f64, 0),
            r.system,
            r.visible.show(0),
            r.hydrated.show(0),
            r.cls.show(3),
            r.longest.show(0),
            ratio_cell(r.vs_isso),
        );
    }
    out
}

/// The browser table for a terminal.
pub fn print_browser(rows: &[BrowserRow]) {
    let head = ["profile", "comments", "system", "visible ms", "hydrated ms", "CLS", "longest", "÷ Isso"];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.profile.to_owned(),
                r.size.to_string(),
                r.system.to_owned(),
                r.visible.show(0),
                r.hydrated.show(0),
                r.cls.show(3),
                r.longest.show(0),
                ratio_cell(r.vs_isso),
            ]
        })
        .collect();
    print_cells(&head, &cells);
}

fn print_cells(head: &[&str], cells: &[Vec<String>]) {
    let head: Vec<String> = head.iter().map(|s| s.to_string()).collect();
    let widths: Vec<usize> =
        (0..head.len()).map(|i| cells.iter().chain([&head]).map(|c| c[i].chars().count()).max().unwrap_or(0)).collect();
    for row in [&head].into_iter().chain(cells) {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = " ".repeat(widths[i] - c.chars().count());
                if i < 3 {
                    format!("{c}{pad}")
                } else {
                    format!("{pad}{c}")
                }
            })
            .collect();
        println!("{}", line.join("  "));
    }
}

/// One server under wrk for one request: its answer's size and its figures.
pub struct ServerRow {
    pub request: &'static str,
    pub system: &'static str,
    /// The answer's body as sent (compressed when it was), and its Content-Encoding.
    pub bytes: f64,
    pub encoding: String,
    pub rps: Stats,
    pub p99: Stats,
    /// Our req/s ÷ this one's, medians (None for ours).
    pub ours_over: Option<f64>,
}

pub fn server_markdown(rows: &[ServerRow]) -> String {
    let mut out = String::from(
        "| request | server | answer (B, encoding) | req/s | p99 latency (ms) | news-widget req/s ÷ this |\n\
         |---|---|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} ({}) | {} | {} | {} |",
            r.request,
            r.system,
            group(r.bytes, 0),
            r.encoding,
            r.rps.show(0),
            r.p99.show(2),
            ratio_cell(r.ours_over)
        );
    }
    out
}

pub fn print_server(rows: &[ServerRow]) {
    let head = ["request", "server", "answer", "req/s", "p99 ms", "ours ÷ this"];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.request.to_owned(),
                r.system.to_owned(),
                format!("{} B {}", group(r.bytes, 0), r.encoding),
                r.rps.show(0),
                r.p99.show(2),
                ratio_cell(r.ours_over),
            ]
        })
        .collect();
    print_cells(&head, &cells);
}

/// A panel of grouped bars: a group per label (a thread size), a bar per series (a system).
pub struct Panel {
    pub title: String,
    pub groups: Vec<String>,
    pub series: Vec<&'static str>,
    /// `values[group][series]`, the medians.
    pub values: Vec<Vec<f64>>,
}

const COLORS: [RGBColor; 4] =
    [RGBColor(0x1a, 0x7f, 0x37), RGBColor(0x2b, 0x6c, 0xb0), RGBColor(0xc0, 0x39, 0x2b), RGBColor(0x88, 0x88, 0x88)];

/// The panels, two a row (e.g. content visible and hydrated), a row per profile, in one SVG.
pub fn bars(panels: &[Panel], title: &str, path: &Path) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| anyhow!("drawing {}: {e}", path.display());
    let rows = panels.len().div_ceil(2).max(1);
    let root = SVGBackend::new(path, (1100, 60 + 380 * rows as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let root = root.titled(title, ("sans-serif", 18)).map_err(|e| fail(&e))?;
    for (panel, area) in panels.iter().zip(root.split_evenly((rows, 2))) {
        let groups = panel.groups.len().max(1);
        let top = panel.values.iter().flatten().copied().fold(1.0f64, f64::max) * 1.18;
        let mut chart = ChartBuilder::on(&area)
            .caption(&panel.title, ("sans-serif", 15))
            .margin(10)
            .y_label_area_size(56)
            .x_label_area_size(10)
            .build_cartesian_2d(0f64..groups as f64, (-top * 0.08)..top)
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_labels(0)
            .y_desc("ms (median)")
            .y_label_formatter(&|y| if *y < 0.0 { String::new() } else { format!("{y:.0}") })
            .draw()
            .map_err(|e| fail(&e))?;
        let n = panel.series.len().max(1);
        let width = 0.8 / n as f64;
        for (s, name) in panel.series.iter().enumerate() {
            let color = COLORS[s % COLORS.len()];
            chart
                .draw_series(panel.values.iter().enumerate().map(|(g, v)| {
                    let x = g as f64 + 0.1 + s as f64 * width;
                    Rectangle::new([(x, 0.0), (x + width * 0.92, v[s])], color.filled())
                }))
                .map_err(|e| fail(&e))?
                .label(*name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
            chart
                .draw_series(panel.values.iter().enumerate().map(|(g, v)| {
                    let x = g as f64 + 0.1 + (s as f64 + 0.46) * width;
                    let style = ("sans-serif", 10).into_text_style(&area).pos(Pos::new(HPos::Center, VPos::Bottom));
                    Text::new(format!("{:.0}", v[s]), (x, v[s] + top * 0.01), style)
                }))
                .map_err(|e| fail(&e))?;
        }
        chart
            .draw_series(panel.groups.iter().enumerate().map(|(g, label)| {
                let style = ("sans-serif", 13).into_text_style(&area).pos(Pos::new(HPos::Center, VPos::Center));
                Text::new(label.clone(), (g as f64 + 0.5, -top * 0.04), style)
            }))
            .map_err(|e| fail(&e))?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(|e| fail(&e))?;
    }
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}

#[cfg(test)]
mod browser_tests {
    use super::*;

    #[test]
    fn the_browser_table_and_chart_show_every_profile_and_the_target() {
        let row = |profile, system, visible: f64, vs_isso| BrowserRow {
            profile,
            size: 1000,
            system,
            visible: Stats::one(visible),
            hydrated: Stats::one(visible + 10.0),
            cls: Stats::one(0.0125),
            longest: Stats::one(0.0),
            vs_isso,
        };
        let rows = [
            row("loopback", "ours, loader", 100.0, Some(0.25)),
            row("phone", "ours, loader", 900.0, Some(0.6)),
            row("phone", "Isso", 1500.0, None),
        ];
        let md = browser_markdown(&rows);
        assert!(md.contains("| loopback | 1,000 | ours, loader | 100 | 110 | 0.013 | 0 | 0.25× | met |"), "{md}");
        assert!(md.contains("| 0.60× | **missed** |"), "{md}");
        let panels = ["loopback", "phone"].map(|p| Panel {
            title: format!("{p}: content visible"),
            groups: vec!["0 comments".into(), "1,000 comments".into()],
            series: vec!["ours, loader", "Isso"],
            values: vec![vec![50.0, 80.0], vec![300.0, 1234.0]],
        });
        let path = std::env::temp_dir().join(format!("bench-bars-{}.svg", std::process::id()));
        bars(&panels, "test", &path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        for text in ["loopback: content visible", "phone: content visible", "1,000 comments", "1234", "Isso"] {
            assert!(svg.contains(text), "{text} missing");
        }
        let _ = std::fs::remove_file(path);
    }
}
