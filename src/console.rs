//! The console: the run as Rust users know it from `cargo test`, and more.
//!
//! The options are libtest's (FILTER, `--exact`, `--skip`, `--list`, `--test-threads`, `-q`)
//! and mean what they mean there: a filter matches `[kind] id` as `--list` prints it. The
//! output is one of three `--format`s:
//!
//! - `libtest` (the default): `running N tests`, `test [kind] id ... ok|FAILED|ignored` as each
//!   case finishes, the failures with their messages, `test result: ...`;
//! - `terse`: one character per case (`.` `F` `i`), a count every 88;
//! - `json`: one JSON object per line as things happen, libtest's own event objects (`type`
//!   `suite`/`test`, `event` `started`/`ok`/`failed`/`ignored`) with conform's fields added,
//!   and a `step` object per finished step, for tools that follow a run live.
//!
//! When stdout is a terminal and the run has gone on for a second, a progress line (counts and
//! rate) sits under the output; it is cleared before every line written, so the lines above it
//! are the same as without it.
//!
//! libtest-mimic is not used to run the cases: one engine runs them (see `engine`), and a test
//! harness cannot be handed finished results. The output is written here to libtest's format.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::checks::Verdict;
use crate::engine::{Event, Sink};
use crate::plan::CasePlan;

/// Cases per line of the terse format, as libtest has it.
const TERSE_WIDTH: usize = 88;
/// The progress line appears once the run has gone on this long...
const PROGRESS_AFTER: Duration = Duration::from_secs(1);
/// ... and is redrawn at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// `--format`: how the run is shown on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// One line per case, as `cargo test` prints (the default).
    #[default]
    Libtest,
    /// One character per case.
    Terse,
    /// JSON events, one per line, as they happen.
    Json,
}

impl Format {
    /// The format of a `--format` name (`pretty` is libtest's own name for `libtest`).
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "libtest" | "pretty" => Some(Format::Libtest),
            "terse" => Some(Format::Terse),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Which cases run, as libtest's FILTER, `--exact` and `--skip` choose tests.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only cases whose `[kind] id` contains this (with `exact`: is this, or the id is).
    pub filter: Option<String>,
    /// `filter` and `skip` match whole names, not parts.
    pub exact: bool,
    /// Leave out cases whose `[kind] id` contains one of these.
    pub skip: Vec<String>,
}

impl Selection {
    /// Keeps the cases the filter and `skip` select; returns how many were left out.
    pub fn select(&self, plans: &mut Vec<CasePlan>) -> usize {
        let before = plans.len();
        plans.retain(|p| self.selects(&p.id, p.kind.as_str()));
        before - plans.len()
    }

    /// Whether the case `id` of `kind` runs, as libtest decides for a test of that name.
    pub fn selects(&self, id: &str, kind: &str) -> bool {
        let named = format!("[{kind}] {id}");
        let matches = |f: &str| {
            if self.exact {
                id == f || named == f
            } else {
                named.contains(f)
            }
        };
        if let Some(filter) = &self.filter {
            if !matches(filter) {
                return false;
            }
        }
        !self.skip.iter().any(|s| matches(s))
    }
}

/// `--list`: one line per case, as libtest lists tests.
pub fn list(plans: &[CasePlan]) -> String {
    plans
        .iter()
        .map(|p| format!("[{}] {}: test\n", p.kind, p.id))
        .collect()
}

/// The console sink: writes the run to `out` in one format, with a progress line on a
/// terminal.
pub struct Console<W: Write + Send> {
    out: W,
    format: Format,
    name_width: usize,
    kind_width: usize,
    filtered_out: usize,
    /// Failed cases with their messages, for the failures section.
    failures: Vec<(String, String)>,
    counts: Counts,
    progress: Option<Progress>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    total: usize,
    done: usize,
    passed: usize,
    failed: usize,
    ignored: usize,
}

impl Console<std::io::Stdout> {
    /// The console on stdout, for these (selected) cases.
    pub fn stdout(format: Format, plans: &[CasePlan], filtered_out: usize) -> Self {
        let terminal = std::io::stdout().is_terminal();
        let mut console = Console::new(std::io::stdout(), format, plans, filtered_out);
        if terminal && format != Format::Json {
            console.progress = Some(Progress::new());
        }
        console
    }
}

