//! Regressions: what changed since a baseline report, and which failures are already known.
//!
//! A staging target rarely passes everything. Two tools keep its CI job useful anyway:
//!
//! - a *known-failures list* (`--known-failures FILE`): case ids with the reason each fails.
//!   Those failures are reported as expected failures and do not fail the job; an entry whose
//!   case passes again is reported as passing, so the list is pruned instead of rotting.
//! - a *baseline* (`--baseline OLD.json`, `conform diff OLD.json NEW.json`): the job fails only on
//!   cases that fail now and did not before (or are new and fail), so it stays green until
//!   something new breaks.
//!
//! The comparison is made here; what it means for the exit code is decided in one place,
//! [`Report::finish`](crate::report::Report::finish), so `run`, `diff` and `merge` agree.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::checks::Verdict;
use crate::report::{BaselineDiff, CaseChange, CaseReport, KnownFailure, KnownStatus, Report};

/// Why a known-failures list cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KnownFailuresError {
    #[error("failed to read known-failures list {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to parse known-failures list {origin}")]
    Parse {
        origin: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("known-failures list {origin}: {message}")]
    Invalid { origin: String, message: String },
}

/// The file: `[[known]]` tables with an `id` and a `reason`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownFile {
    #[serde(default)]
    known: Vec<KnownEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownEntry {
    id: String,
    reason: String,
}

