//! What sort of case a case is: the one vocabulary the planner, the engine, the console and the
//! reports share (reports and `[kind]` filters spell it as the lower-case word).

use serde::{Deserialize, Serialize};

/// The sort of a case, by where it comes from.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum CaseKind {
    /// A case written in the suite.
    Suite,
    /// A written case that holds promises across its steps (`assert`).
    Flow,
    /// A written probe of a method the document does not list.
    Method,
    /// A wrong credential, generated for every endpoint that needs one.
    Auth,
    /// A generated request the document says is invalid.
    Negative,
    /// A generated value at the edge of what the document allows.
    Boundary,
    /// A generated request the document says is valid.
    Positive,
    /// A kind this conform does not know (a report of another version).
    #[default]
    #[serde(other)]
    Unknown,
}

impl CaseKind {
    /// The kind as reports and filters spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Suite => "suite",
            CaseKind::Flow => "flow",
            CaseKind::Method => "method",
            CaseKind::Auth => "auth",
            CaseKind::Negative => "negative",
            CaseKind::Boundary => "boundary",
            CaseKind::Positive => "positive",
            CaseKind::Unknown => "unknown",
        }
    }

    /// Generated from the document's schemas (not written in the suite, not an auth case).
    pub fn is_generated(self) -> bool {
        matches!(
            self,
            CaseKind::Negative | CaseKind::Boundary | CaseKind::Positive
        )
    }
}

impl std::fmt::Display for CaseKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_as_written_and_an_unknown_one_is_unknown() {
        for k in [
            CaseKind::Suite,
            CaseKind::Flow,
            CaseKind::Method,
            CaseKind::Auth,
            CaseKind::Negative,
            CaseKind::Boundary,
            CaseKind::Positive,
        ] {
            let text = serde_json::to_string(&k).unwrap();
            assert_eq!(text, format!("\"{k}\""));
            assert_eq!(serde_json::from_str::<CaseKind>(&text).unwrap(), k);
        }
        assert_eq!(
            serde_json::from_str::<CaseKind>("\"fuzz\"").unwrap(),
            CaseKind::Unknown
        );
    }
}
