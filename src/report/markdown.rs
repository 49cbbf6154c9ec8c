//! `report.md`: the report for a GitHub job summary (`cat report.md >> $GITHUB_STEP_SUMMARY`).
//!
//! It leads with the verdict and the CI gate, then one table per contract (endpoints x checks,
//! and the statuses the document names), then the failures, one entry per group of cases that
//! failed alike (see [`super::groups`]): expected against got, the clause, the document's words
//! the rule rests on, every case of the group and one curl line that reproduces the first. Then
//! the advisories, one entry per decided rule that did not hold, with its reason and its cases:
//! apart from the failures, because they fail nothing and a reader acts on them differently.
//! GitHub caps a job summary at 1 MiB, so the detailed groups, the cases listed per group and
//! the lists of changes are capped; `report.html` and `report.json` have everything. Text from the target (bodies, messages) only ever appears inside code blocks
//! whose fence is longer than any backtick run in it, so a hostile body cannot restyle the page.

use std::fmt::Write as _;

use super::{
    BaselineDiff, CaseChange, CheckCell, ClauseVerdict, ContractCoverage, FailureGroup,
    KnownStatus, Mark, Report, RunVerdict,
};
use crate::checks::Verdict;

/// Failure groups (and advisory groups) shown with their details; the rest are listed by id.
pub const DETAILED_GROUPS: usize = 50;
/// Case ids listed per group; report.json lists them all.
pub const LISTED_CASES: usize = 100;
/// Groups with more cases than this fold their list of cases.
const FOLDED_CASES: usize = 10;
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
            "{} · content hash {} · target {} · {} cases, {} failed, {} with advisories\n",
            code(&target.document),
            code(&target.content_hash[..target.content_hash.len().min(12)]),
            code(&target.base_url),
            cert.map_or(0, |c| c.cases),
            cert.map_or(0, |c| c.failed),
            cert.map_or(0, |c| c.advised),
        );
        if let Some(c) = coverage {
            matrix(c, &mut out);
            named_values(c, &mut out);
        }
        if let Some(c) = cert {
            let count = |v| c.clauses.iter().filter(|k| k.verdict == v).count();
            let _ = writeln!(
                out,
                "<details><summary>Document clauses: {} held, {} held with advisories, {} failed, {} skipped</summary>\n",
                count(ClauseVerdict::Held),
                count(ClauseVerdict::Advisory),
                count(ClauseVerdict::Failed),
                count(ClauseVerdict::Skipped),
            );
            out.push_str("| clause | verdict | checks | failing cases / advisories / skipped because |\n|---|---|--:|---|\n");
            for k in &c.clauses {
                let advised = if k.advised_cases.is_empty() {
                    String::new()
                } else {
                    format!(
                        "advisories in {}: {}",
                        plural(k.advised_cases.len(), "case", "cases"),
                        k.advisory_reasons.join("; ")
                    )
                };
                let detail = match k.verdict {
                    ClauseVerdict::Failed if advised.is_empty() => k.failed_cases.join(", "),
                    ClauseVerdict::Failed => format!("{}; {advised}", k.failed_cases.join(", ")),
                    ClauseVerdict::Advisory => advised,
                    ClauseVerdict::Skipped => k.because.join("; "),
                    ClauseVerdict::Held => String::new(),
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
    advisories(report, &mut out);
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
    let _ = writeln!(out, " · {} ms\n", report.duration_ms);
    if !report.failure_groups.is_empty() {
        let _ = writeln!(
            out,
            "❌ The failures fall into {} of cases that failed alike.\n",
            plural(report.failure_groups.len(), "group", "groups")
        );
    }
    if s.advisories > 0 {
        let _ = writeln!(
            out,
            "⚠️ {} apart from the failures: {} of the contract did not hold, in {} (of which {} held every stated rule); advisories fail nothing.\n",
            plural(s.advisories, "advisory", "advisories"),
            plural(report.advisories.len(), "decided rule", "decided rules"),
            plural(
                report
                    .advisories
                    .iter()
                    .flat_map(|g| g.cases.iter())
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
                "case",
                "cases"
            ),
            s.advised_cases
        );
    }
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
    let total = c.passed + c.failed + c.skipped + c.advisories;
    if c.failed > 0 && c.advisories > 0 {
        format!("❌ {}/{total} ⚠️ {}", c.failed, c.advisories)
    } else if c.failed > 0 {
        format!("❌ {}/{total}", c.failed)
    } else if c.advisories > 0 {
        format!("⚠️ {}/{total}", c.advisories)
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
    out.push_str("\n✅ held in every response · ❌ failed/results · ⚠️ advisories/results (decided rules, not failures) · ⏭️ skipped · · not run\n\n");
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
    let groups = &report.failure_groups;
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Failures: {} in {}\n",
        plural(report.summary.failed, "case", "cases"),
        plural(groups.len(), "group", "groups")
    );
    out.push_str(
        "Cases that failed alike (the same checks at the same endpoints, citing the same \
         clauses, with the same expected against got) are one group: its first case stands \
         for all, with one curl line.\n\n",
    );
    for g in groups.iter().take(DETAILED_GROUPS) {
        failure_group(report, g, out);
    }
    if groups.len() > DETAILED_GROUPS {
        let rest: Vec<String> = groups[DETAILED_GROUPS..]
            .iter()
            .map(|g| {
                format!(
                    "{} ({})",
                    code(&g.id),
                    plural(g.cases.len(), "case", "cases")
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "… and {} more failure groups (details in report.html and report.json): {}\n",
            rest.len(),
            rest.join(", ")
        );
    }
}

fn failure_group(report: &Report, g: &FailureGroup, out: &mut String) {
    let first = g.failures.first();
    let what = first.map_or_else(String::new, |f| {
        format!(" — {} at {}", code(&f.check), code(&f.endpoint))
    });
    let _ = writeln!(
        out,
        "### ❌ {}{what} · {}\n",
        if g.cases.len() == 1 {
            "1 case".to_string()
        } else {
            format!("{} cases alike", g.cases.len())
        },
        code(&g.id)
    );
    let example = g.cases.first().map_or(String::new(), |c| code(c));
    let _ = writeln!(
        out,
        "{} · {} · as in {example}\n",
        text(&g.contract),
        code(&g.endpoint)
    );
    for f in &g.failures {
        let step = f.place(code);
        let _ = writeln!(
            out,
            "**{}** at {step} · clause: {}\n",
            text(&f.check),
            text(&f.clause)
        );
        out.push_str(&grounds(f.quote.as_deref(), f.reason.as_deref()));
        out.push_str(&fenced("text", &f.message));
    }
    out.push_str(&cases_line(report, &g.cases));
    if !g.curl.is_empty() {
        let _ = writeln!(out, "Reproduce {example}:\n");
        out.push_str(&fenced("sh", &g.curl));
    }
}

/// What a failure rests on: the document's words, or (a decided rule under `--strict`) why
/// the contract reads the document so.
fn grounds(quote: Option<&str>, reason: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(q) = quote {
        let _ = writeln!(s, "> the document says: “{}”\n", text(q));
    }
    if let Some(r) = reason {
        let _ = writeln!(
            s,
            "> decided rule (failing under `--strict`): {}\n",
            text(r)
        );
    }
    if s.is_empty() {
        s.push_str("> the suite quotes no words of the document for this rule\n\n");
    }
    s
}

/// "Cases (n): ..." — folded when there are more than a few.
fn cases_line(report: &Report, ids: &[String]) -> String {
    let list = case_list(report, ids);
    if ids.len() <= FOLDED_CASES {
        format!("Cases ({}): {list}\n\n", ids.len())
    } else {
        format!(
            "<details><summary>Cases ({})</summary>\n\n{list}\n\n</details>\n\n",
            ids.len()
        )
    }
}

/// Case ids as inline code, expected failures marked, at most [`LISTED_CASES`].
fn case_list(report: &Report, ids: &[String]) -> String {
    let mut shown: Vec<String> = ids
        .iter()
        .take(LISTED_CASES)
        .map(|id| match report.known_failure(id) {
            Some(k) if k.status == KnownStatus::Failing => {
                format!("{} (expected failure: {})", code(id), text(&k.reason))
            }
            _ => code(id),
        })
        .collect();
    if ids.len() > LISTED_CASES {
        shown.push(format!(
            "… and {} more (report.json lists them all)",
            ids.len() - LISTED_CASES
        ));
    }
    shown.join(", ")
}

fn advisories(report: &Report, out: &mut String) {
    let groups = &report.advisories;
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Advisories (decided rules that did not hold)\n\n{} of {}. A decided rule is the \
         contract's reading where the document is silent; when it does not hold, that is \
         reported here and never fails a case, a clause or the run (`--strict` makes it a \
         failure).\n",
        plural(report.summary.advisories, "advisory", "advisories"),
        plural(groups.len(), "decided rule", "decided rules")
    );
    for g in groups.iter().take(DETAILED_GROUPS) {
        let example = g.cases.first().map_or(String::new(), |c| code(c));
        let counts = if g.results == g.cases.len() {
            plural(g.cases.len(), "case", "cases")
        } else {
            format!(
                "{}, {}",
                plural(g.cases.len(), "case", "cases"),
                plural(g.results, "advisory", "advisories")
            )
        };
        let _ = writeln!(
            out,
            "### ⚠️ {} — {} · {counts} · {}\n",
            code(&g.check),
            text(&g.contract),
            code(&g.id)
        );
        let _ = writeln!(
            out,
            "> decided, not stated: {}\n",
            if g.reason.is_empty() {
                "no reason recorded (an older report)".to_string()
            } else {
                text(&g.reason)
            }
        );
        let _ = writeln!(out, "Clause: {}\n\nAs in {example}:\n", text(&g.clause));
        out.push_str(&fenced("text", &g.message));
        out.push_str(&cases_line(report, &g.cases));
    }
    if groups.len() > DETAILED_GROUPS {
        let rest: Vec<String> = groups[DETAILED_GROUPS..]
            .iter()
            .map(|g| code(&g.id))
            .collect();
        let _ = writeln!(
            out,
            "… and {} more decided rules (details in report.html and report.json): {}\n",
            rest.len(),
            rest.join(", ")
        );
    }
}

/// `n` and the noun in the number it needs.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
