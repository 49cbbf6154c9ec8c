//! Failures grouped by signature, advisories grouped by rule: the two lists a reader acts on.
//!
//! A target that breaks one rule breaks it in many cases: every authentication case of an
//! endpoint that ignores the token gets the same 200, every flow that reads the same profile
//! sees the same unrounded money. Listed case by case, the first defect buries the second. So
//! every format shows each distinct failure once — its check, clause, the document's words,
//! one example of expected against got, one curl line — with all the cases that failed alike;
//! and each decided rule that did not hold once, with its reason and its cases. Both lists are
//! derived from the cases alone by [`Report::finish`](super::Report::finish), so a merge of
//! partitions groups exactly as the whole run does, and a report read back groups as written.
//!
//! # The signature of a failure
//!
//! A failed case's signature is its contract and, for every check that failed in the first
//! step that failed, the check id, the `METHOD /path` of that step (with "restore" for a
//! restore step), the clause it cites and the *shape* of its message. Only restore steps run
//! after that step, and one that fails then is a note of the case, as the runner has it (the
//! changes it would undo may never have been made), so it does not split the group: the case's
//! own entries in junit.xml and report.json still show it. The endpoint is the
//! failing step's: for a one-request case that is the case's endpoint; for a flow it is where
//! the expected-against-got happened, so the flows that all read the same broken answer fall
//! into one group instead of one per flow. The clause keeps apart failures that read alike but
//! break different rules (an invalid body accepted with 200 is not a token ignored with 200).
//!
//! The shape of a message keeps what tells failures apart — statuses, table codes, counts,
//! media types, property names, pointers, schema keywords — and drops what only says which
//! request or which data it was:
//!
//! - a quoted text that is a body (it starts with `{` or `[`, or is longer than
//!   [`BODY_LIKE`] characters) becomes `"…"`;
//! - a number with a fraction, or of four digits or more (ids, ports, amounts), becomes `#`;
//!   numbers of up to three digits stay, for they are the statuses and codes;
//! - a number that is a whole path segment (an array position in a JSON pointer, an id in a
//!   URL path) becomes `#`;
//! - a UUID or a run of 16 or more hex digits (ids, tokens) becomes `#`.
//!
//! Dotted quads (IP addresses) and numbers inside words (`v3`, `2fa`, `10s`) are kept. The
//! signature is stable across runs and shares, and so is the group's `id`, a hash of it.
//!
//! A failed case with no failed check (cut off by `--run-timeout`, a restore that could not be
//! built) is grouped by the shape of its message, citing the case's clause.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{CaseReport, Report};
use std::sync::Arc;

use crate::checks::{CheckId, CheckResult, Verdict};

/// A quoted text longer than this many characters is taken for a body (or data from one).
pub const BODY_LIKE: usize = 40;

/// Cases that failed alike, listed once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailureGroup {
    /// `f-` and 10 hex digits of the SHA-256 of the signature: the same failure has the same id
    /// in every run, share and merge.
    pub id: String,
    /// What the cases have in common (see the module documentation).
    pub signature: String,
    pub contract: String,
    /// `METHOD /path` of the first case's main step.
    pub endpoint: String,
    /// The checks that failed, as they failed in the first case: its messages stand for every
    /// case of the group.
    pub failures: Vec<GroupedFailure>,
    /// Every case that failed alike, in id order; the first is the example.
    pub cases: Vec<String>,
    /// How to reproduce the first case: the curl line of its first failing step.
    pub curl: String,
}

/// One failed check of a group, as it failed in the group's first case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupedFailure {
    pub check: CheckId,
    /// `METHOD /path` of the step it failed in.
    pub endpoint: String,
    /// 1-based number of that step in the first case (0: the case failed before any request).
    pub step: usize,
    pub restore: bool,
    /// The status that came back (none: no answer, or no request).
    pub status: Option<u16>,
    /// The document clause the rule comes from.
    pub clause: String,
    /// The document's words for the rule.
    pub quote: Option<String>,
    /// Set when a decided rule fails under `--strict`: why it is the contract's reading.
    pub reason: Option<String>,
    /// Expected against got, in the first case.
    pub message: String,
}

