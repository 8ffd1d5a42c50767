//! Gorilla-style XOR float coding: each value is XORed with the previous one
//! and only the meaningful (non-zero) middle bits are written.

use crate::bits::{BitReader, BitWriter};

/// Encoder state for one value column.
#[derive(Debug, Default)]
pub(crate) struct XorWriter {
    prev: Option<u64>,
    lead: u32,
    trail: u32,
}

impl XorWriter {
    pub(crate) fn write(&mut self, w: &mut BitWriter, v: f64) {
        let bits = v.to_bits();
        let Some(prev) = self.prev else {
            w.write_bits(bits, 64);
            self.prev = Some(bits);
            self.lead = u32::MAX;
            return;
        };
        self.prev = Some(bits);
        let x = prev ^ bits;
        if x == 0 {
            w.write_bit(false);
            return;
        }
        w.write_bit(true);
        let lead = x.leading_zeros();
        let trail = x.trailing_zeros();
        if self.lead != u32::MAX && lead >= self.lead && trail >= self.trail {
            w.write_bit(false);
            let len = 64 - self.lead - self.trail;
            w.write_bits(x >> self.trail, len);
        } else {
            w.write_bit(true);
            let len = 64 - lead - trail;
            w.write_bits(u64::from(lead), 6);
            w.write_bits(u64::from(len - 1), 6);
            w.write_bits(x >> trail, len);
            self.lead = lead;
            self.trail = trail;
        }
    }
}

/// Decoder state mirroring [`XorWriter`].
#[derive(Debug, Default)]
pub(crate) struct XorReader {
    prev: Option<u64>,
    lead: u32,
    trail: u32,
    has_window: bool,
}

impl XorReader {
    pub(crate) fn read(&mut self, r: &mut BitReader<'_>) -> Option<f64> {
        let Some(prev) = self.prev else {
            let bits = r.read_bits(64)?;
            self.prev = Some(bits);
            return Some(f64::from_bits(bits));
        };
        if !r.read_bit()? {
            return Some(f64::from_bits(prev));
        }
        if r.read_bit()? {
            let lead = r.read_bits(6)? as u32;
            let len = r.read_bits(6)? as u32 + 1;
            if lead + len > 64 {
                return None;
            }
            self.lead = lead;
            self.trail = 64 - lead - len;
            self.has_window = true;
        } else if !self.has_window {
            // A window reuse before any window was set: corrupt input.
            return None;
        }
        let len = 64 - self.lead - self.trail;
        let x = r.read_bits(len)? << self.trail;
        let bits = prev ^ x;
        self.prev = Some(bits);
        Some(f64::from_bits(bits))
    }
}
