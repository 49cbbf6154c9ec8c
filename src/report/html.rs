//! `report.html`: one self-contained page for a vendor to read and archive.
//!
//! No network, no scripts: the CSS is inline and the collapsible parts are `<details>`, so the
//! file opens the same in any browser, offline, years later. It shows the verdict, the
//! certificate (contracts and their hashes, target, tool, seed, date, digest), the CI gate,
//! the failures — one article per group of cases that failed alike (see [`super::groups`]),
//! with the clause, the document's words the rule rests on, the first case's request, response
//! and curl line, and every case of the group — then the advisories, one per decided rule that
//! did not hold, with its reason and its cases, apart because they fail nothing; then the
//! coverage of each contract, every clause and every case. Everything from the target is
//! escaped; JSON bodies are pretty-printed.

use std::fmt::Write as _;

use super::{
    CheckCell, ClauseVerdict, ContractCoverage, FailureGroup, KnownStatus, Mark, Report,
    RequestRecord, ResponseRecord, RunVerdict,
};
use crate::checks::Verdict;

/// Bytes of a body shown inline; report.json keeps up to the report limit.
const SHOWN_BODY: usize = 8 * 1024;

const STYLE: &str = "
:root { --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color:#1f2328;
       max-width: 1200px; margin: 0 auto; padding: 24px; }
h1, h2, h3 { line-height: 1.2; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 36px; }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 10px;
      white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; }
