//! One case: its steps in order, the checks on each answer, restore steps whatever happened,
//! and the case's verdict and message.
//!
//! After a failure the remaining steps are skipped except the ones that restore the target,
//! which are always attempted; a restore that does not take after a failure is a note, not
//! another failure (the steps it would undo may never have run). A decided rule that did not
//! hold (an advisory) may also mean the target accepted what the contract reads as invalid, so
//! the restore steps that follow a failure follow it too. A value the case needs, which the
//! document never promised, that did not come halts the case without a failure.

use std::time::Instant;

use serde_json::Value;

use crate::checks::{self, CheckId, CheckResult, Finding, StepContext, Verdict};
use crate::config::Target;
use crate::contract::{Contract, EndpointSpec};
use crate::http::{Incoming, Outgoing};
use crate::intern::intern;
use crate::plan::{CasePlan, PlannedStep};
use crate::redact::ScopedRedactor;
use crate::report::{CaseReport, LeftOut, RequestRecord, ResponseRecord, StepReport, TimeLimit};
use crate::template::{MissingVar, Vars};
use crate::{curl, promise};

use super::capture::capture;
use super::events::StepDone;
use super::request::{build_request, send_paced};
use super::RunContext;

/// Bodies kept in reports are cut to this many bytes.
pub const REPORT_BODY_LIMIT: usize = 16 * 1024;

/// A case that does not run: skipped, with why.
pub(super) fn skipped(ctx: &RunContext, plan: &CasePlan, reason: &str) -> CaseReport {
    CaseReport {
        id: plan.id.clone(),
        contract: intern(ctx.contracts[plan.contract].name()),
        endpoint: plan.endpoint.clone(),
        kind: plan.kind,
        family: intern(plan.family),
        check: None,
        outcome: Verdict::Skip,
        message: format!("skipped: {reason}"),
        doc: plan.doc.clone(),
        duration_ms: 0,
        left_out: vec![],
        time_limit: None,
        steps: vec![],
    }
}

/// A case whose code panicked: failed, saying so, with the panic's words (redacted).
pub(super) fn harness_error(
    ctx: &RunContext,
    plan: &CasePlan,
    panic: &(dyn std::any::Any + Send),
) -> CaseReport {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    let mut report = skipped(ctx, plan, "");
    report.outcome = Verdict::Fail;
    report.check = Some(checks::HARNESS);
    report.message = ctx.redactor.apply(&format!(
        "harness error: conform itself failed while running this case ({what}); this says \
         nothing about the target, please report it"
    ));
    report
}

/// Runs one case unless the run's time limit is reached first: a case that has not started by
/// then, or is still running then, fails saying so (restore steps it had left do not run).
pub(super) async fn run_until(
    ctx: &RunContext,
    plan: &CasePlan,
    deadline: Option<tokio::time::Instant>,
    on_step: &(dyn Fn(StepDone) + Sync),
) -> CaseReport {
    if let Some(reason) = &plan.skip {
        return skipped(ctx, plan, reason);
    }
    let Some(deadline) = deadline else {
        return run_case(ctx, plan, on_step).await;
    };
    let limit = ctx.run_timeout.unwrap_or_default();
    let started = tokio::time::Instant::now() < deadline;
    let outcome = if started {
        tokio::time::timeout_at(deadline, run_case(ctx, plan, on_step))
            .await
            .ok()
    } else {
        None
    };
    outcome.unwrap_or_else(|| {
        let mut report = skipped(ctx, plan, "");
        report.outcome = Verdict::Fail;
        report.time_limit = Some(if started {
            TimeLimit::CutOff
        } else {
            TimeLimit::NotRun
        });
        report.message = if started {
            format!(
                "cut off: the run's time limit ({limit:?}, --run-timeout) was reached while \
                 this case ran; its remaining steps, restore steps included, did not run"
            )
        } else {
            format!("not run: the run's time limit ({limit:?}, --run-timeout) was reached")
        };
        report
    })
}

