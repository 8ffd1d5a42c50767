//! Segment files: a sequence of framed records.
//!
//! Record frame (little endian): `len:u32` (payload bytes), `crc:u32` (CRC-32
//! of seq, ts and payload), `seq:u64`, `ts_ms:i64`, payload. A torn or corrupt
//! frame ends the readable part of a segment.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Bytes of a frame before the payload.
pub(crate) const FRAME_HEADER: u64 = 24;

/// One spooled batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Sequence number, assigned on append.
    pub seq: u64,
    /// When the data was collected, Unix milliseconds.
    pub ts_ms: i64,
    /// Opaque payload.
    pub payload: Vec<u8>,
}

fn crc(seq: u64, ts_ms: i64, payload: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(&seq.to_le_bytes());
    c.update(&ts_ms.to_le_bytes());
    c.update(payload);
    c.sum()
}

/// Frame a record.
pub(crate) fn encode(seq: u64, ts_ms: i64, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FRAME_HEADER as usize + payload.len());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc(seq, ts_ms, payload).to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&ts_ms.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// What is known about a segment without keeping its payloads in memory.
#[derive(Debug, Clone)]
pub(crate) struct SegmentMeta {
    pub path: PathBuf,
    /// `(seq, byte offset)` of each readable record.
    pub index: Vec<(u64, u64)>,
    /// Bytes of readable records.
    pub bytes: u64,
    /// Newest record timestamp.
    pub newest_ts: i64,
}

impl SegmentMeta {
    pub fn last_seq(&self) -> Option<u64> {
        self.index.last().map(|&(s, _)| s)
    }
}

/// Result of scanning a segment file.
pub(crate) struct Scan {
    pub meta: SegmentMeta,
    /// File length beyond the readable records (a torn or corrupt tail).
    pub garbage: u64,
    /// Sequence number named by the frame header of a torn or corrupt tail,
    /// when that much of it survived: it may have been sent, so it is not reused.
    pub torn_seq: Option<u64>,
}

/// Read frames starting at `offset`, calling `each` for every valid record
/// until the end, a torn frame or a CRC mismatch. Returns the offset reached.
pub(crate) fn read_from(
    path: &Path,
    offset: u64,
    mut each: impl FnMut(u64, Record) -> bool,
) -> io::Result<u64> {
    let mut f = File::open(path)?;
    let file_len = f.metadata()?.len();
    f.seek(SeekFrom::Start(offset))?;
    let mut r = BufReader::new(f);
    let mut pos = offset;
    let mut header = [0u8; FRAME_HEADER as usize];
    loop {
        if !read_full(&mut r, &mut header)? {
            break;
        }
        let field = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&header[at..at + 8]);
            w
        };
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let sum = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        let seq = u64::from_le_bytes(field(8));
        let ts_ms = i64::from_le_bytes(field(16));
        // A damaged length must not make us allocate more than the file holds.
        if pos + FRAME_HEADER + u64::from(len) > file_len {
            break;
        }
        let mut payload = vec![0u8; len as usize];
        if !read_full(&mut r, &mut payload)? || crc(seq, ts_ms, &payload) != sum {
            break;
        }
        let at = pos;
        pos += FRAME_HEADER + u64::from(len);
        if !each(
            at,
            Record {
                seq,
                ts_ms,
                payload,
            },
        ) {
            break;
        }
    }
    Ok(pos)
}

/// Fill `buf` completely; `false` if the data ends first.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<bool> {
    match r.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

/// Scan a whole segment, building its index.
pub(crate) fn scan(path: &Path) -> io::Result<Scan> {
    let mut meta = SegmentMeta {
        path: path.to_path_buf(),
        index: Vec::new(),
        bytes: 0,
        newest_ts: i64::MIN,
    };
    let end = read_from(path, 0, |at, r| {
        meta.index.push((r.seq, at));
        meta.newest_ts = meta.newest_ts.max(r.ts_ms);
        true
    })?;
    meta.bytes = end;
    let garbage = std::fs::metadata(path)?.len().saturating_sub(end);
    let mut torn_seq = None;
    if garbage >= 16 {
        let mut f = File::open(path)?;
        f.seek(SeekFrom::Start(end + 8))?;
        let mut word = [0u8; 8];
        f.read_exact(&mut word)?;
        let seq = u64::from_le_bytes(word);
        let last = meta.last_seq().unwrap_or(0);
        // Only a plausible successor counts; random garbage is ignored.
        if seq > last && seq - last < 1 << 32 {
            torn_seq = Some(seq);
        }
    }
    Ok(Scan {
        meta,
        garbage,
        torn_seq,
    })
}
