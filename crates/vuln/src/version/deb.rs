//! Debian version strings: `[epoch:]upstream_version[-debian_revision]`.
//!
//! Syntax (as dpkg and Debian Policy §5.6.12 define it):
//! * the epoch, if present, is the part before the first `:` and must be a
//!   non-empty decimal number that fits in a C `int` (≤ 2147483647);
//! * the revision, if present, is the part after the last `-`; it must not be
//!   empty and may hold ASCII letters, digits and `. + ~`;
//! * the upstream version must not be empty, may hold ASCII letters, digits and
//!   `. + ~ - :` and **must start with a digit**. dpkg only *warns* about a
//!   non-digit start; we refuse it, as Policy requires the digit and such a
//!   version would sort by rules dpkg itself calls bad syntax;
//! * whitespace anywhere is refused.
//!
//! Ordering follows dpkg's `verrevcmp`: epochs numerically, then upstream, then
//! revision. Each part is read as alternating non-digit and digit runs;
//! non-digit runs compare character by character where `~` sorts before the end
//! of the run, the end before letters, and letters before every other
//! character; digit runs compare as integers. An absent revision is empty,
//! which equals `0`.

use super::{Scheme, VersionError, digit_run, parse_epoch, push_num};

const EPOCH_MAX: u64 = i32::MAX as u64;

type Span = (usize, usize);

/// Validate `s`; return its epoch and the byte ranges of upstream and revision.
pub(crate) fn split(s: &str) -> Result<(u64, Span, Span), VersionError> {
    let bad = |reason| VersionError::invalid(Scheme::Deb, s, reason);
    if s.is_empty() {
        return Err(bad("version is empty"));
    }
    if s.bytes().any(|c| c.is_ascii_whitespace()) {
        return Err(bad("version contains whitespace"));
    }
    let (epoch, start) = match s.find(':') {
        Some(i) => (parse_epoch(Scheme::Deb, s, &s[..i], EPOCH_MAX)?, i + 1),
        None => (0, 0),
    };
    let (up_end, rev) = match s[start..].rfind('-') {
        Some(i) => (start + i, (start + i + 1, s.len())),
        None => (s.len(), (s.len(), s.len())),
    };
    let upstream = &s[start..up_end];
    let revision = &s[rev.0..rev.1];
    if upstream.is_empty() {
        return Err(bad("upstream version is empty"));
    }
    if !upstream.as_bytes()[0].is_ascii_digit() {
        return Err(bad("upstream version does not start with a digit"));
    }
    if !upstream
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b".+~-:".contains(&c))
    {
        return Err(bad("invalid character in upstream version"));
    }
    if up_end < s.len() && revision.is_empty() {
        return Err(bad("revision is empty"));
    }
    if !revision
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b".+~".contains(&c))
    {
        return Err(bad("invalid character in revision"));
    }
    Ok((epoch, (start, up_end), rev))
}

/// Order-preserving byte key of one upstream version or revision: each
/// non-digit run as mapped bytes (`~` 0x01, letters as ASCII, others 0x80 +
/// ASCII) closed by 0x02, then its digit run as a number; 0x02 at the end.
/// Comparing keys bytewise gives dpkg's order.
pub(crate) fn push_key(part: &str, out: &mut Vec<u8>) {
    let s = part.as_bytes();
    let mut i = 0;
    loop {
        while let Some(&c) = s.get(i).filter(|c| !c.is_ascii_digit()) {
            out.push(match c {
                b'~' => 0x01,
                c if c.is_ascii_alphabetic() => c,
                c => 0x80 | c,
            });
            i += 1;
        }
        out.push(0x02);
        let n = digit_run(&s[i..]);
        push_num(&s[i..i + n], out);
        i += n;
        if i >= s.len() {
            break;
        }
    }
    out.push(0x02);
}
