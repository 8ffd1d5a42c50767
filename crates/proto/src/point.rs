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

/// A sample value: a JSON number, or one of the strings for the non-finite values. Read by
/// a visitor of its own rather than an untagged enum, which would buffer every value before
/// trying each shape (the ingest path reads millions of them per second).
struct Value(f64);

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, \"NaN\", \"+Inf\" or \"-Inf\"")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value(v as f64))
    }

    fn visit_str<E: de::Error>(self, t: &str) -> Result<Value, E> {
        match t {
            "NaN" => Ok(Value(f64::NAN)),
            "+Inf" | "Inf" => Ok(Value(f64::INFINITY)),
            "-Inf" => Ok(Value(f64::NEG_INFINITY)),
            other => Err(E::custom(format!("bad sample value {other:?}"))),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
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
        let Value(value) = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        Ok(Point { ts_ms, value })
    }
}

impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_tuple(2, PointVisitor)
    }
}
