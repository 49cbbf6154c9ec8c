//! The certification summary a vendor hands over: which contracts (by content hash) were run
//! against which target, by which conform and seed, when; the verdict of every document clause
//! that produced a check; the overall verdict; and a digest that makes an edited report visible.
//!
//! The digest is SHA-256 over the report's *canonical JSON*: the report as JSON with the field
//! `certificate.digest` removed, every object's keys sorted by their UTF-8 bytes, no whitespace
//! outside strings, strings and numbers written as `serde_json` writes them. It is stored as
//! `sha256:<64 hex digits>`; `conform verify report.json` recomputes it from the file as read,
//! so a changed value, an added field or a removed one all show.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{canonical, Report};
use crate::checks::Verdict;
use crate::partition::Partition;

/// The verdict of a run, or of one contract in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunVerdict {
    /// Every case of every contract ran and held (skips allowed, at least one case passed).
    Held,
    /// At least one case failed.
    Failed,
    /// Nothing failed, but a contract had no case that passed (all skipped, or none ran).
    #[default]
    Inconclusive,
}

impl RunVerdict {
    /// Upper-case word for headlines.
    pub fn word(self) -> &'static str {
        match self {
            RunVerdict::Held => "HELD",
            RunVerdict::Failed => "FAILED",
            RunVerdict::Inconclusive => "INCONCLUSIVE",
        }
    }
}

/// The verdict of one document clause: every check that cites it, taken together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClauseVerdict {
    /// At least one check held and none failed or advised.
    Held,
    /// At least one check failed.
    Failed,
    /// Held as far as the document goes, with an advisory note: nothing failed, but a decided
    /// rule (the contract's reading where the document is silent) did not hold somewhere. It
    /// never makes a contract or the run failed (`--strict` turns those advisories into
    /// failures before the certificate sees them).
    #[serde(alias = "warned")]
    Advisory,
    /// Every check was skipped; `because` says why.
    Skipped,
}

impl ClauseVerdict {
    pub fn word(self) -> &'static str {
        match self {
            ClauseVerdict::Held => "held",
            ClauseVerdict::Failed => "failed",
            ClauseVerdict::Advisory => "held, with advisories",
            ClauseVerdict::Skipped => "skipped",
        }
    }

    /// The document's rules held (advisories are about the contract's own readings).
    pub fn held(self) -> bool {
        matches!(self, ClauseVerdict::Held | ClauseVerdict::Advisory)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub verdict: RunVerdict,
    /// `conform <version>`.
    pub tool: String,
    pub seed: Option<u64>,
    /// When the run started (RFC 3339, UTC).
    pub date: String,
    /// Set when this report is one share of a run: not a certificate of the whole.
    pub partition: Option<Partition>,
    /// TLS certificates were not verified (`--insecure`): the answers may not be the target's.
    #[serde(default)]
    pub insecure: bool,
    pub contracts: Vec<CertifiedContract>,
    /// `sha256:<hex>` of the report's canonical JSON without this field.
    pub digest: String,
}

/// One contract's part of the certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertifiedContract {
    pub contract: String,
    pub title: String,
    pub document: String,
    /// SHA-256 of the suite and its schemas: which version of the contract was applied.
    pub content_hash: String,
    /// The base URL the cases ran against.
    pub target: String,
    pub verdict: RunVerdict,
    pub cases: usize,
    pub failed: usize,
    /// Cases that held the document but not every decided rule (never failing the contract).
    #[serde(default)]
    pub advised: usize,
    /// Every clause that produced a check, sorted.
    pub clauses: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clause {
    /// `document > section`, as the suite cites it.
    pub clause: String,
    pub verdict: ClauseVerdict,
    /// Check results citing this clause.
    pub checks: usize,
    /// Cases with at least one of those checks.
    pub cases: usize,
    /// Cases in which a check citing this clause failed.
    pub failed_cases: Vec<String>,
    /// Cases in which a decided rule citing this clause did not hold (an advisory).
    #[serde(default)]
    pub advised_cases: Vec<String>,
    /// Why those rules are the contract's readings (every distinct reason): the advisory note.
    #[serde(default)]
    pub advisory_reasons: Vec<String>,
    /// For a skipped clause: why (every distinct reason).
    pub because: Vec<String>,
}

