//! Alpine (apk-tools) version strings.
//!
//! Grammar, as current apk-tools validates it:
//! `N{.N}[l]{_suffix[N]}[~hash][-rN]` where `N` is a non-empty run of digits,
//! `l` one lowercase letter, `suffix` one of `alpha beta pre rc` (pre-releases)
//! or `cvs svn git hg p` (post-releases), `hash` a non-empty run of lowercase
//! hex digits. Anything else (uppercase, a second letter, `-` not followed by
//! `r` and digits, an unknown suffix, trailing junk) is invalid, and invalid
//! versions are errors here.
//!
//! Ordering: the token streams are compared pairwise while both tokens are of
//! the same kind. The first number and suffix/revision numbers compare as
//! integers; a later dotted number compares as an integer unless either side
//! has a leading zero, in which case the two digit strings compare bytewise
//! (Gentoo's rule, so `1.01 < 1.1` and `8.2.0015 < 8.2.002`); letters and
//! commit hashes compare bytewise; suffixes by
//! `alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p`.
//! When the kinds differ, a pre-release suffix makes its side smaller;
//! otherwise the side whose token kind comes later in the grammar (with the
//! end of string last) is smaller. So `1.0_rc < 1.0 < 1.0_p1 < 1.0a < 1.0.1`
//! and `1.0 < 1.0-r1`. Numbers are compared exactly (apk-tools uses 64-bit
//! integers and would wrap past 19 digits).

use super::{Scheme, VersionError, digit_run, push_num};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Initial,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    Hash,
    Revision,
    End,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Token<'a> {
    pub kind: Kind,
    pub text: &'a [u8],
    /// Rank of a suffix, 0-3 pre-release, 5-9 post-release.
    pub suffix: u8,
}

const SUFFIXES: [(&str, u8); 9] = [
    ("alpha", 0),
    ("beta", 1),
    ("pre", 2),
    ("rc", 3),
    ("cvs", 5),
    ("svn", 6),
    ("git", 7),
    ("hg", 8),
    ("p", 9),
];
pub(crate) const NO_SUFFIX: u8 = 4;

pub(crate) struct Tokens<'a> {
    s: &'a [u8],
    pos: usize,
    prev: Option<Kind>,
}

impl<'a> Tokens<'a> {
    pub fn new(s: &'a str) -> Self {
        Tokens {
            s: s.as_bytes(),
            pos: 0,
            prev: None,
        }
    }

    fn take(&mut self, len: usize) -> &'a [u8] {
        let t = &self.s[self.pos..self.pos + len];
        self.pos += len;
        t
    }

    fn digits(&mut self, kind: Kind) -> Result<Token<'a>, &'static str> {
        let n = digit_run(&self.s[self.pos..]);
        if n == 0 {
            return Err("expected digits");
        }
        Ok(Token {
            kind,
            text: self.take(n),
            suffix: NO_SUFFIX,
        })
    }

    /// The next token, `End` once the string is consumed.
    pub fn next_token(&mut self) -> Result<Token<'a>, &'static str> {
        let Some(prev) = self.prev else {
            let t = self
                .digits(Kind::Initial)
                .map_err(|_| "must start with a digit")?;
            self.prev = Some(Kind::Initial);
            return Ok(t);
        };
        let Some(&c) = self.s.get(self.pos) else {
            return Ok(Token {
                kind: Kind::End,
                text: &[],
                suffix: NO_SUFFIX,
            });
        };
        let tok = match c {
            b'a'..=b'z' if prev <= Kind::Digit => Token {
                kind: Kind::Letter,
                text: self.take(1),
                suffix: NO_SUFFIX,
            },
            b'.' if prev <= Kind::Digit => {
                self.pos += 1;
                self.digits(Kind::Digit)?
            }
            b'0'..=b'9' if prev == Kind::Suffix => self.digits(Kind::SuffixNo)?,
            b'_' if prev <= Kind::SuffixNo => {
                self.pos += 1;
                let n = self.s[self.pos..]
                    .iter()
                    .take_while(|c| c.is_ascii_lowercase())
                    .count();
                let word = self.take(n);
                let rank = SUFFIXES
                    .iter()
                    .find(|(name, _)| name.as_bytes() == word)
                    .map(|&(_, r)| r)
                    .ok_or("unknown suffix")?;
                Token {
                    kind: Kind::Suffix,
                    text: word,
                    suffix: rank,
                }
            }
            b'~' if prev < Kind::Hash => {
                self.pos += 1;
                let n = self.s[self.pos..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(*c))
                    .count();
                if n == 0 {
                    return Err("empty commit hash");
                }
                Token {
                    kind: Kind::Hash,
                    text: self.take(n),
                    suffix: NO_SUFFIX,
                }
            }
            b'-' if prev < Kind::Revision => {
                if self.s.get(self.pos + 1) != Some(&b'r') {
                    return Err("'-' must start a '-rN' revision");
                }
                self.pos += 2;
                self.digits(Kind::Revision)?
            }
            _ => return Err("unexpected character"),
        };
        self.prev = Some(tok.kind);
        Ok(tok)
    }
}

/// Check `s` against apk's grammar.
pub(crate) fn validate(s: &str) -> Result<(), VersionError> {
    let mut t = Tokens::new(s);
    loop {
        match t.next_token() {
            Ok(tok) if tok.kind == Kind::End => return Ok(()),
            Ok(_) => {}
            Err(reason) => return Err(VersionError::invalid(Scheme::Apk, s, reason)),
        }
    }
}

/// Order-preserving byte key of a validated version. The first number is
/// written bare; every later token gets a marker whose order encodes the
/// rule for tokens of different kinds (pre-release suffix 0x01 < end 0x02 <
/// revision 0x03 < hash 0x04 < suffix number 0x05 < post-release suffix 0x06
/// < letter 0x07 < dotted number 0x08), then its value. A dotted number with
/// a leading zero on either side compares as a string in apk; since `0` is
/// the smallest digit, such numbers sort before all others, so they are
/// written as 0x00 + digits + 0x00 and the others as 0x01 + number.
pub(crate) fn push_key(s: &str, out: &mut Vec<u8>) {
    let mut t = Tokens::new(s);
    while let Ok(tok) = t.next_token() {
        match tok.kind {
            Kind::Initial => push_num(tok.text, out),
            Kind::End => break,
            Kind::Suffix => {
                out.extend([if tok.suffix < NO_SUFFIX { 0x01 } else { 0x06 }, tok.suffix])
            }
            Kind::Revision => {
                out.push(0x03);
                push_num(tok.text, out);
            }
            Kind::Hash => {
                out.push(0x04);
                out.extend_from_slice(tok.text);
                out.push(0x00);
            }
            Kind::SuffixNo => {
                out.push(0x05);
                push_num(tok.text, out);
            }
            Kind::Letter => out.extend([0x07, tok.text[0]]),
            Kind::Digit if tok.text[0] == b'0' => {
                out.extend([0x08, 0x00]);
                out.extend_from_slice(tok.text);
                out.push(0x00);
            }
            Kind::Digit => {
                out.extend([0x08, 0x01]);
                push_num(tok.text, out);
            }
        }
    }
    out.push(0x02);
}
