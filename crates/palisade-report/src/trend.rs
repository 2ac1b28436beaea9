//! `palisade trend`: open findings over time, per cluster, by severity and by layer — as
//! sparklines in the terminal or as an SVG chart (drawn here, no library, colours from the
//! Okabe–Ito palette, which colour-blind readers tell apart).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

/// One recorded run: when, and its counts.
#[derive(Clone, Debug)]
pub struct Point {
    pub at_ms: i64,
    pub by_severity: BTreeMap<String, i64>,
    pub by_layer: BTreeMap<String, i64>,
}

/// A cluster's points, oldest first.
#[derive(Clone, Debug)]
pub struct Trend {
    pub cluster: String,
    pub points: Vec<Point>,
}

const SEVERITIES: &[&str] = &["critical", "high", "medium", "low", "info"];
const BARS: &[char] = &['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const WIDTH: usize = 60;
/// Okabe–Ito: vermillion, orange, sky blue, bluish green, yellow, blue, reddish purple, black.
const COLOURS: &[&str] = &["#D55E00", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#CC79A7", "#000000", "#999999", "#661100"];

fn date(ms: i64) -> String {
    palisade_core::policy::Date::from_unix_days(ms.div_euclid(86_400_000)).to_string()
}

/// At most `WIDTH` points: the last of each equal slice of time when there are more.
fn thinned(points: &[Point]) -> Vec<&Point> {
    if points.len() <= WIDTH {
        return points.iter().collect();
    }
    let (first, last) = (points[0].at_ms, points[points.len() - 1].at_ms);
    let span = (last - first).max(1);
    let mut out: Vec<&Point> = Vec::new();
    let mut slot = -1i64;
    for p in points {
        let s = ((p.at_ms - first) * (WIDTH as i64 - 1) / span).min(WIDTH as i64 - 1);
        if s == slot {
            out.pop();
        }
        slot = s;
        out.push(p);
    }
    out
}

/// The names that have a value anywhere, in `order` first, then the rest alphabetically.
fn names(points: &[&Point], pick: fn(&Point) -> &BTreeMap<String, i64>, order: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for p in points {
        for (k, v) in pick(p) {
            if *v > 0 && !all.contains(k) {
                all.push(k.clone());
            }
        }
    }
    all.sort_by_key(|n| (order.iter().position(|o| o == n).unwrap_or(usize::MAX), n.clone()));
    all
}

fn spark(values: &[i64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0);
    values.iter().map(|v| if max == 0 { BARS[0] } else { BARS[((*v * (BARS.len() as i64 - 1)) / max) as usize] }).collect()
}

/// The terminal chart.
pub fn terminal(trends: &[Trend], out: &mut dyn Write) -> io::Result<()> {
    if trends.iter().all(|t| t.points.is_empty()) {
        return writeln!(out, "no runs recorded in that time (record some with --record)");
    }
    for t in trends.iter().filter(|t| !t.points.is_empty()) {
        let points = thinned(&t.points);
        let (from, to) = (date(t.points[0].at_ms), date(t.points[t.points.len() - 1].at_ms));
        writeln!(out, "{} — {} runs, {from} … {to}", t.cluster, t.points.len())?;
        for (title, pick, order) in [("by severity", (|p: &Point| &p.by_severity) as fn(&Point) -> &BTreeMap<String, i64>, SEVERITIES), ("by layer", |p: &Point| &p.by_layer, palisade_core::rule::LAYERS)] {
            let rows = names(&points, pick, order);
            let label = rows.iter().map(String::len).max().unwrap_or(0).max(title.len());
            writeln!(out, "  {title:<label$}  {:<w$}  {:>5}  {:>5}  {:>5}  {:>5}", "", "first", "low", "high", "last", w = points.len())?;
            for name in &rows {
                let values: Vec<i64> = points.iter().map(|p| pick(p).get(name).copied().unwrap_or(0)).collect();
                let (min, max) = (values.iter().min().copied().unwrap_or(0), values.iter().max().copied().unwrap_or(0));
                writeln!(out, "  {name:<label$}  {}  {:>5}  {min:>5}  {max:>5}  {:>5}", spark(&values), values[0], values[values.len() - 1])?;
            }
            if rows.is_empty() {
                writeln!(out, "  (no findings)")?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The SVG chart: per cluster, one panel by severity and one by layer.
pub fn svg(trends: &[Trend]) -> String {
    let (width, panel, left, right, top) = (860.0, 240.0, 60.0, 170.0, 34.0);
    let shown: Vec<&Trend> = trends.iter().filter(|t| !t.points.is_empty()).collect();
    let height = (shown.len().max(1) * 2) as f64 * (panel + top) + 20.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" role="img"><title>Open findings over time</title><rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    let mut y0 = 10.0;
    for t in &shown {
        let (first, last) = (t.points[0].at_ms, t.points[t.points.len() - 1].at_ms);
        let span = (last - first).max(1) as f64;
        for (title, pick, order) in [("by severity", (|p: &Point| &p.by_severity) as fn(&Point) -> &BTreeMap<String, i64>, SEVERITIES), ("by layer", |p: &Point| &p.by_layer, palisade_core::rule::LAYERS)] {
            let all: Vec<&Point> = t.points.iter().collect();
            let rows = names(&all, pick, order);
            let max = t.points.iter().flat_map(|p| pick(p).values()).copied().max().unwrap_or(0).max(1) as f64;
            let (x0, y_top, plot_w, plot_h) = (left, y0 + top, width - left - right, panel - 30.0);
            let _ = write!(s, r##"<text x="{left}" y="{}" font-size="14" font-weight="bold">{} — open findings {title}</text>"##, y0 + 20.0, escape(&t.cluster));
            let _ = write!(s, r##"<rect x="{x0}" y="{y_top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>"##);
            for tick in 0..=4 {
                let v = max * f64::from(tick) / 4.0;
                let y = y_top + plot_h - plot_h * f64::from(tick) / 4.0;
                let _ = write!(s, r##"<line x1="{x0}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##, x0 + plot_w, x0 - 6.0, y + 4.0, v.round());
            }
            let _ = write!(s, r##"<text x="{x0}" y="{:.1}">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##, y_top + plot_h + 16.0, date(first), x0 + plot_w, y_top + plot_h + 16.0, date(last));
            for (i, name) in rows.iter().enumerate() {
                let colour = COLOURS[i % COLOURS.len()];
                let coords: Vec<String> = t
                    .points
                    .iter()
                    .map(|p| {
                        let x = x0 + if t.points.len() == 1 { plot_w / 2.0 } else { (p.at_ms - first) as f64 / span * plot_w };
                        let y = y_top + plot_h - pick(p).get(name).copied().unwrap_or(0) as f64 / max * plot_h;
                        format!("{x:.1},{y:.1}")
                    })
                    .collect();
                let _ = write!(s, r##"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"><title>{}</title></polyline>"##, coords.join(" "), escape(name));
                for c in &coords {
                    let (x, y) = c.split_once(',').unwrap_or(("0", "0"));
                    let _ = write!(s, r##"<circle cx="{x}" cy="{y}" r="2.5" fill="{colour}"/>"##);
                }
                let ly = y_top + 14.0 + i as f64 * 18.0;
                let last_value = pick(&t.points[t.points.len() - 1]).get(name).copied().unwrap_or(0);
                let _ = write!(s, r##"<rect x="{:.1}" y="{:.1}" width="12" height="4" fill="{colour}"/><text x="{:.1}" y="{:.1}">{} ({last_value})</text>"##, x0 + plot_w + 12.0, ly - 6.0, x0 + plot_w + 30.0, ly, escape(name));
            }
            y0 += panel + top;
        }
    }
    s.push_str("</svg>\n");
    s
}