/// The certificate of a report (everything but the digest, which comes last).
pub fn compute(report: &Report) -> Certificate {
    let contracts: Vec<CertifiedContract> = report
        .targets
        .iter()
        .map(|t| {
            let cases: Vec<_> = report
                .cases
                .iter()
                .filter(|c| *c.contract == *t.contract)
                .collect();
            let failed = cases.iter().filter(|c| c.outcome == Verdict::Fail).count();
            // Advisory cases held the document: they count as passed, never as failed.
            let passed = cases
                .iter()
                .filter(|c| matches!(c.outcome, Verdict::Pass | Verdict::Advisory))
                .count();
            let advised = cases
                .iter()
                .filter(|c| c.outcome == Verdict::Advisory)
                .count();
            CertifiedContract {
                contract: t.contract.clone(),
                title: t.title.clone(),
                document: t.document.clone(),
                content_hash: t.content_hash.clone(),
                target: t.base_url.clone(),
                verdict: if failed > 0 {
                    RunVerdict::Failed
                } else if passed > 0 {
                    RunVerdict::Held
                } else {
                    RunVerdict::Inconclusive
                },
                cases: cases.len(),
                failed,
                advised,
                clauses: clauses(&cases),
            }
        })
        .collect();
    let verdict = if contracts.iter().any(|c| c.verdict == RunVerdict::Failed) {
        RunVerdict::Failed
    } else if !contracts.is_empty() && contracts.iter().all(|c| c.verdict == RunVerdict::Held) {
        RunVerdict::Held
    } else {
        RunVerdict::Inconclusive
    };
    Certificate {
        verdict,
        tool: format!("{} {}", report.tool.name, report.tool.version),
        seed: report.seed,
        date: report.started_at.clone(),
        partition: report.partition,
        insecure: report.insecure,
        contracts,
        digest: String::new(),
    }
}

/// Shown for a check whose suite cites no clause.
const NO_CLAUSE: &str = "(no clause cited)";

/// What one clause's checks came to, borrowing the cases' texts: the tally of a large run
/// allocates once per clause and per named case, not once per check.
#[derive(Default)]
struct Tally<'a> {
    checks: usize,
    /// Distinct cases: a case's checks are noted one after another, so counting changes of
    /// case (by position, `last_case` being one past it) counts each case once.
    cases: usize,
    last_case: usize,
    failed_cases: BTreeSet<&'a str>,
    advised_cases: BTreeSet<&'a str>,
    reasons: BTreeSet<&'a str>,
    passed: usize,
    because: BTreeSet<&'a str>,
}

/// One check (or a case without steps) noted under its clause; `at` is the case's position.
struct Noted<'a> {
    doc: &'a str,
    at: usize,
    id: &'a str,
    outcome: Verdict,
    message: &'a str,
    reason: Option<&'a str>,
}

fn note<'a>(by_clause: &mut BTreeMap<&'a str, Tally<'a>>, n: Noted<'a>) {
    let key = if n.doc.trim().is_empty() {
        NO_CLAUSE
    } else {
        n.doc
    };
    let t = by_clause.entry(key).or_default();
    t.checks += 1;
    if t.last_case != n.at + 1 {
        t.last_case = n.at + 1;
        t.cases += 1;
    }
    match n.outcome {
        Verdict::Fail => {
            t.failed_cases.insert(n.id);
        }
        Verdict::Advisory => {
            t.advised_cases.insert(n.id);
            if let Some(r) = n.reason.filter(|r| !r.trim().is_empty()) {
                t.reasons.insert(r);
            }
        }
        Verdict::Skip => {
            let why = n
                .message
                .strip_prefix("skipped: ")
                .unwrap_or(n.message)
                .trim();
            t.because.insert(if why.is_empty() {
                "no reason given"
            } else {
                why
            });
        }
        _ => t.passed += 1,
    }
}

