//! Shapes recognised by the token scanner.
//!
//! Whole-token variables (paths, URLs, e-mail addresses, MAC addresses, UUIDs, IPv6 addresses)
//! and the classification of atoms that carry digits: numbers, IPv4 addresses, dates, hex
//! strings, versions (`v1.2`, `dquot_6.5.1`), dimensions (`80x25`), numbers with a unit and
//! identifiers with a run of four or more digits are variables; other atoms with digits
//! (`ssh2`, `jk2_init`) are only presumed variable.

use super::token::{AT, COLON, SLASH, is_hex, is_word, path_start};

/// Units accepted after a number (`64KB`, `150ms`, `3.2GHz`...).
const UNITS: &[&[u8]] = &[
    b"b", b"B", b"k", b"K", b"M", b"G", b"T", b"P", b"kB", b"KB", b"MB", b"GB", b"TB", b"PB",
    b"KiB", b"MiB", b"GiB", b"TiB", b"kb", b"Kb", b"Mb", b"Gb", b"bps", b"kbps", b"Kbps", b"Mbps",
    b"Gbps", b"ns", b"us", b"ms", b"s", b"sec", b"secs", b"m", b"min", b"mins", b"h", b"hr",
    b"hrs", b"d", b"Hz", b"kHz", b"KHz", b"MHz", b"GHz", b"x",
];

/// Splits a token into leading brackets/quotes, core, and trailing punctuation.
pub(super) fn split_core(tok: &[u8]) -> (&[u8], &[u8], &[u8]) {
    let mut a = 0;
    while a < tok.len() && b"([{<'\"".contains(&tok[a]) {
        a += 1;
    }
    let mut b = tok.len();
    while b > a && b")]}>'\",;:!?".contains(&tok[b - 1]) {
        b -= 1;
    }
    (&tok[..a], &tok[a..b], &tok[b..])
}

/// Whether the core is a whole-token variable; `classes` are the token's byte classes, used
/// to skip the checks that cannot match.
pub(super) fn is_whole_variable(core: &[u8], classes: u8) -> bool {
    let colon = classes & COLON != 0;
    is_path(core)
        || (colon && classes & SLASH != 0 && is_url(core))
        || (classes & AT != 0 && is_email(core))
        || is_mac(core)
        || is_uuid(core)
        || (colon && is_ipv6(core))
}

fn is_path(s: &[u8]) -> bool {
    let rel = s.starts_with(b"./") || s.starts_with(b"../") || s.starts_with(b"~/");
    let abs = s.len() >= 2 && s[0] == b'/' && path_start(s, 0);
    let win = s.len() >= 3 && s[0].is_ascii_alphabetic() && s[1] == b':' && s[2] == b'\\';
    rel || abs || win
}

fn is_url(s: &[u8]) -> bool {
    let Some(p) = s.windows(3).position(|w| w == b"://") else {
        return false;
    };
    p > 0 && s[..p].iter().all(u8::is_ascii_alphabetic) && s.len() > p + 3
}

fn is_email(s: &[u8]) -> bool {
    let Some(at) = s.iter().position(|&c| c == b'@') else {
        return false;
    };
    let (user, host) = (&s[..at], &s[at + 1..]);
    let user_ok = !user.is_empty() && user.iter().all(|&c| is_word(c) || b".-+%".contains(&c));
    let host_ok = host.contains(&b'.')
        && host.len() > 2
        && host.iter().all(|&c| is_word(c) || c == b'.' || c == b'-')
        && !host.ends_with(b".");
    user_ok && host_ok
}

fn is_mac(s: &[u8]) -> bool {
    if s.len() != 17 {
        return false;
    }
    let sep = s[2];
    (sep == b':' || sep == b'-')
        && s.chunks(3)
            .all(|c| is_hex(c[0]) && is_hex(c[1]) && (c.len() == 2 || c[2] == sep))
}

fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                is_hex(c)
            }
        })
}

fn is_ipv6(s: &[u8]) -> bool {
    let colons = s.iter().filter(|&&c| c == b':').count();
    let double = s.windows(2).any(|w| w == b"::");
    (colons >= 2)
        && (double || colons >= 7)
        && s.iter().any(u8::is_ascii_hexdigit)
        && s.iter().all(|&c| is_hex(c) || c == b':' || c == b'.')
        && !s.windows(3).any(|w| w == b":::")
}

pub(super) enum Atom {
    Digits,
    Var,
}

/// Classifies an atom that holds at least one digit.
pub(super) fn classify_atom(a: &[u8]) -> Atom {
    let (mut numeric, mut hex, mut run, mut longest) = (true, true, 0, 0);
    for &c in a {
        let d = c.is_ascii_digit();
        numeric &= d || c == b'.' || c == b'-' || c == b'+';
        hex &= is_hex(c);
        run = if d { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if numeric || longest >= 4 || (hex && a.len() >= 8) {
        return Atom::Var;
    }
    let prefixed_hex = a.len() > 2
        && (a.starts_with(b"0x") || a.starts_with(b"0X"))
        && a[2..].iter().all(|&c| is_hex(c));
    let version = a.len() > 1
        && (a[0] == b'v' || a[0] == b'V')
        && a[1].is_ascii_digit()
        && a[1..].iter().all(|&c| c.is_ascii_digit() || c == b'.');
    let dotted = a
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit());
    let dims = a.split(|&c| c == b'x').count() == 2
        && a.split(|&c| c == b'x')
            .all(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit));
    if prefixed_hex || version || dotted || dims || has_unit(a) {
        Atom::Var
    } else {
        Atom::Digits
    }
}

fn has_unit(a: &[u8]) -> bool {
    let n = a
        .iter()
        .position(|&c| !(c.is_ascii_digit() || c == b'.'))
        .unwrap_or(a.len());
    n > 0 && a[0].is_ascii_digit() && UNITS.contains(&&a[n..])
}
