//! Bit-granular writer and reader (most significant bit first), plus the
//! variable-width signed integer code used by chunks.

/// Appends bits to a byte vector, most significant bit first.
#[derive(Debug, Default, Clone)]
pub struct BitWriter {
    buf: Vec<u8>,
    /// Number of bits used in the last byte (0 means the last byte is full or absent).
    used: u32,
}

impl BitWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append one bit.
    pub fn write_bit(&mut self, bit: bool) {
        self.write_bits(u64::from(bit), 1);
    }

    /// Append the low `n` bits of `value` (`n` ≤ 64), high bit first.
    pub fn write_bits(&mut self, value: u64, n: u32) {
        debug_assert!(n <= 64);
        let mut left = n;
        while left > 0 {
            if self.used == 0 {
                self.buf.push(0);
            }
            let free = 8 - self.used;
            let take = free.min(left);
            let shift = left - take;
            let chunk = ((value >> shift) & ((1u64 << take) - 1)) as u8;
            let last = self.buf.len() - 1;
            self.buf[last] |= chunk << (free - take);
            self.used = (self.used + take) % 8;
            left -= take;
        }
    }

    /// Total number of bits written.
    pub fn bit_len(&self) -> u64 {
        let full = self.buf.len() as u64 * 8;
        if self.used == 0 {
            full
        } else {
            full - u64::from(8 - self.used)
        }
    }

    /// The written bytes; the last byte is zero-padded.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads bits from a byte slice, most significant bit first.
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    data: &'a [u8],
    pos: u64,
}

impl<'a> BitReader<'a> {
    /// A reader at the first bit of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Read one bit, or `None` at the end of the data.
    pub fn read_bit(&mut self) -> Option<bool> {
        self.read_bits(1).map(|b| b == 1)
    }

    /// Read `n` bits (≤ 64) as the low bits of a `u64`, or `None` if fewer remain.
    pub fn read_bits(&mut self, n: u32) -> Option<u64> {
        debug_assert!(n <= 64);
        if self.pos + u64::from(n) > self.data.len() as u64 * 8 {
            return None;
        }
        let mut out = 0u64;
        let mut left = n;
        while left > 0 {
            let byte = self.data[(self.pos / 8) as usize];
            let offset = (self.pos % 8) as u32;
            let avail = 8 - offset;
            let take = avail.min(left);
            let bits = (u64::from(byte) >> (avail - take)) & ((1u64 << take) - 1);
            out = if take == 64 {
                bits
            } else {
                (out << take) | bits
            };
            self.pos += u64::from(take);
            left -= take;
        }
        Some(out)
    }
}

/// Write a signed value with a prefix code over `widths`: `0` means zero;
/// `1`×i then `0` selects `widths[i]` bits for i < last; `1`×len selects the
/// last width, which must be 64 so that every value fits.
pub fn write_varbits(w: &mut BitWriter, v: i64, widths: &[u32]) {
    if v == 0 {
        w.write_bit(false);
        return;
    }
    let last = widths.len() - 1;
    for (i, &width) in widths.iter().enumerate() {
        let fits = width >= 64 || (v >= -(1i64 << (width - 1)) && v < (1i64 << (width - 1)));
        if fits || i == last {
            w.write_bits((1u64 << (i + 1)) - 1, i as u32 + 1);
            if i != last {
                w.write_bit(false);
            }
            let mask = if width >= 64 {
                u64::MAX
            } else {
                (1u64 << width) - 1
            };
            w.write_bits(v as u64 & mask, width);
            return;
        }
    }
}

/// Read a value written by [`write_varbits`] with the same `widths`.
pub fn read_varbits(r: &mut BitReader<'_>, widths: &[u32]) -> Option<i64> {
    if !r.read_bit()? {
        return Some(0);
    }
    let mut idx = 0;
    while idx + 1 < widths.len() && r.read_bit()? {
        idx += 1;
    }
    let width = widths[idx];
    let raw = r.read_bits(width)?;
    if width >= 64 {
        return Some(raw as i64);
    }
    let shift = 64 - width;
    Some(((raw << shift) as i64) >> shift)
}