fn clauses<'a>(cases: &[&'a super::CaseReport]) -> Vec<Clause> {
    let mut by_clause: BTreeMap<&'a str, Tally<'a>> = BTreeMap::new();
    for (at, case) in cases.iter().enumerate() {
        if case.steps.is_empty() {
            // Skipped before any request (or could not start): the case's own clause.
            let noted = Noted {
                doc: &case.doc,
                at,
                id: &case.id,
                outcome: case.outcome,
                message: &case.message,
                reason: None,
            };
            note(&mut by_clause, noted);
        }
        for check in case.steps.iter().flat_map(|s| s.checks.iter()) {
            let noted = Noted {
                doc: &check.doc,
                at,
                id: &case.id,
                outcome: check.outcome,
                message: &check.message,
                reason: check.reason.as_deref(),
            };
            note(&mut by_clause, noted);
        }
    }
    let owned = |set: BTreeSet<&str>| set.into_iter().map(String::from).collect();
    by_clause
        .into_iter()
        .map(|(clause, t)| {
            let verdict = if !t.failed_cases.is_empty() {
                ClauseVerdict::Failed
            } else if !t.advised_cases.is_empty() {
                ClauseVerdict::Advisory
            } else if t.passed > 0 {
                ClauseVerdict::Held
            } else {
                ClauseVerdict::Skipped
            };
            Clause {
                clause: clause.to_string(),
                verdict,
                checks: t.checks,
                cases: t.cases,
                failed_cases: owned(t.failed_cases),
                advised_cases: owned(t.advised_cases),
                advisory_reasons: owned(t.reasons),
                because: if verdict == ClauseVerdict::Skipped {
                    owned(t.because)
                } else {
                    vec![]
                },
            }
        })
        .collect()
}

