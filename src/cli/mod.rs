//! The command line: options (clap derive) and the wiring of contracts, config, server and
//! engine for each subcommand. `main.rs` only calls [`main`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::config::TargetConfig;
use crate::console::{self, Console, Format as ConsoleFormat};
use crate::contract::{self, Contract};
use crate::engine::{self, RunContext, RunOptions, RunSettings, DEFAULT_RUN_TIMEOUT};
use crate::exit::Exit;
use crate::generate::GenerateOptions;
use crate::http::{HttpOptions, DEFAULT_BODY_LIMIT};
use crate::plan;
use crate::report::transcript;
use crate::server::{self, RunningServer, ServerOptions};

pub mod console_args;
pub mod openapi;
pub mod report_args;

use console_args::ConsoleArgs;

#[derive(Debug, Parser)]
#[command(
    name = "conform",
    version,
    about = "Contract-conformance test harness for HTTP APIs",
    after_help = "Exit codes: 0 every case held, 1 a conformance failure (with --baseline or \
                  --known-failures: a regression or an unexpected failure), 2 bad usage, bad \
                  config, contracts, report or list, or an unreachable target."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: boxing the large `run` arguments would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every case of every configured contract (default target: the embedded reference server).
    Run(RunArgs),
    /// Run the embedded reference server alone, printing its fixtures.
    Serve(ServeArgs),
    /// List contracts, endpoints and cases, one per line.
    List(ListArgs),
    /// Write a contract in another format: `export openapi --contract NAME [-o FILE]`.
    #[command(subcommand)]
    Export(openapi::ExportCommand),
    /// Create a contract from another format: `import openapi FILE --name NAME [--out DIR]`
    /// (OpenAPI 3.0/3.1 or Swagger 2.0, YAML or JSON).
    #[command(subcommand)]
    Import(openapi::ImportCommand),
    /// Compare two report.json files: newly failing, newly passing, new and vanished cases
    /// (exit 1 on a regression).
    Diff(report_args::DiffArgs),
    /// Join the report.json files of the shares of a `--partition K/N` run into one report.
    Merge(report_args::MergeArgs),
    /// Check that a report.json is as conform wrote it (its digest matches; exit 1 if not).
    Verify(report_args::VerifyArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Target config (TOML); without it the embedded reference server is started and used.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where reports are written.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub report_dir: PathBuf,
    /// Folder holding `suites/` and `schemas/` (default: the current folder if it has `suites/`,
    /// else the contracts shipped with conform).
    #[arg(long, value_name = "DIR")]
    pub contracts: Option<PathBuf>,
    /// Per-request timeout in seconds (connect, answer and whole body).
    #[arg(long, value_name = "SECS", default_value_t = 10.0, value_parser = above_zero)]
    pub timeout: f64,
    /// Largest response body read, in bytes; a larger one fails its case with "body too large".
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BODY_LIMIT)]
    pub body_limit: usize,
    /// Time limit of the whole run in seconds (0: none); when it is reached, the cases still
    /// running or not yet started fail as "not run: the run's time limit was reached".
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_RUN_TIMEOUT.as_secs_f64())]
    pub run_timeout: f64,
    /// PEM file of a private CA to trust, besides the system's roots.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Do not verify TLS certificates (said in the report's metadata).
    #[arg(long)]
    pub insecure: bool,
    /// Follow redirects within the target's origin (never to another origin, so credentials
    /// stay with the target); without it a redirect is the answer that is checked.
    #[arg(long)]
    pub follow_redirects: bool,
    /// Faults injected into the embedded reference server (only without --config).
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<String>,
    /// Latency added to every answer of the embedded reference server (simulates a remote target).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub server_latency: u64,
    /// Run the embedded reference server in lenient mode: the other side of every contract
    /// decision, still true to every sentence of the documents (only without --config).
    #[arg(long)]
    pub lenient: bool,
    /// Cases in flight at once (flows keep their step order; cases sharing state never overlap).
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = at_least_one)]
    pub concurrency: usize,
    /// Ceiling on requests per second across the run, above 0 (without it, none; a 429 is always
    /// retried after its Retry-After, at most 3 times, and reported).
    #[arg(long, value_name = "N", value_parser = above_zero)]
    pub rate: Option<f64>,
    /// Seed of the generated cases: the same seed gives the same cases on every machine.
    #[arg(long, value_name = "N", default_value_t = GenerateOptions::default().seed)]
    pub seed: u64,
    /// Property-based valid bodies generated per endpoint.
    #[arg(long, value_name = "N", default_value_t = GenerateOptions::default().max_cases)]
    pub max_cases: usize,
    /// Decided rules (the contracts' readings where a document is silent) fail like the
    /// document's own; without it they are advisories. Per contract: `strict = true` in its
    /// table of the config.
    #[arg(long)]
    pub strict: bool,
    /// A team's own OpenAPI document instead of the contracts folder.
    #[command(flatten)]
    pub direct: openapi::DirectArgs,
    /// Report formats, baseline, known failures, partition.
    #[command(flatten)]
    pub reporting: report_args::ReportArgs,
    /// libtest options (FILTER, --exact, --skip, --list, --test-threads N, -q) and --format.
    #[command(flatten)]
    pub test: ConsoleArgs,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Inject a fault by name (repeatable); `--fault list` prints them.
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<String>,
    /// Added to every response, to simulate a remote target.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Lenient mode: the other side of every contract decision (other 4xx codes, bodiless
    /// errors, extra members, looser inputs), still true to every sentence of the documents.
    #[arg(long)]
    pub lenient: bool,
    /// Also write the target config for the fixtures to this file (mode 600: it holds secrets),
    /// once the server listens.
    #[arg(long, value_name = "FILE")]
    pub config_out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Folder holding `suites/` and `schemas/`.
    #[arg(long, value_name = "DIR")]
    pub contracts: Option<PathBuf>,
    /// Target config; without it the embedded reference server's fixtures are used.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Seed of the generated cases.
    #[arg(long, value_name = "N", default_value_t = GenerateOptions::default().seed)]
    pub seed: u64,
    /// Property-based valid bodies generated per endpoint.
    #[arg(long, value_name = "N", default_value_t = GenerateOptions::default().max_cases)]
    pub max_cases: usize,
    /// List the cases of an OpenAPI document (3.0, 3.1 or Swagger 2.0; YAML or JSON) instead
    /// of the contracts folder.
    #[arg(long, value_name = "FILE")]
    pub openapi: Option<PathBuf>,
    /// Name of the contract imported from --openapi (default: from the file name).
    #[arg(long = "name", value_name = "NAME", requires = "openapi")]
    pub name: Option<String>,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Serve(args) => serve(args),
        Command::List(args) => list(args).map(|()| Exit::Held),
        Command::Export(cmd) => openapi::export_command(cmd),
        Command::Import(cmd) => openapi::import_command(cmd),
        Command::Diff(args) => report_args::diff(args),
        Command::Merge(args) => report_args::merge(args),
        Command::Verify(args) => report_args::verify(args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            eprintln!("error: {e:#}");
            Exit::Usage.into()
        }
    }
}

