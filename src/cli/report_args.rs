//! The report side of the command line: the `run` options that shape what is written and what
//! the exit code means (`--report`, `--baseline`, `--known-failures`, `--partition`), and the
//! `diff`, `merge` and `verify` subcommands that work on written reports.
//!
//! It lives apart from `cli/mod.rs` so that the run's wiring there stays short; like `cli/mod.rs` it is
//! the binary's edge, so errors are `anyhow` with context and map to exit code 2. Malformed
//! inputs (a report that is not one, a list that does not parse) are errors before any case
//! runs, never panics.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use crate::exit::Exit;
use crate::partition::Partition;
use crate::plan::CasePlan;
use crate::report::baseline;
use crate::report::transcript::{self, TranscriptInfo};
use crate::report::{self, json::ReadReport, Format, KnownFailure, KnownStatus, Report};

/// Regressions named one per line on the console; the reports have all of them.
const SHOWN_REGRESSIONS: usize = 50;
/// Failure groups and advisory groups named on the console; the reports have all of them.
const SHOWN_GROUPS: usize = 10;
/// Characters of a message shown on the console per group.
const SHOWN_MESSAGE: usize = 160;

/// `--report`'s names, each with the file it writes.
fn format_parser() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(Format::ALL.map(|f| PossibleValue::new(f.name()).help(f.file_name())))
        .try_map(|name| Format::from_name(&name).ok_or(format!("no report format {name:?}")))
}

/// `conform run` options about reports and the exit code.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Formats written to the report folder, comma-separated.
    #[arg(long = "report", value_name = "FORMATS", value_delimiter = ',', default_values = ["json", "junit", "md", "html"], value_parser = format_parser())]
    pub formats: Vec<Format>,
    /// Compare with this earlier report.json: exit 1 only on regressions (cases failing now that
    /// did not fail there, or new cases that fail).
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
    /// TOML list of cases expected to fail (`[[known]] id = "..." reason = "..."`): reported as
    /// expected failures; an entry that passes is reported so the list can be pruned.
    #[arg(long, value_name = "FILE")]
    pub known_failures: Option<PathBuf>,
    /// Run only share K of N of the cases (by a stable hash of the case id); join the shares'
    /// report.json files with `conform merge`.
    #[arg(long, value_name = "K/N")]
    pub partition: Option<Partition>,
}

/// The inputs of a run's report, read and checked before any case runs.
pub struct Prepared {
    partition: Option<Partition>,
    known: Option<Vec<KnownFailure>>,
    baseline: Option<(String, Report)>,
}

impl ReportArgs {
    /// Reads the known-failures list and the baseline (an error, exit 2, when unusable).
    pub fn prepare(&self) -> Result<Prepared> {
        let known = self
            .known_failures
            .as_deref()
            .map(baseline::load_known_failures)
            .transpose()?;
        let baseline = match &self.baseline {
            None => None,
            Some(path) => Some((path.display().to_string(), read(path, "baseline")?)),
        };
        Ok(Prepared {
            partition: self.partition,
            known,
            baseline,
        })
    }
}

impl Prepared {
    /// Keeps the planned cases of this run's partition.
    pub fn select(&self, plans: &mut Vec<CasePlan>) {
        if let Some(p) = self.partition {
            plans.retain(|c| p.contains(&c.id));
        }
    }

    /// Completes the report (seed, partition, known failures, baseline), writes it in every
    /// format asked for, prints what a person must act on (on stderr when stdout carries JSON
    /// events), and returns the exit code.
    pub fn finish(
        self,
        mut report: Report,
        seed: u64,
        dir: &Path,
        formats: &[Format],
        to_stderr: bool,
    ) -> Result<Exit> {
        use std::fmt::Write as _;
        report.seed = Some(seed);
        report.partition = self.partition;
        if let Some(known) = self.known {
            baseline::apply_known_failures(&mut report, known);
        }
        if let Some((source, old)) = &self.baseline {
            baseline::apply_baseline(&mut report, old, source);
        }
        report.finish();
        let written = report::write_all(&report, dir, formats)?;
        let mut out = String::new();
        for k in &report.known_failures {
            match k.status {
                KnownStatus::Passing => {
                    let _ = writeln!(
                        out,
                        "note: known failure {} passes now; remove it from the list",
                        k.id
                    );
                }
                KnownStatus::Absent => {
                    let _ = writeln!(
                        out,
                        "note: known failure {} did not run; check the id",
                        k.id
                    );
                }
                KnownStatus::Failing | KnownStatus::Skipped => {}
            }
        }
        if let Some(b) = &report.baseline {
            for note in &b.notes {
                let _ = writeln!(out, "note: {note}");
            }
            for id in b.regressions.iter().take(SHOWN_REGRESSIONS) {
                let _ = writeln!(out, "regression: {id}");
            }
            if b.regressions.len() > SHOWN_REGRESSIONS {
                let _ = writeln!(
                    out,
                    "... and {} more regressions (report.html and report.json list them all)",
                    b.regressions.len() - SHOWN_REGRESSIONS
                );
            }
        }
        let written = if written.is_empty() {
            "no reports written".to_string()
        } else {
            format!("reports in {}", dir.display())
        };
        out.push_str(&console_summary(&report, &written));
        if to_stderr {
            eprint!("{out}");
        } else {
            print!("{out}");
        }
        Ok(Exit::of_run(&report))
    }
}

