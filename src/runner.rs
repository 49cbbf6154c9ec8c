//! Runs planned cases as libtest-mimic trials and collects the report.
//!
//! Each trial blocks on the run's one tokio runtime; libtest-mimic's thread pool sets how many
//! cases are in flight (`--test-threads`), its filters pick which. Cases that share state on the
//! target (the same `serial` key in the suite) run one at a time and in plan order: a case the
//! target wrongly accepts may change state that no restore step can undo (an accepted
//! change-password ends the other sessions), and which case then fails must not depend on
//! thread timing. Steps of a case run in order; after a failure the remaining steps are skipped
//! except the ones that restore the target, which are always attempted.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use libtest_mimic::{Arguments, Completion, Conclusion, Failed, Trial};
use serde_json::Value;

use crate::checks::{self, CheckResult, StepContext, Verdict};
use crate::config::{Target, TargetConfig};
use crate::contract::{AuthSpec, Contract, EndpointSpec, ParamLocation};
use crate::generate::BodyInput;
use crate::http::{ClientError, HttpClient, HttpOptions, Incoming, Outgoing, TransportError};
use crate::plan::{self, AuthVariant, CasePlan, Credential, PlannedStep};
use crate::rate::{self, Pacer, MAX_429_RETRIES};
use crate::redact::{env_name, Redactor, ScopedRedactor};
use crate::report::{
    rfc3339, CaseReport, Report, RequestRecord, ResponseRecord, StepReport, TargetInfo,
};
use crate::template::{self, Vars};
use crate::{curl, decode, promise};

/// Bodies kept in reports are cut to this many bytes.
pub const REPORT_BODY_LIMIT: usize = 16 * 1024;

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("target of [{contract}] is unreachable: {source}")]
    Unreachable {
        contract: String,
        #[source]
        source: TransportError,
    },
    #[error("failed to set up the HTTP client")]
    Client(#[source] ClientError),
}

/// Default of `--run-timeout`: a run that takes longer is stuck, not slow.
pub const DEFAULT_RUN_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What the run is allowed to do.
#[derive(Debug, Clone, Default)]
pub struct RunSettings {
    pub http: HttpOptions,
    /// Requests per second, across the run (`--rate`); no ceiling when `None`.
    pub rate: Option<f64>,
    /// Time limit of the whole run (`--run-timeout`); none when `None`.
    pub run_timeout: Option<Duration>,
    /// `--strict`: decided rules fail like stated ones, for every contract.
    pub strict: bool,
}

/// Shared by every case of a run.
pub struct RunContext {
    pub contracts: Arc<Vec<Contract>>,
    pub config: TargetConfig,
    pub client: HttpClient,
    pub redactor: Redactor,
    pacer: Option<Pacer>,
    run_timeout: Option<Duration>,
    strict: bool,
    serial: Mutex<HashMap<String, Serial>>,
}

/// The cases that share one serial key: one at a time, in plan order.
#[derive(Clone, Default)]
struct Serial {
    lock: Arc<tokio::sync::Mutex<()>>,
    /// Ids of the planned cases of this key not yet done, in plan order; the first runs next.
    /// A case that is not in it (run by itself with [`run_case`]) only takes the lock.
    queue: Arc<tokio::sync::watch::Sender<VecDeque<String>>>,
}

/// Holds a serial key for a case; dropped (done, or cut off), the case leaves the queue.
struct SerialTurn {
    queue: Arc<tokio::sync::watch::Sender<VecDeque<String>>>,
    id: String,
    _lock: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for SerialTurn {
    fn drop(&mut self) {
        self.queue
            .send_if_modified(|q| match q.iter().position(|x| *x == self.id) {
                Some(at) => q.remove(at).is_some(),
                None => false,
            });
    }
}

impl RunContext {
    pub fn new(
        contracts: Arc<Vec<Contract>>,
        config: TargetConfig,
        settings: &RunSettings,
    ) -> Result<Self, RunError> {
        let config = config.with_defaults(&contracts);
        let redactor = Redactor::for_config(&contracts, &config);
        // Every answer is shown to the redactor, which learns the tokens a target hands out.
        let client = HttpClient::new(settings.http.clone())
            .map_err(RunError::Client)?
            .learning_secrets(redactor.clone());
        Ok(RunContext {
            contracts,
            config,
            client,
            redactor,
            pacer: settings.rate.and_then(Pacer::new),
            run_timeout: settings.run_timeout,
            strict: settings.strict,
            serial: Mutex::new(HashMap::new()),
        })
    }

