//! Masking of one whitespace-free token.
//!
//! The scanner walks the bytes once. Whole-token shapes (paths, URLs, e-mail addresses, MAC
//! addresses, UUIDs, IPv6 addresses) are recognised on the token's core, i.e. without the
//! brackets, quotes and trailing punctuation around it. Everything else is cut into *atoms*
//! (runs of letters, digits and `_`, joined by inner `.` or `-`), and each atom is classified:
//! numbers, IPv4 addresses, dotted versions, dates, hex strings, numbers with a unit (sizes,
//! durations, rates) and identifiers carrying a long digit run are variables and become `<*>`.
//! Neighbouring variables separated by a single `.`, `:` or `,` merge into one `<*>`, so
//! `10.0.0.1:8080` or `17:41:44,747` yield a single parameter.

use super::Kind;

/// The placeholder written for a parameter.
pub const WILDCARD: &[u8] = b"<*>";

/// Units accepted after a number (`64KB`, `150ms`, `3.2GHz`...).
const UNITS: &[&[u8]] = &[
    b"b", b"B", b"k", b"K", b"M", b"G", b"T", b"P", b"kB", b"KB", b"MB", b"GB", b"TB", b"PB",
    b"KiB", b"MiB", b"GiB", b"TiB", b"kb", b"Kb", b"Mb", b"Gb", b"bps", b"kbps", b"Kbps", b"Mbps",
    b"Gbps", b"ns", b"us", b"ms", b"s", b"sec", b"secs", b"m", b"min", b"mins", b"h", b"hr",
    b"hrs", b"d", b"Hz", b"kHz", b"KHz", b"MHz", b"GHz", b"x",
];

const DIGIT: u8 = 1;
const SPECIAL: u8 = 2;

/// Byte classes for the quick first look at a token: digits, and the characters that can
/// start a whole-token variable (paths, URLs, e-mail addresses, MAC and IPv6 addresses).
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = b'0';
    while c <= b'9' {
        t[c as usize] = DIGIT;
        c += 1;
    }
    t[b'/' as usize] = SPECIAL;
    t[b'@' as usize] = SPECIAL;
    t[b':' as usize] = SPECIAL;
    t[b'\\' as usize] = SPECIAL;
    t
};

#[inline]
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

#[inline]
fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

/// Masks `tok` (which holds no whitespace) and appends the result to `out`.
pub fn mask_token(tok: &[u8], out: &mut Vec<u8>) -> Kind {
    let start = out.len();
    let mut classes = 0u8;
    for &c in tok {
        classes |= CLASS[c as usize];
    }
    if classes & (DIGIT | SPECIAL) == 0 {
        out.extend_from_slice(tok);
        return Kind::Word;
    }
    let (lead, core, trail) = split_core(tok);
    if (classes & SPECIAL != 0 || core.len() == 36) && is_whole_variable(core) {
        out.extend_from_slice(lead);
        out.extend_from_slice(WILDCARD);
        out.extend_from_slice(trail);
        return Kind::Var;
    }
    let mut digits = false;
    let mut var = false;
    let mut i = 0;
    while i < tok.len() {
        let c = tok[i];
        let signed = (c == b'-' || c == b'+')
            && tok.get(i + 1).is_some_and(u8::is_ascii_digit)
            && (i == 0 || !is_word(tok[i - 1]));
        if is_word(c) || signed {
            let a = i;
            let mut has_digit = c.is_ascii_digit();
            i += 1;
            loop {
                while i < tok.len() && is_word(tok[i]) {
                    has_digit |= tok[i].is_ascii_digit();
                    i += 1;
                }
                let joins =
                    i + 1 < tok.len() && (tok[i] == b'.' || tok[i] == b'-') && is_word(tok[i + 1]);
                if !joins {
                    break;
                }
                i += 1;
            }
            let atom = &tok[a..i];
            if !has_digit {
                out.extend_from_slice(atom);
                continue;
            }
            // A hex-looking atom right after `<*>:` or `<*>.` continues that parameter
            // (`0000:00:1f.0`, MAC or IPv6 pieces).
            let done = &out[start..];
            let after_var = done.ends_with(WILDCARD)
                || (done.len() > WILDCARD.len()
                    && b".:".contains(&done[done.len() - 1])
                    && done[..done.len() - 1].ends_with(WILDCARD));
            let hexish = atom.iter().all(|&c| is_hex(c) || c == b'.');
            let kind = if after_var && hexish {
                Atom::Var
            } else {
                classify_atom(atom)
            };
            match kind {
                Atom::Var => {
                    push_var(out, start);
                    var = true;
                }
                Atom::Digits => {
                    digits = true;
                    out.extend_from_slice(atom);
                }
            }
        } else if c == b'/' && i > 0 && b"=:(['\",".contains(&tok[i - 1]) && path_start(tok, i) {
            while i < tok.len() && !b"'\",;)]}>:".contains(&tok[i]) {
                i += 1;
            }
            push_var(out, start);
            var = true;
        } else {
            out.push(c);
            i += 1;
        }
    }
    if var {
        Kind::Var
    } else if digits {
        Kind::Digit
    } else {
        Kind::Word
    }
}

