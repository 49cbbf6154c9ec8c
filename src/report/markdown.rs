//! `report.md`: the report for a GitHub job summary (`cat report.md >> $GITHUB_STEP_SUMMARY`).
//!
//! It leads with the verdict and the CI gate, then one table per contract (endpoints x checks,
//! and the statuses the document names), then each failure with expected against got, its
//! clause and the curl line that reproduces it. GitHub caps a job summary at 1 MiB, so the
//! detailed failures and the lists of changes are capped; `report.html` and `report.json` have
//! everything. Text from the target (bodies, messages) only ever appears inside code blocks
//! whose fence is longer than any backtick run in it, so a hostile body cannot restyle the page.

use std::fmt::Write as _;

use super::{
    BaselineDiff, CaseChange, CheckCell, ContractCoverage, KnownStatus, Mark, Report, RunVerdict,
};
use crate::checks::Verdict;

/// Failures shown with their details; the rest are listed by id.
pub const DETAILED_FAILURES: usize = 50;
/// Entries shown per list of baseline changes.
const LISTED_CHANGES: usize = 100;

/// Renders the report as Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    headline(report, &mut out);
    if let Some(b) = &report.baseline {
        baseline(b, &mut out);
    }
    known_failures(report, &mut out);
    for target in &report.targets {
        let coverage = report
            .coverage
            .iter()
            .find(|c| c.contract == target.contract);
        let cert = report
            .certificate
            .contracts
            .iter()
            .find(|c| c.contract == target.contract);
        let verdict = cert.map_or(RunVerdict::Inconclusive, |c| c.verdict);
        let _ = writeln!(
            out,
            "## {} {} — {}: {}\n",
            icon(verdict),
            text(&target.contract),
            text(&target.title),
            verdict.word().to_lowercase()
        );
        let _ = writeln!(
            out,
            "{} · content hash {} · target {} · {} cases, {} failed\n",
            code(&target.document),
            code(&target.content_hash[..target.content_hash.len().min(12)]),
            code(&target.base_url),
            cert.map_or(0, |c| c.cases),
            cert.map_or(0, |c| c.failed),
        );
        if let Some(c) = coverage {
            matrix(c, &mut out);
            named_values(c, &mut out);
        }
        if let Some(c) = cert {
            let count = |v| c.clauses.iter().filter(|k| k.verdict == v).count();
            let _ = writeln!(
                out,
                "<details><summary>Document clauses: {} held, {} failed, {} warned, {} skipped</summary>\n",
                count(super::ClauseVerdict::Held),
                count(super::ClauseVerdict::Failed),
                count(super::ClauseVerdict::Warned),
                count(super::ClauseVerdict::Skipped),
            );
            out.push_str("| clause | verdict | checks | failing cases / skipped because |\n|---|---|--:|---|\n");
            for k in &c.clauses {
                let detail = if k.failed_cases.is_empty() {
                    k.because.join("; ")
                } else {
                    k.failed_cases.join(", ")
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    text(&k.clause),
                    k.verdict.word(),
                    k.checks,
                    text(&detail)
                );
            }
            out.push_str("\n</details>\n\n");
        }
    }
    failures(report, &mut out);
    let _ = writeln!(
        out,
        "---\n{} · seed {} · {} · digest {}",
        text(&report.certificate.tool),
        report
            .seed
            .map_or_else(|| "not recorded".to_string(), |s| s.to_string()),
        text(&report.started_at),
        code(&report.certificate.digest)
    );
    out
}

fn icon(v: RunVerdict) -> &'static str {
    match v {
        RunVerdict::Held => "✅",
        RunVerdict::Failed => "❌",
        RunVerdict::Inconclusive => "⚪",
    }
}