/// The digest of a report as it is in memory (`sha256:<hex>`): the same bytes as
/// [`digest_of_value`] hashes for the report's JSON, computed one case at a time, so a report of
/// any size is hashed without a JSON copy of all of it in memory.
pub fn digest_of(report: &mut Report) -> String {
    // The report without its cases, then each case in turn where `cases` goes.
    let cases = std::mem::take(&mut report.cases);
    let top = serde_json::to_value(&*report);
    report.cases = cases;
    let Ok(Value::Object(mut top)) = top else {
        return String::new();
    };
    if let Some(c) = top.get_mut("certificate").and_then(Value::as_object_mut) {
        c.remove("digest");
    }
    // The top's members in key order (sorted here too: with serde_json's `preserve_order`, which
    // any dependency may turn on, a map keeps insertion order), with the cases written in place
    // of its empty `cases`.
    let mut members: Vec<(&String, &Value)> = top.iter().collect();
    members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut hasher = Sha256::new();
    let mut out = Vec::with_capacity(FLUSH_AT * 2);
    out.push(b'{');
    for (i, (key, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if canonical::write(key, &mut out).is_err() {
            return String::new();
        }
        out.push(b':');
        let written = if key == "cases" {
            write_cases(&report.cases, &mut out, &mut hasher)
        } else {
            canonical::write(value, &mut out)
        };
        if written.is_err() {
            return String::new();
        }
    }
    out.push(b'}');
    hasher.update(&out[..]);
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

/// `[case,case,...]` in canonical JSON, handed to `hasher` whenever `out` has grown past
/// [`FLUSH_AT`].
fn write_cases(
    cases: &[super::CaseReport],
    out: &mut Vec<u8>,
    hasher: &mut Sha256,
) -> Result<(), canonical::Error> {
    let mut writer = canonical::Canonical::default();
    out.push(b'[');
    for (i, case) in cases.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        writer.write(case, out)?;
        if out.len() >= FLUSH_AT {
            hasher.update(&out[..]);
            out.clear();
        }
    }
    out.push(b']');
    Ok(())
}

/// Bytes of canonical JSON gathered before they are hashed: the digest of a long report is
/// computed in pieces of this size, never of the whole text.
const FLUSH_AT: usize = 64 * 1024;

/// The digest of a report as JSON: `certificate.digest` is left out, whatever it holds.
pub fn digest_of_value(report: &Value) -> String {
    let mut v = report.clone();
    if let Some(c) = v.get_mut("certificate").and_then(Value::as_object_mut) {
        c.remove("digest");
    }
    format!(
        "sha256:{}",
        hex::encode(Sha256::digest(canonical_json(&v).as_bytes()))
    )
}

/// The recorded digest does not match the content: the report was edited after it was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the report's digest does not match its content (recorded {recorded:?}, computed {computed}): it was changed after conform wrote it")]
pub struct DigestMismatch {
    pub recorded: String,
    pub computed: String,
}

/// Checks the digest of a report as read from a file.
pub fn verify(report: &Value) -> Result<(), DigestMismatch> {
    let recorded = report
        .pointer("/certificate/digest")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let computed = digest_of_value(report);
    if recorded == computed {
        Ok(())
    } else {
        Err(DigestMismatch { recorded, computed })
    }
}

/// Canonical JSON: keys sorted by their UTF-8 bytes, no whitespace, serde_json's escaping.
pub fn canonical_json(v: &Value) -> String {
    // A `Value` always has a JSON form.
    canonical::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth_and_has_no_whitespace() {
        let v = json!({"b": [ {"z": 1, "a": "x y"} ], "a": null, "é": true, "Z": 2});
        assert_eq!(
            canonical_json(&v),
            r#"{"Z":2,"a":null,"b":[{"a":"x y","z":1}],"é":true}"#
        );
    }

    #[test]
    fn the_digest_ignores_only_its_own_field() {
        let a = json!({"format": 1, "certificate": {"digest": "x", "verdict": "held"}});
        let b = json!({"certificate": {"verdict": "held", "digest": "y"}, "format": 1});
        assert_eq!(digest_of_value(&a), digest_of_value(&b));
        let c = json!({"certificate": {"verdict": "failed", "digest": "y"}, "format": 1});
        assert_ne!(digest_of_value(&a), digest_of_value(&c));
        let d = digest_of_value(&a);
        assert!(d.starts_with("sha256:") && d.len() == 7 + 64, "{d}");
    }

    #[test]
    fn the_digest_of_a_report_in_memory_is_the_digest_of_its_json() {
        let mut report = crate::report::json::parse_report(
            crate::report::json::tests::FORMAT_1,
            std::path::Path::new("r.json"),
        )
        .unwrap()
        .report;
        report.finish();
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(digest_of(&mut report), digest_of_value(&json));
        assert!(!report.cases.is_empty());
        report.cases[0].message.push('!');
        assert_ne!(digest_of(&mut report), digest_of_value(&json));
    }

    #[test]
    fn verify_catches_a_changed_added_or_removed_field() {
        let mut v = json!({"format": 1, "summary": {"failed": 1}, "certificate": {"digest": ""}});
        v["certificate"]["digest"] = Value::String(digest_of_value(&v));
        assert_eq!(verify(&v), Ok(()));
        let mut changed = v.clone();
        changed["summary"]["failed"] = json!(0);
        assert!(verify(&changed).is_err());
        let mut added = v.clone();
        added["summary"]["note"] = json!("fine");
        assert!(verify(&added).is_err());
        let mut removed = v.clone();
        removed["summary"].as_object_mut().unwrap().remove("failed");
        assert!(verify(&removed).is_err());
        let mut float = v.clone();
        float["summary"]["failed"] = json!(1.0);
        assert!(verify(&float).is_err());
    }
}
