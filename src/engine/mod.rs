//! The engine: runs planned cases against the target and tells sinks what happens.
//!
//! There is one engine. The binary and every test call [`run`]; what differs is the sinks they
//! pass (the console, the transcript writer, the progress line; none in most tests). A case is
//! a tokio task: at most `concurrency` are in flight, steps of a case run in order, and a case
//! that panics becomes a failed case saying "harness error", never a lost one.
//!
//! Cases that share state on the target (the same `serial` key in the suite) run one at a time
//! and in plan order, in one *lane* per key: a case the target wrongly accepts may change state
//! that no restore step can undo (an accepted change-password ends the other sessions), and
//! which case then fails must not depend on timing. A lane waiting for its turn holds no
//! permit, so unrelated cases keep the run busy.
//!
//! Why the cost per case is flat: a finished case goes to the sinks and then leaves memory as
//! a [`CaseReport`] without its request and response bodies (see [`slim`]) when a transcript
//! holds them; nothing a case does scans what earlier cases left.

mod capture;
mod case;
pub mod events;
mod request;
pub mod slim;

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::FutureExt;
use tokio::sync::{mpsc, Semaphore};

#[cfg(test)]
use crate::checks::Verdict;
use crate::config::TargetConfig;
use crate::contract::Contract;
use crate::http::{ClientError, HttpClient, HttpOptions, Outgoing, TransportError};
use crate::plan::{self, CasePlan};
use crate::rate::Pacer;
use crate::redact::Redactor;
use crate::report::{rfc3339, CaseReport, Report, TargetInfo};

pub use case::REPORT_BODY_LIMIT;
pub use events::{Event, Sink, StepDone};

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
        })
    }

    /// Whether decided rules fail for this contract (`--strict`, or `strict = true` in its
    /// table of the config).
    pub fn strict_for(&self, contract: &str) -> bool {
        self.strict || self.config.targets.get(contract).is_some_and(|t| t.strict)
    }
}

/// Plans the cases for the run's config.
pub fn plan_for(
    ctx: &RunContext,
    opts: crate::generate::GenerateOptions,
) -> Result<plan::Plan, plan::PlanError> {
    plan::plan(&ctx.contracts, &ctx.config, opts)
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

/// How the engine runs the cases.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Cases in flight at once (at least one).
    pub concurrency: usize,
    /// Drop the request and response records of passed and skipped cases once the sinks have
    /// seen them (the binary does, once a transcript holds them); see [`slim`].
    pub slim: bool,
}

impl RunOptions {
    /// Everything kept in memory, `concurrency` cases at a time: for tests and library users.
    pub fn keep_all(concurrency: usize) -> Self {
        RunOptions {
            concurrency,
            slim: false,
        }
    }
}

/// What a case task tells the collector.
enum Msg {
    Started(usize),
    Step(usize, StepDone),
    Finished(Box<CaseReport>),
}

/// Runs the planned cases, at most `options.concurrency` at a time, telling every sink what
/// happens; returns the report of every case (in id order; its derived parts and digest not yet
/// computed: the caller adds what it knows, then calls [`Report::finish`]). The report the
/// sinks see with `RunFinished` is that one too.
pub async fn run(
    ctx: Arc<RunContext>,
    plans: Vec<CasePlan>,
    options: RunOptions,
    sinks: &mut [&mut dyn Sink],
) -> Report {
    let started = SystemTime::now();
    let clock = Instant::now();
    let total = plans.len();
    let ids: Vec<String> = plans.iter().map(|p| p.id.clone()).collect();
    for sink in sinks.iter_mut() {
        sink.event(Event::RunStarted { cases: total });
    }
    let deadline = ctx.run_timeout.map(|t| tokio::time::Instant::now() + t);
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let feeder = tokio::spawn(feed(ctx.clone(), plans, options.concurrency, deadline, tx));
    let mut keeper = slim::Keeper::new(&ctx, options.slim);
    let mut cases: Vec<CaseReport> = Vec::with_capacity(total);
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::Started(i) => {
                for sink in sinks.iter_mut() {
                    sink.event(Event::CaseStarted { id: &ids[i] });
                }
            }
            Msg::Step(i, step) => {
                for sink in sinks.iter_mut() {
                    sink.event(Event::StepFinished {
                        id: &ids[i],
                        step: &step,
                    });
                }
            }
            Msg::Finished(case) => {
                for sink in sinks.iter_mut() {
                    sink.event(Event::CaseFinished { case: &case });
                }
                cases.push(keeper.keep(*case));
            }
        }
    }
    // Every sender is gone: the feeder and every case it started are done.
    let _ = feeder.await;
    let report = assemble(&ctx, cases, started, clock);
    for sink in sinks.iter_mut() {
        sink.event(Event::RunFinished {
            report: &report,
            elapsed: clock.elapsed(),
        });
    }
    report
}