impl GroupedFailure {
    /// Where it failed, for a reader: "step 2 (restore) `POST /x` → 400", or "before any
    /// request"; `endpoint` renders the endpoint in the format's markup.
    pub fn place(&self, endpoint: impl Fn(&str) -> String) -> String {
        if self.step == 0 {
            return "before any request".to_string();
        }
        format!(
            "step {}{} {} → {}",
            self.step,
            if self.restore { " (restore)" } else { "" },
            endpoint(&self.endpoint),
            self.status
                .map_or_else(|| "no answer".to_string(), |s| s.to_string())
        )
    }
}

/// A decided rule that did not hold, with every case in which it did not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdvisoryGroup {
    /// `a-` and 10 hex digits of the SHA-256 of contract, check, clause and reason.
    pub id: String,
    pub contract: String,
    pub check: CheckId,
    /// Why the rule is the contract's reading where the document is silent.
    pub reason: String,
    pub clause: String,
    /// Advisory check results of this rule (a case may have several, one per step).
    pub results: usize,
    /// The cases in which it did not hold, in id order (passed and failed cases alike).
    pub cases: Vec<String>,
    /// The first case's message: what the contract reads against what came.
    pub message: String,
}

impl Report {
    /// The failure group of a failed case.
    pub fn failure_group_of(&self, case: &str) -> Option<&FailureGroup> {
        self.failure_groups
            .iter()
            .find(|g| g.cases.iter().any(|c| c == case))
    }
}

fn short_hash(prefix: &str, text: &str) -> String {
    let hash = Sha256::digest(text.as_bytes());
    format!("{prefix}{}", hex::encode(&hash[..5]))
}

/// The failed checks of the first step that failed, with its number (1-based) and report.
/// Only restore steps run after it, and a restore that fails then is a note of the case (the
/// runner's rule: the steps it would undo may not have run), not a failure of its own.
fn failed_checks(case: &CaseReport) -> Vec<(usize, &super::StepReport, &CheckResult)> {
    let Some((i, step)) = case
        .steps
        .iter()
        .enumerate()
        .find(|(_, s)| s.checks.iter().any(|k| k.outcome == Verdict::Fail))
    else {
        return vec![];
    };
    step.checks
        .iter()
        .filter(|k| k.outcome == Verdict::Fail)
        .map(|k| (i + 1, step, k))
        .collect()
}

/// The failures of a failed case, and its curl line.
fn failures_of(case: &CaseReport) -> (Vec<GroupedFailure>, String) {
    let failed = failed_checks(case);
    let Some((_, first_step, _)) = failed.first() else {
        let failure = GroupedFailure {
            check: case.check.unwrap_or(CheckId::Case),
            endpoint: case.endpoint.to_string(),
            step: 0,
            restore: false,
            status: None,
            clause: case.doc.to_string(),
            quote: None,
            reason: None,
            message: case.message.clone(),
        };
        let curl = case
            .steps
            .first()
            .map(|s| s.curl.clone())
            .unwrap_or_default();
        return (vec![failure], curl);
    };
    let curl = first_step.curl.clone();
    let failures = failed
        .iter()
        .map(|(n, step, k)| GroupedFailure {
            check: k.id,
            endpoint: step.endpoint.to_string(),
            step: *n,
            restore: step.restore,
            status: step.response.as_ref().map(|r| r.status),
            clause: k.doc.to_string(),
            quote: k.quote.clone(),
            reason: k.reason.clone(),
            message: k.message.clone(),
        })
        .collect();
    (failures, curl)
}

/// The signature of a failed case (see the module documentation).
pub fn signature(case: &CaseReport) -> String {
    let (failures, _) = failures_of(case);
    let parts: Vec<String> = failures
        .iter()
        .map(|f| {
            format!(
                "[{}] {}{} | {} | {}",
                f.check,
                f.endpoint,
                if f.restore { " (restore)" } else { "" },
                f.clause,
                shape(&f.message)
            )
        })
        .collect();
    format!("{}: {}", case.contract, parts.join(" + "))
}

