//! Clusters and their slots.
//!
//! A cluster gathers messages of one token count and one bucket key that are similar enough.
//! Each position is a [`Slot`]: it keeps the distinct values seen there until it becomes a
//! wildcard. What is surely variable was masked already; a slot whose values carry unmasked
//! digits (`ssh1`, `ssh2`), alongside at most one masked shape (`rhost=<*>`,
//! `rhost=ec2-52-80-34-196.compute`), is presumed variable and becomes a wildcard at its second
//! distinct value; any other slot only at `enum_limit` distinct values, so that small
//! enumerations (`startup`/`shutdown`, `LOOKING`/`LEADING`, `tty=NODEVssh`/`tty=:<*>`,
//! `(uid=<*>)`/`LOGIN(uid=<*>)`) keep separate templates while free words (user names) turn
//! into parameters. A wildcard slot keeps the common prefix and
//! suffix of its values, cut at punctuation, so `uid=0`, `uid=500` give `uid=<*>`.

use super::intern::{Interner, WILD_SYM};
use crate::mask::{Kind, MaskedLine};

/// One position of a cluster.
#[derive(Debug, Clone, Default)]
pub(crate) struct Slot {
    pub values: Vec<u32>,
    pub varlike: bool,
    pub has_word: bool,
    pub var_shapes: u32,
    pub wild: bool,
    pub prefix: String,
    pub suffix: String,
}

/// A group of similar messages of the same length.
#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    pub bucket: u32,
    pub slots: Vec<Slot>,
    /// Canonical events of this cluster, oldest first.
    pub events: Vec<u32>,
}

/// What absorbing a message changed.
pub(crate) struct Absorbed {
    pub routing_changed: bool,
    pub went_wild: bool,
}

fn is_boundary(c: char) -> bool {
    c.is_ascii_punctuation() && c != '_' && c != '<' && c != '*'
}

fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let n = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let mut p = &a[..n];
    while let Some(c) = p.chars().last() {
        if is_boundary(c) {
            break;
        }
        p = &p[..p.len() - c.len_utf8()];
    }
    p
}

fn common_suffix<'a>(a: &'a str, b: &str) -> &'a str {
    let n = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum::<usize>();
    let mut s = &a[a.len() - n..];
    while let Some(c) = s.chars().next() {
        if is_boundary(c) {
            break;
        }
        s = &s[c.len_utf8()..];
    }
    s
}

impl Slot {
    fn from_value(sym: u32, kind: Kind) -> Self {
        Slot {
            values: vec![sym],
            varlike: kind != Kind::Word,
            has_word: kind == Kind::Word,
            var_shapes: u32::from(kind == Kind::Var),
            ..Slot::default()
        }
    }

    /// Narrows prefix and suffix so that `value` still fits `prefix<*>suffix`.
    pub fn fit_affixes(&mut self, value: &str) {
        let p = common_prefix(&self.prefix, value).len();
        self.prefix.truncate(p);
        let rest = &value[p.min(value.len())..];
        let s = common_suffix(&self.suffix, rest);
        self.suffix = s.to_string();
    }

    fn become_wild(&mut self, names: &Interner) {
        self.wild = true;
        let values: Vec<&str> = self.values.iter().map(|&v| names.name(v)).collect();
        let mut prefix = values[0];
        for v in &values[1..] {
            prefix = common_prefix(prefix, v);
        }
        let mut suffix = &values[0][prefix.len()..];
        for v in &values[1..] {
            suffix = common_suffix(suffix, &v[prefix.len()..]);
        }
        self.prefix = prefix.to_string();
        self.suffix = suffix.to_string();
        self.values.clear();
    }

    /// The slot as template text.
    pub fn render(&self) -> String {
        format!("{}<*>{}", self.prefix, self.suffix)
    }
}

impl Cluster {
    /// A new cluster holding one message.
    pub fn new(bucket: u32, line: &MaskedLine, names: &mut Interner) -> Self {
        let slots = (0..line.len())
            .map(|i| Slot::from_value(names.intern(line.token(i)), line.kind(i)))
            .collect();
        Cluster {
            bucket,
            slots,
            events: Vec::new(),
        }
    }

