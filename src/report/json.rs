//! `report.json`: the report model as pretty JSON.

use std::path::Path;

use super::Report;

/// Writes `dir/report.json`.
pub fn write_report(report: &Report, dir: &Path) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(report).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("report.json"), text + "\n")
}

/// Reads a `report.json` back.
pub fn read_report(path: &Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a conform report: {e}", path.display()))
}