/// What a case has come to so far, step by step.
struct CaseState<'a> {
    plan: &'a CasePlan,
    contract: &'a Contract,
    target: &'a Target,
    redactor: ScopedRedactor,
    strict: bool,
    vars: Vars,
    report: CaseReport,
    /// One text per failed step, with the checks that failed and a curl line.
    failures: Vec<String>,
    /// Restore steps that ran after a failure and took: "METHOD /path -> status".
    restored: Vec<String>,
    /// Restore steps that could not undo what the case did.
    restore_notes: Vec<String>,
    /// A decided rule did not hold in a normal step.
    advised: bool,
    /// A value the case needs, never promised, did not come: the case stops, nothing failed.
    halted: bool,
    /// What each recorded step sent, unredacted, until the case ends: a case that does not pass
    /// shows a curl line for each of its steps, and a passing one needs none.
    sent: Vec<Outgoing>,
}

/// What one step sent and got.
struct Exchange {
    outgoing: Outgoing,
    response: Option<Incoming>,
    checks: Vec<CheckResult>,
    /// Times the request was sent again after a 429 (see [`send_paced`]).
    retries: u32,
}

/// Runs one case: its steps in order, checks on each, restore steps whatever happened.
async fn run_case(
    ctx: &RunContext,
    plan: &CasePlan,
    on_step: &(dyn Fn(StepDone) + Sync),
) -> CaseReport {
    let clock = Instant::now();
    let contract = &ctx.contracts[plan.contract];
    let Some(target) = ctx.config.targets.get(contract.name()) else {
        let mut report = skipped(ctx, plan, "");
        report.message = format!("skipped: no [{}] in the target config", contract.name());
        return report;
    };
    let mut state = CaseState::new(ctx, plan, contract, target);
    let total = plan.steps.len();
    for (n, step) in plan.steps.iter().enumerate() {
        if !state.should_run(step) {
            continue;
        }
        let Some(endpoint) = contract.endpoint(&step.spec.endpoint) else {
            continue;
        };
        let label = format!("step {}/{}", n + 1, total);
        let Some(outgoing) = state.request(&label, endpoint, step) else {
            continue;
        };
        let step_clock = Instant::now();
        let exchange = state.exchange(ctx, endpoint, step, outgoing).await;
        let record = state.judge(&label, endpoint, step, exchange);
        on_step(StepDone {
            step: n + 1,
            endpoint: record.endpoint.clone(),
            status: record.response.as_ref().map(|r| r.status),
            verdict: step_verdict(&record.checks),
            duration_ms: step_clock.elapsed().as_millis() as u64,
        });
        state.report.steps.push(record);
    }
    let mut report = state.finish();
    report.duration_ms = clock.elapsed().as_millis() as u64;
    report
}

/// Fail if any check failed, else advisory if any advised, else pass.
fn step_verdict(checks: &[CheckResult]) -> Verdict {
    if checks.iter().any(|c| c.outcome == Verdict::Fail) {
        Verdict::Fail
    } else if checks.iter().any(|c| c.outcome == Verdict::Advisory) {
        Verdict::Advisory
    } else {
        Verdict::Pass
    }
}

impl<'a> CaseState<'a> {
    fn new(
        ctx: &RunContext,
        plan: &'a CasePlan,
        contract: &'a Contract,
        target: &'a Target,
    ) -> Self {
        let mut vars: Vars = target.vars.clone();
        vars.extend(plan.bindings.clone());
        CaseState {
            plan,
            contract,
            target,
            // Everything this case shows is the contract's: redacted with its secrets and the
            // run's.
            redactor: ctx.redactor.scoped(contract.name()),
            strict: ctx.strict_for(contract.name()),
            vars,
            report: CaseReport {
                id: plan.id.clone(),
                contract: intern(contract.name()),
                endpoint: plan.endpoint.clone(),
                kind: plan.kind,
                family: intern(plan.family),
                check: None,
                outcome: Verdict::Pass,
                message: String::new(),
                doc: plan.doc.clone(),
                duration_ms: 0,
                left_out: vec![],
                time_limit: None,
                steps: vec![],
            },
            failures: vec![],
            restored: vec![],
            restore_notes: vec![],
            advised: false,
            halted: false,
            sent: vec![],
        }
    }