/// What a run ends with on the console: the counts (advisories apart from the failures), each
/// failure group with the document's words its rule rests on, each decided rule that did not
/// hold with its reason, then the verdict and the gate. `written` says where the reports went.
pub fn console_summary(report: &Report, written: &str) -> String {
    use std::fmt::Write as _;
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "conform: {} passed, {} failed ({} expected), {} skipped; {} apart from the failures; {written}",
        s.passed,
        s.failed,
        s.expected_failures,
        s.skipped,
        plural(s.advisories, "advisory", "advisories"),
    );
    // One line per message, cut: the reports have the whole of it.
    let first_line = |m: &str| {
        let line = m.lines().next().unwrap_or("");
        match line.char_indices().nth(SHOWN_MESSAGE) {
            Some((end, _)) => format!("{}…", &line[..end]),
            None => line.to_string(),
        }
    };
    if !report.failure_groups.is_empty() {
        let _ = writeln!(
            out,
            "failures: {} in {} of alike failures",
            plural(s.failed, "case", "cases"),
            plural(report.failure_groups.len(), "group", "groups")
        );
    }
    for g in report.failure_groups.iter().take(SHOWN_GROUPS) {
        for (i, f) in g.failures.iter().enumerate() {
            let lead = if i == 0 {
                format!("{:>5} × {}", g.cases.len(), g.id)
            } else {
                format!("{:>5}   {:width$}", "", "", width = g.id.len())
            };
            let _ = writeln!(
                out,
                "{lead} [{}] {} {}: {}",
                f.check,
                g.contract,
                f.endpoint,
                first_line(&f.message)
            );
            let pad = " ".repeat(lead.chars().count() + 1);
            let _ = writeln!(out, "{pad}clause: {}", f.clause);
            match (&f.quote, &f.reason) {
                (Some(q), _) => {
                    let _ = writeln!(out, "{pad}the document says: “{q}”");
                }
                (None, Some(r)) => {
                    let _ = writeln!(out, "{pad}decided rule, failing under --strict: {r}");
                }
                (None, None) => {}
            }
        }
    }
    if report.failure_groups.len() > SHOWN_GROUPS {
        let _ = writeln!(
            out,
            "      ... and {} more groups (report.md, report.html and report.json list them all)",
            report.failure_groups.len() - SHOWN_GROUPS
        );
    }
    if !report.advisories.is_empty() {
        let _ = writeln!(
            out,
            "advisories: {} did not hold (advisories fail nothing; --strict makes them failures)",
            plural(report.advisories.len(), "decided rule", "decided rules")
        );
    }
    for g in report.advisories.iter().take(SHOWN_GROUPS) {
        let lead = format!("{:>5} × {}", g.cases.len(), g.id);
        let pad = " ".repeat(lead.chars().count() + 1);
        let _ = writeln!(
            out,
            "{lead} [{}] {}: {}\n{pad}clause: {}\n{pad}decided: {}",
            g.check,
            g.contract,
            first_line(&g.message),
            g.clause,
            if g.reason.is_empty() {
                "no reason recorded"
            } else {
                g.reason.as_str()
            }
        );
    }
    if report.advisories.len() > SHOWN_GROUPS {
        let _ = writeln!(
            out,
            "      ... and {} more decided rules (the reports list them all)",
            report.advisories.len() - SHOWN_GROUPS
        );
    }
    let _ = writeln!(
        out,
        "verdict {}; CI gate {}: {}",
        report.certificate.verdict.word(),
        if report.gate.passed {
            "passed"
        } else {
            "failed"
        },
        report.gate.reason
    );
    out
}

/// `n` and the noun in the number it needs.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Reads a report.json for `what` (a baseline, a share, ...); warns when it was edited.
fn read(path: &Path, what: &str) -> Result<Report> {
    let ReadReport { report, integrity } = report::json::read_report(path)
        .with_context(|| format!("failed to use {} as the {what}", path.display()))?;
    if let Err(e) = integrity {
        eprintln!("warning: {}: {e}", path.display());
    }
    Ok(report)
}

/// `conform diff OLD.json NEW.json`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The earlier report (the baseline).
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later report.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
}

