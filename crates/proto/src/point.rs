//! A single sample, serialized compactly as a `[ts_ms, value]` pair.
//!
//! JSON has no NaN or infinities, so non-finite values are written as the
//! strings `"NaN"`, `"+Inf"` and `"-Inf"` (as Prometheus' text format does).

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One sample: Unix milliseconds and a float value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Timestamp, Unix milliseconds.
    pub ts_ms: i64,
    /// Sample value; may be NaN or infinite.
    pub value: f64,
}

impl Serialize for Point {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(&self.ts_ms)?;
        if self.value.is_finite() {
            t.serialize_element(&self.value)?;
        } else if self.value.is_nan() {
            t.serialize_element("NaN")?;
        } else if self.value > 0.0 {
            t.serialize_element("+Inf")?;
        } else {
            t.serialize_element("-Inf")?;
        }
        t.end()
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawValue {
    Num(f64),
    Text(String),
}

struct PointVisitor;

impl<'de> Visitor<'de> for PointVisitor {
    type Value = Point;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a [ts_ms, value] pair")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Point, A::Error> {
        let ts_ms: i64 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let raw: RawValue = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        let value = match raw {
            RawValue::Num(v) => v,
            RawValue::Text(t) => match t.as_str() {
                "NaN" => f64::NAN,
                "+Inf" | "Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                other => return Err(de::Error::custom(format!("bad sample value {other:?}"))),
            },
        };
        Ok(Point { ts_ms, value })
    }
}

impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_tuple(2, PointVisitor)
    }
}