fn headline(report: &Report, out: &mut String) {
    let v = report.certificate.verdict;
    let s = &report.summary;
    let _ = writeln!(out, "# {} conform: {}\n", icon(v), v.word());
    let _ = write!(
        out,
        "**{} cases**: {} passed, {} failed, {} skipped",
        s.total, s.passed, s.failed, s.skipped
    );
    if s.expected_failures > 0 {
        let _ = write!(out, " ({} of the failures expected)", s.expected_failures);
    }
    if s.advisories > 0 {
        let _ = write!(out, ", {} advisories", s.advisories);
    }
    let _ = writeln!(out, " · {} ms\n", report.duration_ms);
    let _ = writeln!(
        out,
        "CI gate: **{}** — {}\n",
        if report.gate.passed {
            "passed"
        } else {
            "failed"
        },
        text(&report.gate.reason)
    );
    if report.insecure {
        out.push_str(
            "> ⚠️ TLS certificates were not verified (`--insecure`): the answers may not be the target's.\n\n",
        );
    }
    if let Some(p) = report.partition {
        let _ = writeln!(
            out,
            "> This is share {p} of a partitioned run, not the whole run: merge the shares with `conform merge`.\n"
        );
    }
}

fn change_list(title: &str, list: &[CaseChange], b: &BaselineDiff, out: &mut String) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "**{title} ({})**\n", list.len());
    for c in list.iter().take(LISTED_CHANGES) {
        let flag = if b.regressions.contains(&c.id) {
            " — **regression**"
        } else {
            ""
        };
        let check = match (&c.check, c.after) {
            (Some(k), Some(Verdict::Fail)) => format!(" [{}]", text(k)),
            _ => String::new(),
        };
        let _ = writeln!(out, "- {}{check}{flag}", code(&c.id));
    }
    if list.len() > LISTED_CHANGES {
        let _ = writeln!(
            out,
            "- … and {} more (report.json)",
            list.len() - LISTED_CHANGES
        );
    }
    out.push('\n');
}

fn baseline(b: &BaselineDiff, out: &mut String) {
    let _ = writeln!(
        out,
        "## Against the baseline {}\n\n{} regressions · {} newly failing · {} newly passing · {} new · {} vanished\n",
        code(&b.source),
        b.regressions.len(),
        b.newly_failing.len(),
        b.newly_passing.len(),
        b.new.len(),
        b.vanished.len()
    );
    for note in &b.notes {
        let _ = writeln!(out, "> Note: {}\n", text(note));
    }
    change_list("Newly failing", &b.newly_failing, b, out);
    change_list("Newly passing", &b.newly_passing, b, out);
    change_list("New", &b.new, b, out);
    change_list("Vanished", &b.vanished, b, out);
    change_list("Other changes", &b.other_changes, b, out);
}

fn known_failures(report: &Report, out: &mut String) {
    if report.known_failures.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Known failures ({})\n\n| case | now | reason |\n|---|---|---|",
        report.known_failures.len()
    );
    for k in &report.known_failures {
        let now = match k.status {
            KnownStatus::Failing => "failing, as expected",
            KnownStatus::Passing => "**passing: remove it from the list**",
            KnownStatus::Skipped => "skipped",
            KnownStatus::Absent => "**did not run: check the id**",
        };
        let _ = writeln!(out, "| {} | {now} | {} |", code(&k.id), text(&k.reason));
    }
    out.push('\n');
}

fn cell(c: &CheckCell) -> String {
    let total = c.passed + c.failed + c.skipped + c.warned;
    if c.failed > 0 {
        format!("❌ {}/{total}", c.failed)
    } else if c.warned > 0 {
        format!("⚠️ {}/{total}", c.warned)
    } else if c.passed > 0 {
        format!("✅ {}", c.passed)
    } else if c.skipped > 0 {
        format!("⏭️ {}", c.skipped)
    } else {
        "·".to_string()
    }
}

fn matrix(c: &ContractCoverage, out: &mut String) {
    let _ = write!(out, "| endpoint | cases |");
    for check in &c.checks {
        let _ = write!(out, " {} |", text(check));
    }
    let _ = write!(out, "\n|---|--:|");
    for _ in &c.checks {
        out.push_str("---|");
    }
    out.push('\n');
    for e in &c.endpoints {
        let _ = write!(out, "| {} | {} |", code(&e.endpoint), e.cases);
        for k in &e.cells {
            let _ = write!(out, " {} |", cell(k));
        }
        out.push('\n');
    }
    out.push_str("\n✅ held in every response · ❌ failed/responses · ⚠️ warned · ⏭️ skipped · · not run\n\n");
}