/// Prints what changed; exit 1 on a regression (known failures of NEW's list excepted).
pub fn diff(args: DiffArgs) -> Result<Exit> {
    let old = read(&args.old, "old report")?;
    let mut new = read(&args.new, "new report")?;
    baseline::apply_baseline(&mut new, &old, &args.old.display().to_string());
    let Some(diff) = &new.baseline else {
        return Ok(Exit::Held);
    };
    print!(
        "{}",
        baseline::render_diff(diff, &args.new.display().to_string())
    );
    Ok(Exit::held_if(diff.regressions.is_empty()))
}

/// `conform merge A.json B.json ...`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shares' report.json files (all N of a `--partition K/N` run).
    #[arg(value_name = "REPORT.json", required = true)]
    pub reports: Vec<PathBuf>,
    /// Where the merged reports go.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub report_dir: PathBuf,
    /// Formats written, comma-separated.
    #[arg(long = "report", value_name = "FORMATS", value_delimiter = ',', default_values = ["json", "junit", "md", "html"], value_parser = format_parser())]
    pub formats: Vec<Format>,
}

/// Writes the merged report; the exit code is the merged run's (0 held / gate passed, 1 not).
pub fn merge(args: MergeArgs) -> Result<Exit> {
    let mut inputs = Vec::new();
    let mut transcripts = Vec::new();
    for path in &args.reports {
        let share = read(path, "share to merge")?;
        if let Some(t) = &share.transcript {
            transcripts.push(path.with_file_name(&t.file));
        }
        inputs.push((path.display().to_string(), share));
    }
    let mut merged = report::merge::merge(inputs).context("failed to merge the reports")?;
    // The shares' transcripts, one after another, when every share has its own beside it.
    if transcripts.len() == args.reports.len() && transcripts.iter().all(|p| p.is_file()) {
        merged.transcript = Some(join_transcripts(&transcripts, &args.report_dir)?);
        merged.finish();
    }
    report::write_all(&merged, &args.report_dir, &args.formats)?;
    let s = &merged.summary;
    println!(
        "conform merge: {} reports, {} cases: {} passed, {} failed, {} skipped; verdict {}; \
         CI gate {}: {}; reports in {}",
        args.reports.len(),
        s.total,
        s.passed,
        s.failed,
        s.skipped,
        merged.certificate.verdict.word(),
        if merged.gate.passed {
            "passed"
        } else {
            "failed"
        },
        merged.gate.reason,
        args.report_dir.display()
    );
    Ok(Exit::held_if(merged.gate.passed))
}

/// Writes the lines of `parts` into one transcript in `dir` and returns what the report says
/// of it.
fn join_transcripts(parts: &[PathBuf], dir: &Path) -> Result<TranscriptInfo> {
    use std::io::{BufRead, Write};
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let path = dir.join(transcript::FILE);
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&path)
            .with_context(|| format!("failed to write {}", path.display()))?,
    );
    for part in parts {
        let file = std::fs::File::open(part)
            .with_context(|| format!("failed to read {}", part.display()))?;
        for line in std::io::BufReader::new(file).lines() {
            let line = line.with_context(|| format!("failed to read {}", part.display()))?;
            writeln!(out, "{line}")
                .with_context(|| format!("failed to write {}", path.display()))?;
        }
    }
    out.flush()
        .with_context(|| format!("failed to write {}", path.display()))?;
    drop(out);
    let (cases, sha256) = transcript::digest_file(&path)?;
    Ok(TranscriptInfo {
        file: transcript::FILE.to_string(),
        cases,
        sha256,
    })
}

/// `conform verify REPORT.json`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[arg(value_name = "REPORT.json")]
    pub report: PathBuf,
}

/// Exit 0 when the report's digest matches its content, 1 when it was edited.
pub fn verify(args: VerifyArgs) -> Result<Exit> {
    let ReadReport { report, integrity } = report::json::read_report(&args.report)?;
    if let Err(e) = integrity {
        println!("{}: {e}", args.report.display());
        return Ok(Exit::Failed);
    }
    println!(
        "{}: digest {} matches; verdict {}",
        args.report.display(),
        report.certificate.digest,
        report.certificate.verdict.word()
    );
    let Some(t) = &report.transcript else {
        return Ok(Exit::Held);
    };
    let path = args.report.with_file_name(&t.file);
    if !path.is_file() {
        println!("{}: not beside the report, not checked", path.display());
        return Ok(Exit::Held);
    }
    let (cases, sha256) = transcript::digest_file(&path)?;
    if (cases, sha256.as_str()) == (t.cases, t.sha256.as_str()) {
        println!("{}: {cases} cases, digest matches", path.display());
        Ok(Exit::Held)
    } else {
        println!(
            "{}: does not match the report ({cases} cases, sha256 {sha256}; the report says {} \
             cases, sha256 {}): it was changed after conform wrote it",
            path.display(),
            t.cases,
            t.sha256
        );
        Ok(Exit::Failed)
    }
}