/// Runs `plans` with no sinks, everything kept, and finishes the report (digest included): the
/// same engine as [`run`], for tests and library users.
pub async fn execute(ctx: Arc<RunContext>, plans: Vec<CasePlan>, concurrency: usize) -> Report {
    let mut report = run(ctx, plans, RunOptions::keep_all(concurrency), &mut []).await;
    report.finish();
    report
}

/// Starts the cases in plan order: an unkeyed case as soon as a permit is free, a keyed one in
/// its key's lane (a task per key that runs its cases one at a time, in the order they come).
/// Each plan is handed on as it is reached, so the plans are never copied and each leaves memory
/// when its case is done.
async fn feed(
    ctx: Arc<RunContext>,
    plans: Vec<CasePlan>,
    concurrency: usize,
    deadline: Option<tokio::time::Instant>,
    tx: mpsc::UnboundedSender<Msg>,
) {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut lanes: BTreeMap<String, mpsc::UnboundedSender<(usize, CasePlan)>> = BTreeMap::new();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, plan) in plans.into_iter().enumerate() {
        if let (Some(key), None) = (&plan.serial, &plan.skip) {
            let lane = lanes.entry(key.clone()).or_insert_with(|| {
                let (lane_tx, mut lane_rx) = mpsc::unbounded_channel::<(usize, CasePlan)>();
                let (ctx, permits, tx) = (ctx.clone(), permits.clone(), tx.clone());
                tasks.spawn(async move {
                    while let Some((i, plan)) = lane_rx.recv().await {
                        let Ok(_permit) = permits.acquire().await else {
                            return;
                        };
                        run_one(&ctx, i, plan, deadline, &tx).await;
                    }
                });
                lane_tx
            });
            let _ = lane.send((i, plan));
            continue;
        }
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let (ctx, tx) = (ctx.clone(), tx.clone());
        tasks.spawn(async move {
            let _permit = permit;
            run_one(&ctx, i, plan, deadline, &tx).await;
        });
        // Finished tasks leave the set as the run goes, so it holds at most the cases in flight
        // and the lanes.
        while tasks.try_join_next().is_some() {}
    }
    // Every plan is handed on: the lanes end when their queues are empty.
    drop(lanes);
    while tasks.join_next().await.is_some() {}
}

/// Runs one case and sends what it did; a panic in it becomes a failed case.
async fn run_one(
    ctx: &RunContext,
    index: usize,
    plan: CasePlan,
    deadline: Option<tokio::time::Instant>,
    tx: &mpsc::UnboundedSender<Msg>,
) {
    let _ = tx.send(Msg::Started(index));
    let steps = |step: StepDone| {
        let _ = tx.send(Msg::Step(index, step));
    };
    let report = guarded(ctx, &plan, case::run_until(ctx, &plan, deadline, &steps)).await;
    let _ = tx.send(Msg::Finished(Box::new(report)));
}

/// The case's report, or a failed case saying "harness error" when `work` panics.
async fn guarded(
    ctx: &RunContext,
    plan: &CasePlan,
    work: impl std::future::Future<Output = CaseReport>,
) -> CaseReport {
    match AssertUnwindSafe(work).catch_unwind().await {
        Ok(report) => report,
        Err(panic) => case::harness_error(ctx, plan, &*panic),
    }
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
    // Said in the report, so in its certificate (when the caller derives it).
    report.insecure = ctx.client.options().insecure;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_that_panics_is_a_failed_case_saying_harness_error() {
        let contracts =
            crate::contract::load_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let config = TargetConfig::parse(
            "[tss]\nbase_url = \"http://127.0.0.1:9\"\ntoken = \"tss_sess_secret_token_0001\"\n",
            "test",
            &|_| None,
        )
        .unwrap();
        let ctx = RunContext::new(Arc::new(contracts), config, &RunSettings::default()).unwrap();
        let plan = plan_for(&ctx, Default::default())
            .unwrap()
            .cases
            .into_iter()
            .find(|p| p.id.starts_with("tss::"))
            .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let report = rt.block_on(guarded(&ctx, &plan, async {
            panic!("index out of bounds near tss_sess_secret_token_0001")
        }));
        assert_eq!(report.id, plan.id);
        assert_eq!(report.outcome, Verdict::Fail);
        assert_eq!(report.check, Some(crate::checks::HARNESS));
        assert!(
            report.message.starts_with("harness error"),
            "{}",
            report.message
        );
        assert!(
            report.message.contains("index out of bounds"),
            "{}",
            report.message
        );
        // The panic's words are redacted like everything else.
        assert!(
            !report.message.contains("tss_sess_secret_token_0001"),
            "{}",
            report.message
        );
    }
}
