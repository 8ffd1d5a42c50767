//! Package version syntax and ordering for the three package families.
//!
//! * [`Scheme::Deb`]: dpkg (`[epoch:]upstream[-revision]`), see [`deb`].
//! * [`Scheme::Rpm`]: rpm (`[epoch:]version[-release]`), see [`rpm`].
//! * [`Scheme::Apk`]: Alpine apk-tools, see [`apk`].
//!
//! [`Version::parse`] validates a string once; comparing two parsed versions
//! then allocates nothing. [`compare`] is the one-shot convenience.

pub mod apk;
pub mod deb;
#[cfg(test)]
mod reference;
pub mod rpm;
mod scheme;

pub use scheme::{Scheme, VersionError};

use std::cmp::Ordering;
use std::fmt;

/// A validated version string of one scheme.
///
/// Parsing builds an order-preserving byte key, so comparing two versions is
/// a byte comparison. Equality is the scheme's equality (`1.0` equals `1.00`
/// for dpkg), not string equality, and `Hash` agrees with it. Versions of
/// different schemes order by scheme first; that order is arbitrary and only
/// there to make `Ord` total.
#[derive(Clone, Debug)]
pub struct Version {
    scheme: Scheme,
    raw: Box<str>,
    epoch: u64,
    key: Box<[u8]>,
}

impl Version {
    /// Validate `s` under `scheme`'s rules.
    pub fn parse(scheme: Scheme, s: &str) -> Result<Self, VersionError> {
        let mut key = Vec::with_capacity(s.len() * 2 + 16);
        let epoch = write_key(scheme, s, &mut key)?;
        Ok(Version {
            scheme,
            raw: s.into(),
            epoch,
            key: key.into_boxed_slice(),
        })
    }

    /// The order-preserving key (see [`write_key`]).
    pub(crate) fn key(&self) -> &[u8] {
        &self.key
    }

    /// The string as given.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The scheme this version was validated under.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The epoch (0 when absent; always 0 for apk).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.scheme
            .cmp(&other.scheme)
            .then_with(|| self.key.cmp(&other.key))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.scheme == other.scheme && self.key == other.key
    }
}

impl Eq for Version {}

impl std::hash::Hash for Version {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.scheme.hash(state);
        self.key.hash(state);
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Validate `s` and write its order-preserving key into `out` (cleared
/// first); return the epoch. Two valid versions of one scheme compare like
/// their keys compare bytewise.
pub(crate) fn write_key(scheme: Scheme, s: &str, out: &mut Vec<u8>) -> Result<u64, VersionError> {
    out.clear();
    Ok(match scheme {
        Scheme::Deb => {
            let (epoch, up, rev) = deb::split(s)?;
            out.extend(epoch.to_be_bytes());
            deb::push_key(&s[up.0..up.1], out);
            deb::push_key(&s[rev.0..rev.1], out);
            epoch
        }
        Scheme::Rpm => {
            let (epoch, ver, rel) = rpm::split(s)?;
            out.extend(epoch.to_be_bytes());
            rpm::push_key(&s[ver.0..ver.1], out);
            if rel.0 == rel.1 {
                out.push(0x00);
            } else {
                out.push(0x01);
                rpm::push_key(&s[rel.0..rel.1], out);
            }
            epoch
        }
        Scheme::Apk => {
            apk::validate(s)?;
            apk::push_key(s, out);
            0
        }
    })
}

/// Validate both strings and compare them under `scheme`. Reuses
/// per-thread buffers, so it does not allocate once warmed up.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionError> {
    thread_local! {
        static KEYS: std::cell::RefCell<(Vec<u8>, Vec<u8>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    }
    KEYS.with_borrow_mut(|(ka, kb)| {
        write_key(scheme, a, ka)?;
        write_key(scheme, b, kb)?;
        Ok(ka.as_slice().cmp(kb.as_slice()))
    })
}

/// Append an order-preserving encoding of a run of digits as an integer of
/// any length: its length without leading zeros (one byte below 255, else
/// 0xFF and four bytes), then those digits.
pub(crate) fn push_num(digits: &[u8], out: &mut Vec<u8>) {
    let d = strip_zeros(digits);
    match u8::try_from(d.len()) {
        Ok(n) if n < 0xFF => out.push(n),
        _ => {
            out.push(0xFF);
            out.extend((d.len() as u32).to_be_bytes());
        }
    }
    out.extend_from_slice(d);
}

/// Compare two runs of ASCII digits as non-negative integers of any length.
#[cfg(test)]
pub(crate) fn cmp_digits(a: &[u8], b: &[u8]) -> Ordering {
    let a = strip_zeros(a);
    let b = strip_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn strip_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    &s[n..]
}

/// Length of the run of ASCII digits at the start of `s`.
pub(crate) fn digit_run(s: &[u8]) -> usize {
    s.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Parse an epoch (all digits, non-empty, fits in `max`).
pub(crate) fn parse_epoch(
    scheme: Scheme,
    full: &str,
    e: &str,
    max: u64,
) -> Result<u64, VersionError> {
    if e.is_empty() {
        return Err(VersionError::invalid(scheme, full, "epoch is empty"));
    }
    if !e.bytes().all(|c| c.is_ascii_digit()) {
        return Err(VersionError::invalid(scheme, full, "epoch is not a number"));
    }
    match e.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(VersionError::invalid(scheme, full, "epoch is too big")),
    }
}