/// Failure groups of the failed cases: largest first, then by their first case.
pub fn failure_groups(cases: &[CaseReport]) -> Vec<FailureGroup> {
    let mut by_signature: BTreeMap<String, FailureGroup> = BTreeMap::new();
    for case in cases.iter().filter(|c| c.outcome == Verdict::Fail) {
        let signature = signature(case);
        if let Some(group) = by_signature.get_mut(&signature) {
            group.cases.push(case.id.clone());
            continue;
        }
        let (failures, curl) = failures_of(case);
        by_signature.insert(
            signature.clone(),
            FailureGroup {
                id: short_hash("f-", &signature),
                signature,
                contract: case.contract.to_string(),
                endpoint: case.endpoint.to_string(),
                failures,
                cases: vec![case.id.clone()],
                curl,
            },
        );
    }
    let mut groups: Vec<FailureGroup> = by_signature.into_values().collect();
    for g in &mut groups {
        g.cases.sort();
    }
    groups.sort_by(|a, b| {
        b.cases
            .len()
            .cmp(&a.cases.len())
            .then(a.cases.cmp(&b.cases))
    });
    groups
}

/// Advisory groups: one per decided rule (contract, check, clause, reason) that did not hold,
/// most cases first.
pub fn advisory_groups(cases: &[CaseReport]) -> Vec<AdvisoryGroup> {
    let mut by_rule: BTreeMap<(Arc<str>, CheckId, Arc<str>, String), AdvisoryGroup> =
        BTreeMap::new();
    for case in cases {
        for k in case.steps.iter().flat_map(|s| s.checks.iter()) {
            if k.outcome != Verdict::Advisory {
                continue;
            }
            let reason = k.reason.clone().unwrap_or_default();
            let key = (case.contract.clone(), k.id, k.doc.clone(), reason.clone());
            let group = by_rule.entry(key).or_insert_with(|| AdvisoryGroup {
                id: short_hash(
                    "a-",
                    &format!("{}\n{}\n{}\n{}", case.contract, k.id, k.doc, reason),
                ),
                contract: case.contract.to_string(),
                check: k.id,
                reason,
                clause: k.doc.to_string(),
                results: 0,
                cases: vec![],
                message: k.message.clone(),
            });
            group.results += 1;
            if group.cases.last() != Some(&case.id) {
                group.cases.push(case.id.clone());
            }
        }
    }
    let mut groups: Vec<AdvisoryGroup> = by_rule.into_values().collect();
    for g in &mut groups {
        g.cases.sort();
        g.cases.dedup();
    }
    groups.sort_by(|a, b| {
        a.contract
            .cmp(&b.contract)
            .then(b.cases.len().cmp(&a.cases.len()))
            .then(a.id.cmp(&b.id))
    });
    groups
}

/// A message with what only names the request or its data normalized away (see the module
/// documentation).
pub fn shape(message: &str) -> String {
    mask_numbers(&mask_ids(&mask_bodies(message)))
}

/// Quoted texts that are bodies become `"…"`. Quoted as Rust's `{:?}` writes them (what
/// [`crate::checks::snippet`] makes), optionally followed by the `...` of a cut snippet.
fn mask_bodies(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '"' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // Find the closing quote, honouring backslash escapes.
        let mut j = i + 1;
        let mut closed = None;
        while j < chars.len() {
            match chars[j] {
                '\\' => j += 2,
                '"' => {
                    closed = Some(j);
                    break;
                }
                _ => j += 1,
            }
        }
        let Some(end) = closed else {
            out.extend(&chars[i..]);
            break;
        };
        let inner = &chars[i + 1..end];
        let body_like = matches!(inner.first(), Some('{' | '[')) || inner.len() > BODY_LIKE;
        if body_like {
            out.push_str("\"…\"");
            let mut next = end + 1;
            if chars[next.min(chars.len())..].starts_with(&['.', '.', '.']) {
                next += 3;
            }
            i = next;
        } else {
            out.extend(&chars[i..=end]);
            i = end + 1;
        }
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Data numbers and numeric path segments become `#`.
fn mask_numbers(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        if !c.is_ascii_digit() || prev.is_some_and(|p| is_word(p) || p == '.') {
            out.push(c);
            i += 1;
            continue;
        }
        // A number: digits, with dot-separated digit groups.
        let mut j = i;
        let mut dots = 0;
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                j += 1;
            } else if chars[j] == '.' && chars.get(j + 1).is_some_and(char::is_ascii_digit) {
                dots += 1;
                j += 1;
            } else {
                break;
            }
        }
        let next = chars.get(j).copied();
        let token: String = chars[i..j].iter().collect();
        if next.is_some_and(is_word) {
            // Part of a word (`2fa`, `10s`): copy the whole word.
            let mut k = j;
            while k < chars.len() && is_word(chars[k]) {
                k += 1;
            }
            out.extend(&chars[i..k]);
            i = k;
            continue;
        }
        let segment = prev == Some('/')
            && dots == 0
            && next.is_none_or(|n| {
                matches!(n, '/' | ':' | '?' | '"' | ',' | ')' | ']') || n.is_whitespace()
            });
        let data = (dots == 0 && token.len() >= 4) || dots == 1;
        if segment || data {
            out.push('#');
        } else {
            out.push_str(&token);
        }
        i = j;
    }
    out
}

