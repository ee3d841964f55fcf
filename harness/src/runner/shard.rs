//! Shards: one run split over N machines, deterministically. A corpus is split by case id (a
//! case lies in exactly one shard, whatever machine runs it); generated inputs are split by seed
//! range ([`Shard::range`]). The commands take `--shard I/N` (1-based, as `cargo nextest
//! --partition count:I/N`), and `iam-harness report merge` joins the shards' streams.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Shard `index` (from 1) of `count`. [`Shard::ALL`] is the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// A `--shard` value that is not `I/N` with `1 ≤ I ≤ N`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a shard: expected I/N with 1 <= I <= N (such as 2/4)")]
pub struct ShardError(String);

impl Shard {
    /// The whole run: shard 1 of 1.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Shard `index` (from 1) of `count`, or `None` unless `1 ≤ index ≤ count`.
    pub fn new(index: u32, count: u32) -> Option<Shard> {
        (index >= 1 && index <= count).then_some(Shard { index, count })
    }

    /// The shard's number, from 1.
    pub fn index(self) -> u32 {
        self.index
    }

    /// How many shards the run is split into.
    pub fn count(self) -> u32 {
        self.count
    }

    /// True when the case with this id belongs to this shard. The id is hashed with FNV-1a
    /// (64-bit), fixed here so every machine and every version of the harness agrees.
    pub fn contains(self, case_id: &str) -> bool {
        if self.count == 1 {
            return true;
        }
        let hash = case_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        hash % u64::from(self.count) == u64::from(self.index - 1)
    }

    /// This shard's part of the seeds (or input numbers) `0..total`: contiguous ranges, in
    /// order, the first `total % N` shards one longer.
    pub fn range(self, total: u64) -> Range<u64> {
        let count = u64::from(self.count);
        let index = u64::from(self.index - 1);
        let (base, extra) = (total / count, total % count);
        let start = index * base + index.min(extra);
        let len = base + u64::from(index < extra);
        start..start + len
    }
}

impl Default for Shard {
    fn default() -> Self {
        Shard::ALL
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let error = || ShardError(text.to_owned());
        let (index, count) = text.split_once('/').ok_or_else(error)?;
        let index = index.trim().parse().map_err(|_| error())?;
        let count = count.trim().parse().map_err(|_| error())?;
        Shard::new(index, count).ok_or_else(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!("1/1".parse(), Ok(Shard::ALL));
        for bad in ["0/4", "5/4", "1/0", "2", "a/b", "", "1/4/2", "-1/4"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(Shard::new(3, 7).map(|s| s.to_string()), Some("3/7".into()));
    }

    #[test]
    fn every_case_lies_in_exactly_one_shard() {
        let ids: Vec<String> = (0..500).map(|i| format!("family/case-{i}")).collect();
        for count in 1..6 {
            let shards: Vec<Shard> = (1..=count).filter_map(|i| Shard::new(i, count)).collect();
            for id in &ids {
                let owners = shards.iter().filter(|s| s.contains(id)).count();
                assert_eq!(owners, 1, "{id} in {owners} of {count} shards");
            }
            // Not all in one shard: the split spreads work.
            if count > 1 {
                assert!(shards.iter().all(|s| ids.iter().any(|id| s.contains(id))));
            }
        }
        // Fixed hash: the split does not change between versions.
        assert!(Shard::new(1, 2).is_some_and(|s| s.contains("a") != s.contains("b")));
    }

    #[test]
    fn ranges_tile_the_seeds_in_order() {
        for total in [0, 1, 7, 100, 3001] {
            for count in 1..6 {
                let mut next = 0;
                for index in 1..=count {
                    let range = Shard::new(index, count).map(|s| s.range(total));
                    let range = range.unwrap();
                    assert_eq!(range.start, next);
                    assert!(range.end - range.start <= total / u64::from(count) + 1);
                    next = range.end;
                }
                assert_eq!(next, total);
            }
        }
    }
}
