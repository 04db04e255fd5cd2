//! The report: one table (figure, ours, Isso, ratio; median with min and max), printed, written
//! to report.md, and drawn as a chart of how many times better (or worse) we are.

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
fn group(x: f64, decimals: usize) -> String {
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

#[derive(Clone, Copy, PartialEq)]
pub enum Better {
    Lower,
    Higher,
}

pub struct Row {
    pub figure: String,
    pub ours: Stats,
    pub isso: Stats,
    pub better: Better,
    pub decimals: usize,
}

impl Row {
    pub fn new(figure: impl Into<String>, ours: Stats, isso: Stats, better: Better, decimals: usize) -> Self {
        Self { figure: figure.into(), ours, isso, better, decimals }
    }

    /// Ours ÷ Isso, of the medians.
    fn ratio(&self) -> Option<f64> {
        (self.ours.median > 0.0 && self.isso.median > 0.0).then(|| self.ours.median / self.isso.median)
    }

    /// How many times better we are (above 1) or worse (below 1).
    fn advantage(&self) -> Option<f64> {
        self.ratio().map(|r| if self.better == Better::Lower { 1.0 / r } else { r })
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

/// A horizontal bar per figure: how many times better than Isso, on a log scale (1 = the same).
pub fn chart(rows: &[Row], title: &str, path: &Path) -> Result<()> {
    let bars: Vec<(&str, f64)> = rows.iter().filter_map(|r| r.advantage().map(|a| (r.figure.as_str(), a))).collect();
    let n = bars.len().max(2);
    let fail = |e: &dyn std::fmt::Display| anyhow!("drawing {}: {e}", path.display());
    let root = SVGBackend::new(path, (1000, 90 + 36 * n as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let (low, high) = bars.iter().fold((0.5f64, 2.0f64), |(lo, hi), &(_, a)| (lo.min(a / 2.0), hi.max(a * 2.0)));
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(430)
        .build_cartesian_2d((low..high).log_scale(), (0..n - 1).into_segmented())
        .map_err(|e| fail(&e))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .y_labels(n)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => bars.get(n - 1 - *i).map(|b| b.0.to_owned()).unwrap_or_default(),
            _ => String::new(),
        })
        .x_desc("times better than Isso (log scale; right of 1 = news-widget better)")
        .x_label_formatter(&|x| format!("{x}×"))
        .draw()
        .map_err(|e| fail(&e))?;
    chart
        .draw_series(bars.iter().enumerate().map(|(row, &(_, a))| {
            let i = n - 1 - row; // the first figure on top
            let color = if a >= 1.0 { RGBColor(0x1a, 0x7f, 0x37) } else { RGBColor(0xc0, 0x39, 0x2b) };
            let (from, to) = if a >= 1.0 { (1.0, a) } else { (a, 1.0) };
            let mut bar =
                Rectangle::new([(from, SegmentValue::Exact(i)), (to, SegmentValue::Exact(i + 1))], color.filled());
            bar.set_margin(7, 7, 0, 0);
            bar
        }))
        .map_err(|e| fail(&e))?;
    chart
        .draw_series(bars.iter().enumerate().map(|(row, &(_, a))| {
            let i = n - 1 - row;
            let style = ("sans-serif", 13).into_text_style(&root).pos(Pos::new(HPos::Left, VPos::Center));
            Text::new(format!("{a:.2}×"), (a.max(1.0) * 1.05, SegmentValue::CenterOf(i)), style)
        }))
        .map_err(|e| fail(&e))?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(1.0, SegmentValue::Exact(0)), (1.0, SegmentValue::Exact(n))],
            BLACK.stroke_width(2),
        )))
        .map_err(|e| fail(&e))?;
    root.present().map_err(|e| fail(&e))?;
    Ok(())
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
        let faster = Row::new("t", Stats::one(50.0), Stats::one(200.0), Better::Lower, 0);
        assert_eq!(faster.ratio_text(), "0.25×");
        let tiny = Row::new("t", Stats::one(13.5), Stats::one(3480.0), Better::Lower, 0);
        assert_eq!(tiny.ratio_text(), "0.0039×");
        assert_eq!(faster.advantage(), Some(4.0));
        let none = Row::new("t", Stats::one(0.0), Stats::one(80.0), Better::Lower, 0);
        assert_eq!(none.ratio_text(), "–");
    }

    #[test]
    fn the_chart_names_each_figure_with_a_ratio() {
        let rows = [
            Row::new("smaller", Stats::one(10.0), Stats::one(40.0), Better::Lower, 0),
            Row::new("bigger", Stats::one(90.0), Stats::one(30.0), Better::Lower, 0),
            Row::new("throughput", Stats::of(&[500.0, 700.0]), Stats::one(20.0), Better::Higher, 0),
            Row::new("no long task", Stats::one(0.0), Stats::one(0.0), Better::Lower, 0),
        ];
        let path = std::env::temp_dir().join(format!("bench-chart-{}.svg", std::process::id()));
        chart(&rows, "test", &path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        for text in ["smaller", "bigger", "throughput", "4.00×", "0.33×", "30.00×"] {
            assert!(svg.contains(text), "{text} missing");
        }
        assert!(!svg.contains("no long task"), "a figure without a ratio is left out");
        let _ = std::fs::remove_file(path);
    }
}