/// The contracts folder: explicit, else `./suites` if present, else the one conform was built from.
pub fn contracts_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if Path::new("suites").is_dir() && Path::new("schemas").is_dir() {
        return PathBuf::from(".");
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load_contracts(explicit: Option<&Path>) -> Result<Vec<Contract>> {
    let dir = contracts_dir(explicit);
    contract::load_dir(&dir)
        .with_context(|| format!("failed to load contracts from {}", dir.display()))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")
}

/// The runtime of a run: one thread. The harness waits on the target far more than it computes,
/// and on one thread a finished request wakes its case without a futex call and a switch to
/// another thread (with a worker pool, those wake-ups were a quarter of a run's CPU).
fn run_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")
}

/// The target config: the file's, or the embedded reference server's (started here, with
/// `faults`, in lenient mode when asked, and returned so that it lives as long as the caller
/// needs it).
fn target_config(
    rt: &tokio::runtime::Runtime,
    path: Option<&Path>,
    faults: &[String],
    latency: Duration,
    lenient: bool,
) -> Result<(Option<RunningServer>, TargetConfig)> {
    if let Some(path) = path {
        if !faults.is_empty() {
            anyhow::bail!(
                "--fault applies to the embedded reference server; drop --config to use it"
            );
        }
        if lenient {
            anyhow::bail!(
                "--lenient applies to the embedded reference server; drop --config to use it"
            );
        }
        return Ok((None, TargetConfig::load(path)?));
    }
    let opts = ServerOptions {
        faults: faults.to_vec(),
        latency,
        lenient,
        ..ServerOptions::default()
    };
    let server = rt
        .block_on(server::start(opts))
        .context("failed to start the embedded reference server")?;
    let config = TargetConfig::parse(
        &server.target_config_toml(),
        "embedded reference server",
        &|_| None,
    )?;
    Ok((Some(server), config))
}