/// UUIDs and long hex runs (ids, tokens) become `#`.
fn mask_ids(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let hex_run = word.len() >= 16 && word.chars().all(|c| c.is_ascii_hexdigit());
        let uuid = word.len() == 36
            && word.char_indices().all(|(i, c)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
        if hex_run || uuid {
            out.push('#');
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        assert_eq!(shape(a), shape(b), "{a:?} and {b:?} should be alike");
    }

    fn apart(a: &str, b: &str) {
        assert_ne!(shape(a), shape(b), "{a:?} and {b:?} should differ");
    }

    #[test]
    fn bodies_ids_ports_and_amounts_are_volatile() {
        same(
            r#"expected status any 4xx, got 200 "{\"userId\":\"65f1\",\"name\":\"Ada\"}""#,
            r#"expected status any 4xx, got 200 "{\"userId\":\"77aa\",\"name\":\"Bo\"}"..."#,
        );
        same(
            "expected a body valid against profile.json, got 1 violation:\n  - /cashback: 150.505 is not a multiple of 0.01 [/$defs/money/multipleOf]",
            "expected a body valid against profile.json, got 1 violation:\n  - /cashback: 19.995 is not a multiple of 0.01 [/$defs/money/multipleOf]",
        );
        same(
            "cannot connect to http://127.0.0.1:40123/User/1003/status: refused",
            "cannot connect to http://127.0.0.1:51234/User/1001/status: refused",
        );
        same(
            "no complete answer from http://h.example/items/7 within 10s",
            "no complete answer from http://h.example/items/12 within 10s",
        );
        same(
            "/items/0/price: \"x\" is not of type \"number\" [/properties/items/items/properties/price/type]",
            "/items/3/price: \"x\" is not of type \"number\" [/properties/items/items/properties/price/type]",
        );
        same(
            "expected /id = 1003, got 2147483647",
            "expected /id = 1001, got 1002",
        );
        same(
            "expected /session to differ, got 3f2a9c0e-1b2d-4e5f-8a9b-0c1d2e3f4a5b",
            "expected /session to differ, got 00000000-1111-2222-3333-444444444444",
        );
        same(
            &format!(
                "got {:?}",
                "a long plain-text body that a target sent back, far past forty"
            ),
            &format!(
                "got {:?}",
                "another long plain-text body, with other words in it entirely"
            ),
        );
    }

    #[test]
    fn statuses_codes_keywords_media_types_and_properties_tell_failures_apart() {
        apart(
            "expected status 200, got 201 \"{}\"",
            "expected status 200, got 404 \"{}\"",
        );
        apart(
            "expected Content-Type application/json, got \"text/plain\"",
            "expected Content-Type application/json, got \"text/html\"",
        );
        apart(
            "/: \"email\" is a required property [/required]",
            "/: \"name\" is a required property [/required]",
        );
        apart(
            "expected a value of the lifecycle table (50, 150, 200), got /status 1",
            "expected a value of the lifecycle table (50, 150, 200), got /status 7",
        );
        apart(
            "/items/0/price: 1.5 is not of type \"integer\" [/type]",
            "/items/0/name: 1.5 is not of type \"integer\" [/type]",
        );
        apart("got 3 violations", "got 2 violations");
        // Kept as they are: words with digits, addresses, versions.
        assert_eq!(
            shape("POST /api/v3/users/2fa at 10.0.0.1 (conform 0.1.0) within 10s"),
            "POST /api/v3/users/2fa at 10.0.0.1 (conform 0.1.0) within 10s"
        );
        assert_eq!(shape("got 201 \"{\\\"id\\\":1}\"..."), "got 201 \"…\"");
        assert_eq!(shape("unterminated \"quote"), "unterminated \"quote");
        assert_eq!(
            shape("ids 12345 and 1.5 and /x/12/y"),
            "ids # and # and /x/#/y"
        );
    }
}
