//! Interning of token values: each distinct string is stored once and named by a `u32`.

use std::collections::HashMap;

/// Symbol reserved for a slot position whose value is not stored (a wildcard position).
pub(crate) const WILD_SYM: u32 = 0;
/// Symbol used as the bucket key of messages whose first token holds digits.
pub(crate) const DIGIT_SYM: u32 = 1;

/// Maps strings to dense ids and back.
#[derive(Debug, Clone)]
pub(crate) struct Interner {
    map: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut i = Self {
            map: HashMap::new(),
            names: Vec::new(),
        };
        // Reserved names cannot collide with tokens: tokens never contain whitespace.
        i.intern("\u{0} wild");
        i.intern("\u{0} digit");
        i
    }
}

impl Interner {
    /// The id of `s`, if it was interned.
    pub fn get(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }

    /// The id of `s`, interning it if needed.
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.into());
        self.map.insert(s.into(), id);
        id
    }

    /// The string of `id`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut i = Interner::default();
        let a = i.intern("alpha");
        assert_eq!(i.intern("alpha"), a);
        assert_ne!(i.intern("beta"), a);
        assert_eq!(i.name(a), "alpha");
        assert_eq!(i.get("gamma"), None);
        assert!(a > DIGIT_SYM && WILD_SYM != DIGIT_SYM);
    }
}
