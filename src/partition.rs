//! `--partition K/N`: a deterministic share of the cases, so that a CI matrix of N jobs splits
//! one run and `conform merge` joins the shares again.
//!
//! A case belongs to share `K` when the FNV-1a 64-bit hash of its id, modulo `N`, is `K - 1`.
//! The hash is fixed here (not std's `RandomState`, which is seeded per process) so that every
//! machine, every build and every version of conform agrees on who runs what; a case keeps its
//! share however the other cases change, which keeps the shares balanced and stable in review.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Share `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    pub index: u32,
    pub count: u32,
}

/// Why a `K/N` text is not a partition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid partition {text:?}: {why} (expected K/N with 1 <= K <= N, e.g. 2/4)")]
pub struct PartitionError {
    pub text: String,
    pub why: &'static str,
}

impl Partition {
    /// True when the case with this id belongs to this share.
    pub fn contains(&self, case_id: &str) -> bool {
        fnv1a64(case_id.as_bytes()) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl FromStr for Partition {
    type Err = PartitionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |why| PartitionError {
            text: text.to_string(),
            why,
        };
        let (k, n) = text.split_once('/').ok_or_else(|| err("no '/'"))?;
        let index: u32 = k.trim().parse().map_err(|_| err("K is not a number"))?;
        let count: u32 = n.trim().parse().map_err(|_| err("N is not a number"))?;
        if count == 0 {
            return Err(err("N must be at least 1"));
        }
        if index == 0 || index > count {
            return Err(err("K must be between 1 and N"));
        }
        Ok(Partition { index, count })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// FNV-1a, 64 bits: tiny, fixed, and the same everywhere.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv1a64_and_never_changes() {
        // Published FNV-1a 64 test vectors: a change here would move cases between CI jobs.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn every_id_is_in_exactly_one_share() {
        let ids: Vec<String> = (0..500).map(|i| format!("c::case-{i}")).collect();
        for n in 1..=5u32 {
            let shares: Vec<Partition> =
                (1..=n).map(|k| Partition { index: k, count: n }).collect();
            for id in &ids {
                assert_eq!(shares.iter().filter(|p| p.contains(id)).count(), 1, "{id}");
            }
            // Balanced enough that a matrix is worth it: every share gets at least half its due.
            for p in &shares {
                let got = ids.iter().filter(|id| p.contains(id)).count();
                assert!(got * 2 * n as usize >= ids.len(), "{p}: {got}");
            }
        }
    }

    #[test]
    fn parses_k_of_n_and_refuses_the_rest() {
        assert_eq!(
            "2/4".parse::<Partition>(),
            Ok(Partition { index: 2, count: 4 })
        );
        assert_eq!("1/1".parse::<Partition>().unwrap().to_string(), "1/1");
        for bad in ["", "3", "0/2", "3/2", "1/0", "a/2", "1/b", "-1/2"] {
            let e = bad.parse::<Partition>().unwrap_err();
            assert!(e.to_string().contains("expected K/N"), "{bad}: {e}");
        }
    }
}