    /// After a failure (or a halt) only restore steps run; a step that runs only after a
    /// failure runs only after a failure or an advisory.
    fn should_run(&self, step: &PlannedStep) -> bool {
        if (!self.failures.is_empty() || self.halted) && !step.spec.restore {
            return false;
        }
        !(step.only_after_failure && self.failures.is_empty() && !self.advised)
    }

    /// The step's request; `None` when it cannot be built (a variable is missing), with the
    /// reason noted where it belongs.
    fn request(
        &mut self,
        label: &str,
        endpoint: &EndpointSpec,
        step: &PlannedStep,
    ) -> Option<Outgoing> {
        let missing = match build_request(self.contract, self.target, endpoint, step, &self.vars) {
            Ok(outgoing) => return Some(outgoing),
            Err(missing) => missing,
        };
        let place = format!("{} {}", endpoint.method, endpoint.path);
        if step.spec.optional {
            self.report.left_out.push(LeftOut {
                step: label.to_string(),
                endpoint: place,
                needs: missing.0,
            });
        } else if self.halted && self.failures.is_empty() {
            // The case stopped before the step this restore would undo.
            self.restore_notes.push(format!("{place}: {missing}"));
        } else {
            // Only restore steps get here: a normal step runs after a passing capture.
            self.failures
                .push(format!("{label} could not restore the target: {missing}"));
        }
        None
    }

    /// Sends the request and checks the answer: status, body, captures, promises.
    async fn exchange(
        &mut self,
        ctx: &RunContext,
        endpoint: &EndpointSpec,
        step: &PlannedStep,
        outgoing: Outgoing,
    ) -> Exchange {
        // What this step sent is `${request...}` for the next one (a restore needs it).
        match outgoing
            .body
            .as_deref()
            .map(serde_json::from_slice::<Value>)
        {
            Some(Ok(sent)) => self.vars.insert("request".into(), sent),
            _ => self.vars.remove("request"),
        };
        let sctx = StepContext {
            contract: self.contract,
            endpoint,
            expected: &step.expected,
        };
        let (checks, response, retries) = match send_paced(ctx, &outgoing).await {
            Ok((incoming, retries)) => {
                let checks = self.check_answer(ctx, &sctx, step, &incoming, retries);
                (checks, Some(incoming), retries)
            }
            Err(e) => {
                // As data: an answer was wanted, this came instead.
                let finding = Finding::new("an answer", self.redactor.apply(&e.to_string()));
                let failed = CheckResult::broken(
                    checks::TRANSPORT,
                    finding,
                    format!("{} > {}", self.contract.suite.document, endpoint.doc),
                    step.expected.quote.as_deref(),
                );
                (vec![failed], None, 0)
            }
        };
        let checks = self.weigh(step, endpoint, checks);
        Exchange {
            outgoing,
            response,
            checks,
            retries,
        }
    }

    /// The checks of an answer, then its captures (when its status held) and the step's
    /// promises (when everything else held).
    fn check_answer(
        &mut self,
        ctx: &RunContext,
        sctx: &StepContext<'_>,
        step: &PlannedStep,
        incoming: &Incoming,
        retries: u32,
    ) -> Vec<CheckResult> {
        let (mut checks, body) = checks::evaluate(sctx, incoming);
        if retries > 0 {
            if let Some(t) = checks.iter_mut().find(|c| c.id == checks::TRANSPORT) {
                t.message = format!(
                    "answered after {retries} retr{} on 429 Too Many Requests (Retry-After honoured)",
                    if retries == 1 { "y" } else { "ies" }
                );
            }
        }
        // The values later steps need are taken from any answer of the expected status, even
        // one whose body breaks its schema: a missing one says why the case stops.
        let status_held = checks.iter().all(|c| {
            c.outcome != Verdict::Fail
                || !matches!(c.id, CheckId::Status | CheckId::No5xx | CheckId::Transport)
        });
        if status_held {
            let schema = sctx.response(incoming.status).map(|r| r.schema.as_str());
            checks.extend(capture(
                ctx,
                self.contract,
                step,
                schema,
                incoming,
                body.as_deref(),
                &mut self.vars,
            ));
        }
        if checks.iter().all(|c| c.outcome != Verdict::Fail) {
            checks.extend(promise::evaluate(
                &step.spec.asserts,
                &self.contract.suite.document,
                incoming.status,
                body.as_deref(),
                &self.vars,
                self.plan.decided.as_deref(),
            ));
        }
        checks
    }