    /// Whether decided rules fail for this contract (`--strict`, or `strict = true` in its
    /// table of the config).
    pub fn strict_for(&self, contract: &str) -> bool {
        self.strict || self.config.targets.get(contract).is_some_and(|t| t.strict)
    }

    fn serial(&self, key: &str) -> Serial {
        let mut map = self.serial.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key.to_string()).or_default().clone()
    }

    /// Queues the cases about to run, `(serial key, case id)`, in this (the plan's) order.
    /// Every case queued must be started after the ones queued before it (as `run` and
    /// `execute` do), or it would wait for them forever.
    fn queue_serial(&self, cases: impl IntoIterator<Item = (String, String)>) {
        for (key, id) in cases {
            self.serial(&key).queue.send_modify(|q| q.push_back(id));
        }
    }

    /// Takes a case that will not run after all out of its key's queue.
    fn leave_serial(&self, plan: &CasePlan) {
        if let Some(key) = &plan.serial {
            drop(SerialTurn {
                queue: self.serial(key).queue.clone(),
                id: plan.id.clone(),
                _lock: None,
            });
        }
    }

    /// Waits until the cases queued before `plan` on its key are done (without holding the
    /// key); at once for a case with no key or not queued. Only `plan` itself moves it from the
    /// front of its queue, so its turn is still there when it asks for the key.
    async fn serial_front(&self, plan: &CasePlan) {
        let Some((key, id)) = serial_key(plan) else {
            return;
        };
        let mut queue = self.serial(&key).queue.subscribe();
        if queue.borrow().contains(&id) {
            let _ = queue.wait_for(|q| q.front() == Some(&id)).await;
        }
    }

    /// Waits until the cases queued before `plan` on its key are done, then holds the key.
    async fn serial_turn(&self, key: &str, plan: &CasePlan) -> SerialTurn {
        let serial = self.serial(key);
        let mut turn = SerialTurn {
            queue: serial.queue.clone(),
            id: plan.id.clone(),
            _lock: None,
        };
        let mut queue = serial.queue.subscribe();
        if queue.borrow().contains(&plan.id) {
            // Never fails: `turn` holds the sender.
            let _ = queue.wait_for(|q| q.front() == Some(&plan.id)).await;
        }
        turn._lock = Some(serial.lock.lock_owned().await);
        turn
    }
}

/// `(serial key, id)` of a case that will run and holds a serial key.
fn serial_key(plan: &CasePlan) -> Option<(String, String)> {
    match (&plan.serial, &plan.skip) {
        (Some(key), None) => Some((key.clone(), plan.id.clone())),
        _ => None,
    }
}

fn add_secret(redactor: &ScopedRedactor, value: &Value, name: &str) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| add_secret(redactor, v, name)),
        Value::Null => {}
        other => redactor.add(&template::as_text(other), name),
    }
}

/// Checks that each target answers at all before any case runs.
pub async fn check_reachable(ctx: &RunContext) -> Result<(), RunError> {
    for (contract, target) in &ctx.config.targets {
        let probe = Outgoing {
            method: "GET".into(),
            url: format!("{}/", target.base_url),
            headers: vec![],
            body: None,
        };
        match ctx.client.send(&probe).await {
            Ok(_) | Err(TransportError::TooLarge { .. }) => {}
            Err(source) => {
                return Err(RunError::Unreachable {
                    contract: contract.clone(),
                    source: source.redacted(|s| ctx.redactor.apply_for(contract, s)),
                })
            }
        }
    }
    Ok(())
}

