//! Tokenisation and masking of one message.
//!
//! A message is cut at ASCII whitespace; each token is masked by [`token::mask_token`]. Two
//! passes then work across tokens: month and weekday names next to a masked number become
//! part of the date they belong to (`Fri Jun 17 07:07:00 2005` is one date), and runs of
//! tokens that are wholly `<*>` collapse into one `<*>`, so a parameter spanning several
//! tokens (a date, a list of block ids) does not change the token count. The masked tokens
//! are kept joined by single spaces in one reusable buffer: no allocation per message once
//! the buffers have grown.

mod shapes;
mod token;

pub use token::WILDCARD;

/// What a masked token looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Letters and punctuation only: a constant unless a slot shows many values.
    Word,
    /// Contains digits that were not masked (`ssh2`, `jk2_init()`): presumed variable.
    Digit,
    /// Contains at least one `<*>`.
    Var,
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    start: u32,
    end: u32,
    kind: Kind,
}

/// A reusable buffer holding one masked message.
#[derive(Debug, Default, Clone)]
pub struct MaskedLine {
    text: Vec<u8>,
    toks: Vec<Tok>,
    spare: Vec<u8>,
    spare_toks: Vec<Tok>,
    flags: Vec<bool>,
}

const DATE_WORDS: &[&str] = &[
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
    "January",
    "February",
    "March",
    "April",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Mon",
    "Tue",
    "Wed",
    "Thu",
    "Fri",
    "Sat",
    "Sun",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn is_date_word(t: &[u8]) -> bool {
    if !(3..=9).contains(&t.len()) || !t[0].is_ascii_uppercase() {
        return false;
    }
    DATE_WORDS.iter().any(|w| {
        let w = w.as_bytes();
        w.len() == t.len()
            && (t == w
                || t[1..]
                    .iter()
                    .zip(&w[1..])
                    .all(|(a, b)| *a == b.to_ascii_uppercase()))
    })
}

impl MaskedLine {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Masks `message`, replacing the previous content.
    pub fn mask(&mut self, message: &str) {
        self.text.clear();
        self.toks.clear();
        let b = message.as_bytes();
        let mut i = 0;
        let mut fix = false;
        let mut prev_pure = false;
        while i < b.len() {
            while i < b.len() && token::CLASS[b[i] as usize] & token::SPACE != 0 {
                i += 1;
            }
            let s = i;
            let mut classes = 0;
            while i < b.len() {
                let c = token::CLASS[b[i] as usize];
                if c & token::SPACE != 0 {
                    break;
                }
                classes |= c;
                i += 1;
            }
            if s == i {
                break;
            }
            if !self.text.is_empty() {
                self.text.push(b' ');
            }
            let start = self.text.len();
            let kind = token::mask_token_with(&b[s..i], classes, &mut self.text);
            let t = Tok {
                start: start as u32,
                end: self.text.len() as u32,
                kind,
            };
            // Only a token that is wholly `<*>` can start a date or a run to join.
            let pure = kind == Kind::Var && &self.text[start..] == WILDCARD;
            if !fix && (pure || prev_pure) && !self.toks.is_empty() {
                let (p, c) = (self.bytes(&self.toks[self.toks.len() - 1]), self.bytes(&t));
                fix = (prev_pure && (pure || is_date_word(c))) || (pure && is_date_word(p));
            }
            prev_pure = pure;
            self.toks.push(t);
        }
        if fix {
            self.join_dates_and_runs();
        }
    }

    fn bytes(&self, t: &Tok) -> &[u8] {
        &self.text[t.start as usize..t.end as usize]
    }

    fn join_dates_and_runs(&mut self) {
        let n = self.toks.len();
        self.flags.clear();
        for t in &self.toks {
            self.flags
                .push(self.text[t.start as usize..t.end as usize] == *WILDCARD);
        }
        for i in 1..n {
            if !self.flags[i] && self.flags[i - 1] && is_date_word(self.bytes(&self.toks[i])) {
                self.flags[i] = true;
            }
        }
        for i in (0..n.saturating_sub(1)).rev() {
            if !self.flags[i] && self.flags[i + 1] && is_date_word(self.bytes(&self.toks[i])) {
                self.flags[i] = true;
            }
        }
        self.spare.clear();
        self.spare_toks.clear();
        for i in 0..n {
            if self.flags[i] && i > 0 && self.flags[i - 1] {
                continue;
            }
            if !self.spare.is_empty() {
                self.spare.push(b' ');
            }
            let start = self.spare.len() as u32;
            let t = self.toks[i];
            let kind = if self.flags[i] {
                self.spare.extend_from_slice(WILDCARD);
                Kind::Var
            } else {
                self.spare
                    .extend_from_slice(&self.text[t.start as usize..t.end as usize]);
                t.kind
            };
            let end = self.spare.len() as u32;
            self.spare_toks.push(Tok { start, end, kind });
        }
        std::mem::swap(&mut self.text, &mut self.spare);
        std::mem::swap(&mut self.toks, &mut self.spare_toks);
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// True when the message had no token.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// The masked text of token `i`.
    pub fn token(&self, i: usize) -> &str {
        let t = &self.toks[i];
        // Masking only replaces ASCII runs of a valid UTF-8 input, so slices stay valid.
        std::str::from_utf8(&self.text[t.start as usize..t.end as usize]).unwrap_or("")
    }

    /// The kind of token `i`.
    pub fn kind(&self, i: usize) -> Kind {
        self.toks[i].kind
    }

    /// All masked tokens joined by single spaces.
    pub fn as_bytes(&self) -> &[u8] {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(s: &str) -> String {
        let mut m = MaskedLine::new();
        m.mask(s);
        String::from_utf8(m.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn dates_and_runs_collapse() {
        assert_eq!(
            masked("connection from 1.2.3.4 (a.b) at Fri Jun 17 07:07:00 2005"),
            "connection from <*> (a.b) at <*>"
        );
        assert_eq!(
            masked("ask 1.2.3.4:5 to delete  blk_1234 blk_5678"),
            "ask <*> to delete <*>"
        );
        assert_eq!(masked("May be later"), "May be later");
    }

    #[test]
    fn tokens_and_kinds() {
        let mut m = MaskedLine::new();
        m.mask("  Failed password for root from 1.2.3.4 port 22 ssh2\r\n");
        assert_eq!(m.len(), 9);
        assert_eq!(m.token(3), "root");
        assert_eq!(m.kind(3), Kind::Word);
        assert_eq!(m.kind(5), Kind::Var);
        assert_eq!(m.kind(8), Kind::Digit);
        m.mask("");
        assert!(m.is_empty());
    }
}
