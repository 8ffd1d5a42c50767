//! Masking of one whitespace-free token.
//!
//! The scanner walks the bytes once. Whole-token shapes (see [`super::shapes`]) are recognised
//! on the token's core, i.e. without the brackets, quotes and trailing punctuation around it.
//! Everything else is cut into *atoms* (runs of letters, digits and `_`, joined by inner `.`
//! or `-`); atoms holding digits are classified, and variables become `<*>`. A dotted host
//! name before a port (`proxy.example.com:8080`) joins the port's parameter, and `true`,
//! `false`, `null`, `none` written as values (`visible=false`) are parameters too.
//! Neighbouring variables separated by a single `.`, `:` or `,` merge into one `<*>`, so
//! `10.0.0.1:8080` or `17:41:44,747` yield a single parameter.

use super::Kind;
use super::shapes::{Atom, classify_atom, is_whole_variable, split_core};

/// The placeholder written for a parameter.
pub const WILDCARD: &[u8] = b"<*>";

pub(super) const DIGIT: u8 = 1;
pub(super) const SPECIAL: u8 = 2;
pub(super) const SPACE: u8 = 4;
pub(super) const WORD: u8 = 8;
pub(super) const COLON: u8 = 16;
pub(super) const AT: u8 = 32;
pub(super) const SLASH: u8 = 64;

/// Byte classes: digits, word bytes (letters, digits, `_`, non-ASCII), ASCII whitespace, and
/// the characters that can start a whole-token variable or a `key=value` pair.
pub(super) const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0usize;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_digit() {
            t[c] = DIGIT | WORD;
        } else if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 {
            t[c] = WORD;
        } else if b.is_ascii_whitespace() || b == 0x0b {
            t[c] = SPACE;
        }
        c += 1;
    }
    t[b'/' as usize] = SPECIAL | SLASH;
    t[b'@' as usize] = SPECIAL | AT;
    t[b':' as usize] = SPECIAL | COLON;
    t[b'=' as usize] = SPECIAL;
    t[b'\\' as usize] = SPECIAL;
    t
};

#[inline]
pub(super) fn is_word(c: u8) -> bool {
    CLASS[c as usize] & WORD != 0
}

#[inline]
pub(super) fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

/// Masks `tok` (which holds no whitespace) and appends the result to `out`.
#[cfg(test)]
pub fn mask_token(tok: &[u8], out: &mut Vec<u8>) -> Kind {
    let classes = tok.iter().fold(0, |acc, &c| acc | CLASS[c as usize]);
    mask_token_with(tok, classes, out)
}

/// [`mask_token`] for a caller that already OR-ed the [`CLASS`]es of the token's bytes.
pub fn mask_token_with(tok: &[u8], classes: u8, out: &mut Vec<u8>) -> Kind {
    let start = out.len();
    if classes & (DIGIT | SPECIAL) == 0 {
        out.extend_from_slice(tok);
        return Kind::Word;
    }
    let (lead, core, trail) = split_core(tok);
    if (classes & SPECIAL != 0 || core.len() == 36) && is_whole_variable(core, classes) {
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
                let valued = a > 0 && (tok[a - 1] == b'=' || tok[a - 1] == b':');
                if valued && is_literal_value(atom) {
                    push_var(out, start);
                    var = true;
                } else {
                    out.extend_from_slice(atom);
                }
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

/// `true`, `false`, `null` and `none` (any case): after `=` or `:` they are values, and a slot
/// of two of them would otherwise look like an enumeration.
fn is_literal_value(atom: &[u8]) -> bool {
    [&b"true"[..], b"false", b"null", b"none"]
        .iter()
        .any(|w| atom.eq_ignore_ascii_case(w))
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

pub(super) fn path_start(tok: &[u8], i: usize) -> bool {
    tok.get(i + 1)
        .is_some_and(|&c| is_word(c) || c == b'.' || c == b'~' || c == b'-')
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
            ("mOccluded=false", "mOccluded=<*>"),
            ("enabled:TRUE,", "enabled:<*>,"),
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
