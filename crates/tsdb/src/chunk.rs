//! Compressed chunks of one series: delta-of-delta timestamps and either
//! Gorilla XOR floats or decimal delta-of-delta integers, whichever is smaller.
//!
//! Layout: `version:u8, mode:u8, [scale:u8, gcd:varint, base:varint]` (decimal
//! mode only), `count:varint`, then a bit stream with, per sample, the timestamp
//! (first raw, then delta-of-delta) followed by the value.

use crate::bits::{BitReader, BitWriter, read_varbits, write_varbits};
use crate::chunk_int::{IntReader, IntWriter, MAX_SCALE, from_scaled, to_decimal};
use crate::chunk_xor::{XorReader, XorWriter};
use crate::varint::{get_varint, put_varint, unzigzag, zigzag};

const FORMAT_VERSION: u8 = 1;
const MODE_XOR: u8 = 0;
const MODE_DECIMAL: u8 = 1;
/// Bucket widths of the timestamp delta-of-delta code (milliseconds).
const TS_WIDTHS: [u32; 4] = [7, 14, 24, 64];

/// Why a chunk could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkError {
    /// The header is missing or names an unknown version or mode.
    #[error("bad chunk header: {0}")]
    Header(&'static str),
    /// The bit stream ended before all announced samples were read.
    #[error("chunk truncated after {0} samples")]
    Truncated(u64),
}

/// Collects the samples of one series and compresses them on [`finish`](Self::finish).
#[derive(Debug, Default, Clone)]
pub struct ChunkEncoder {
    ts: Vec<i64>,
    values: Vec<f64>,
}

impl ChunkEncoder {
    /// An empty encoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append one sample. Timestamps need not be increasing.
    pub fn push(&mut self, ts_ms: i64, value: f64) {
        self.ts.push(ts_ms);
        self.values.push(value);
    }

    /// Number of samples pushed so far.
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// Whether no sample was pushed.
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// Compress the samples, trying both value codings and keeping the smaller.
    pub fn finish(&self) -> Vec<u8> {
        let xor = self.encode_xor();
        match to_decimal(&self.values) {
            Some(dec) => {
                let mut out = vec![FORMAT_VERSION, MODE_DECIMAL, dec.scale];
                put_varint(&mut out, dec.gcd);
                put_varint(&mut out, zigzag(dec.base));
                put_varint(&mut out, self.ts.len() as u64);
                let mut w = BitWriter::new();
                let mut ints = IntWriter::default();
                self.write_ts(&mut w, |w, i| ints.write(w, dec.steps[i]));
                out.extend(w.into_bytes());
                if out.len() < xor.len() { out } else { xor }
            }
            None => xor,
        }
    }

    fn encode_xor(&self) -> Vec<u8> {
        let mut out = vec![FORMAT_VERSION, MODE_XOR];
        put_varint(&mut out, self.ts.len() as u64);
        let mut w = BitWriter::new();
        let mut xor = XorWriter::default();
        self.write_ts(&mut w, |w, i| xor.write(w, self.values[i]));
        out.extend(w.into_bytes());
        out
    }

    fn write_ts(&self, w: &mut BitWriter, mut value: impl FnMut(&mut BitWriter, usize)) {
        let (mut prev, mut prev_delta) = (0i64, 0i64);
        for (i, &t) in self.ts.iter().enumerate() {
            if i == 0 {
                w.write_bits(t as u64, 64);
            } else {
                let delta = t.wrapping_sub(prev);
                write_varbits(w, delta.wrapping_sub(prev_delta), &TS_WIDTHS);
                prev_delta = delta;
            }
            prev = t;
            value(w, i);
        }
    }
}

#[derive(Debug)]
enum Values {
    Xor(XorReader),
    Decimal {
        scale: u8,
        gcd: i64,
        base: i64,
        ints: IntReader,
    },
}

/// Iterator over the samples of a chunk, from [`decode`].
#[derive(Debug)]
pub struct ChunkIter<'a> {
    bits: BitReader<'a>,
    remaining: u64,
    read: u64,
    prev_ts: i64,
    prev_delta: i64,
    values: Values,
}

/// Parse a chunk header and iterate over its samples.
pub fn decode(bytes: &[u8]) -> Result<ChunkIter<'_>, ChunkError> {
    let mut pos = 0usize;
    let mut byte = |what| {
        let b = *bytes.get(pos).ok_or(ChunkError::Header(what))?;
        pos += 1;
        Ok::<u8, ChunkError>(b)
    };
    if byte("empty")? != FORMAT_VERSION {
        return Err(ChunkError::Header("unknown version"));
    }
    let values = match byte("no mode")? {
        MODE_XOR => Values::Xor(XorReader::default()),
        MODE_DECIMAL => {
            let scale = byte("no scale")?;
            if scale > MAX_SCALE {
                return Err(ChunkError::Header("bad scale"));
            }
            let gcd = get_varint(bytes, &mut pos)?;
            let gcd = i64::try_from(gcd).map_err(|_| ChunkError::Header("bad gcd"))?;
            let base = unzigzag(get_varint(bytes, &mut pos)?);
            Values::Decimal {
                scale,
                gcd,
                base,
                ints: IntReader::default(),
            }
        }
        _ => return Err(ChunkError::Header("unknown mode")),
    };
    let count = get_varint(bytes, &mut pos)?;
    Ok(ChunkIter {
        bits: BitReader::new(&bytes[pos..]),
        remaining: count,
        read: 0,
        prev_ts: 0,
        prev_delta: 0,
        values,
    })
}

/// Decode a whole chunk into a vector.
pub fn decode_all(bytes: &[u8]) -> Result<Vec<(i64, f64)>, ChunkError> {
    decode(bytes)?.collect()
}

impl ChunkIter<'_> {
    fn next_sample(&mut self) -> Option<(i64, f64)> {
        let ts = if self.read == 0 {
            self.bits.read_bits(64)? as i64
        } else {
            let dod = read_varbits(&mut self.bits, &TS_WIDTHS)?;
            self.prev_delta = self.prev_delta.wrapping_add(dod);
            self.prev_ts.wrapping_add(self.prev_delta)
        };
        self.prev_ts = ts;
        let v = match &mut self.values {
            Values::Xor(x) => x.read(&mut self.bits)?,
            Values::Decimal {
                scale,
                gcd,
                base,
                ints,
            } => {
                let step = ints.read(&mut self.bits)?;
                from_scaled(base.wrapping_add(step.wrapping_mul(*gcd)), *scale)
            }
        };
        Some((ts, v))
    }
}

impl Iterator for ChunkIter<'_> {
    type Item = Result<(i64, f64), ChunkError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        match self.next_sample() {
            Some(s) => {
                self.remaining -= 1;
                self.read += 1;
                Some(Ok(s))
            }
            None => {
                self.remaining = 0;
                Some(Err(ChunkError::Truncated(self.read)))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, usize::try_from(self.remaining).ok())
    }
}