/// Reads a known-failures list (TOML):
///
/// ```toml
/// [[known]]
/// id = "tenpay::status::1003"
/// reason = "staging still answers the legacy code 1 (TICKET-812)"
/// ```
pub fn load_known_failures(path: &Path) -> Result<Vec<KnownFailure>, KnownFailuresError> {
    let text = std::fs::read_to_string(path).map_err(|source| KnownFailuresError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_known_failures(&text, &path.display().to_string())
}

/// [`load_known_failures`] of text; `origin` names it in errors.
pub fn parse_known_failures(
    text: &str,
    origin: &str,
) -> Result<Vec<KnownFailure>, KnownFailuresError> {
    let file: KnownFile = toml::from_str(text).map_err(|source| KnownFailuresError::Parse {
        origin: origin.to_string(),
        source: Box::new(source),
    })?;
    let invalid = |message: String| KnownFailuresError::Invalid {
        origin: origin.to_string(),
        message,
    };
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (n, e) in file.known.into_iter().enumerate() {
        let id = e.id.trim().to_string();
        if id.is_empty() {
            return Err(invalid(format!("entry {} has an empty id", n + 1)));
        }
        if e.reason.trim().is_empty() {
            return Err(invalid(format!(
                "{id} has no reason; say why it fails (and where it is tracked)"
            )));
        }
        if !seen.insert(id.clone()) {
            return Err(invalid(format!("{id} is listed twice")));
        }
        out.push(KnownFailure {
            id,
            reason: e.reason.trim().to_string(),
            status: KnownStatus::Absent,
        });
    }
    Ok(out)
}

/// Records the known failures in the report (only those of its partition, if it is one) and
/// finishes it.
pub fn apply_known_failures(report: &mut Report, known: Vec<KnownFailure>) {
    let partition = report.partition;
    report.known_failures = known
        .into_iter()
        .filter(|k| partition.is_none_or(|p| p.contains(&k.id)))
        .collect();
    report.finish();
}

/// Compares `new` with the baseline `old` (as read from `source`), records the comparison in
/// `new` and finishes it.
pub fn apply_baseline(new: &mut Report, old: &Report, source: &str) {
    new.baseline = Some(compare(old, new, source));
    new.finish();
}

/// How `new` differs from `old`. A partitioned `new` is compared with its own share of `old`
/// only, so that the other shares' cases do not count as vanished.
pub fn compare(old: &Report, new: &Report, source: &str) -> BaselineDiff {
    let in_scope = |c: &&CaseReport| new.partition.is_none_or(|p| p.contains(&c.id));
    let before: BTreeMap<&str, &CaseReport> = old
        .cases
        .iter()
        .filter(in_scope)
        .map(|c| (c.id.as_str(), c))
        .collect();
    let after: BTreeMap<&str, &CaseReport> = new.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut diff = BaselineDiff {
        source: source.to_string(),
        digest: old.certificate.digest.clone(),
        notes: notes(old, new),
        ..BaselineDiff::default()
    };
    let failing = |c: Option<&&CaseReport>| c.is_some_and(|c| c.outcome == Verdict::Fail);
    let skipped = |c: Option<&&CaseReport>| c.is_some_and(|c| c.outcome == Verdict::Skip);
    let ids: BTreeSet<&str> = before.keys().chain(after.keys()).copied().collect();
    for id in ids {
        let (b, a) = (before.get(id), after.get(id));
        let change = CaseChange {
            id: id.to_string(),
            before: b.map(|c| c.outcome),
            after: a.map(|c| c.outcome),
            check: a.and_then(|c| c.check),
        };
        match (b, a) {
            (None, Some(_)) => diff.new.push(change),
            (Some(_), None) => diff.vanished.push(change),
            (Some(_), Some(_)) if failing(a) && !failing(b) => diff.newly_failing.push(change),
            (Some(_), Some(_)) if failing(b) && !failing(a) && !skipped(a) => {
                diff.newly_passing.push(change)
            }
            (Some(_), Some(_)) if skipped(a) != skipped(b) || (failing(b) && skipped(a)) => {
                diff.other_changes.push(change)
            }
            _ => {}
        }
    }
    diff
}

/// What differs between the two runs besides the target: each is a reason for cases to be new,
/// vanished or different that has nothing to do with the target.
fn notes(old: &Report, new: &Report) -> Vec<String> {
    let mut notes = Vec::new();
    if old.seed != new.seed {
        let seed =
            |s: Option<u64>| s.map_or_else(|| "an unrecorded seed".into(), |s| format!("seed {s}"));
        notes.push(format!(
            "the baseline ran with {}, this run with {}: generated cases differ",
            seed(old.seed),
            seed(new.seed)
        ));
    }
    if old.tool.version != new.tool.version {
        notes.push(format!(
            "the baseline was written by conform {}, this run by conform {}",
            old.tool.version, new.tool.version
        ));
    }
    for t in &new.targets {
        match old.targets.iter().find(|o| o.contract == t.contract) {
            Some(o) if o.content_hash != t.content_hash => notes.push(format!(
                "contract {} changed since the baseline (content hash {} -> {})",
                t.contract,
                &o.content_hash[..o.content_hash.len().min(12)],
                &t.content_hash[..t.content_hash.len().min(12)]
            )),
            Some(_) => {}
            None => notes.push(format!("contract {} was not in the baseline", t.contract)),
        }
    }
    notes
}

/// The comparison as text for a terminal: one section per kind of change, then the verdict.
pub fn render_diff(diff: &BaselineDiff, new_source: &str) -> String {
    let mut out = format!("conform diff: {} -> {new_source}\n", diff.source);
    for note in &diff.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let word = |v: Option<Verdict>| match v {
        None => "absent",
        Some(Verdict::Pass) => "pass",
        Some(Verdict::Fail) => "fail",
        Some(Verdict::Skip) => "skip",
        Some(Verdict::Advisory) => "advisory",
    };
    let sections: [(&str, &Vec<CaseChange>); 5] = [
        ("newly failing", &diff.newly_failing),
        ("newly passing", &diff.newly_passing),
        ("new", &diff.new),
        ("vanished", &diff.vanished),
        ("other changes", &diff.other_changes),
    ];
    for (title, list) in sections {
        let _ = writeln!(out, "{title}: {}", list.len());
        for c in list {
            let regression = if diff.regressions.contains(&c.id) {
                "  REGRESSION"
            } else {
                ""
            };
            let check = c
                .check
                .as_deref()
                .filter(|_| c.after == Some(Verdict::Fail))
                .map(|k| format!(" [{k}]"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} ({} -> {}){check}{regression}",
                c.id,
                word(c.before),
                word(c.after)
            );
        }
    }
    let n = diff.regressions.len();
    let _ = match n {
        0 => writeln!(out, "no regressions"),
        1 => writeln!(out, "1 regression"),
        _ => writeln!(out, "{n} regressions"),
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_failures_need_an_id_and_a_reason_once_each() {
        let ok = parse_known_failures(
            "[[known]]\nid = \"a::b\"\nreason = \"legacy code\"\n\n[[known]]\nid = \"c\"\nreason = \"r\"\n",
            "t",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].id, "a::b");
        assert_eq!(ok[0].reason, "legacy code");
        assert!(parse_known_failures("", "t").unwrap().is_empty());
        for (text, expected) in [
            ("[[known]]\nid = \"a\"\n", "missing field `reason`"),
            ("[[known]]\nid = \"a\"\nreason = \" \"\n", "a has no reason"),
            ("[[known]]\nid = \"\"\nreason = \"r\"\n", "empty id"),
            (
                "[[known]]\nid = \"a\"\nreason = \"r\"\n[[known]]\nid = \"a\"\nreason = \"r\"\n",
                "listed twice",
            ),
            (
                "[[known]]\nid = \"a\"\nreason = \"r\"\nticket = 1\n",
                "unknown field",
            ),
            ("[[known]\n", "failed to parse"),
        ] {
            let e = parse_known_failures(text, "t").unwrap_err();
            let chain = format!(
                "{e} {}",
                std::error::Error::source(&e)
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            );
            assert!(chain.contains(expected), "{text:?}: {chain}");
        }
    }
}
