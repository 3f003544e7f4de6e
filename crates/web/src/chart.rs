//! A line chart drawn as SVG on the server (no JavaScript): the statistics page's views and
//! sign-ups per day. Pure: values in, markup out.
//!
//! The chart carries `role="img"` with a `<title>` and `<desc>` (read by screen readers), axis
//! labels, a tick per day, and the maximum on the value axis. Each point has a `<title>` tooltip
//! and `data-day` / `data-count` attributes, so what is drawn can be checked against the data.

use std::fmt::Write;

/// Drawing size in SVG units; the page scales it to the width available.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
/// Room for the value labels (left) and the day labels (bottom).
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 36.0;
/// A day label every this many days (and on the last day), so labels never overlap.
const LABEL_EVERY: usize = 5;

/// One point: the day (`YYYY-MM-DD`) and its value.
pub struct Point<'a> {
    pub day: &'a str,
    pub value: i64,
}

/// What the chart is about, for its accessible title and description.
pub struct Labels<'a> {
    /// E.g. "近 30 天每日阅读量".
    pub title: &'a str,
    /// The unit of the value axis, e.g. "阅读".
    pub unit: &'a str,
    /// An id prefix unique on the page (two charts on one page must not share ids).
    pub id: &'a str,
}

/// The chart as an `<svg>` element.
pub fn line_chart(labels: &Labels<'_>, points: &[Point<'_>]) -> String {
    let max = points.iter().map(|p| p.value).max().unwrap_or(0).max(0);
    let total: i64 = points.iter().map(|p| p.value.max(0)).sum();
    // The axis top: the maximum, or 1 on an all-zero chart so the line lies on the floor.
    let top = max.max(1) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let step = if points.len() > 1 {
        plot_w / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| LEFT + step * i as f64;
    let y = |v: i64| TOP + plot_h - (v.max(0) as f64 / top) * plot_h;

    let first = points.first().map_or("", |p| p.day);
    let last = points.last().map_or("", |p| p.day);
    let id = escape(labels.id);
    let mut svg = String::with_capacity(4096 + points.len() * 200);
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">"#
    );
    let _ = write!(
        svg,
        r#"<title id="{id}-title">{}</title><desc id="{id}-desc">{first} 至 {last}，共 {} 天，合计 {total} {unit}，单日最多 {max} {unit}。</desc>"#,
        escape(labels.title),
        points.len(),
        unit = escape(labels.unit),
    );
    // Axes, the maximum and zero on the value axis, and a mid line.
    let floor = TOP + plot_h;
    let _ = write!(
        svg,
        r#"<g class="axis"><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{floor}"/><line x1="{LEFT}" y1="{floor}" x2="{r}" y2="{floor}"/></g>"#,
        r = WIDTH - RIGHT
    );
    let _ = write!(
        svg,
        r#"<g class="grid"><line x1="{LEFT}" y1="{TOP}" x2="{r}" y2="{TOP}"/><line x1="{LEFT}" y1="{mid:.1}" x2="{r}" y2="{mid:.1}"/></g>"#,
        r = WIDTH - RIGHT,
        mid = TOP + plot_h / 2.0
    );
    let _ = write!(
        svg,
        r#"<g class="labels"><text class="max" x="{lx}" y="{ty:.1}" text-anchor="end">{max} {unit}</text><text x="{lx}" y="{floor:.1}" text-anchor="end">0</text>"#,
        lx = LEFT - 6.0,
        ty = TOP + 4.0,
        unit = escape(labels.unit),
    );
    // A tick per day; a label every few days and on the last.
    for (i, point) in points.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<line class="tick" x1="{px:.1}" y1="{floor}" x2="{px:.1}" y2="{t2}"/>"#,
            px = x(i),
            t2 = floor + 4.0
        );
        if i % LABEL_EVERY == 0 || i + 1 == points.len() {
            let _ = write!(
                svg,
                r#"<text class="day" x="{px:.1}" y="{ly}" text-anchor="middle">{}</text>"#,
                escape(short_day(point.day)),
                px = x(i),
                ly = floor + 17.0
            );
        }
    }
    svg.push_str("</g>");
    // The line, then the points on it.
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.value)))
        .collect();
    let _ = write!(
        svg,
        r#"<polyline class="line" fill="none" points="{}"/>"#,
        path.join(" ")
    );
    svg.push_str(r#"<g class="points">"#);
    for (i, point) in points.iter().enumerate() {
        let day = escape(point.day);
        let _ = write!(
            svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="3" data-day="{day}" data-count="{v}"><title>{day}：{v} {unit}</title></circle>"#,
            x(i),
            y(point.value),
            v = point.value,
            unit = escape(labels.unit),
        );
    }
    svg.push_str("</g></svg>");
    svg
}

