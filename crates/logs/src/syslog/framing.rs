//! RFC 6587 framing for syslog over TCP.
//!
//! [`FrameDecoder`] takes bytes as they arrive and yields whole messages. Each frame is
//! detected on its own: a frame starting with a digit is octet-counted (`LEN SP MSG`); any
//! other frame is non-transparent, ended by LF (a CR before it, and NUL terminators some
//! senders use, are dropped).

use crate::error::LogsError;

/// Splits a TCP byte stream into syslog messages.
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    buf: Vec<u8>,
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

impl FrameDecoder {
    /// A decoder refusing frames longer than `max_frame` bytes.
    pub fn new(max_frame: usize) -> Self {
        Self {
            buf: Vec::new(),
            max_frame,
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete frame, if any. An oversized or malformed octet count is reported
    /// once and skipped up to the next LF.
    pub fn next_frame(&mut self) -> Option<Result<Vec<u8>, LogsError>> {
        let skip = self
            .buf
            .iter()
            .take_while(|c| matches!(c, b'\n' | b'\r' | b'\0'))
            .count();
        self.buf.drain(..skip);
        if !self.buf.first()?.is_ascii_digit() {
            return self.lf_frame();
        }
        let digits = self.buf.iter().take_while(|c| c.is_ascii_digit()).count();
        match self.buf.get(digits) {
            None if digits < 10 => None,
            Some(b' ') if digits < 10 => {
                let len: usize = std::str::from_utf8(&self.buf[..digits])
                    .ok()?
                    .parse()
                    .ok()?;
                if len > self.max_frame {
                    self.discard_line();
                    return Some(Err(LogsError::Syslog(format!(
                        "frame of {len} bytes refused"
                    ))));
                }
                if self.buf.len() < digits + 1 + len {
                    return None;
                }
                let frame = self.buf[digits + 1..digits + 1 + len].to_vec();
                self.buf.drain(..digits + 1 + len);
                Some(Ok(frame))
            }
            _ => self.lf_frame(),
        }
    }

    /// Bytes received but not yet returned as a frame (a frame still arriving).
    pub fn pending(&self) -> usize {
        self.buf
            .iter()
            .filter(|c| !matches!(c, b'\n' | b'\r' | b'\0'))
            .count()
    }

    /// What is left at end of stream, as a last non-transparent frame.
    pub fn finish(&mut self) -> Option<Vec<u8>> {
        let rest = std::mem::take(&mut self.buf);
        let rest: Vec<u8> = rest.into_iter().filter(|&c| c != b'\0').collect();
        (!rest.is_empty()).then_some(rest)
    }

    fn lf_frame(&mut self) -> Option<Result<Vec<u8>, LogsError>> {
        let Some(end) = self.buf.iter().position(|&c| c == b'\n') else {
            if self.buf.len() > self.max_frame {
                self.buf.clear();
                return Some(Err(LogsError::Syslog("unterminated frame too long".into())));
            }
            return None;
        };
        let mut frame: Vec<u8> = self.buf.drain(..=end).collect();
        frame.pop();
        while matches!(frame.last(), Some(b'\r' | b'\0')) {
            frame.pop();
        }
        Some(Ok(frame))
    }

    fn discard_line(&mut self) {
        let end = self
            .buf
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.buf.len(), |e| e + 1);
        self.buf.drain(..end);
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
    fn refuses_huge_counts() {
        let mut d = FrameDecoder::new(10);
        d.push(b"99 abc\n<1>ok\n");
        assert!(d.next_frame().unwrap().is_err());
        assert_eq!(d.next_frame().unwrap().unwrap(), b"<1>ok");
    }
}
