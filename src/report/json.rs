//! `report.json`: the report model as pretty JSON, and reading one back (for `diff`, `merge`,
//! `--baseline` and `verify`) with errors that say which file and why, never a panic.

use std::path::Path;

use serde_json::Value;

use super::{certificate, Format, Report, ReportError, FORMAT};

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

/// Reads a `report.json`: it must be JSON, of format [`FORMAT`], and shaped like the model.
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
        Some(f) if f == u64::from(FORMAT) => {}
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