fn run(args: RunArgs) -> Result<Exit> {
    let prepared = args.reporting.prepare()?;
    let rt = run_runtime()?;
    // The embedded server, when used, lives until the end of the run.
    let (_server, contracts, config) = if args.direct.openapi.is_some() {
        if !args.faults.is_empty() || args.lenient || args.contracts.is_some() {
            anyhow::bail!(
                "--openapi runs the document against --base-url: --fault, --lenient and --contracts do not apply"
            );
        }
        let file_config = args.config.as_deref().map(TargetConfig::load).transpose()?;
        let direct =
            crate::openapi::prepare_direct(&args.direct.options(), file_config.as_ref(), None)?;
        for note in &direct.notes {
            eprintln!("note: {note}");
        }
        (None, vec![direct.contract], direct.config)
    } else {
        let contracts = load_contracts(args.contracts.as_deref())?;
        let (server, config) = target_config(
            &rt,
            args.config.as_deref(),
            &args.faults,
            Duration::from_millis(args.server_latency),
            args.lenient,
        )?;
        (server, contracts, config)
    };
    config.check_against(&contracts)?;
    if let Some(warning) = config.exposure_warning(&contracts) {
        eprintln!("warning: {warning}");
    }
    let settings = RunSettings {
        http: HttpOptions {
            timeout: seconds(args.timeout, "--timeout")?.max(Duration::from_millis(1)),
            body_limit: args.body_limit,
            ca_cert: args.ca_cert.clone(),
            insecure: args.insecure,
            follow_redirects: args.follow_redirects,
        },
        run_timeout: (args.run_timeout != 0.0)
            .then(|| seconds(args.run_timeout, "--run-timeout"))
            .transpose()?,
        strict: args.strict,
        rate: args.rate,
    };
    if args.insecure {
        eprintln!("warning: --insecure: TLS certificates are not verified (report.json says so)");
    }
    let ctx = Arc::new(RunContext::new(Arc::new(contracts), config, &settings)?);
    let opts = GenerateOptions {
        seed: args.seed,
        max_cases: args.max_cases,
    };
    let mut plans = engine::plan_for(&ctx, opts)?.cases;
    prepared.select(&mut plans);
    let filtered_out = args.test.selection().select(&mut plans);
    if args.test.list {
        print!("{}", console::list(&plans));
        return Ok(Exit::Held);
    }
    rt.block_on(engine::check_reachable(&ctx))?;
    // --concurrency and libtest's --test-threads are the same knob; either may be given.
    let concurrency = args.test.test_threads.unwrap_or(args.concurrency);
    let format = args.test.format();
    let mut console = Console::stdout(format, &plans, filtered_out);
    let mut transcript = transcript::Writer::create(&args.report_dir)?;
    let options = RunOptions {
        concurrency,
        slim: true,
    };
    let mut report = rt.block_on(engine::run(
        ctx,
        plans,
        options,
        &mut [&mut console, &mut transcript],
    ));
    report.transcript = Some(transcript.finish()?);
    prepared.finish(
        report,
        args.seed,
        &args.report_dir,
        &args.reporting.formats,
        format == ConsoleFormat::Json,
    )
}

/// A command-line number that must be above zero (`--timeout`, `--rate`): 0 would mean no time
/// for an answer or no request at all, which nobody asks for, so it is refused rather than read
/// as something else.
pub(crate) fn above_zero(text: &str) -> Result<f64, String> {
    let value: f64 = text.parse().map_err(|e| format!("not a number ({e})"))?;
    if value.is_nan() || value <= 0.0 {
        return Err("must be above 0".into());
    }
    Ok(value)
}

