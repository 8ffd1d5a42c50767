//! The metric model (families of labelled samples) and its rendering in the
//! Prometheus text exposition format, plus conversion to `proto` series.

use std::collections::BTreeMap;
use std::fmt::Write;

use onestop_proto::{Point, Series};

/// Prometheus metric type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Monotonic counter; names end in `_total`.
    Counter,
    /// Value that goes up and down.
    Gauge,
    /// Type unknown (node_exporter exports `/proc/vmstat` this way).
    Untyped,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Untyped => "untyped",
        }
    }
}

/// One metric family: name, help, type and its samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// Help text.
    pub help: String,
    /// Type.
    pub kind: Kind,
    /// Samples: label pairs (in insertion order) and value.
    pub samples: Vec<(Vec<(String, String)>, f64)>,
}

/// A set of metric families keyed by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    families: BTreeMap<String, Family>,
}

impl Metrics {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a sample; the family is created with `help` and `kind` on first use.
    pub fn add(&mut self, name: &str, help: &str, kind: Kind, labels: &[(&str, &str)], value: f64) {
        let fam = self
            .families
            .entry(name.to_string())
            .or_insert_with(|| Family {
                help: help.to_string(),
                kind,
                samples: Vec::new(),
            });
        let labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        fam.samples.push((labels, value));
    }

    /// Shorthand for a gauge.
    pub fn gauge(&mut self, name: &str, help: &str, labels: &[(&str, &str)], value: f64) {
        self.add(name, help, Kind::Gauge, labels, value);
    }

    /// Shorthand for a counter.
    pub fn counter(&mut self, name: &str, help: &str, labels: &[(&str, &str)], value: f64) {
        self.add(name, help, Kind::Counter, labels, value);
    }

    /// Move every family of `other` into `self`.
    pub fn merge(&mut self, other: Metrics) {
        for (name, fam) in other.families {
            match self.families.get_mut(&name) {
                Some(f) => f.samples.extend(fam.samples),
                None => {
                    self.families.insert(name, fam);
                }
            }
        }
    }

    /// The family called `name`.
    pub fn get(&self, name: &str) -> Option<&Family> {
        self.families.get(name)
    }

    /// Families in name order.
    pub fn families(&self) -> impl Iterator<Item = (&String, &Family)> {
        self.families.iter()
    }

    /// Render in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(64 * 1024);
        for (name, fam) in &self.families {
            let help = fam.help.replace('\\', "\\\\").replace('\n', "\\n");
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {}", fam.kind.as_str());
            for (labels, value) in &fam.samples {
                out.push_str(name);
                if !labels.is_empty() {
                    out.push('{');
                    for (i, (k, v)) in labels.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        let _ = write!(out, "{k}=\"{}\"", escape_label(v));
                    }
                    out.push('}');
                }
                let _ = writeln!(out, " {}", format_value(*value));
            }
        }
        out
    }

    /// Convert to wire series, one point each at `ts_ms`.
    pub fn to_series(&self, ts_ms: i64) -> Vec<Series> {
        let mut out = Vec::new();
        for (name, fam) in &self.families {
            for (labels, value) in &fam.samples {
                let labels = labels.iter().cloned().collect();
                let mut s = Series::new(name.clone(), labels);
                s.points.push(Point {
                    ts_ms,
                    value: *value,
                });
                out.push(s);
            }
        }
        out
    }
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v}")
    }
}