/// Runs the planned cases through libtest-mimic; returns the report and libtest's conclusion.
pub fn run(
    ctx: Arc<RunContext>,
    plans: Vec<CasePlan>,
    args: &Arguments,
    runtime: &tokio::runtime::Handle,
) -> (Report, Conclusion) {
    let started = SystemTime::now();
    let clock = Instant::now();
    let deadline = ctx.run_timeout.map(|t| tokio::time::Instant::now() + t);
    let results: Arc<Mutex<Vec<CaseReport>>> = Arc::new(Mutex::new(Vec::new()));
    let keys: Vec<Option<(String, String)>> = plans.iter().map(serial_key).collect();
    let trials: Vec<Trial> = plans
        .into_iter()
        .map(|plan| {
            let ctx = ctx.clone();
            let results = results.clone();
            let runtime = runtime.clone();
            let kind = plan.kind;
            Trial::ignorable_test(plan.id.clone(), move || {
                let report = match &plan.skip {
                    Some(reason) => skipped(&ctx, &plan, reason),
                    None => runtime.block_on(run_case_until(&ctx, &plan, deadline)),
                };
                let verdict = report.outcome;
                let message = report.message.clone();
                results
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(report);
                match verdict {
                    Verdict::Pass | Verdict::Advisory => Ok(Completion::Completed),
                    Verdict::Skip => Ok(Completion::ignored_with(message)),
                    Verdict::Fail => Err(Failed::from(message)),
                }
            })
            .with_kind(kind)
        })
        .collect();
    // libtest starts the trials it keeps in this order, so serial cases can wait for their turn.
    if !args.list {
        ctx.queue_serial(
            keys.into_iter()
                .zip(&trials)
                .filter(|(_, t)| !args.is_filtered_out(t) && !args.is_ignored(t))
                .filter_map(|(k, _)| k),
        );
    }
    let conclusion = libtest_mimic::run(args, trials);
    let cases = std::mem::take(&mut *results.lock().unwrap_or_else(|p| p.into_inner()));
    (assemble(&ctx, cases, started, clock), conclusion)
}

/// Runs the planned cases without libtest (no console output), at most `concurrency` at a
/// time, and returns the report. For library users and tests.
pub async fn execute(ctx: Arc<RunContext>, plans: Vec<CasePlan>, concurrency: usize) -> Report {
    let started = SystemTime::now();
    let clock = Instant::now();
    let deadline = ctx.run_timeout.map(|t| tokio::time::Instant::now() + t);
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    ctx.queue_serial(plans.iter().filter_map(serial_key));
    for plan in plans {
        let ctx = ctx.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            // A case first waits for its serial turn, then for a permit: one waiting behind
            // the other cases of its key holds no permit that an unrelated case could use.
            ctx.serial_front(&plan).await;
            let _permit = permits.acquire_owned().await;
            match &plan.skip {
                Some(reason) => skipped(&ctx, &plan, reason),
                None => run_case_until(&ctx, &plan, deadline).await,
            }
        });
    }
    let mut cases = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok(case) = done {
            cases.push(case);
        }
    }
    assemble(&ctx, cases, started, clock)
}

fn assemble(
    ctx: &RunContext,
    cases: Vec<CaseReport>,
    started: SystemTime,
    clock: Instant,
) -> Report {
    let started_at = rfc3339(
        started
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    );
    let duration_ms = clock.elapsed().as_millis() as u64;
    let mut report = Report::new(targets_of(ctx), cases, started_at, duration_ms);
    report.insecure = ctx.client.options().insecure;
    report.finish();
    report
}

fn targets_of(ctx: &RunContext) -> Vec<TargetInfo> {
    ctx.contracts
        .iter()
        .filter_map(|c| {
            let t = ctx.config.targets.get(c.name())?;
            // A password in the URL is a secret; the report names the target without it.
            Some(TargetInfo::new(
                c,
                &ctx.redactor.apply_for(c.name(), &t.base_url),
            ))
        })
        .collect()
}

fn skipped(ctx: &RunContext, plan: &CasePlan, reason: &str) -> CaseReport {
    CaseReport {
        id: plan.id.clone(),
        contract: ctx.contracts[plan.contract].name().to_string(),
        endpoint: plan.endpoint.clone(),
        kind: plan.kind.to_string(),
        family: plan.family.clone(),
        check: None,
        outcome: Verdict::Skip,
        message: format!("skipped: {reason}"),
        doc: plan.doc.clone(),
        duration_ms: 0,
        steps: vec![],
    }
}