/// `2026-06-01` → `06-01`: the year is in the description.
fn short_day(day: &str) -> &str {
    day.get(5..).filter(|_| day.len() == 10).unwrap_or(day)
}

/// Text and attribute values, escaped for XML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Labels<'static> {
        Labels {
            title: "近 30 天每日阅读量",
            unit: "次",
            id: "views",
        }
    }

    fn days(values: &[i64]) -> Vec<(String, i64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("2026-06-{:02}", i + 1), *v))
            .collect()
    }

    fn chart(values: &[i64]) -> String {
        let data = days(values);
        let points: Vec<Point<'_>> = data
            .iter()
            .map(|(d, v)| Point { day: d, value: *v })
            .collect();
        line_chart(&labels(), &points)
    }

    /// The y coordinate of each drawn point, in order.
    fn ys(svg: &str) -> Vec<f64> {
        svg.split("<circle ")
            .skip(1)
            .map(|c| {
                let start = c.find("cy=\"").unwrap() + 4;
                let end = c[start..].find('"').unwrap() + start;
                c[start..end].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn points_carry_their_values_and_the_highest_touches_the_top() {
        let svg = chart(&[0, 5, 10, 5]);
        assert!(
            svg.contains(r#"data-day="2026-06-03" data-count="10""#),
            "{svg}"
        );
        let ys = ys(&svg);
        assert_eq!(ys.len(), 4);
        assert_eq!(ys[2], TOP, "the maximum is at the top");
        assert_eq!(ys[0], HEIGHT - BOTTOM, "zero is on the floor");
        assert!((ys[1] - ys[3]).abs() < 1e-9 && ys[1] > ys[2] && ys[1] < ys[0]);
        assert!(
            svg.contains(r#"<text class="max" x="58" y="18.0" text-anchor="end">10 次</text>"#),
            "the maximum, with its unit, on the value axis"
        );
    }

    #[test]
    fn the_chart_is_described_for_screen_readers() {
        let svg = chart(&[1, 2, 3]);
        assert!(svg.contains(r#"role="img" aria-labelledby="views-title views-desc""#));
        assert!(svg.contains(r#"<title id="views-title">近 30 天每日阅读量</title>"#));
        assert!(svg.contains("2026-06-01 至 2026-06-03，共 3 天，合计 6 次，单日最多 3 次。"));
    }

    #[test]
    fn every_day_has_a_tick_and_labels_do_not_crowd() {
        let svg = chart(&[1; 30]);
        assert_eq!(svg.matches(r#"class="tick""#).count(), 30);
        // Days 1, 6, 11, 16, 21, 26 and the last, 30.
        assert_eq!(svg.matches(r#"class="day""#).count(), 7);
        assert!(svg.contains(">06-01<") && svg.contains(">06-30<"));
    }

    #[test]
    fn empty_and_all_zero_charts_still_draw() {
        let svg = line_chart(&labels(), &[]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        let zeros = chart(&[0, 0, 0]);
        assert!(ys(&zeros).iter().all(|y| *y == HEIGHT - BOTTOM));
        assert!(zeros.contains("单日最多 0 次"));
    }

    #[test]
    fn text_is_escaped() {
        let points = [Point {
            day: "2026-06-01",
            value: 1,
        }];
        let svg = line_chart(
            &Labels {
                title: "<script>&",
                unit: "\"次\"",
                id: "a\"b",
            },
            &points,
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;&amp;") && svg.contains("&quot;次&quot;"));
        assert!(svg.contains(r#"id="a&quot;b-title""#));
    }
}
