//! RFC 6587 framing for syslog over TCP.
//!
//! [`FrameDecoder`] takes bytes as they arrive and yields whole messages. Each frame is
//! detected on its own: a frame starting with a digit is octet-counted (`LEN SP MSG`); any
//! other frame is non-transparent, ended by LF (a CR before it, and NUL terminators some
//! senders use, are dropped).

use crate::error::LogsError;

/// Splits a TCP byte stream into syslog messages.
///
/// Frames are read from `buf[start..]`; the consumed prefix is dropped once per [`push`]
/// (not once per frame, which moved the rest of a 64 KiB read for every message in it).
///
/// [`push`]: FrameDecoder::push
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    /// Where the bytes not yet returned begin.
    start: usize,
    max_frame: usize,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new(64 * 1024)
    }
}

/// Frames `msg` with octet counting.
pub fn encode_octet_counted(msg: &[u8]) -> Vec<u8> {
    let mut out = format!("{} ", msg.len()).into_bytes();
    out.extend_from_slice(msg);
    out
}

fn is_filler(c: &u8) -> bool {
    matches!(c, b'\n' | b'\r' | b'\0')
}

impl FrameDecoder {
    /// A decoder refusing frames longer than `max_frame` bytes.
    pub fn new(max_frame: usize) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            max_frame,
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.drain(..self.start);
        self.start = 0;
        self.buf.extend_from_slice(bytes);
    }

    /// The bytes not yet returned.
    fn rest(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// The next complete frame, if any. An oversized or malformed octet count is reported
    /// once and skipped up to the next LF.
    pub fn next_frame(&mut self) -> Option<Result<Vec<u8>, LogsError>> {
        self.start += self.rest().iter().take_while(|c| is_filler(c)).count();
        let rest = self.rest();
        if !rest.first()?.is_ascii_digit() {
            return self.lf_frame();
        }
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        match rest.get(digits) {
            None if digits < 10 => None,
            Some(b' ') if digits < 10 => {
                let len: usize = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
                if len > self.max_frame {
                    self.discard_line();
                    return Some(Err(LogsError::Syslog(format!(
                        "frame of {len} bytes refused"
                    ))));
                }
                let frame = rest.get(digits + 1..digits + 1 + len)?.to_vec();
                self.start += digits + 1 + len;
                Some(Ok(frame))
            }
            _ => self.lf_frame(),
        }
    }

    /// Bytes received but not yet returned as a frame (a frame still arriving).
    pub fn pending(&self) -> usize {
        self.rest().iter().filter(|c| !is_filler(c)).count()
    }

    /// What is left at end of stream, as a last non-transparent frame.
    pub fn finish(&mut self) -> Option<Vec<u8>> {
        let rest: Vec<u8> = self
            .rest()
            .iter()
            .copied()
            .filter(|&c| c != b'\0')
            .collect();
        self.buf.clear();
        self.start = 0;
        (!rest.is_empty()).then_some(rest)
    }

    fn lf_frame(&mut self) -> Option<Result<Vec<u8>, LogsError>> {
        let rest = self.rest();
        let Some(end) = rest.iter().position(|&c| c == b'\n') else {
            if rest.len() > self.max_frame {
                self.buf.clear();
                self.start = 0;
                return Some(Err(LogsError::Syslog("unterminated frame too long".into())));
            }
            return None;
        };
        let mut frame = rest[..end].to_vec();
        self.start += end + 1;
        while matches!(frame.last(), Some(b'\r' | b'\0')) {
            frame.pop();
        }
        Some(Ok(frame))
    }

    fn discard_line(&mut self) {
        let rest = self.rest();
        let end = rest
            .iter()
            .position(|&c| c == b'\n')
            .map_or(rest.len(), |e| e + 1);
        self.start += end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(d: &mut FrameDecoder) -> Vec<String> {
        std::iter::from_fn(|| d.next_frame())
            .map(|f| String::from_utf8(f.unwrap()).unwrap())
            .collect()
    }

    #[test]
    fn mixed_frames_in_pieces() {
        let mut d = FrameDecoder::default();
        let mut stream = encode_octet_counted(b"<34>1 - h a - - - x\ny");
        stream.extend_from_slice(b"<13>Jan 1 00:00:00 h a: lf one\r\n<13>lf two\n");
        stream.extend_from_slice(&encode_octet_counted(b"<13>last"));
        let mut got = Vec::new();
        for chunk in stream.chunks(5) {
            d.push(chunk);
            got.extend(all(&mut d));
        }
        assert_eq!(
            got,
            [
                "<34>1 - h a - - - x\ny",
                "<13>Jan 1 00:00:00 h a: lf one",
                "<13>lf two",
                "<13>last"
            ]
        );
        assert_eq!(d.finish(), None);
        d.push(b"<13>tail");
        assert_eq!(d.pending(), 8);
        assert_eq!(all(&mut d), Vec::<String>::new());
        assert_eq!(d.finish(), Some(b"<13>tail".to_vec()));
    }

    #[test]
    fn many_frames_per_read_cut_anywhere() {
        let mut stream = Vec::new();
        let mut want = Vec::new();
        for i in 0..1000 {
            let msg = format!("<13>1 - h a - - - message {i}");
            match i % 3 {
                0 => stream.extend_from_slice(format!("{msg}\n").as_bytes()),
                _ => stream.extend_from_slice(&encode_octet_counted(msg.as_bytes())),
            }
            want.push(msg);
        }
        for cut in [1, 4097, stream.len() / 2, stream.len() - 3] {
            let mut d = FrameDecoder::default();
            d.push(&stream[..cut]);
            let mut got = all(&mut d);
            d.push(&stream[cut..]);
            got.extend(all(&mut d));
            assert_eq!(got, want, "cut at {cut}");
            assert_eq!((d.pending(), d.finish()), (0, None));
        }
    }

    #[test]
    fn refuses_huge_counts() {
        let mut d = FrameDecoder::new(10);
        d.push(b"99 abc\n<1>ok\n");
        assert!(d.next_frame().unwrap().is_err());
        assert_eq!(d.next_frame().unwrap().unwrap(), b"<1>ok");
    }
}