/// A count that must be at least one (`--concurrency`, `--test-threads`).
pub(crate) fn at_least_one(text: &str) -> Result<usize, String> {
    let value: usize = text
        .parse()
        .map_err(|e| format!("not a whole number ({e})"))?;
    if value == 0 {
        return Err("must be at least 1".into());
    }
    Ok(value)
}

/// A number of seconds from the command line as a duration (an error when negative or huge).
fn seconds(value: f64, flag: &str) -> Result<Duration> {
    Duration::try_from_secs_f64(value)
        .map_err(|e| anyhow::anyhow!("{flag} {value}: not a usable number of seconds ({e})"))
}

fn serve(args: ServeArgs) -> Result<Exit> {
    if args.faults.iter().any(|f| f == "list") {
        for f in server::fault_catalog() {
            println!("{:<36} {:<9} {}", f.name, f.contract, f.description);
        }
        return Ok(Exit::Held);
    }
    let rt = runtime()?;
    rt.block_on(async {
        let opts = ServerOptions {
            port: args.port,
            faults: args.faults.clone(),
            latency: Duration::from_millis(args.latency),
            lenient: args.lenient,
        };
        let s = server::start(opts)
            .await
            .context("failed to start the reference server")?;
        println!("conform reference server on http://{}", s.addr());
        println!("{}", s.fixtures_text());
        println!(
            "# target config for `conform run --config FILE`:\n{}",
            s.target_config_toml()
        );
        if let Some(path) = &args.config_out {
            write_private(path, &s.target_config_toml())
                .with_context(|| format!("failed to write {}", path.display()))?;
        }
        tokio::signal::ctrl_c()
            .await
            .context("failed to wait for Ctrl-C")?;
        s.shutdown().await;
        Ok(Exit::Held)
    })
}

/// Writes a file only its owner can read (it holds secrets); atomically, via a rename, so a
/// reader never sees half of it.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(&tmp)?.write_all(text.as_bytes())?;
    std::fs::rename(&tmp, path)
}

fn list(args: ListArgs) -> Result<()> {
    if let Some(file) = &args.openapi {
        let direct_args = crate::openapi::DirectOptions {
            openapi: Some(file.clone()),
            name: args.name.clone(),
            ..Default::default()
        };
        let file_config = args.config.as_deref().map(TargetConfig::load).transpose()?;
        // Nothing is sent: a placeholder base URL, and cases that need a variable listed as
        // they are (the run skips them without it).
        let direct = crate::openapi::prepare_direct(
            &direct_args,
            file_config.as_ref(),
            Some("http://127.0.0.1"),
        )?;
        for note in &direct.notes {
            eprintln!("note: {note}");
        }
        let contracts = vec![direct.contract];
        let opts = GenerateOptions {
            seed: args.seed,
            max_cases: args.max_cases,
        };
        let config = direct.config.with_defaults(&contracts);
        let planned = plan::plan(&contracts, &config, opts)?;
        print!("{}", render_list(&contracts, &planned));
        return Ok(());
    }
    let contracts = load_contracts(args.contracts.as_deref())?;
    let rt = runtime()?;
    let (_server, config) = target_config(&rt, args.config.as_deref(), &[], Duration::ZERO, false)?;
    config.check_against(&contracts)?;
    let config = config.with_defaults(&contracts);
    let opts = GenerateOptions {
        seed: args.seed,
        max_cases: args.max_cases,
    };
    let planned = plan::plan(&contracts, &config, opts)?;
    print!("{}", render_list(&contracts, &planned));
    Ok(())
}

/// The `conform list` text: contracts, endpoints and cases, one per line.
pub fn render_list(contracts: &[Contract], planned: &plan::Plan) -> String {
    let mut out = String::new();
    for c in contracts {
        out.push_str(&format!(
            "contract {} \"{}\" ({})\n",
            c.name(),
            c.suite.title,
            c.suite.document
        ));
        for e in &c.suite.endpoints {
            out.push_str(&format!(
                "  endpoint {} {} {}\n",
                c.name(),
                e.method,
                e.path
            ));
        }
    }
    for p in &planned.cases {
        out.push_str(&format!("case {} [{}] {}\n", p.id, p.kind, p.endpoint));
    }
    out
}
