//! The one report model that every output format renders; formats never talk to each other.
//!
//! `report.json` is this model serialized; the other formats are views of it.

pub mod json;
pub mod junit;

use serde::{Deserialize, Serialize};

use crate::checks::{CheckResult, Verdict};

/// Version of the `report.json` layout.
pub const FORMAT: u32 = 1;

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub format: u32,
    pub tool: ToolInfo,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub duration_ms: u64,
    /// TLS certificates were not verified (`--insecure`): the answers may not be the target's.
    #[serde(default)]
    pub insecure: bool,
    pub targets: Vec<TargetInfo>,
    pub summary: Summary,
    pub cases: Vec<CaseReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

/// A contract that was run and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetInfo {
    pub contract: String,
    pub title: String,
    pub document: String,
    pub base_url: String,
    /// SHA-256 of the suite and its schemas.
    pub content_hash: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Checks of inferred rules that did not hold (they do not fail their case).
    #[serde(default)]
    pub warnings: usize,
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseReport {
    /// Stable id: `contract::case` or `contract::endpoint::family::variant`.
    pub id: String,
    pub contract: String,
    /// "METHOD /path" of the case's main step.
    pub endpoint: String,
    /// Where the case comes from: `suite` (written in the suite), `auth`, `negative`,
    /// `boundary` or `positive` (generated).
    pub kind: String,
    /// Generator family within the kind (e.g. `wrong-type`, `conditional`); empty for suite cases.
    #[serde(default)]
    pub family: String,
    /// The first check that failed, if any.
    pub check: Option<String>,
    pub outcome: Verdict,
    /// One screen: what failed, expected against got, and how to reproduce; or why skipped.
    pub message: String,
    /// Document clause the case exercises (file > section).
    pub doc: String,
    pub duration_ms: u64,
    pub steps: Vec<StepReport>,
}

/// One request of a case and what came of it; secrets already redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub endpoint: String,
    /// This step puts the target back as it was.
    pub restore: bool,
    pub request: RequestRecord,
    pub response: Option<ResponseRecord>,
    pub checks: Vec<CheckResult>,
    pub curl: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseRecord {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body was cut to the report limit.
    pub truncated: bool,
}

impl Report {
    /// Recomputes the summary from the cases.
    pub fn summarize(cases: &[CaseReport]) -> Summary {
        let count = |v| cases.iter().filter(|c| c.outcome == v).count();
        Summary {
            total: cases.len(),
            passed: count(Verdict::Pass),
            failed: count(Verdict::Fail),
            skipped: count(Verdict::Skip),
            warnings: cases
                .iter()
                .flat_map(|c| c.steps.iter())
                .flat_map(|s| s.checks.iter())
                .filter(|k| k.outcome == Verdict::Warn)
                .count(),
        }
    }

    /// True when no case failed.
    pub fn held(&self) -> bool {
        self.summary.failed == 0
    }
}

/// Seconds since the epoch as RFC 3339 UTC (`2026-11-23T10:55:40Z`).
pub fn rfc3339(unix_secs: u64) -> String {
    let days = unix_secs / 86_400;
    let rem = unix_secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_795_431_340), "2026-11-23T10:55:40Z");
    }
}