    /// What a check that did not hold weighs: a probe of a method the document does not list
    /// only advises (nothing the document says applies to its answer); under `--strict` a
    /// decided rule fails like a stated one.
    fn weigh(
        &self,
        step: &PlannedStep,
        endpoint: &EndpointSpec,
        checks: Vec<CheckResult>,
    ) -> Vec<CheckResult> {
        let checks: Vec<CheckResult> = match &step.spec.method {
            Some(m) => {
                let why = self.plan.decided.clone().unwrap_or_else(|| {
                    format!(
                        "the document does not list {m} for {}: it states nothing about the answer",
                        endpoint.path
                    )
                });
                checks
                    .into_iter()
                    .map(|mut c| {
                        if c.outcome == Verdict::Fail {
                            c.outcome = Verdict::Advisory;
                            c.quote = None;
                            c.reason = Some(why.clone());
                        }
                        c
                    })
                    .collect()
            }
            None => checks,
        };
        if self.strict {
            checks.into_iter().map(CheckResult::strict).collect()
        } else {
            checks
        }
    }

    /// Notes what the step's checks mean for the case (a failure, a restore that took or did
    /// not, an advisory, a halt) and returns its redacted record.
    fn judge(
        &mut self,
        label: &str,
        endpoint: &EndpointSpec,
        step: &PlannedStep,
        exchange: Exchange,
    ) -> StepReport {
        let failed: Vec<&CheckResult> = exchange
            .checks
            .iter()
            .filter(|c| c.outcome == Verdict::Fail)
            .collect();
        let already_failed = !self.failures.is_empty() || (self.advised && step.only_after_failure);
        let place = format!("{} {}", endpoint.method, endpoint.path);
        if !failed.is_empty() && step.spec.restore && already_failed {
            // After a failure, a restore that does not take is a note, not another failure:
            // the steps it would undo may never have run.
            let first = failed[0].message.lines().next().unwrap_or("");
            self.restore_notes.push(format!("{place}: {first}"));
        } else if !failed.is_empty() {
            if self.report.check.is_none() && !step.spec.restore {
                self.report.check = Some(failed[0].id);
            }
            let curl = curl::command(&exchange.outgoing, &self.redactor);
            let text = failure_text(label, step, endpoint, &exchange, &failed, &curl);
            self.failures.push(self.redactor.apply(&text));
        }
        if step.spec.restore && already_failed && failed.is_empty() {
            let status = exchange
                .response
                .as_ref()
                .map_or("no answer".to_string(), |r| r.status.to_string());
            self.restored.push(format!("{place} -> {status}"));
        }
        let advises = |c: &CheckResult| c.outcome == Verdict::Advisory;
        if !step.spec.restore && exchange.checks.iter().any(advises) {
            self.advised = true;
        }
        if exchange
            .checks
            .iter()
            .any(|c| c.id == checks::CAPTURE && advises(c))
        {
            self.halted = true;
        }
        let (record, outgoing) = step_report(&self.redactor, endpoint, step, exchange);
        self.sent.push(outgoing);
        record
    }

    /// The case's verdict and its one-screen message.
    fn finish(mut self) -> CaseReport {
        let advisories: Vec<String> = self
            .report
            .steps
            .iter()
            .flat_map(|s| s.checks.iter())
            .filter(|c| c.outcome == Verdict::Advisory)
            .map(|c| {
                format!(
                    "  [advisory: {}] {}\n      decided: {}",
                    c.id,
                    c.message,
                    c.reason.as_deref().unwrap_or("")
                )
            })
            .collect();
        if self.failures.is_empty() && !advisories.is_empty() {
            self.report.outcome = Verdict::Advisory;
            let mut message = format!(
                "held the document; the contract's own readings did not hold (advisories):\n{}",
                advisories.join("\n")
            );
            message.push_str(&self.restore_text());
            self.report.message = self.redactor.apply(&message);
        }
        if !self.report.left_out.is_empty() {
            let left_out: Vec<String> = self
                .report
                .left_out
                .iter()
                .map(|l| {
                    let missing = MissingVar(l.needs.clone());
                    format!("{} {}: {missing}", l.step, l.endpoint)
                })
                .collect();
            self.report.message.push_str(&format!(
                "\n  optional steps left out: {}",
                left_out.join("; ")
            ));
        }
        if !self.failures.is_empty() {
            self.report.outcome = Verdict::Fail;
            let mut message = format!("{} ({})\n", self.plan.description_or_id(), self.plan.doc);
            message.push_str(&self.failures.join("\n"));
            message.push_str(&self.restore_text());
            self.report.message = self.redactor.apply(&message);
        }
        if self.report.outcome != Verdict::Pass {
            for (step, sent) in self.report.steps.iter_mut().zip(&self.sent) {
                step.curl = curl::command(sent, &self.redactor);
            }
        }
        self.report
    }