    /// How many positions of `line` fit this cluster (`syms` are the tokens' ids, if known).
    pub fn score(&self, line: &MaskedLine, syms: &[Option<u32>]) -> usize {
        let mut score = 0;
        for (i, s) in self.slots.iter().enumerate() {
            let fits = s.wild
                || (s.varlike && line.kind(i) != Kind::Word)
                || syms[i].is_some_and(|v| s.values.contains(&v));
            score += usize::from(fits);
        }
        score
    }

    /// Adds `line` to the slots; fills `syms` with the value ids of the non-wild slots.
    pub fn absorb(
        &mut self,
        line: &MaskedLine,
        names: &mut Interner,
        enum_limit: usize,
        syms: &mut Vec<u32>,
        added: &mut Vec<(usize, u32)>,
    ) -> Absorbed {
        let mut out = Absorbed {
            routing_changed: false,
            went_wild: false,
        };
        syms.clear();
        for (i, s) in self.slots.iter_mut().enumerate() {
            let text = line.token(i);
            if s.wild {
                s.fit_affixes(text);
                syms.push(WILD_SYM);
                continue;
            }
            let v = names.intern(text);
            if !s.values.contains(&v) {
                s.values.push(v);
                added.push((i, v));
                s.varlike |= line.kind(i) != Kind::Word;
                s.has_word |= line.kind(i) == Kind::Word;
                s.var_shapes += u32::from(line.kind(i) == Kind::Var);
                out.routing_changed = true;
                let n = s.values.len();
                if (!s.has_word && s.var_shapes <= 1) || n >= enum_limit {
                    s.become_wild(names);
                    out.went_wild = true;
                    syms.push(WILD_SYM);
                    continue;
                }
            }
            syms.push(v);
        }
        if out.went_wild {
            for (i, s) in self.slots.iter().enumerate() {
                if s.wild {
                    syms[i] = WILD_SYM;
                }
            }
        }
        out
    }

    /// Slots after the first that may fit any variable-like token (wildcards and slots
    /// holding digits or masks).
    pub fn open_slots(&self) -> usize {
        self.slots
            .iter()
            .skip(1)
            .filter(|s| s.wild || s.varlike)
            .count()
    }

    /// True when `tokens` (an event's values) equal `syms` on every non-wild slot.
    pub fn same_key(&self, tokens: &[u32], syms: &[u32]) -> bool {
        self.slots
            .iter()
            .zip(tokens.iter().zip(syms))
            .all(|(s, (a, b))| s.wild || a == b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affixes_cut_at_punctuation() {
        assert_eq!(common_prefix("user=root", "user=guest"), "user=");
        assert_eq!(common_prefix("ssh2", "ssh1"), "");
        assert_eq!(common_suffix("(abc)", ")"), ")");
        assert_eq!(common_suffix("abc", "xbc"), "");
        let mut names = Interner::default();
        let values = ["(a.b)", "()"].map(|v| names.intern(v)).to_vec();
        let mut s = Slot {
            values,
            ..Slot::default()
        };
        s.become_wild(&names);
        assert_eq!(s.render(), "(<*>)");
        s.fit_affixes("x)");
        assert_eq!(s.render(), "<*>)");
    }

    #[test]
    fn enumerations_wait_for_enum_limit() {
        let mut names = Interner::default();
        let mut line = MaskedLine::new();
        line.mask("cupsd startup succeeded");
        let mut c = Cluster::new(0, &line, &mut names);
        let mut syms = Vec::new();
        for (word, wild) in [("shutdown", false), ("restart", false), ("reload", true)] {
            line.mask(&format!("cupsd {word} succeeded"));
            let a = c.absorb(&line, &mut names, 4, &mut syms, &mut Vec::new());
            assert_eq!(a.went_wild, wild, "{word}");
        }
        line.mask("cupsd 12ab succeeded");
        c.absorb(&line, &mut names, 4, &mut syms, &mut Vec::new());
        let known: Vec<_> = (0..3).map(|i| names.get(line.token(i))).collect();
        assert_eq!(c.score(&line, &known), 3, "wild slot takes anything");
        line.mask("lpd 12ab failed");
        let known: Vec<_> = (0..3).map(|i| names.get(line.token(i))).collect();
        assert_eq!(c.score(&line, &known), 1);
    }
}
