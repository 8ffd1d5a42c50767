//! A parser for the Prometheus text exposition format (version 0.0.4, also what
//! `onestop-agent --listen` and node_exporter serve): `# HELP`/`# TYPE`/comments skipped,
//! samples `name{label="value",…} value [timestamp_ms]` with the format's escapes (`\\`,
//! `\"`, `\n`) and special values (`NaN`, `+Inf`, `-Inf`), and the quoted-name form
//! `{"name", label="v"}`. A malformed line fails the whole scrape, as in Prometheus.
//! (The crates we looked at either regroup histograms, losing the series names, or are
//! unmaintained; this is small and tested.)
use std::collections::BTreeMap;

/// One exposed sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
    /// The exposition's own timestamp (ms), when given.
    pub ts_ms: Option<i64>,
}

/// Parse a whole exposition; an error names the line.
pub fn parse(text: &str) -> Result<Vec<Sample>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push(parse_line(line).map_err(|e| format!("line {}: {e}", n + 1))?);
    }
    Ok(out)
}

fn is_name_char(c: char, first: bool) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':' || (!first && c.is_ascii_digit())
}

fn parse_line(line: &str) -> Result<Sample, String> {
    let end = line
        .char_indices()
        .find(|&(i, c)| !is_name_char(c, i == 0))
        .map_or(line.len(), |(i, _)| i);
    let mut name = line[..end].to_string();
    let mut rest = &line[end..];
    let mut labels = BTreeMap::new();
    if let Some(r) = rest.strip_prefix('{') {
        rest = parse_labels(r, &mut name, &mut labels)?;
    }
    if name.is_empty() {
        return Err("missing metric name".into());
    }
    let mut fields = rest.split_ascii_whitespace();
    let value = parse_value(fields.next().ok_or("missing value")?)?;
    let ts_ms = match fields.next() {
        None => None,
        Some(t) => Some(
            t.parse::<i64>()
                .map_err(|_| format!("bad timestamp `{t}`"))?,
        ),
    };
    if fields.next().is_some() {
        return Err("text after the timestamp".into());
    }
    Ok(Sample {
        name,
        labels,
        value,
        ts_ms,
    })
}

/// Labels after `{`; returns the text after `}`. A quoted item without `=` is the name.
fn parse_labels<'a>(
    mut s: &'a str,
    name: &mut String,
    labels: &mut BTreeMap<String, String>,
) -> Result<&'a str, String> {
    loop {
        s = s.trim_start();
        if let Some(r) = s.strip_prefix('}') {
            return Ok(r);
        }
        let key;
        if s.starts_with('"') {
            let (k, r) = quoted(s)?;
            let r2 = r.trim_start();
            if name.is_empty() && !r2.starts_with('=') {
                *name = k;
                s = r2.strip_prefix(',').unwrap_or(r2);
                continue;
            }
            (key, s) = (k, r2);
        } else {
            let end = s
                .char_indices()
                .find(|&(i, c)| {
                    !(c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit()))
                })
                .map_or(s.len(), |(i, _)| i);
            if end == 0 {
                return Err("bad label name".into());
            }
            (key, s) = (s[..end].to_string(), &s[end..]);
        }
        s = s
            .trim_start()
            .strip_prefix('=')
            .ok_or("expected `=` after a label name")?;
        let (value, r) = quoted(s.trim_start())?;
        if labels.insert(key.clone(), value).is_some() {
            return Err(format!("label `{key}` repeated"));
        }
        s = r.trim_start();
        if let Some(r) = s.strip_prefix(',') {
            s = r;
        } else if !s.starts_with('}') {
            return Err("expected `,` or `}` after a label".into());
        }
    }
}

/// A `"…"` string with the format's escapes; returns it and the text after it.
fn quoted(s: &str) -> Result<(String, &str), String> {
    let body = s.strip_prefix('"').ok_or("expected `\"`")?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &body[i + 1..])),
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, '\\')) => out.push('\\'),
                Some((_, '"')) => out.push('"'),
                Some((_, o)) => {
                    out.push('\\');
                    out.push(o);
                }
                None => break,
            },
            c => out.push(c),
        }
    }
    Err("unterminated string".into())
}

fn parse_value(v: &str) -> Result<f64, String> {
    match v {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => v.parse::<f64>().map_err(|_| format!("bad value `{v}`")),
    }
}
