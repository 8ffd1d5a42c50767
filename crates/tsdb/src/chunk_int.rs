//! Decimal integer coding: when every value of a chunk is exactly
//! `n / 10^scale` for integers `n` (byte counters, tick counters divided by
//! 100, …) the values are stored as delta-of-delta integers, further divided
//! by the greatest common divisor of their offsets from the first value.

use crate::bits::{BitReader, BitWriter, read_varbits, write_varbits};

/// Largest decimal scale tried.
pub(crate) const MAX_SCALE: u8 = 6;
const POW10: [f64; MAX_SCALE as usize + 1] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];
/// Bucket widths of the value delta-of-delta code.
const VAL_WIDTHS: [u32; 5] = [4, 8, 16, 32, 64];

/// Values of a chunk in decimal integer form.
#[derive(Debug)]
pub(crate) struct Decimal {
    pub(crate) scale: u8,
    pub(crate) gcd: u64,
    pub(crate) base: i64,
    /// `(n_i - base) / gcd`, one per value.
    pub(crate) steps: Vec<i64>,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Convert `v` to `n / 10^scale` exactly (bit for bit when decoded), if possible.
pub(crate) fn to_scaled(v: f64, scale: u8) -> Option<i64> {
    let p = POW10[scale as usize];
    let scaled = (v * p).round();
    if !scaled.is_finite() || scaled.abs() >= 9.0e15 {
        return None;
    }
    let n = scaled as i64;
    (from_scaled(n, scale).to_bits() == v.to_bits()).then_some(n)
}

/// The float a scaled integer stands for.
pub(crate) fn from_scaled(n: i64, scale: u8) -> f64 {
    n as f64 / POW10[scale as usize]
}

/// Find the smallest scale at which every value is an exact decimal.
pub(crate) fn to_decimal(values: &[f64]) -> Option<Decimal> {
    let first = *values.first()?;
    (0..=MAX_SCALE).find_map(|scale| {
        let base = to_scaled(first, scale)?;
        let ns: Option<Vec<i64>> = values.iter().map(|&v| to_scaled(v, scale)).collect();
        let ns = ns?;
        let g = ns
            .iter()
            .fold(0u64, |g, &n| gcd(g, (n - base).unsigned_abs()))
            .max(1);
        let steps = ns.iter().map(|&n| (n - base) / g as i64).collect();
        Some(Decimal {
            scale,
            gcd: g,
            base,
            steps,
        })
    })
}

/// Delta-of-delta writer for integer steps.
#[derive(Debug, Default)]
pub(crate) struct IntWriter {
    prev: i64,
    prev_delta: i64,
}

impl IntWriter {
    pub(crate) fn write(&mut self, w: &mut BitWriter, step: i64) {
        let delta = step.wrapping_sub(self.prev);
        write_varbits(w, delta.wrapping_sub(self.prev_delta), &VAL_WIDTHS);
        self.prev = step;
        self.prev_delta = delta;
    }
}

/// Reader mirroring [`IntWriter`].
#[derive(Debug, Default)]
pub(crate) struct IntReader {
    prev: i64,
    prev_delta: i64,
}

impl IntReader {
    pub(crate) fn read(&mut self, r: &mut BitReader<'_>) -> Option<i64> {
        let dod = read_varbits(r, &VAL_WIDTHS)?;
        self.prev_delta = self.prev_delta.wrapping_add(dod);
        self.prev = self.prev.wrapping_add(self.prev_delta);
        Some(self.prev)
    }
}
