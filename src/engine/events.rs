//! What the engine tells its sinks while a run goes: a run started, a case started, a step of
//! it finished, the case finished, the run finished.
//!
//! Sinks are called from one place (the engine's collector), in the order things happened, so a
//! sink needs no lock. A case's full record comes with [`Event::CaseFinished`]; what a sink
//! wants to keep of it, it copies: the engine drops the bodies after the sinks have seen them.

use std::time::Duration;

use serde::Serialize;

use crate::checks::Verdict;
use crate::report::{CaseReport, Report};

/// One step of a case, as it finished (the full record comes with the case).
#[derive(Debug, Clone, Serialize)]
pub struct StepDone {
    /// Position of the step in the case's plan, from 1.
    pub step: usize,
    /// "METHOD /path".
    pub endpoint: std::sync::Arc<str>,
    /// The answer's status; `None` when none came.
    pub status: Option<u16>,
    /// Fail if any check failed, else advisory if any advised, else pass.
    pub verdict: Verdict,
    pub duration_ms: u64,
}

/// Something that happened in a run.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    RunStarted {
        cases: usize,
    },
    CaseStarted {
        id: &'a str,
    },
    StepFinished {
        id: &'a str,
        step: &'a StepDone,
    },
    CaseFinished {
        case: &'a CaseReport,
    },
    RunFinished {
        report: &'a Report,
        elapsed: Duration,
    },
}

/// Receives the events of a run: the console, the transcript writer, the progress line.
pub trait Sink: Send {
    fn event(&mut self, event: Event<'_>);
}
