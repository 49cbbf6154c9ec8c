//! `conform merge`: joins the reports of the shares of a partitioned run (`--partition K/N` on N
//! machines) into the report one machine would have written.
//!
//! Merging is only honest when the shares are parts of the same run: the same conform (and so
//! the same report format), seed, contracts (by content hash) and target, every share present
//! once, no case twice. Anything else is refused with the reason. Everything derived (summary,
//! coverage, failure and advisory groups, certificate, gate, digest) is recomputed by
//! [`Report::finish`] from the joined cases, which is what makes the merge equal to a single
//! run's report apart from timings, and why shares read as format 1 merge into a report of this
//! conform's format.

use std::collections::{BTreeMap, BTreeSet};

use super::{BaselineDiff, KnownFailure, Report};

/// Why reports cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge: give at least one report")]
    Empty,
    #[error("{what} differs between the reports ({first} in {first_file}, {other} in {other_file}): they are not shares of one run")]
    Mismatch {
        what: &'static str,
        first: String,
        first_file: String,
        other: String,
        other_file: String,
    },
    #[error("mixed partitioned and whole reports ({0} is not a share of the others)")]
    MixedPartitions(String),
    #[error("share {0} is given twice")]
    DuplicateShare(String),
    #[error("share {missing} is missing (have {have})")]
    MissingShare { missing: String, have: String },
    #[error("case {id} is in both {first_file} and {other_file}")]
    DuplicateCase {
        id: String,
        first_file: String,
        other_file: String,
    },
}

/// Merges named reports (the names only appear in errors). The result is finished.
pub fn merge(inputs: Vec<(String, Report)>) -> Result<Report, MergeError> {
    let Some((first_file, first)) = inputs.first() else {
        return Err(MergeError::Empty);
    };
    let first_file = first_file.clone();
    let first = first.clone();
    let mismatch = |what, a: String, file: &str, b: String| MergeError::Mismatch {
        what,
        first: a,
        first_file: first_file.clone(),
        other: b,
        other_file: file.to_string(),
    };
    let contracts = |r: &Report| -> String {
        r.targets
            .iter()
            .map(|t| format!("{}@{}", t.contract, short(&t.content_hash)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (file, r) in &inputs[1..] {
        if r.format != first.format {
            return Err(mismatch(
                "report format",
                first.format.to_string(),
                file,
                r.format.to_string(),
            ));
        }
        if r.tool != first.tool {
            return Err(mismatch(
                "conform version",
                first.tool.version.clone(),
                file,
                r.tool.version.clone(),
            ));
        }
        if r.seed != first.seed {
            return Err(mismatch(
                "seed",
                format!("{:?}", first.seed),
                file,
                format!("{:?}", r.seed),
            ));
        }
        if contracts(r) != contracts(&first) {
            return Err(mismatch("contracts", contracts(&first), file, contracts(r)));
        }
        for (a, b) in first.targets.iter().zip(&r.targets) {
            if !same_target(&a.base_url, &b.base_url) {
                return Err(mismatch(
                    "target",
                    a.base_url.clone(),
                    file,
                    b.base_url.clone(),
                ));
            }
        }
        let baseline_of = |r: &Report| r.baseline.as_ref().map(|b| b.digest.clone());
        if baseline_of(r) != baseline_of(&first) {
            return Err(mismatch(
                "baseline",
                baseline_of(&first).unwrap_or_else(|| "none".into()),
                file,
                baseline_of(r).unwrap_or_else(|| "none".into()),
            ));
        }
    }
    check_shares(&inputs)?;

    let mut merged = first;
    merged.partition = None;
    merged.cases = vec![];
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    let mut known: BTreeMap<String, KnownFailure> = BTreeMap::new();
    let mut baseline: Option<BaselineDiff> = None;
    let any_insecure = inputs.iter().any(|(_, r)| r.insecure);
    for (file, r) in inputs {
        for case in &r.cases {
            if let Some(other) = owner.insert(case.id.clone(), file.clone()) {
                return Err(MergeError::DuplicateCase {
                    id: case.id.clone(),
                    first_file: other,
                    other_file: file,
                });
            }
        }
        merged.started_at = merged.started_at.min(r.started_at.clone());
        merged.duration_ms = merged.duration_ms.max(r.duration_ms);
        merged.cases.extend(r.cases);
        for k in r.known_failures {
            known.entry(k.id.clone()).or_insert(k);
        }
        if let Some(b) = r.baseline {
            match &mut baseline {
                None => baseline = Some(b),
                Some(all) => {
                    all.newly_failing.extend(b.newly_failing);
                    all.newly_passing.extend(b.newly_passing);
                    all.new.extend(b.new);
                    all.vanished.extend(b.vanished);
                    all.other_changes.extend(b.other_changes);
                }
            }
        }
    }
    // One share that skipped TLS verification makes the whole run unverified.
    merged.insecure = any_insecure;
    merged.known_failures = known.into_values().collect();
    merged.baseline = baseline;
    merged.finish();
    Ok(merged)
}

/// Every input is a share of the same N, each share once and none missing; or none is a share.
fn check_shares(inputs: &[(String, Report)]) -> Result<(), MergeError> {
    let shares: Vec<_> = inputs.iter().filter_map(|(_, r)| r.partition).collect();
    if shares.is_empty() {
        return Ok(());
    }
    if let Some((file, _)) = inputs.iter().find(|(_, r)| r.partition.is_none()) {
        return Err(MergeError::MixedPartitions(file.clone()));
    }
    let count = shares[0].count;
    if let Some((file, r)) = inputs
        .iter()
        .find(|(_, r)| r.partition.is_some_and(|p| p.count != count))
    {
        return Err(MergeError::Mismatch {
            what: "partition count",
            first: shares[0].to_string(),
            first_file: inputs[0].0.clone(),
            other: r.partition.map(|p| p.to_string()).unwrap_or_default(),
            other_file: file.clone(),
        });
    }
    let mut have = BTreeSet::new();
    for p in &shares {
        if !have.insert(p.index) {
            return Err(MergeError::DuplicateShare(p.to_string()));
        }
    }
    if let Some(missing) = (1..=count).find(|k| !have.contains(k)) {
        return Err(MergeError::MissingShare {
            missing: format!("{missing}/{count}"),
            have: shares
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    Ok(())
}

/// Two base URLs name the same target: equal, or the same loopback service on another port
/// (each CI job starts its own embedded reference server on a free port).
fn same_target(a: &str, b: &str) -> bool {
    a == b
        || (loopback_without_port(a).is_some()
            && loopback_without_port(a) == loopback_without_port(b))
}

fn loopback_without_port(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    };
    matches!(host, "127.0.0.1" | "localhost" | "[::1]").then(|| format!("{scheme}://{host}/{path}"))
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_targets_on_other_ports_are_the_same_target() {
        assert!(same_target(
            "http://127.0.0.1:4000/api/v3",
            "http://127.0.0.1:5000/api/v3"
        ));
        assert!(same_target("http://localhost:1/x", "http://localhost:2/x"));
        assert!(!same_target(
            "http://127.0.0.1:4000/api/v3",
            "http://127.0.0.1:5000/api/user"
        ));
        assert!(!same_target("https://a.example/x", "https://b.example/x"));
        assert!(!same_target(
            "https://a.example:1/x",
            "https://a.example:2/x"
        ));
        assert!(same_target("https://a.example/x", "https://a.example/x"));
    }
}