fn mark(m: Mark) -> &'static str {
    match m {
        Mark::Exercised => "✅ exercised",
        Mark::Observed => "👀 observed",
        Mark::NeverSeen => "⚪ never seen",
    }
}

fn named_values(c: &ContractCoverage, out: &mut String) {
    if !c.statuses.is_empty() {
        let list: Vec<String> = c
            .statuses
            .iter()
            .map(|s| format!("{} {}", code(&s.code.to_string()), mark(s.mark)))
            .collect();
        let _ = writeln!(out, "Statuses the document names: {}\n", list.join(" · "));
    }
    for t in &c.tables {
        let list: Vec<String> = t
            .values
            .iter()
            .map(|v| {
                let name = v
                    .name
                    .as_deref()
                    .map(|n| format!(" {}", text(n)))
                    .unwrap_or_default();
                format!("{}{name} {}", code(&v.value.to_string()), mark(v.mark))
            })
            .collect();
        let _ = writeln!(out, "Table *{}*: {}\n", text(&t.name), list.join(" · "));
    }
    if !c.undocumented_statuses.is_empty() {
        let list: Vec<String> = c
            .undocumented_statuses
            .iter()
            .map(|u| {
                format!(
                    "{} ×{} (e.g. {})",
                    code(&u.code.to_string()),
                    u.responses,
                    u.cases
                        .iter()
                        .map(|id| code(id))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "Statuses no document names came back: {}\n",
            list.join(" · ")
        );
    }
}

fn failures(report: &Report, out: &mut String) {
    let failed: Vec<_> = report.failures().collect();
    if failed.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Failures ({})\n", failed.len());
    for case in failed.iter().take(DETAILED_FAILURES) {
        let known = report
            .known_failure(&case.id)
            .map(|k| format!(" — expected failure: {}", text(&k.reason)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "### ❌ {} — {}{known}\n",
            code(&case.id),
            code(case.check.as_deref().unwrap_or("failure"))
        );
        let _ = writeln!(
            out,
            "{} · case clause: {}\n",
            code(&case.endpoint),
            text(&case.doc)
        );
        let steps = case.failed_steps();
        if steps.is_empty() {
            out.push_str(&fenced("text", &case.message));
        }
        for (n, step, checks) in steps {
            let total = case.steps.len();
            let restore = if step.restore { " (restore)" } else { "" };
            let _ = writeln!(
                out,
                "Step {n}/{total}{restore} {} → {}\n",
                code(&step.endpoint),
                step.response
                    .as_ref()
                    .map_or("no answer".to_string(), |r| r.status.to_string())
            );
            for k in checks {
                let _ = writeln!(out, "- **{}** — clause: {}", text(&k.id), text(&k.doc));
                out.push_str(&fenced("text", &k.message));
            }
            out.push_str(&fenced("sh", &step.curl));
        }
    }
    if failed.len() > DETAILED_FAILURES {
        let rest: Vec<String> = failed[DETAILED_FAILURES..]
            .iter()
            .map(|c| code(&c.id))
            .collect();
        let _ = writeln!(
            out,
            "… and {} more failures (details in report.html and report.json): {}\n",
            rest.len(),
            rest.join(", ")
        );
    }
}

/// Plain text for a Markdown line or table cell: no line breaks, no cell breaks, no HTML.
fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// Inline code that holds any text (a backtick inside gets a longer delimiter).
fn code(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ").replace('|', "\\|");
    let ticks = "`".repeat(longest_backtick_run(&s) + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{ticks} {s} {ticks}")
    } else {
        format!("{ticks}{s}{ticks}")
    }
}

/// A fenced code block whose fence no line of `body` can close.
fn fenced(lang: &str, body: &str) -> String {
    let fence = "`".repeat((longest_backtick_run(body) + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n\n", body.trim_end())
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_text_cannot_break_out_of_code_blocks_or_cells() {
        let hostile = "ok\n```\n# pwned <script>x</script>\n````";
        let block = fenced("text", hostile);
        assert!(block.starts_with("`````text\n"), "{block}");
        assert!(block.ends_with("\n`````\n\n"), "{block}");
        assert_eq!(text("a|b\n<i>"), "a\\|b &lt;i>");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
    }
}
