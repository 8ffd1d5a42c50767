//! Line charts drawn as SVG on the server (no JavaScript): one polyline per series, the value
//! range on the left, the time range below.
use std::fmt::Write;

const W: f64 = 720.0;
const H: f64 = 180.0;
const LEFT: f64 = 64.0;
const BOTTOM: f64 = 20.0;
const COLORS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A compact number: 1.2k, 3.4M, 0.25.
pub fn human(v: f64) -> String {
    let a = v.abs();
    let (d, suffix) = if a >= 1e12 {
        (v / 1e12, "T")
    } else if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let s = format!("{d:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}{suffix}")
}

/// Render `series` (label, points) over `[from, to]` with a title. Times are UTC labels.
pub fn svg(title: &str, series: &[(String, Vec<(i64, f64)>)], from: i64, to: i64) -> String {
    let vals = series
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.1))
        .filter(|v| v.is_finite());
    let (mut lo, mut hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    lo = lo.min(0.0);
    if hi <= lo {
        hi = lo + 1.0;
    }
    let span_t = (to - from).max(1) as f64;
    let x = |t: i64| LEFT + (t - from) as f64 / span_t * (W - LEFT - 8.0);
    let y = |v: f64| 8.0 + (1.0 - (v - lo) / (hi - lo)) * (H - BOTTOM - 16.0);
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {}" role="img" aria-label="{}"><title>{}</title>"##,
        H + 14.0 * series.len().min(8) as f64,
        esc(title),
        esc(title)
    );
    let _ = write!(
        out,
        r##"<rect x="{LEFT}" y="8" width="{}" height="{}" fill="none" stroke="#ccc"/>"##,
        W - LEFT - 8.0,
        H - BOTTOM - 16.0
    );
    let fmt_t = |t: i64| {
        chrono::DateTime::from_timestamp_millis(t)
            .map(|d| d.format("%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let _ = write!(
        out,
        r##"<text x="{}" y="16" font-size="11" text-anchor="end">{}</text><text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>"##,
        LEFT - 4.0,
        human(hi),
        LEFT - 4.0,
        H - BOTTOM - 8.0,
        human(lo)
    );
    let _ = write!(
        out,
        r##"<text x="{LEFT}" y="{}" font-size="11">{} UTC</text><text x="{}" y="{}" font-size="11" text-anchor="end">{} UTC</text>"##,
        H - 4.0,
        fmt_t(from),
        W - 8.0,
        H - 4.0,
        fmt_t(to)
    );
    for (i, (label, pts)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let mut path = String::new();
        for &(t, v) in pts.iter().filter(|p| p.1.is_finite()) {
            let _ = write!(path, "{:.1},{:.1} ", x(t), y(v));
        }
        let _ = write!(
            out,
            r##"<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{}"/>"##,
            path.trim_end()
        );
        if i < 8 {
            let ly = H + 10.0 + 14.0 * i as f64;
            let _ = write!(
                out,
                r##"<rect x="{LEFT}" y="{}" width="10" height="3" fill="{color}"/><text x="{}" y="{ly}" font-size="11">{}</text>"##,
                ly - 4.0,
                LEFT + 14.0,
                esc(label)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_escaped_lines() {
        let s = svg(
            "cpu <busy>",
            &[("a&b".into(), vec![(0, 1.0), (10, 3.0)])],
            0,
            10,
        );
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(s.contains("cpu &lt;busy&gt;") && s.contains("a&amp;b"));
        assert!(s.contains("<polyline"));
        assert_eq!(human(12_345.0), "12.35k");
        assert_eq!(human(0.5), "0.5");
    }
}