/// Runs one case unless the run's time limit is reached first: a case that has not started by
/// then, or is still running then, fails saying so (restore steps it had left do not run).
async fn run_case_until(
    ctx: &RunContext,
    plan: &CasePlan,
    deadline: Option<tokio::time::Instant>,
) -> CaseReport {
    let Some(deadline) = deadline else {
        return run_case(ctx, plan).await;
    };
    let limit = ctx.run_timeout.unwrap_or_default();
    let started = tokio::time::Instant::now() < deadline;
    let outcome = if started {
        tokio::time::timeout_at(deadline, run_case(ctx, plan))
            .await
            .ok()
    } else {
        None
    };
    if !started {
        ctx.leave_serial(plan);
    }
    outcome.unwrap_or_else(|| {
        let mut report = skipped(ctx, plan, "");
        report.outcome = Verdict::Fail;
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

/// Runs one case: its steps in order, checks on each, restore steps whatever happened.
pub async fn run_case(ctx: &RunContext, plan: &CasePlan) -> CaseReport {
    // Held for the whole case. Invalid-input cases hold it too: one the target wrongly accepts
    // changes state, and a case running beside it would fail for that, not for itself.
    let _guard = match &plan.serial {
        Some(key) => Some(ctx.serial_turn(key, plan).await),
        None => None,
    };
    let clock = Instant::now();
    let contract = &ctx.contracts[plan.contract];
    // Everything this case shows is the contract's: redacted with its secrets and the run's.
    let redactor = ctx.redactor.scoped(contract.name());
    let mut report = CaseReport {
        id: plan.id.clone(),
        contract: contract.name().to_string(),
        endpoint: plan.endpoint.clone(),
        kind: plan.kind.to_string(),
        family: plan.family.clone(),
        check: None,
        outcome: Verdict::Pass,
        message: String::new(),
        doc: plan.doc.clone(),
        duration_ms: 0,
        steps: vec![],
    };
    let Some(target) = ctx.config.targets.get(contract.name()) else {
        report.outcome = Verdict::Skip;
        report.message = format!("skipped: no [{}] in the target config", contract.name());
        return report;
    };
    let strict = ctx.strict_for(contract.name());
    let mut vars: Vars = target.vars.clone();
    vars.extend(plan.bindings.clone());
    let mut failures: Vec<String> = Vec::new();
    let mut restored: Vec<String> = Vec::new();
    let mut restore_notes: Vec<String> = Vec::new();
    let mut skipped_steps: Vec<String> = Vec::new();
    let total = plan.steps.len();
    // A decided rule that did not hold (an advisory) may also mean the target accepted what the
    // contract reads as invalid: the restore steps that follow a failure follow it too.
    let mut advised = false;
    // A value the case needs, which the document never promised, did not come: the case cannot
    // go on, but nothing failed (inconclusive).
    let mut halted = false;
    for (n, step) in plan.steps.iter().enumerate() {
        if (!failures.is_empty() || halted) && !step.spec.restore {
            continue;
        }
        if step.only_after_failure && failures.is_empty() && !advised {
            continue;
        }
        let label = format!("step {}/{}", n + 1, total);
        let endpoint = contract.endpoint(&step.spec.endpoint);
        let Some(endpoint) = endpoint else { continue };
        let outgoing = match build_request(contract, target, endpoint, step, &vars) {
            Ok(o) => o,
            Err(missing) if step.spec.optional => {
                skipped_steps.push(format!(
                    "{label} {} {}: {missing}",
                    endpoint.method, endpoint.path
                ));
                continue;
            }
            Err(missing) if halted && failures.is_empty() => {
                // The case stopped before the step this restore would undo.
                restore_notes.push(format!("{} {}: {missing}", endpoint.method, endpoint.path));
                continue;
            }
            Err(missing) => {
                // Only restore steps get here: a normal step runs after a passing capture.
                failures.push(format!("{label} could not restore the target: {missing}"));
                continue;
            }
        };
        let curl = curl::command(&outgoing, &redactor);
        // What this step sent is `${request...}` for the next one (a restore needs it).
        match outgoing
            .body
            .as_deref()
            .map(serde_json::from_slice::<Value>)
        {
            Some(Ok(sent)) => vars.insert("request".into(), sent),
            _ => vars.remove("request"),
        };
        let sctx = StepContext {
            contract,
            endpoint,
            expected: &step.expected,
        };
        let (checks, response) = match send_paced(ctx, &outgoing).await {
            Ok((incoming, retries)) => {
                let (mut checks, body) = checks::evaluate(&sctx, &incoming);
                if retries > 0 {
                    if let Some(t) = checks.iter_mut().find(|c| c.id == checks::TRANSPORT) {
                        t.message = format!(
                            "answered after {retries} retr{} on 429 Too Many Requests (Retry-After honoured)",
                            if retries == 1 { "y" } else { "ies" }
                        );
                    }
                }
                // The values later steps need are taken from any answer of the expected status,
                // even one whose body breaks its schema: a missing one says why the case stops.
                let status_held = checks.iter().all(|c| {
                    c.outcome != Verdict::Fail
                        || !matches!(
                            c.id.as_str(),
                            checks::STATUS | checks::NO_5XX | checks::TRANSPORT
                        )
                });
                if status_held {
                    let schema = sctx.response(incoming.status).map(|r| r.schema.as_str());
                    checks.extend(capture(
                        ctx,
                        contract,
                        step,
                        schema,
                        &incoming,
                        body.as_ref(),
                        &mut vars,
                    ));
                }
                if checks.iter().all(|c| c.outcome != Verdict::Fail) {
                    checks.extend(promise::evaluate(
                        &step.spec.asserts,
                        &contract.suite.document,
                        incoming.status,
                        body.as_ref(),
                        &vars,
                        plan.decided.as_deref(),
                    ));
                }
                (checks, Some(incoming))
            }
            Err(e) => (
                vec![CheckResult::fail(
                    checks::TRANSPORT,
                    redactor.apply(&e.to_string()),
                    format!("{} > {}", contract.suite.document, endpoint.doc),
                    step.expected.quote.as_deref(),
                )],
                None,
            ),
        };
        // A probe of a method the document does not list for the path: nothing the document
        // says applies to its answer (not even its success or error bodies), so whatever did
        // not hold only advises.
        let checks: Vec<CheckResult> = match &step.spec.method {
            Some(m) => {
                let why = plan.decided.clone().unwrap_or_else(|| {
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
        let checks: Vec<CheckResult> = if strict {
            checks.into_iter().map(CheckResult::strict).collect()
        } else {
            checks
        };
        let failed: Vec<&CheckResult> = checks
            .iter()
            .filter(|c| c.outcome == Verdict::Fail)
            .collect();
        let already_failed = !failures.is_empty() || (advised && step.only_after_failure);
        if !failed.is_empty() && step.spec.restore && already_failed {
            // After a failure, a restore that does not take is a note, not another failure: the
            // steps it would undo may never have run.
            restore_notes.push(format!(
                "{} {}: {}",
                endpoint.method,
                endpoint.path,
                failed[0].message.lines().next().unwrap_or("")
            ));
        } else if !failed.is_empty() {
            if report.check.is_none() && !step.spec.restore {
                report.check = Some(failed[0].id.clone());
            }
            let mut text = format!(
                "{label}{} {} {}",
                if step.spec.restore { " (restore)" } else { "" },
                outgoing.method,
                endpoint.path
            );
            for c in &failed {
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
            failures.push(redactor.apply(&text));
        }
        if step.spec.restore && already_failed && failed.is_empty() {
            restored.push(format!(
                "{} {} -> {}",
                endpoint.method,
                endpoint.path,
                response
                    .as_ref()
                    .map_or("no answer".to_string(), |r| r.status.to_string())
            ));
        }
        if !step.spec.restore && checks.iter().any(|c| c.outcome == Verdict::Advisory) {
            advised = true;
        }
        if checks
            .iter()
            .any(|c| c.id == checks::CAPTURE && c.outcome == Verdict::Advisory)
        {
            halted = true;
        }
        report.steps.push(step_report(
            &redactor,
            endpoint,
            step,
            &outgoing,
            response.as_ref(),
            checks,
            curl,
        ));
    }
    let advisories: Vec<String> = report
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
    if failures.is_empty() && !advisories.is_empty() {
        report.outcome = Verdict::Advisory;
        report.message = format!(
            "held the document; the contract's own readings did not hold (advisories):\n{}",
            advisories.join("\n")
        );
        if !restored.is_empty() {
            report.message.push_str(&format!(
                "\n  the target may have changed state; restore steps ran: {}",
                restored.join("; ")
            ));
        }
        if !restore_notes.is_empty() {
            report.message.push_str(&format!(
                "\n  could not restore (the target may keep changes): {}",
                restore_notes.join("; ")
            ));
        }
        report.message = redactor.apply(&report.message);
    }
    if !skipped_steps.is_empty() {
        report.message.push_str(&format!(
            "\n  optional steps left out: {}",
            skipped_steps.join("; ")
        ));
    }
    if !failures.is_empty() {
        report.outcome = Verdict::Fail;
        let mut message = format!("{} ({})\n", plan.description_or_id(), plan.doc);
        message.push_str(&failures.join("\n"));
        if !restored.is_empty() {
            message.push_str(&format!(
                "\n  the target may have changed state; restore steps ran: {}",
                restored.join("; ")
            ));
        }
        if !restore_notes.is_empty() {
            message.push_str(&format!(
                "\n  could not restore (the target may keep changes): {}",
                restore_notes.join("; ")
            ));
        }
        report.message = redactor.apply(&message);
    }
    report.duration_ms = clock.elapsed().as_millis() as u64;
    report
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

/// Sends within the run's rate ceiling; a 429 is retried after its Retry-After, at most
/// [`MAX_429_RETRIES`] times. Returns the last answer and how many retries it took.
async fn send_paced(ctx: &RunContext, out: &Outgoing) -> Result<(Incoming, u32), TransportError> {
    let mut retries = 0;
    loop {
        if let Some(p) = &ctx.pacer {
            p.wait().await;
        }
        let got = ctx.client.send(out).await?;
        if got.status != 429 || retries >= MAX_429_RETRIES {
            return Ok((got, retries));
        }
        retries += 1;
        tokio::time::sleep(rate::retry_after(got.header("retry-after"))).await;
    }
}

/// Takes the step's captures from the body into `vars`; a value that is not there fails the
/// `capture` check, since later steps cannot be built without it.
/// A value whose presence is the contract's reading (its schema's `required` is decided) that
/// is missing makes the case inconclusive, an advisory: the document never promised it.
fn capture(
    ctx: &RunContext,
    contract: &Contract,
    step: &PlannedStep,
    schema: Option<&str>,
    incoming: &Incoming,
    body: Option<&Value>,
    vars: &mut Vars,
) -> Option<CheckResult> {
    let mut missing = Vec::new();
    let mut decided: Vec<String> = Vec::new();
    for (name, spec) in &step.spec.capture {
        let found = match spec.header() {
            Some(h) => incoming.header(h).map(|v| Value::String(v.to_string())),
            None => body.and_then(|b| b.pointer(spec.pointer())).cloned(),
        };
        let value = match (found, spec.decode()) {
            (None, _) => {
                missing.push(format!("{} (for `{name}`)", spec.source()));
                let parent = spec.pointer().rsplit_once('/').map_or("", |(p, _)| p);
                // The capture's own reason, else the schema's: the value was never promised.
                if let Some(why) = spec.decided().map(String::from).or_else(|| {
                    spec.header().is_none().then_some(())?;
                    schema.and_then(|f| contract.schemas.decision_at(f, parent, "required"))
                }) {
                    decided.push(why);
                }
                continue;
            }
            (Some(v), None) => v,
            (Some(v), Some(decoder)) => match decode::decode(decoder, &template::as_text(&v)) {
                Ok(text) => Value::String(text),
                Err(why) => {
                    missing.push(format!("{} (for `{name}`: {why})", spec.source()));
                    if let Some(why) = spec.decided() {
                        decided.push(why.to_string());
                    }
                    continue;
                }
            },
        };
        if spec.secret() {
            add_secret(
                &ctx.redactor.scoped(contract.name()),
                &value,
                &env_name(contract.name(), name),
            );
        }
        vars.insert(name.clone(), value);
    }
    if step.spec.capture.is_empty() {
        return None;
    }
    let doc = contract
        .endpoint(&step.spec.endpoint)
        .and_then(|e| e.responses.values().next())
        .map(|r| format!("{} > {}", contract.suite.document, r.doc))
        .unwrap_or_default();
    let message = format!(
        "expected values that later steps use at {}, got none there",
        missing.join(", ")
    );
    Some(if missing.is_empty() {
        CheckResult::pass(checks::CAPTURE, doc)
    } else if decided.len() == missing.len() {
        decided.dedup();
        CheckResult::advisory(
            checks::CAPTURE,
            format!("{message}; the case could not go on (inconclusive)"),
            doc,
            &decided.join("; "),
        )
    } else {
        CheckResult::fail(
            checks::CAPTURE,
            message,
            doc,
            step.expected.quote.as_deref(),
        )
    })
}

/// Builds the request of a step: URL with path and query parameters, credential, JSON body.
fn build_request(
    contract: &Contract,
    target: &Target,
    endpoint: &EndpointSpec,
    step: &PlannedStep,
    vars: &Vars,
) -> Result<Outgoing, template::MissingVar> {
    let mut path = endpoint.path.clone();
    let mut query = Vec::new();
    let mut param_headers: Vec<(String, String)> = Vec::new();
    let mut cookies: Vec<String> = Vec::new();
    let mut values: Vec<(String, String)> = Vec::new();
    for (name, raw) in &step.spec.params {
        values.push((
            name.clone(),
            template::as_text(&template::render(raw, vars)?),
        ));
    }
    values.extend(step.literal_params.clone());
    for (name, value) in values {
        let location = endpoint
            .params
            .iter()
            .find(|p| p.name == name)
            .map_or(ParamLocation::Query, |p| p.location);
        match location {
            // Path values go in raw: boundary cases send exactly what they name.
            ParamLocation::Path => path = path.replace(&format!("{{{name}}}"), &value),
            ParamLocation::Query => query.push((name, value)),
            ParamLocation::Header => param_headers.push((name, value)),
            ParamLocation::Cookie => cookies.push(format!("{name}={value}")),
        }
    }
    let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
    credential_parts(
        &contract.suite.auth,
        &step.credential,
        vars,
        &mut headers,
        &mut query,
    )?;
    // The operator's own headers (`-H`, `headers` in the config) go on every request, except
    // where the credential is what the step varies.
    for (name, value) in &target.headers {
        let already = headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        let varied = matches!(step.credential, Credential::Bad(..))
            && name.eq_ignore_ascii_case(contract.suite.auth.carrier());
        if !already && !varied {
            headers.push((name.clone(), value.clone()));
        }
    }
    // The operation's header and cookie parameters; cookies join a credential cookie.
    headers.extend(param_headers);
    if !cookies.is_empty() {
        match headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case("cookie"))
        {
            Some((_, v)) => {
                v.push_str("; ");
                v.push_str(&cookies.join("; "));
            }
            None => headers.push(("Cookie".into(), cookies.join("; "))),
        }
    }
    let mut url = format!("{}{}", target.base_url, path);
    if !query.is_empty() {
        let encoded: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect();
        url.push('?');
        url.push_str(&encoded.join("&"));
    }
    let body = match (&step.literal_body, &step.spec.body) {
        (
            Some(BodyInput::Raw {
                bytes,
                content_type,
            }),
            _,
        ) => {
            headers.push(("Content-Type".into(), content_type.clone()));
            Some(bytes.clone())
        }
        (Some(BodyInput::Json(v)), _) => {
            headers.push(("Content-Type".into(), "application/json".into()));
            Some(v.to_string().into_bytes())
        }
        (None, Some(b)) => {
            headers.push(("Content-Type".into(), "application/json".into()));
            Some(template::render(b, vars)?.to_string().into_bytes())
        }
        (None, None) => None,
    };
    Ok(Outgoing {
        method: step
            .spec
            .method
            .clone()
            .unwrap_or_else(|| endpoint.method.clone()),
        url,
        headers,
        body,
    })
}

/// A token no target ever issued, shaped like a real one.
const FOREIGN_TOKEN: &str = "conform-not-a-token-0000000000000000";
/// Basic credentials no target ever issued.
const FOREIGN_USER: &str = "conform-not-a-user:conform-not-a-password";
/// `{"alg":"HS256","typ":"JWT"}.{"sub":"1","iat":1,"exp":2}` with a signature no key made.
const EXPIRED_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwiaWF0IjoxLCJleHAiOjJ9.Y29uZm9ybS1ub3QtYS1zaWduYXR1cmU";

/// How a step's credential travels: headers to add, query parameters to add.
fn credential_parts(
    auth: &AuthSpec,
    credential: &Credential,
    vars: &Vars,
    headers: &mut Vec<(String, String)>,
    query: &mut Vec<(String, String)>,
) -> Result<(), template::MissingVar> {
    use crate::contract::AuthScheme as S;
    let value_of = |var: &str| {
        vars.get(var)
            .map(template::as_text)
            .ok_or_else(|| template::MissingVar(var.to_string()))
    };
    let name = auth.carrier().to_string();
    let mut present = |token: &str| match auth.scheme {
        S::Bearer => headers.push(("Authorization".into(), format!("Bearer {token}"))),
        S::Basic => headers.push((
            "Authorization".into(),
            format!("Basic {}", crate::contract::basic_token(token)),
        )),
        S::Header => headers.push((name.clone(), token.to_string())),
        S::Query => query.push((name.clone(), token.to_string())),
        S::Cookie => headers.push(("Cookie".into(), format!("{name}={token}"))),
        S::None => {}
    };
    match credential {
        Credential::None => {}
        Credential::Var(var) => present(&value_of(var)?),
        Credential::Bad(variant, var) => match variant {
            AuthVariant::Missing => {}
            AuthVariant::Empty => match auth.scheme {
                S::Bearer => headers.push(("Authorization".into(), "Bearer ".into())),
                S::Basic => headers.push(("Authorization".into(), "Basic ".into())),
                _ => present(""),
            },
            AuthVariant::Malformed if auth.scheme == S::Basic => present(FOREIGN_USER),
            AuthVariant::Malformed => present(FOREIGN_TOKEN),
            AuthVariant::ExpiredJwt => present(EXPIRED_JWT),
            AuthVariant::WrongScheme if auth.scheme == S::Basic => headers.push((
                "Authorization".into(),
                format!("Bearer {}", crate::contract::basic_token(&value_of(var)?)),
            )),
            AuthVariant::WrongScheme => {
                headers.push(("Authorization".into(), format!("Basic {}", value_of(var)?)))
            }
            AuthVariant::WrongHeader => {
                let token = value_of(var)?;
                match auth.scheme {
                    S::Bearer => headers.push(("x-auth-token".into(), token)),
                    _ => headers.push(("Authorization".into(), format!("Bearer {token}"))),
                }
            }
        },
    }
    Ok(())
}

fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn step_report(
    r: &ScopedRedactor,
    endpoint: &EndpointSpec,
    step: &PlannedStep,
    out: &Outgoing,
    got: Option<&Incoming>,
    checks: Vec<CheckResult>,
    curl: String,
) -> StepReport {
    StepReport {
        endpoint: format!("{} {}", out.method, endpoint.path),
        restore: step.spec.restore,
        request: RequestRecord {
            method: out.method.clone(),
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
            }
        }),
        checks: checks
            .into_iter()
            .map(|mut c| {
                c.message = r.apply(&c.message);
                c
            })
            .collect(),
        curl,
    }
}

/// Plans the cases for the run's config.
pub fn plan_for(
    ctx: &RunContext,
    opts: crate::generate::GenerateOptions,
) -> Result<plan::Plan, plan::PlanError> {
    plan::plan(&ctx.contracts, &ctx.config, opts)
}
