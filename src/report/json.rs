//! `report.json`: the report model as pretty JSON, and reading one back (for `diff`, `merge`,
//! `--baseline` and `verify`) with errors that say which file and why, never a panic.

use std::path::Path;

use serde_json::Value;

use super::{certificate, Format, Report, ReportError, FORMAT, OLDEST_READ_FORMAT};

/// The report as pretty JSON, newline-terminated.
pub fn render(report: &Report) -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string_pretty(report)? + "\n")
}

/// Writes `dir/report.json`.
pub fn write_report(report: &Report, dir: &Path) -> Result<(), ReportError> {
    super::write_all(report, dir, &[Format::Json]).map(|_| ())
}

/// A report read back, with whether its digest still matches its content.
#[derive(Debug, Clone)]
pub struct ReadReport {
    pub report: Report,
    /// `Err` with both digests when the file was edited after conform wrote it.
    pub integrity: Result<(), certificate::DigestMismatch>,
}

/// Reads a `report.json`: it must be JSON, of a format from [`OLDEST_READ_FORMAT`] to
/// [`FORMAT`], and shaped like the model. A format 1 report reads with its renamed fields under
/// their new names and the derived parts it lacks empty, until [`Report::finish`] computes them;
/// its `format` stays 1 and its digest is checked over the file as written.
pub fn read_report(path: &Path) -> Result<ReadReport, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_report(&text, path)
}

/// [`read_report`] of text already read (`path` only names it in errors).
pub fn parse_report(text: &str, path: &Path) -> Result<ReadReport, ReportError> {
    let invalid = |message: String| ReportError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let raw: Value = serde_json::from_str(text).map_err(|e| invalid(format!("not JSON ({e})")))?;
    let Some(object) = raw.as_object() else {
        return Err(invalid("not a JSON object".into()));
    };
    match object.get("format").and_then(Value::as_u64) {
        Some(f) if (u64::from(OLDEST_READ_FORMAT)..=u64::from(FORMAT)).contains(&f) => {}
        Some(found) => {
            return Err(ReportError::Version {
                path: path.to_path_buf(),
                found,
            })
        }
        None => return Err(invalid("no \"format\" number".into())),
    }
    let integrity = certificate::verify(&raw);
    let report: Report = serde_json::from_value(raw).map_err(|e| invalid(e.to_string()))?;
    Ok(ReadReport { report, integrity })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::checks::Verdict;
    use crate::report::ClauseVerdict;

    /// A format 1 report as the first conform wrote it, with "warn", "warned" and "warnings".
    pub(crate) const FORMAT_1: &str = r#"{
      "format": 1,
      "tool": {"name": "conform", "version": "0.1.0"},
      "started_at": "2026-11-23T10:55:40Z", "duration_ms": 5,
      "targets": [],
      "summary": {"total": 1, "passed": 1, "failed": 0, "skipped": 0, "warnings": 1,
                  "expected_failures": 0},
      "certificate": {"verdict": "held", "tool": "conform 0.1.0", "seed": 1,
        "date": "2026-11-23T10:55:40Z", "partition": null, "contracts": [{
          "contract": "c", "title": "", "document": "d", "content_hash": "", "target": "",
          "verdict": "held", "cases": 1, "failed": 0,
          "clauses": [{"clause": "d > s", "verdict": "warned", "checks": 1, "cases": 1,
                       "failed_cases": [], "because": []}]}],
        "digest": ""},
      "coverage": [{"contract": "c", "checks": ["status"], "statuses": [],
        "undocumented_statuses": [], "tables": [],
        "endpoints": [{"endpoint": "GET /s", "doc": "d > s", "cases": 1,
          "cells": [{"check": "status", "passed": 0, "failed": 0, "skipped": 0,
                     "warned": 1}]}]}],
      "cases": [{"id": "c::s", "contract": "c", "endpoint": "GET /s", "kind": "suite",
        "check": null, "outcome": "warn", "message": "", "doc": "d > s", "duration_ms": 1,
        "steps": [{"endpoint": "GET /s", "restore": false,
          "request": {"method": "GET", "url": "http://h/s", "headers": [], "body": null},
          "response": null, "curl": "curl",
          "checks": [{"id": "status", "outcome": "warn", "message": "m", "doc": "d > s"}]}]}]
    }"#;

    #[test]
    fn format_1_reads_under_the_new_names_and_finishes_as_format_2() {
        let read = parse_report(FORMAT_1, Path::new("old.json")).unwrap();
        let mut r = read.report;
        assert!(read.integrity.is_err(), "its digest is empty");
        assert_eq!(r.format, 1);
        assert_eq!(r.summary.advisories, 1);
        assert_eq!(r.cases[0].outcome, Verdict::Advisory);
        assert_eq!(r.cases[0].steps[0].checks[0].outcome, Verdict::Advisory);
        let clause = &r.certificate.contracts[0].clauses[0];
        assert_eq!(clause.verdict, ClauseVerdict::Advisory);
        assert_eq!(r.coverage[0].endpoints[0].cells[0].advisories, 1);
        r.finish();
        assert_eq!(r.format, FORMAT);
        assert_eq!(r.advisories.len(), 1);
        assert_eq!(r.advisories[0].reason, "", "format 1 recorded no reason");
        assert!(render(&r).unwrap().contains("\"outcome\": \"advisory\""));
        let e = parse_report(r#"{"format": 5}"#, Path::new("new.json"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("report format 5; this conform reads formats 1 to 4"),
            "{e}"
        );
    }
}
