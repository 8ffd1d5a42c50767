//! Novelty helpers: new templates, rare templates and frequency spikes.
//!
//! Pure functions over per-template counts. A [`Baseline`] summarises the counts of past
//! periods; [`assess`] compares the counts of the current period with it:
//! - **new**: seen now, never in the baseline;
//! - **rare**: seen now, and in the baseline at most `rare_max_total` times in all;
//! - **spike**: at least `spike_min_count` now and at least `spike_factor` times the baseline
//!   mean per period (a template absent from some periods counts 0 there).

use std::collections::HashMap;
use std::hash::Hash;

/// Thresholds of [`assess`].
#[derive(Clone, Debug, PartialEq)]
pub struct NoveltyConfig {
    pub rare_max_total: u64,
    pub spike_factor: f64,
    pub spike_min_count: u64,
}

impl Default for NoveltyConfig {
    fn default() -> Self {
        Self {
            rare_max_total: 3,
            spike_factor: 5.0,
            spike_min_count: 10,
        }
    }
}

/// Counts of past periods.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Baseline<K: Hash + Eq> {
    periods: u32,
    totals: HashMap<K, u64>,
}

impl<K: Hash + Eq + Clone> Baseline<K> {
    /// A baseline made of the given periods' counts.
    pub fn from_periods<'a>(periods: impl IntoIterator<Item = &'a HashMap<K, u64>>) -> Self
    where
        K: 'a,
    {
        let mut b = Baseline {
            periods: 0,
            totals: HashMap::new(),
        };
        for p in periods {
            b.add_period(p);
        }
        b
    }

    /// Adds one period.
    pub fn add_period(&mut self, counts: &HashMap<K, u64>) {
        self.periods += 1;
        for (k, &n) in counts {
            *self.totals.entry(k.clone()).or_default() += n;
        }
    }

    /// Mean count per period of `key` (0 without periods).
    pub fn mean(&self, key: &K) -> f64 {
        match self.periods {
            0 => 0.0,
            p => self.totals.get(key).copied().unwrap_or(0) as f64 / f64::from(p),
        }
    }

    /// Total count of `key` over all periods.
    pub fn total(&self, key: &K) -> u64 {
        self.totals.get(key).copied().unwrap_or(0)
    }
}

/// Something unusual about a template in the current period.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding<K> {
    New {
        key: K,
        count: u64,
    },
    Rare {
        key: K,
        count: u64,
        baseline_total: u64,
    },
    Spike {
        key: K,
        count: u64,
        baseline_mean: f64,
    },
}

/// Flags new, rare and spiking templates; findings are sorted by key.
pub fn assess<K: Hash + Eq + Clone + Ord>(
    current: &HashMap<K, u64>,
    baseline: &Baseline<K>,
    cfg: &NoveltyConfig,
) -> Vec<Finding<K>> {
    let mut keys: Vec<&K> = current.keys().filter(|k| current[*k] > 0).collect();
    keys.sort();
    let mut out = Vec::new();
    for k in keys {
        let (count, total, mean) = (current[k], baseline.total(k), baseline.mean(k));
        if total == 0 {
            out.push(Finding::New {
                key: k.clone(),
                count,
            });
        } else if total <= cfg.rare_max_total {
            out.push(Finding::Rare {
                key: k.clone(),
                count,
                baseline_total: total,
            });
        } else if count >= cfg.spike_min_count && count as f64 >= cfg.spike_factor * mean {
            out.push(Finding::Spike {
                key: k.clone(),
                count,
                baseline_mean: mean,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(v: &[(u32, u64)]) -> HashMap<u32, u64> {
        v.iter().copied().collect()
    }

    #[test]
    fn flags_new_rare_and_spikes() {
        let past = [
            counts(&[(1, 100), (2, 1), (3, 4)]),
            counts(&[(1, 120), (3, 6)]),
        ];
        let base = Baseline::from_periods(&past);
        assert_eq!(base.mean(&1), 110.0);
        let now = counts(&[(1, 130), (2, 2), (3, 60), (4, 1), (5, 0)]);
        let f = assess(&now, &base, &NoveltyConfig::default());
        assert_eq!(
            f,
            vec![
                Finding::Rare {
                    key: 2,
                    count: 2,
                    baseline_total: 1
                },
                Finding::Spike {
                    key: 3,
                    count: 60,
                    baseline_mean: 5.0
                },
                Finding::New { key: 4, count: 1 },
            ]
        );
    }

    #[test]
    fn small_counts_are_not_spikes() {
        let base = Baseline::from_periods(&[counts(&[(1, 1), (2, 5)]), counts(&[(2, 5)])]);
        let cfg = NoveltyConfig {
            rare_max_total: 0,
            ..NoveltyConfig::default()
        };
        assert!(assess(&counts(&[(1, 9), (2, 9)]), &base, &cfg).is_empty());
        let empty: Baseline<u32> = Baseline::default();
        assert_eq!(empty.mean(&1), 0.0);
    }
}