impl<W: Write + Send> Console<W> {
    /// The console on `out`, without a progress line.
    pub fn new(out: W, format: Format, plans: &[CasePlan], filtered_out: usize) -> Self {
        Console {
            out,
            format,
            name_width: plans
                .iter()
                .map(|p| p.id.chars().count())
                .max()
                .unwrap_or(0),
            kind_width: plans
                .iter()
                .map(|p| p.kind.as_str().len() + 3)
                .max()
                .unwrap_or(0),
            filtered_out,
            failures: vec![],
            counts: Counts::default(),
            progress: None,
        }
    }

    /// Writes `text`, the progress line cleared before and drawn again after when due.
    fn write(&mut self, text: &str) {
        if let Some(p) = &mut self.progress {
            p.clear(&mut self.out);
        }
        // A closed stdout (`conform run | head`) must not end the run: the reports still matter.
        let _ = self.out.write_all(text.as_bytes());
        if let Some(p) = &mut self.progress {
            p.draw(&mut self.out, &self.counts, false);
        }
        let _ = self.out.flush();
    }

    fn case_finished(&mut self, case: &crate::report::CaseReport) {
        self.counts.done += 1;
        let (word, mark) = match case.outcome {
            Verdict::Pass | Verdict::Advisory => {
                self.counts.passed += 1;
                ("ok".to_string(), '.')
            }
            Verdict::Fail => {
                self.counts.failed += 1;
                self.failures.push((case.id.clone(), case.message.clone()));
                ("FAILED".to_string(), 'F')
            }
            Verdict::Skip => {
                self.counts.ignored += 1;
                (format!("ignored, {}", case.message), 'i')
            }
        };
        let text = match self.format {
            Format::Libtest => format!(
                "test {:<kw$}{:<nw$} ... {word}\n",
                format!("[{}] ", case.kind),
                case.id,
                kw = self.kind_width,
                nw = self.name_width
            ),
            Format::Terse if self.counts.done.is_multiple_of(TERSE_WIDTH) => {
                format!("{mark} {}/{}\n", self.counts.done, self.counts.total)
            }
            Format::Terse => mark.to_string(),
            Format::Json => {
                let event = match case.outcome {
                    Verdict::Pass | Verdict::Advisory => "ok",
                    Verdict::Fail => "failed",
                    Verdict::Skip => "ignored",
                };
                let mut line = json!({
                    "type": "test",
                    "event": event,
                    "name": case.id,
                    "kind": case.kind,
                    "outcome": case.outcome,
                    "check": case.check,
                    "exec_time": case.duration_ms as f64 / 1000.0,
                });
                if case.outcome != Verdict::Pass {
                    line["stdout"] = json!(case.message);
                }
                format!("{line}\n")
            }
        };
        self.write(&text);
    }

    fn run_finished(&mut self, elapsed: Duration) {
        let c = self.counts;
        let secs = elapsed.as_secs_f64();
        if self.format == Format::Json {
            let line = json!({
                "type": "suite",
                "event": if c.failed > 0 { "failed" } else { "ok" },
                "passed": c.passed,
                "failed": c.failed,
                "ignored": c.ignored,
                "measured": 0,
                "filtered_out": self.filtered_out,
                "exec_time": secs,
            });
            self.write(&format!("{line}\n"));
            return;
        }
        let mut text = String::new();
        if self.format == Format::Terse && !c.done.is_multiple_of(TERSE_WIDTH) {
            text.push('\n');
        }
        if !self.failures.is_empty() {
            text.push_str("\nfailures:\n\n");
            for (id, message) in &self.failures {
                text.push_str(&format!("---- {id} ----\n{message}\n\n"));
            }
            text.push_str("\nfailures:\n");
            for (id, _) in &self.failures {
                text.push_str(&format!("    {id}\n"));
            }
        }
        text.push_str(&format!(
            "\ntest result: {}. {} passed; {} failed; {} ignored; 0 measured; {} filtered out; \
             finished in {secs:.2}s\n\n",
            if c.failed > 0 { "FAILED" } else { "ok" },
            c.passed,
            c.failed,
            c.ignored,
            self.filtered_out,
        ));
        if let Some(p) = &mut self.progress {
            p.clear(&mut self.out);
        }
        self.progress = None;
        self.write(&text);
    }
}

