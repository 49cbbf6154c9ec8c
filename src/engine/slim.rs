//! What of a finished case stays in memory when a transcript on disk holds the rest.
//!
//! The summary, coverage, certificate, failure groups and JUnit need a case's verdict, its
//! checks, the endpoint and status of each step and, for coverage of the documents' status
//! tables, the one integer each table reads from a body. They do not need the headers and bodies
//! of a passed case, which are most of its bytes. So a passed or skipped case keeps, per step:
//! the endpoint, whether it restores, the method and URL, the status, the table values and the
//! checks; its headers, bodies and curl line are in `transcript.jsonl` only.
//!
//! Failed and advised cases keep everything (the renderers show their requests and answers), up
//! to [`KEPT_WHOLE`] of them; beyond that they are slimmed too, so a target that fails every
//! case still runs in bounded memory (the reports then show those cases' checks and curl lines,
//! and the transcript their bodies).

use std::collections::BTreeMap;

use crate::checks::Verdict;
use crate::report::{CaseReport, DocTable, Documented, StepReport};

use super::RunContext;

/// Failed or advised cases kept whole in memory (and in report.json); later ones are slimmed.
pub const KEPT_WHOLE: usize = 1000;

/// Slims finished cases, or keeps them whole when nothing else holds their records.
pub struct Keeper {
    slim: bool,
    /// Per contract name: the status tables whose values coverage counts.
    tables: BTreeMap<String, Vec<DocTable>>,
    /// Failed or advised cases kept whole so far.
    whole: usize,
}

impl Keeper {
    pub fn new(ctx: &RunContext, slim: bool) -> Self {
        let tables = ctx
            .contracts
            .iter()
            .map(|c| (c.name().to_string(), Documented::of(c).tables))
            .collect();
        Keeper {
            slim,
            tables,
            whole: 0,
        }
    }

    /// The case as it stays in memory.
    pub fn keep(&mut self, mut case: CaseReport) -> CaseReport {
        if !self.slim {
            return case;
        }
        let tables = self
            .tables
            .get(&*case.contract)
            .map_or(&[][..], Vec::as_slice);
        let noteworthy = matches!(case.outcome, Verdict::Fail | Verdict::Advisory);
        if noteworthy && self.whole < KEPT_WHOLE {
            self.whole += 1;
            return case;
        }
        for step in &mut case.steps {
            slim_step(step, tables, noteworthy);
        }
        case
    }
}

/// Drops the headers and bodies of a step, first noting the table values coverage reads from
/// its body. `keep_curl`: a failed case beyond [`KEPT_WHOLE`] keeps its reproduce line.
fn slim_step(step: &mut StepReport, tables: &[DocTable], keep_curl: bool) {
    if let Some(response) = &mut step.response {
        response.values = crate::report::coverage::table_values(tables, &step.endpoint, response);
        response.headers = vec![];
        response.body = String::new();
    }
    step.request.headers = vec![];
    step.request.body = None;
    if !keep_curl {
        step.curl = String::new();
    }
}
