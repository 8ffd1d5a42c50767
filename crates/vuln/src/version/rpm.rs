//! RPM version strings: `[epoch:]version[-release]`.
//!
//! Syntax: the epoch, if present, is the part before the first `:` and must be
//! a non-empty decimal number (≤ 2^32-1, rpm's tag type). The release is the
//! part after the last `-` and must not be empty when the `-` is present. The
//! version must not be empty. Version and release may hold ASCII letters,
//! digits and `. _ + ~ ^`; anything else (including whitespace and a second
//! `:`) is refused.
//!
//! Ordering: epoch numerically (absent = 0), then version, then release, each
//! with rpm's `rpmvercmp`. A string is read as a sequence of segments
//! separated by characters other than letters, digits, `~` and `^` (those
//! separators only delimit): a digit run, a letter run, `~` or `^`. Two
//! sequences compare segment by segment, where the end of a string also acts
//! as a segment, with the rank `~` < end < `^` < letters < digits; equal
//! ranks compare letters by byte order and digit runs as integers. Hence
//! `1.0~rc1 < 1.0 < 1.0^post < 1.0.1`, `1.0a == 1.0.a` and `1.01 == 1.1`.
//! An absent release sorts before any present one (as rpm's `rpmverCmp`
//! does), so `1.0 < 1.0-1`.

use super::{Scheme, VersionError, digit_run, parse_epoch, push_num};

type Span = (usize, usize);

fn allowed(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"._+~^".contains(&c)
}

/// Validate `s`; return its epoch and the byte ranges of version and release.
pub(crate) fn split(s: &str) -> Result<(u64, Span, Span), VersionError> {
    let bad = |reason| VersionError::invalid(Scheme::Rpm, s, reason);
    if s.is_empty() {
        return Err(bad("version is empty"));
    }
    let (epoch, start) = match s.find(':') {
        Some(i) => (
            parse_epoch(Scheme::Rpm, s, &s[..i], u64::from(u32::MAX))?,
            i + 1,
        ),
        None => (0, 0),
    };
    let (v_end, rel) = match s[start..].rfind('-') {
        Some(i) => (start + i, (start + i + 1, s.len())),
        None => (s.len(), (s.len(), s.len())),
    };
    if v_end == start {
        return Err(bad("version part is empty"));
    }
    if v_end < s.len() && rel.0 == rel.1 {
        return Err(bad("release is empty"));
    }
    if !s[start..v_end].bytes().all(allowed) {
        return Err(bad("invalid character in version part"));
    }
    if !s[rel.0..rel.1].bytes().all(allowed) {
        return Err(bad("invalid character in release"));
    }
    Ok((epoch, (start, v_end), rel))
}

/// One segment of a version string.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seg<'a> {
    Tilde,
    End,
    Caret,
    Alpha(&'a [u8]),
    Num(&'a [u8]),
}

/// Read the next segment at `*pos`, skipping separators.
pub(crate) fn next_seg<'a>(s: &'a [u8], pos: &mut usize) -> Seg<'a> {
    while *pos < s.len() && !(s[*pos].is_ascii_alphanumeric() || s[*pos] == b'~' || s[*pos] == b'^')
    {
        *pos += 1;
    }
    let rest = &s[*pos..];
    let Some(&c) = rest.first() else {
        return Seg::End;
    };
    let len = match c {
        b'~' | b'^' => 1,
        c if c.is_ascii_digit() => digit_run(rest),
        _ => rest.iter().take_while(|c| c.is_ascii_alphabetic()).count(),
    };
    *pos += len;
    match c {
        b'~' => Seg::Tilde,
        b'^' => Seg::Caret,
        c if c.is_ascii_digit() => Seg::Num(&rest[..len]),
        _ => Seg::Alpha(&rest[..len]),
    }
}

/// Order-preserving byte key of a version or release: per segment `~` 0x01,
/// `^` 0x03, letters 0x04 + bytes + 0x00, digits 0x05 + number; 0x02 at the
/// end (the end ranks between `~` and `^`).
pub(crate) fn push_key(part: &str, out: &mut Vec<u8>) {
    let (s, mut pos) = (part.as_bytes(), 0);
    loop {
        match next_seg(s, &mut pos) {
            Seg::End => break,
            Seg::Tilde => out.push(0x01),
            Seg::Caret => out.push(0x03),
            Seg::Alpha(a) => {
                out.push(0x04);
                out.extend_from_slice(a);
                out.push(0x00);
            }
            Seg::Num(n) => {
                out.push(0x05);
                push_num(n, out);
            }
        }
    }
    out.push(0x02);
}