impl<W: Write + Send> Sink for Console<W> {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::RunStarted { cases } => {
                self.counts.total = cases;
                let text = match self.format {
                    Format::Json => format!(
                        "{}\n",
                        json!({"type": "suite", "event": "started", "test_count": cases})
                    ),
                    _ => format!(
                        "\nrunning {cases} test{}\n",
                        if cases == 1 { "" } else { "s" }
                    ),
                };
                self.write(&text);
            }
            Event::CaseStarted { id } if self.format == Format::Json => {
                let line = json!({"type": "test", "event": "started", "name": id});
                self.write(&format!("{line}\n"));
            }
            Event::StepFinished { id, step } if self.format == Format::Json => {
                let mut line = json!({"type": "step", "event": "finished", "name": id});
                if let (Some(obj), Ok(serde_json::Value::Object(fields))) =
                    (line.as_object_mut(), serde_json::to_value(step))
                {
                    obj.extend(fields);
                }
                self.write(&format!("{line}\n"));
            }
            Event::CaseStarted { .. } | Event::StepFinished { .. } => {
                if let Some(p) = &mut self.progress {
                    p.draw(&mut self.out, &self.counts, true);
                    let _ = self.out.flush();
                }
            }
            Event::CaseFinished { case } => self.case_finished(case),
            Event::RunFinished { elapsed, .. } => self.run_finished(elapsed),
        }
    }
}

/// The progress line of a run on a terminal.
struct Progress {
    started: Instant,
    drawn_at: Option<Instant>,
    shown: bool,
}

impl Progress {
    fn new() -> Self {
        Progress {
            started: Instant::now(),
            drawn_at: None,
            shown: false,
        }
    }

    /// Draws the line when the run is old enough and the last drawing is (with `throttle`) old
    /// enough.
    fn draw(&mut self, out: &mut impl Write, c: &Counts, throttle: bool) {
        let now = Instant::now();
        let elapsed = now.duration_since(self.started);
        if elapsed < PROGRESS_AFTER {
            return;
        }
        if throttle
            && self
                .drawn_at
                .is_some_and(|t| now.duration_since(t) < PROGRESS_EVERY)
        {
            return;
        }
        let rate = c.done as f64 / elapsed.as_secs_f64().max(1e-3);
        let _ = write!(
            out,
            "\r\x1b[2K{}/{} cases, {} failed, {} ignored, {:.0} cases/s, {:.1}s",
            c.done,
            c.total,
            c.failed,
            c.ignored,
            rate,
            elapsed.as_secs_f64()
        );
        self.drawn_at = Some(now);
        self.shown = true;
    }

    fn clear(&mut self, out: &mut impl Write) {
        if self.shown {
            let _ = write!(out, "\r\x1b[2K");
            self.shown = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(filter: Option<&str>, exact: bool, skip: &[&str]) -> Selection {
        Selection {
            filter: filter.map(String::from),
            exact,
            skip: skip.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn filters_match_the_listed_name_as_libtest_does() {
        let a = args(Some("tss::"), false, &[]);
        assert!(a.selects("tss::password", "suite"));
        assert!(!a.selects("tropipay::profile", "suite"));
        // The kind is part of the name a filter sees.
        assert!(args(Some("[auth]"), false, &[]).selects("tss::x", "auth"));
        assert!(!args(Some("[auth]"), false, &[]).selects("tss::x", "suite"));
        let exact = args(Some("tss::password"), true, &[]);
        assert!(exact.selects("tss::password", "suite"));
        assert!(!exact.selects("tss::password::more", "suite"));
        assert!(args(Some("[suite] tss::password"), true, &[]).selects("tss::password", "suite"));
        let skip = args(None, false, &["password"]);
        assert!(!skip.selects("tss::password", "suite"));
        assert!(skip.selects("tss::profile", "suite"));
        assert!(args(None, true, &["tss::pass"]).selects("tss::password", "suite"));
    }
}