th { background: var(--bg); white-space: nowrap; }
td.n { text-align: right; }
.banner { border-radius: 10px; padding: 18px 24px; color: #fff; }
.banner h1 { margin: 0 0 6px; font-size: 34px; letter-spacing: 1px; }
.banner p { margin: 2px 0; }
.held { background: var(--ok); } .failed { background: var(--bad); } .inconclusive { background: var(--muted); }
.c-ok { color: var(--ok); } .c-bad { color: var(--bad); font-weight: 600; } .c-warn { color: var(--warn); }
.c-muted { color: var(--muted); }
.cell-bad { background: #ffebe9; } .cell-ok { background: #dafbe1; } .cell-warn { background: #fff8c5; }
.failure, .advisory { border: 1px solid var(--line); border-left: 5px solid var(--bad);
           border-radius: 6px; padding: 4px 16px 12px; margin: 16px 0; }
.advisory { border-left-color: var(--warn); }
blockquote { margin: 6px 0; padding: 2px 12px; border-left: 3px solid var(--line); color: #31373d; }
ul.cases { columns: 2; }
.kv th { width: 11em; }
.mark-exercised { color: var(--ok); } .mark-observed { color: var(--warn); } .mark-never-seen { color: var(--muted); }
summary { cursor: pointer; font-weight: 600; margin: 6px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
@media print { details { display: block; } .banner { color: #000; border: 3px solid #000; } }
";

/// Renders the report as one HTML page.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let v = report.certificate.verdict;
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>conform report: {} ({})</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        v.word(),
        esc(&contract_names(report))
    );
    banner(report, &mut out);
    certificate(report, &mut out);
    regressions(report, &mut out);
    failures(report, &mut out);
    advisories(report, &mut out);
    for c in &report.coverage {
        coverage(c, &mut out);
    }
    clauses(report, &mut out);
    cases(report, &mut out);
    let _ = write!(
        out,
        "<footer>Written by {} from report.json format {}. The digest covers the report's \
         canonical JSON; check it with <code>conform verify report.json</code>.</footer>\n\
         </body>\n</html>\n",
        esc(&report.certificate.tool),
        report.format
    );
    out
}

fn contract_names(report: &Report) -> String {
    report
        .targets
        .iter()
        .map(|t| t.contract.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn class_of(v: RunVerdict) -> &'static str {
    match v {
        RunVerdict::Held => "held",
        RunVerdict::Failed => "failed",
        RunVerdict::Inconclusive => "inconclusive",
    }
}

fn banner(report: &Report, out: &mut String) {
    let v = report.certificate.verdict;
    let s = &report.summary;
    let _ = write!(
        out,
        "<header class=\"banner {}\">\n<h1 id=\"verdict\">{}</h1>\n\
         <p id=\"summary\">{} cases: {} passed, {} failed, {} skipped{}</p>\n\
         <p id=\"gate\">CI gate {}: {}</p>\n",
        class_of(v),
        v.word(),
        s.total,
        s.passed,
        s.failed,
        s.skipped,
        if s.expected_failures > 0 {
            format!(" ({} expected)", s.expected_failures)
        } else {
            String::new()
        },
        if report.gate.passed {
            "passed"
        } else {
            "failed"
        },
        esc(&report.gate.reason)
    );
    if !report.failure_groups.is_empty() {
        let _ = writeln!(
            out,
            "<p id=\"failure-groups\">The failures fall into {} of cases that failed alike.</p>",
            plural(report.failure_groups.len(), "group", "groups")
        );
    }
    if s.advisories > 0 {
        let _ = writeln!(
            out,
            "<p id=\"advisory-count\">{} apart from the failures: {} did not hold; \
             advisories fail nothing.</p>",
            plural(s.advisories, "advisory", "advisories"),
            plural(report.advisories.len(), "decided rule", "decided rules")
        );
    }
    if let Some(p) = report.partition {
        let _ = writeln!(
            out,
            "<p>Share {p} of a partitioned run, not the whole run.</p>"
        );
    }
    out.push_str("</header>\n");
}

fn certificate(report: &Report, out: &mut String) {
    let c = &report.certificate;
    let _ = write!(
        out,
        "<section id=\"certificate\">\n<h2>Certificate</h2>\n<table class=\"kv\">\n\
         <tr><th>verdict</th><td><strong>{}</strong></td></tr>\n\
         <tr><th>tool</th><td>{}</td></tr>\n\
         <tr><th>seed</th><td>{}</td></tr>\n\
         <tr><th>date</th><td>{}</td></tr>\n\
         <tr><th>duration</th><td>{} ms</td></tr>\n\
         <tr><th>TLS</th><td>{}</td></tr>\n\
         <tr><th>digest</th><td><code>{}</code></td></tr>\n</table>\n",
        c.verdict.word(),
        esc(&c.tool),
        c.seed
            .map_or_else(|| "not recorded".into(), |s| s.to_string()),
        esc(&c.date),
        report.duration_ms,
        if c.insecure {
            "<strong class=\"c-bad\">not verified (--insecure): the answers may not be the target's</strong>"
        } else {
            "verified (or plain HTTP)"
        },
        esc(&c.digest)
    );
    out.push_str(
        "<table>\n<tr><th>contract</th><th>document</th><th>content hash</th><th>target</th>\
         <th>verdict</th><th>cases</th><th>failed</th><th>with advisories</th></tr>\n",
    );
    for k in &c.contracts {
        let _ = writeln!(
            out,
            "<tr><td><strong>{}</strong><br><span class=\"c-muted\">{}</span></td><td>{}</td>\
             <td><code>{}</code></td><td><code>{}</code></td><td class=\"{}\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&k.contract),
            esc(&k.title),
            esc(&k.document),
            esc(&k.content_hash),
            esc(&k.target),
            if k.verdict == RunVerdict::Failed {
                "c-bad"
            } else {
                "c-ok"
            },
            k.verdict.word(),
            k.cases,
            k.failed,
            k.advised
        );
    }
    out.push_str("</table>\n</section>\n");
}

fn regressions(report: &Report, out: &mut String) {
    if let Some(b) = &report.baseline {
        let _ = write!(
            out,
            "<section id=\"baseline\">\n<h2>Against the baseline <code>{}</code></h2>\n\
             <p>{} regressions · {} newly failing · {} newly passing · {} new · {} vanished · \
             baseline digest <code>{}</code></p>\n",
            esc(&b.source),
            b.regressions.len(),
            b.newly_failing.len(),
            b.newly_passing.len(),
            b.new.len(),
            b.vanished.len(),
            esc(&b.digest)
        );
        for note in &b.notes {
            let _ = writeln!(out, "<p class=\"c-warn\">Note: {}</p>", esc(note));
        }
        let lists = [
            ("Newly failing", &b.newly_failing),
            ("Newly passing", &b.newly_passing),
            ("New", &b.new),
            ("Vanished", &b.vanished),
            ("Other changes", &b.other_changes),
        ];
        for (title, list) in lists {
            if list.is_empty() {
                continue;
            }
            let _ = write!(
                out,
                "<details open><summary>{title} ({})</summary>\n<ul>\n",
                list.len()
            );
            for c in list {
                let _ = writeln!(
                    out,
                    "<li><code>{}</code> {} → {}{}</li>",
                    esc(&c.id),
                    verdict_word(c.before),
                    verdict_word(c.after),
                    if b.regressions.contains(&c.id) {
                        " <strong class=\"c-bad\">regression</strong>"
                    } else {
                        ""
                    }
                );
            }
            out.push_str("</ul>\n</details>\n");
        }
        out.push_str("</section>\n");
    }
    if !report.known_failures.is_empty() {
        out.push_str(
            "<section id=\"known-failures\">\n<h2>Known failures</h2>\n<table>\n\
             <tr><th>case</th><th>now</th><th>reason</th></tr>\n",
        );
        for k in &report.known_failures {
            let (class, now) = match k.status {
                KnownStatus::Failing => ("c-muted", "failing, as expected"),
                KnownStatus::Passing => ("c-bad", "passing: remove it from the list"),
                KnownStatus::Skipped => ("c-muted", "skipped"),
                KnownStatus::Absent => ("c-bad", "did not run: check the id"),
            };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td class=\"{class}\">{now}</td><td>{}</td></tr>",
                esc(&k.id),
                esc(&k.reason)
            );
        }
        out.push_str("</table>\n</section>\n");
    }
}

fn verdict_word(v: Option<Verdict>) -> &'static str {
    match v {
        None => "absent",
        Some(Verdict::Pass) => "pass",
        Some(Verdict::Fail) => "fail",
        Some(Verdict::Skip) => "skip",
        Some(Verdict::Advisory) => "advisory",
    }
}

fn failures(report: &Report, out: &mut String) {
    let groups = &report.failure_groups;
    if groups.is_empty() {
        out.push_str(
            "<section id=\"failures\">\n<h2>Failures (0)</h2>\n<p class=\"c-ok\">No case failed.</p>\n",
        );
    } else {
        let _ = write!(
            out,
            "<section id=\"failures\">\n<h2>Failures ({} in {})</h2>\n",
            plural(report.summary.failed, "case", "cases"),
            plural(groups.len(), "group", "groups")
        );
        out.push_str(
            "<p class=\"c-muted\">Cases that failed alike (the same checks at the same \
             endpoints, citing the same clauses, with the same expected against got) are one \
             group; its first case stands for all, with its request, response and curl line.</p>\n",
        );
    }
    for g in groups {
        failure_group(report, g, out);
    }
    out.push_str("</section>\n");
}

fn failure_group(report: &Report, g: &FailureGroup, out: &mut String) {
    let what = g.failures.first().map_or_else(String::new, |f| {
        format!(" — {} at <code>{}</code>", esc(&f.check), esc(&f.endpoint))
    });
    let _ = write!(
        out,
        "<article class=\"failure\" id=\"{}\">\n<h3>{}{what} <span class=\"c-muted\">{}</span></h3>\n\
         <p>{} · <code>{}</code> · as in <code>{}</code></p>\n",
        esc(&g.id),
        if g.cases.len() == 1 {
            "1 case".to_string()
        } else {
            format!("{} cases alike", g.cases.len())
        },
        esc(&g.id),
        esc(&g.contract),
        esc(&g.endpoint),
        esc(g.cases.first().map_or("", String::as_str))
    );
    for f in &g.failures {
        let step = f.place(|e| format!("<code>{}</code>", esc(e)));
        let _ = writeln!(
            out,
            "<p><strong class=\"c-bad\">{}</strong> at {step} — clause: <em>{}</em></p>",
            esc(&f.check),
            esc(&f.clause)
        );
        if let Some(q) = &f.quote {
            let _ = writeln!(
                out,
                "<blockquote class=\"quote\">the document says: “{}”</blockquote>",
                esc(q)
            );
        }
        if let Some(r) = &f.reason {
            let _ = writeln!(
                out,
                "<blockquote class=\"reason\">decided rule (failing under --strict): {}</blockquote>",
                esc(r)
            );
        }
        if f.quote.is_none() && f.reason.is_none() {
            out.push_str(
                "<blockquote class=\"c-muted\">the suite quotes no words of the document for this rule</blockquote>\n",
            );
        }
        let _ = writeln!(out, "<pre>{}</pre>", esc(&f.message));
    }
    // The first case's first failing step, in full.
    let first = g.cases.first().and_then(|id| report.case(id));
    if let Some((_, step, _)) = first.and_then(|c| c.failed_steps().into_iter().next()) {
        let _ = write!(
            out,
            "<details open><summary>Request</summary>\n<pre>{}</pre>\n</details>\n\
             <details open><summary>Response</summary>\n<pre>{}</pre>\n</details>\n",
            esc(&request_text(&step.request)),
            esc(&step
                .response
                .as_ref()
                .map_or_else(|| "(no answer)".to_string(), response_text)),
        );
    }
    if !g.curl.is_empty() {
        let _ = write!(
            out,
            "<details open><summary>Reproduce</summary>\n<pre>{}</pre>\n</details>\n",
            esc(&g.curl)
        );
    }
    case_list(report, &g.cases, true, out);
    out.push_str("</article>\n");
}

/// The cases of a group; `anchors` gives each an id, for the links of the clause table.
fn case_list(report: &Report, ids: &[String], anchors: bool, out: &mut String) {
    let _ = write!(
        out,
        "<details{}><summary>{}</summary>\n<ul class=\"cases\">\n",
        if ids.len() <= 10 { " open" } else { "" },
        plural(ids.len(), "case", "cases")
    );
    for id in ids {
        let known = match report.known_failure(id) {
            Some(k) if k.status == KnownStatus::Failing => format!(
                " <span class=\"c-muted\">expected failure: {}</span>",
                esc(&k.reason)
            ),
            _ => String::new(),
        };
        if anchors {
            let _ = writeln!(
                out,
                "<li id=\"{}\"><code>{}</code>{known}</li>",
                esc(&anchor(id)),
                esc(id)
            );
        } else {
            let _ = writeln!(out, "<li><code>{}</code>{known}</li>", esc(id));
        }
    }
    out.push_str("</ul>\n</details>\n");
}

fn advisories(report: &Report, out: &mut String) {
    let groups = &report.advisories;
    if groups.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"advisories\">\n<h2>Advisories (decided rules that did not hold)</h2>\n\
         <p>{} of {}. A decided rule is the contract's reading where the document is silent; \
         when it does not hold, that is reported here and never fails a case, a clause or the \
         run (<code>--strict</code> makes it a failure).</p>\n",
        plural(report.summary.advisories, "advisory", "advisories"),
        plural(groups.len(), "decided rule", "decided rules")
    );
    for g in groups {
        let _ = write!(
            out,
            "<article class=\"advisory\" id=\"{}\">\n<h3><strong class=\"c-warn\">{}</strong> — {} · {} \
             <span class=\"c-muted\">{}</span></h3>\n\
             <blockquote class=\"reason\">decided, not stated: {}</blockquote>\n\
             <p>clause: <em>{}</em> · as in <code>{}</code></p>\n<pre>{}</pre>\n",
            esc(&g.id),
            esc(&g.check),
            esc(&g.contract),
            if g.results == g.cases.len() {
                plural(g.cases.len(), "case", "cases")
            } else {
                format!(
                    "{}, {}",
                    plural(g.cases.len(), "case", "cases"),
                    plural(g.results, "advisory", "advisories")
                )
            },
            esc(&g.id),
            if g.reason.is_empty() {
                "no reason recorded (an older report)".to_string()
            } else {
                esc(&g.reason)
            },
            esc(&g.clause),
            esc(g.cases.first().map_or("", String::as_str)),
            esc(&g.message)
        );
        case_list(report, &g.cases, false, out);
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

/// `n` and the noun in the number it needs.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn request_text(r: &RequestRecord) -> String {
    let mut s = format!("{} {}\n", r.method, r.url);
    for (k, v) in &r.headers {
        let _ = writeln!(s, "{k}: {v}");
    }
    if let Some(body) = &r.body {
        s.push('\n');
        s.push_str(&shown_body(body, false));
    }
    s
}

fn response_text(r: &ResponseRecord) -> String {
    let mut s = format!("HTTP {}\n", r.status);
    for (k, v) in &r.headers {
        let _ = writeln!(s, "{k}: {v}");
    }
    s.push('\n');
    s.push_str(&shown_body(&r.body, r.truncated));
    s
}

/// A body as shown: pretty JSON when it is JSON, cut to [`SHOWN_BODY`] bytes.
fn shown_body(body: &str, truncated: bool) -> String {
    let pretty = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_string());
    if pretty.len() <= SHOWN_BODY {
        return if truncated {
            format!("{pretty}\n… (cut at the report limit)")
        } else {
            pretty
        };
    }
    let mut end = SHOWN_BODY;
    while !pretty.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n… ({} more bytes in report.json)",
        &pretty[..end],
        pretty.len() - end
    )
}

fn cell(c: &CheckCell) -> (&'static str, String) {
    let total = c.passed + c.failed + c.skipped + c.advisories;
    if c.failed > 0 && c.advisories > 0 {
        (
            "cell-bad",
            format!("✗ {}/{total} ! {}", c.failed, c.advisories),
        )
    } else if c.failed > 0 {
        ("cell-bad", format!("✗ {}/{total}", c.failed))
    } else if c.advisories > 0 {
        ("cell-warn", format!("! {}/{total}", c.advisories))
    } else if c.passed > 0 {
        ("cell-ok", format!("✓ {}", c.passed))
    } else if c.skipped > 0 {
        ("", format!("skipped {}", c.skipped))
    } else {
        ("c-muted", "·".to_string())
    }
}

fn mark(m: Mark) -> String {
    let class = match m {
        Mark::Exercised => "mark-exercised",
        Mark::Observed => "mark-observed",
        Mark::NeverSeen => "mark-never-seen",
    };
    format!("<span class=\"{class}\">{}</span>", m.word())
}

fn coverage(c: &ContractCoverage, out: &mut String) {
    let _ = write!(
        out,
        "<section class=\"coverage\" id=\"coverage-{}\">\n<h2>Coverage: {}</h2>\n\
         <table>\n<tr><th>endpoint</th><th>cases</th>",
        esc(&anchor(&c.contract)),
        esc(&c.contract)
    );
    for check in &c.checks {
        let _ = write!(out, "<th>{}</th>", esc(check));
    }
    out.push_str("</tr>\n");
    for e in &c.endpoints {
        let _ = write!(
            out,
            "<tr><td><code>{}</code><br><span class=\"c-muted\">{}</span></td><td class=\"n\">{}</td>",
            esc(&e.endpoint),
            esc(&e.doc),
            e.cases
        );
        for k in &e.cells {
            let (class, text) = cell(k);
            let _ = write!(out, "<td class=\"{class}\">{}</td>", esc(&text));
        }
        out.push_str("</tr>\n");
    }
    out.push_str(
        "</table>\n<p class=\"c-muted\">✓ held in every response · ✗ failed/results · \
         ! advisories/results (decided rules, not failures) · · not run. A status or value is <em>exercised</em> when it came back in a \
         response whose checks all held, <em>observed</em> when it only came back with a failed \
         check, <em>never seen</em> otherwise.</p>\n",
    );
    if !c.statuses.is_empty() {
        out.push_str(
            "<table>\n<tr><th>status</th><th>coverage</th><th>responses</th><th>named by</th></tr>\n",
        );
        for s in &c.statuses {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                s.code,
                mark(s.mark),
                s.responses,
                s.named_by
                    .iter()
                    .map(|n| esc(n))
                    .collect::<Vec<_>>()
                    .join("<br>")
            );
        }
        out.push_str("</table>\n");
    }
    for t in &c.tables {
        let _ = write!(
            out,
            "<table>\n<tr><th colspan=\"3\">table “{}” <span class=\"c-muted\">({})</span></th></tr>\n",
            esc(&t.name),
            esc(&t.doc)
        );
        for v in &t.values {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code> {}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                v.value,
                esc(v.name.as_deref().unwrap_or("")),
                mark(v.mark),
                v.responses
            );
        }
        out.push_str("</table>\n");
    }
    if !c.undocumented_statuses.is_empty() {
        out.push_str("<p><strong>Statuses no document names came back:</strong></p>\n<ul>\n");
        for u in &c.undocumented_statuses {
            let _ = writeln!(
                out,
                "<li><code>{}</code> in {} responses (e.g. {})</li>",
                u.code,
                u.responses,
                u.cases
                    .iter()
                    .map(|id| format!("<code>{}</code>", esc(id)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn clauses(report: &Report, out: &mut String) {
    out.push_str("<section id=\"clauses\">\n<h2>Document clauses</h2>\n");
    for c in &report.certificate.contracts {
        let _ = write!(
            out,
            "<details open><summary>{} — {} clauses</summary>\n<table>\n\
             <tr><th>clause</th><th>verdict</th><th>checks</th><th>cases</th><th>detail</th></tr>\n",
            esc(&c.contract),
            c.clauses.len()
        );
        for k in &c.clauses {
            let class = match k.verdict {
                ClauseVerdict::Failed => "c-bad",
                ClauseVerdict::Advisory => "c-warn",
                ClauseVerdict::Skipped => "c-muted",
                ClauseVerdict::Held => "c-ok",
            };
            let mut detail = k
                .failed_cases
                .iter()
                .map(|id| {
                    format!(
                        "<a href=\"#{}\"><code>{}</code></a>",
                        esc(&anchor(id)),
                        esc(id)
                    )
                })
                .collect::<Vec<_>>()
                .join(" ");
            if !k.advised_cases.is_empty() {
                if !detail.is_empty() {
                    detail.push_str("<br>");
                }
                let _ = write!(
                    detail,
                    "<span class=\"c-warn\">advisories in {}: {}</span>",
                    plural(k.advised_cases.len(), "case", "cases"),
                    esc(&k.advisory_reasons.join("; "))
                );
            }
            if k.verdict == ClauseVerdict::Skipped && !k.because.is_empty() {
                detail = format!("skipped because {}", esc(&k.because.join("; ")));
            }
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"{class}\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td>{detail}</td></tr>",
                esc(&k.clause),
                k.verdict.word(),
                k.checks,
                k.cases
            );
        }
        out.push_str("</table>\n</details>\n");
    }
    out.push_str("</section>\n");
}

fn cases(report: &Report, out: &mut String) {
    let _ = write!(
        out,
        "<section id=\"cases\">\n<h2>Cases</h2>\n<details><summary>All {} cases</summary>\n\
         <table>\n<tr><th>case</th><th>kind</th><th>endpoint</th><th>outcome</th><th>ms</th></tr>\n",
        report.cases.len()
    );
    for c in &report.cases {
        let (class, word) = match c.outcome {
            Verdict::Fail => ("c-bad", "fail"),
            Verdict::Skip => ("c-muted", "skip"),
            Verdict::Advisory => ("c-warn", "advisory"),
            Verdict::Pass => ("c-ok", "pass"),
        };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td>\
             <td class=\"{class}\">{word}</td><td class=\"n ms\">{}</td></tr>",
            esc(&c.id),
            esc(c.kind.as_str()),
            esc(&c.endpoint),
            c.duration_ms
        );
    }
    out.push_str("</table>\n</details>\n</section>\n");
}

/// An element id from any text.
fn anchor(s: &str) -> String {
    let mut a = String::from("c-");
    for ch in s.chars() {
        a.push(if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' {
            ch
        } else {
            '_'
        });
    }
    a
}

/// Escapes text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_is_escaped() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(anchor("tss::profile <x>"), "c-tss__profile__x_");
    }

    #[test]
    fn long_bodies_are_cut_on_a_char_boundary() {
        let body = "é".repeat(SHOWN_BODY);
        let shown = shown_body(&body, false);
        assert!(shown.contains("more bytes in report.json"));
        assert!(shown.len() < body.len());
        assert_eq!(shown_body("{\"a\":1}", false), "{\n  \"a\": 1\n}");
    }
}