    /// What the restore steps did, for the end of a message.
    fn restore_text(&self) -> String {
        let mut text = String::new();
        if !self.restored.is_empty() {
            text.push_str(&format!(
                "\n  the target may have changed state; restore steps ran: {}",
                self.restored.join("; ")
            ));
        }
        if !self.restore_notes.is_empty() {
            text.push_str(&format!(
                "\n  could not restore (the target may keep changes): {}",
                self.restore_notes.join("; ")
            ));
        }
        text
    }
}

/// The text of a failed step: the checks that failed, the clause and the document's words of
/// each, and how to reproduce it.
fn failure_text(
    label: &str,
    step: &PlannedStep,
    endpoint: &EndpointSpec,
    exchange: &Exchange,
    failed: &[&CheckResult],
    curl: &str,
) -> String {
    let mut text = format!(
        "{label}{} {} {}",
        if step.spec.restore { " (restore)" } else { "" },
        exchange.outgoing.method,
        endpoint.path
    );
    for c in failed {
        text.push_str(&format!(
            "\n  [{}] {}\n      clause: {}",
            c.id, c.message, c.doc
        ));
        if let Some(q) = &c.quote {
            text.push_str(&format!("\n      the document says: “{q}”"));
        }
        if let Some(r) = &c.reason {
            text.push_str(&format!(
                "\n      decided rule (failing under --strict): {r}"
            ));
        }
    }
    text.push_str(&format!("\n  reproduce: {curl}"));
    text
}

impl CasePlan {
    fn description_or_id(&self) -> &str {
        if self.description.is_empty() {
            &self.id
        } else {
            &self.description
        }
    }
}

/// The step's record as reports show it: every text redacted, the body cut to
/// [`REPORT_BODY_LIMIT`], no curl line yet (see [`CaseState::finish`]); and what it sent.
fn step_report(
    r: &ScopedRedactor,
    endpoint: &EndpointSpec,
    step: &PlannedStep,
    exchange: Exchange,
) -> (StepReport, Outgoing) {
    let Exchange {
        outgoing: out,
        response: got,
        checks,
        retries,
    } = exchange;
    let record = StepReport {
        endpoint: intern(&format!("{} {}", out.method, endpoint.path)),
        restore: step.spec.restore,
        retries,
        request: RequestRecord {
            url: r.apply(&out.url),
            headers: out
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), r.apply(v)))
                .collect(),
            body: out
                .body
                .as_ref()
                .map(|b| r.apply(&String::from_utf8_lossy(b))),
            method: out.method.clone(),
        },
        response: got.map(|g| {
            let truncated = g.body.len() > REPORT_BODY_LIMIT;
            let cut = &g.body[..g.body.len().min(REPORT_BODY_LIMIT)];
            ResponseRecord {
                status: g.status,
                headers: g
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), r.apply(v)))
                    .collect(),
                body: r.apply(&String::from_utf8_lossy(cut)),
                truncated,
                values: Default::default(),
            }
        }),
        checks: checks
            .into_iter()
            .map(|mut c| {
                c.message = r.apply(&c.message);
                c.finding = c.finding.map(|f| Box::new(f.redacted(|t| r.apply(t))));
                c
            })
            .collect(),
        curl: String::new(),
    };
    (record, out)
}