/// Appends `<*>`, merging with a variable written just before (directly or across a single
/// `.`, `:` or `,`).
fn push_var(out: &mut Vec<u8>, start: usize) {
    let done = &out[start..];
    if done.ends_with(WILDCARD) {
        return;
    }
    if done.len() > WILDCARD.len()
        && b".:,".contains(&done[done.len() - 1])
        && done[..done.len() - 1].ends_with(WILDCARD)
    {
        out.pop();
        return;
    }
    if let Some(host) = host_before_port(done) {
        out.truncate(start + host);
    }
    out.extend_from_slice(WILDCARD);
}

/// For `…host.name:` (a dotted name right before the port being masked), the offset where
/// the name starts, so that `host.name:8080` becomes one parameter.
fn host_before_port(done: &[u8]) -> Option<usize> {
    let body = done.strip_suffix(b":")?;
    let from = body
        .iter()
        .rposition(|&c| !(c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || c == b'_'))
        .map_or(0, |p| p + 1);
    let name = &body[from..];
    let dots = name.iter().filter(|&&c| c == b'.').count();
    let labels_ok = name.split(|&c| c == b'.').all(|l| !l.is_empty());
    (dots >= 1 && labels_ok && name[0].is_ascii_alphanumeric()).then_some(from)
}

fn path_start(tok: &[u8], i: usize) -> bool {
    tok.get(i + 1)
        .is_some_and(|&c| is_word(c) || c == b'.' || c == b'~' || c == b'-')
}

/// Splits a token into leading brackets/quotes, core, and trailing punctuation.
fn split_core(tok: &[u8]) -> (&[u8], &[u8], &[u8]) {
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

fn is_whole_variable(core: &[u8]) -> bool {
    is_path(core)
        || is_url(core)
        || is_email(core)
        || is_mac(core)
        || is_uuid(core)
        || is_ipv6(core)
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

enum Atom {
    Digits,
    Var,
}

/// Classifies an atom that holds at least one digit.
fn classify_atom(a: &[u8]) -> Atom {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> (String, Kind) {
        let mut out = Vec::new();
        let k = mask_token(s.as_bytes(), &mut out);
        (String::from_utf8(out).unwrap(), k)
    }

    #[test]
    fn masks_common_variables() {
        for (input, want) in [
            ("10.251.73.220:50010", "<*>"),
            ("/10.251.90.64:", "<*>:"),
            ("uid=0", "uid=<*>"),
            ("[1]", "[<*>]"),
            ("(uid=500)", "(uid=<*>)"),
            ("blk_-6952295868487656571", "<*>"),
            ("0x14ed93111f2001c", "<*>"),
            ("17:41:44,747", "<*>"),
            ("2015-07-29", "<*>"),
            ("v2.6.5", "<*>"),
            ("256K", "<*>"),
            ("40000ms", "<*>"),
            ("'/udev/hda'", "'<*>'"),
            ("http://x.org/a?b=1", "<*>"),
            ("root@example.com", "<*>"),
            ("00:1a:2b:3c:4d:5e", "<*>"),
            ("123e4567-e89b-12d3-a456-426614174000", "<*>"),
            ("fe80::1ff:fe23:4567:890a", "<*>"),
            ("reqpath:/zk/a", "reqpath:<*>"),
            ("CPU#0", "CPU#<*>"),
            ("-2", "<*>"),
            ("c0100000.", "<*>."),
            ("proxy.cse.cuhk.edu.hk:5070", "<*>"),
            ("0000:00:1f.0", "<*>"),
            ("dquot_6.5.1", "<*>"),
            ("1.16ac", "<*>"),
            ("80x25", "<*>"),
            ("(www.example.com:443)", "(<*>)"),
        ] {
            assert_eq!(m(input), (want.to_string(), Kind::Var), "{input}");
        }
    }

    #[test]
    fn keeps_constants() {
        assert_eq!(m("ssh2"), ("ssh2".into(), Kind::Digit));
        assert_eq!(m("jk2_init()"), ("jk2_init()".into(), Kind::Digit));
        assert_eq!(m("BIOS-e820:"), ("BIOS-e820:".into(), Kind::Digit));
        assert_eq!(m("[preauth]"), ("[preauth]".into(), Kind::Word));
        assert_eq!(m("user=root"), ("user=root".into(), Kind::Word));
        assert_eq!(m("/"), ("/".into(), Kind::Word));
    }
}
