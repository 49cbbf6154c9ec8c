//! Exit codes, decided here and nowhere else.
//!
//! 0: every case held (skips allowed), or the gate passed (every failure known, nothing
//! regressed from the baseline); 1: a conformance failure the gate does not excuse, or a report
//! that does not verify; 2: conform could not do what was asked (bad usage, config, contracts,
//! report, list; an unreachable target). Every command returns an [`Exit`]; `main` turns it
//! into the process's code.

use crate::report::Report;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every case held, or the gate passed; a report verified; a command did its work.
    Held,
    /// A conformance failure (or a regression) the gate does not excuse; a report that does not
    /// verify.
    Failed,
    /// Bad usage, bad config, contracts, report or list, or an unreachable target.
    Usage,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Held => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
        }
    }

    /// The exit of a finished run: its gate decides.
    pub fn of_run(report: &Report) -> Exit {
        Exit::held_if(report.gate.passed)
    }

    /// Held when `ok`, else failed.
    pub fn held_if(ok: bool) -> Exit {
        if ok {
            Exit::Held
        } else {
            Exit::Failed
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}
