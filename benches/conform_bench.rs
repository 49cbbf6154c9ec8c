//! `cargo bench --bench conform_bench`: the numbers in BENCHMARKS.md.
//!
//! Measures, on the release build:
//! 1. the full default run (`conform run`, embedded server start included), wall time;
//! 2. the harness's own CPU cost per case, with the reference server in another process;
//! 3. latency-bound runs (server at 50 ms a response) at several concurrencies, against the
//!    ideal (requests x latency / concurrency, or the longest chain of cases that must run one
//!    after another, whichever is longer);
//! 4. peak RSS of the full run;
//! 5. how the cost grows with the size of the run: `conform run --max-cases N` for N from 4 to
//!    10,000 (400 to 50,000 cases), the reference server in another process, with wall time,
//!    peak RSS, and the harness's CPU time per case (the `conform run` process's user + system
//!    time, planning and reports included, over its cases);
//! 6. the floor under items 2 and 5's CPU per case: the same requests (read back from a run's
//!    transcript, `--max-cases 4` as item 2 and `1000`) sent with conform's HTTP client on the
//!    binary's one-thread runtime, one at a time and 16 at a time (item 2's concurrency),
//!    nothing checked, planned or reported: what an exchange costs this machine's client side
//!    (the kernel's included), per case.
//!
//! Each figure is the median of several runs. `CONFORM_BENCH_QUICK=1` runs fewer repetitions;
//! `CONFORM_BENCH_SIZES=4,1000` picks the sizes of item 5 (default 4,100,1000,10000);
//! `CONFORM_BENCH_ITEMS=5,6` runs only those items (1 and 4 are one run).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use conform::config::TargetConfig;
use conform::contract;
use conform::engine::{self, RunContext, RunSettings};

fn main() {
    // `cargo bench` passes --bench; nothing else to parse.
    let quick = std::env::var("CONFORM_BENCH_QUICK").is_ok();
    let reps = if quick { 3 } else { 7 };
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_conform"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tmp = std::env::temp_dir().join(format!("conform-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    println!("machine: {} cores; {}", cores(), cpu_model());
    let items: Option<Vec<u32>> = std::env::var("CONFORM_BENCH_ITEMS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect());
    let want = |n: u32| items.as_ref().is_none_or(|i| i.contains(&n));
    let contracts = Arc::new(contract::load_dir(&root).expect("contracts"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    if want(1) || want(4) {
        full_run(&bin, &root, &tmp, reps);
    }
    if want(2) {
        harness_cpu(&bin, &tmp, &contracts, &rt, reps);
    }
    if want(3) {
        latency_bound(&bin, &tmp, &contracts, &rt, reps);
    }
    if want(5) {
        sizes(&bin, &root, &tmp, reps);
    }
    if want(6) {
        http_floor(&bin, &root, &tmp, &rt, reps);
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// 1 + 4. Full default run: the binary, embedded server, reports written.
fn full_run(bin: &Path, root: &Path, tmp: &Path, reps: usize) {
    let mut walls = Vec::new();
    let mut peaks = Vec::new();
    let mut cases = 0;
    for i in 0..reps {
        let out = tmp.join(format!("full-{i}"));
        let started = Instant::now();
        let child = Command::new(bin)
            .args(["run", "--contracts"])
            .arg(root)
            .arg("--report-dir")
            .arg(&out)
            .arg("-q")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("conform runs");
        let (status, peak_kb) = wait_with_peak_rss(child);
        walls.push(started.elapsed());
        peaks.push(peak_kb);
        assert!(status.success(), "conform run failed");
        cases = report_cases(&out.join("report.json"));
    }
    println!(
        "1. full default run: median {:.0} ms wall over {reps} runs ({cases} cases) [min {:.0}, max {:.0}]",
        ms(median(&walls)),
        ms(*walls.iter().min().unwrap()),
        ms(*walls.iter().max().unwrap()),
    );
    peaks.sort();
    println!(
        "4. peak RSS of the full run: median {:.1} MB (max {:.1} MB)",
        peaks[peaks.len() / 2] as f64 / 1024.0,
        *peaks.last().unwrap() as f64 / 1024.0
    );
}

/// Item 2: harness CPU per case, the server in another process (the binary's one-thread
/// runtime), two ways: with everything kept in memory (`engine::execute`, as tests and library
/// users run it), and as the binary runs it (`conform run`'s engine options: the transcript
/// written to disk as cases finish, passed cases slimmed, the report finished with its digest;
/// planning, start-up and the rendered report files left out, which item 5 includes).
fn harness_cpu(
    bin: &Path,
    tmp: &Path,
    contracts: &Arc<Vec<contract::Contract>>,
    rt: &tokio::runtime::Runtime,
    reps: usize,
) {
    for as_binary in [false, true] {
        let mut per_case = Vec::new();
        let mut user_per_case = Vec::new();
        for i in 0..reps {
            let (mut server, config) = serve(bin, &tmp.join(format!("cpu-{i}.toml")), 0);
            let ctx = Arc::new(
                RunContext::new(contracts.clone(), config, &RunSettings::default()).unwrap(),
            );
            let plans = engine::plan_for(&ctx, Default::default()).unwrap().cases;
            let n = plans.len();
            let before = Cpu::now();
            let report = if as_binary {
                let dir = tmp.join(format!("cpu-run-{i}"));
                let mut transcript = conform::report::transcript::Writer::create(&dir).unwrap();
                let options = engine::RunOptions {
                    concurrency: 16,
                    slim: true,
                };
                let mut report =
                    rt.block_on(engine::run(ctx, plans, options, &mut [&mut transcript]));
                report.transcript = Some(transcript.finish().unwrap());
                report.finish();
                report
            } else {
                rt.block_on(engine::execute(ctx, plans, 16))
            };
            let spent = Cpu::now().since(before);
            assert_eq!(report.summary.failed, 0, "the reference server should pass");
            per_case.push(spent.total() / n as u32);
            user_per_case.push(spent.user / n as u32);
            let _ = server.kill();
            let _ = server.wait();
        }
        let how = if as_binary {
            "as the binary runs it: transcript to disk, passed cases slimmed"
        } else {
            "everything kept in memory"
        };
        println!(
            "2. harness CPU per case ({how}; plan excluded; server in another process): median {:.1} us, of which user {:.1} us (system: the kernel's part)",
            median(&per_case).as_secs_f64() * 1e6,
            median(&user_per_case).as_secs_f64() * 1e6
        );
    }
}

/// 3. Latency-bound runs.
fn latency_bound(
    bin: &Path,
    tmp: &Path,
    contracts: &Arc<Vec<contract::Contract>>,
    rt: &tokio::runtime::Runtime,
    reps: usize,
) {
    let latency = Duration::from_millis(50);
    for concurrency in [1usize, 8, 32, 64] {
        let runs = if concurrency == 1 { 1 } else { reps.min(3) };
        let mut walls = Vec::new();
        let mut ideal = Duration::ZERO;
        for i in 0..runs {
            let (mut server, config) =
                serve(bin, &tmp.join(format!("lat-{concurrency}-{i}.toml")), 50);
            let ctx = Arc::new(
                RunContext::new(contracts.clone(), config, &RunSettings::default()).unwrap(),
            );
            let plans = engine::plan_for(&ctx, Default::default()).unwrap().cases;
            // Cases holding the same serial key run one after another: their requests chain.
            let serial: BTreeMap<String, Option<String>> = plans
                .iter()
                .map(|p| (p.id.clone(), p.serial.clone()))
                .collect();
            let started = Instant::now();
            let report = rt.block_on(engine::execute(ctx, plans, concurrency));
            walls.push(started.elapsed());
            let _ = server.kill();
            let _ = server.wait();
            // Requests actually sent, and the longest chain that had to run in order.
            let mut total = 0u32;
            let mut chains: BTreeMap<String, u32> = BTreeMap::new();
            let mut longest_case = 0u32;
            for c in &report.cases {
                let n = c.steps.iter().filter(|s| s.response.is_some()).count() as u32;
                total += n;
                longest_case = longest_case.max(n);
                if let Some(Some(key)) = serial.get(&c.id) {
                    *chains.entry(key.clone()).or_default() += n;
                }
            }
            let chain = chains
                .values()
                .copied()
                .max()
                .unwrap_or(0)
                .max(longest_case);
            ideal = (latency * total / concurrency as u32).max(latency * chain);
            if i == 0 {
                println!(
                    "   concurrency {concurrency}: {total} requests, longest ordered chain {chain} requests"
                );
            }
        }
        let wall = median(&walls);
        println!(
            "3. latency 50 ms, concurrency {concurrency}: median {:.2} s wall, ideal {:.2} s, ratio {:.2}",
            wall.as_secs_f64(),
            ideal.as_secs_f64(),
            wall.as_secs_f64() / ideal.as_secs_f64()
        );
    }
}

/// 5. Cost against the size of the run.
fn sizes(bin: &Path, root: &Path, tmp: &Path, reps: usize) {
    let sizes: Vec<usize> = std::env::var("CONFORM_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![4, 100, 1000, 10000]);
    println!(
        "5. cost against the size of the run (server in another process, median of {} runs):",
        reps.min(3)
    );
    println!(
        "   | --max-cases | cases | requests | wall | peak RSS | harness CPU | CPU per case | of which user | wall per case |"
    );
    println!("   |---|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let mut rows = Vec::new();
        for i in 0..reps.min(3) {
            let (mut server, _) = serve(bin, &tmp.join(format!("size-{n}-{i}.toml")), 0);
            let out = tmp.join(format!("size-{n}-{i}"));
            let started = Instant::now();
            let child = sized_run(bin, root, &tmp.join(format!("size-{n}-{i}.toml")), n, &out)
                .spawn()
                .expect("conform runs");
            let (status, peak_kb, cpu) = wait_with_usage(child);
            let wall = started.elapsed();
            let _ = server.kill();
            let _ = server.wait();
            assert!(status.success(), "conform run --max-cases {n} failed");
            let cases = report_cases(&out.join("report.json"));
            let requests = transcript_requests(&out.join("transcript.jsonl"));
            rows.push((wall, peak_kb, cpu, cases, requests));
            let _ = std::fs::remove_dir_all(&out);
        }
        rows.sort_by_key(|r| r.0);
        let (wall, peak_kb, cpu, cases, requests) = rows[rows.len() / 2];
        let per_case = |d: Duration| d.as_secs_f64() * 1e6 / cases.max(1) as f64;
        println!(
            "   | {n} | {cases} | {requests} | {:.2} s | {:.0} MB | {:.2} s | {:.0} µs | {:.0} µs | {:.0} µs |",
            wall.as_secs_f64(),
            peak_kb as f64 / 1024.0,
            cpu.total().as_secs_f64(),
            per_case(cpu.total()),
            per_case(cpu.user),
            per_case(wall),
        );
    }
}

/// 6. The HTTP floor: a run's requests again, nothing else.
fn http_floor(bin: &Path, root: &Path, tmp: &Path, rt: &tokio::runtime::Runtime, reps: usize) {
    // The default run's cases (the ones item 2 measures) and item 5's 5,393.
    for floor_n in [4, 1000] {
        http_floor_of(bin, root, tmp, rt, reps, floor_n);
    }
}

fn http_floor_of(
    bin: &Path,
    root: &Path,
    tmp: &Path,
    rt: &tokio::runtime::Runtime,
    reps: usize,
    floor_n: usize,
) {
    let (mut server, _) = serve(bin, &tmp.join("floor-run.toml"), 0);
    let out = tmp.join("floor-run");
    let status = sized_run(bin, root, &tmp.join("floor-run.toml"), floor_n, &out)
        .status()
        .expect("conform runs");
    let _ = server.kill();
    let _ = server.wait();
    assert!(status.success(), "conform run --max-cases {floor_n} failed");
    let mut requests = Vec::new();
    let mut cases = 0usize;
    let mut old_host = String::new();
    for case in
        conform::report::transcript::read(&out.join("transcript.jsonl")).expect("transcript")
    {
        let case = case.expect("a transcript line");
        cases += 1;
        for step in case.steps {
            old_host = port_of(&step.request.url);
            requests.push(step.request);
        }
    }
    let replay = Replay {
        requests,
        old_host,
        cases,
        floor_n,
    };
    // One at a time, as the run's longest chain of ordered cases goes (most of the default
    // run's requests: item 3 prints it), and 16 at a time, as many as the run allows at once.
    for at_once in [1, 16] {
        http_floor_at(bin, tmp, rt, reps, &replay, at_once);
    }
}

/// A run's requests read back from its transcript, to be sent again.
struct Replay {
    requests: Vec<conform::report::RequestRecord>,
    /// The `host:port` they were sent to, replaced by the fresh server's.
    old_host: String,
    cases: usize,
    /// The run's `--max-cases`.
    floor_n: usize,
}

/// `host:port` of a URL.
fn port_of(url: &str) -> String {
    url.split('/')
        .nth(2)
        .map(str::to_string)
        .unwrap_or_default()
}

fn http_floor_at(
    bin: &Path,
    tmp: &Path,
    rt: &tokio::runtime::Runtime,
    reps: usize,
    replay: &Replay,
    at_once: usize,
) {
    let Replay {
        requests,
        old_host,
        cases,
        floor_n,
    } = replay;
    let mut floors = Vec::new();
    let mut user_floors = Vec::new();
    for i in 0..reps.min(3) {
        let (mut server, config) = serve(bin, &tmp.join(format!("floor-{i}.toml")), 0);
        let host = config
            .targets
            .values()
            .next()
            .map(|t| port_of(&t.base_url))
            .unwrap_or_default();
        let client = conform::http::HttpClient::new(Default::default()).expect("client");
        let outgoing: Vec<conform::http::Outgoing> = requests
            .iter()
            .map(|r| conform::http::Outgoing {
                method: r.method.clone(),
                url: r.url.replacen(old_host.as_str(), &host, 1),
                headers: r.headers.clone(),
                body: r.body.clone().map(String::into_bytes),
            })
            .collect();
        let before = Cpu::now();
        rt.block_on(async {
            use futures_util::StreamExt as _;
            futures_util::stream::iter(outgoing.iter().map(|o| client.send(o)))
                .buffer_unordered(at_once)
                .for_each(|_| async {})
                .await;
        });
        let spent = Cpu::now().since(before);
        floors.push(spent.total() / (*cases).max(1) as u32);
        user_floors.push(spent.user / (*cases).max(1) as u32);
        let _ = server.kill();
        let _ = server.wait();
    }
    println!(
        "6. HTTP floor: {} requests of {cases} cases (--max-cases {floor_n}) sent again, {at_once} at a time, nothing checked: median {:.0} µs CPU per case, of which user {:.0} µs",
        requests.len(),
        median(&floors).as_secs_f64() * 1e6,
        median(&user_floors).as_secs_f64() * 1e6
    );
}

/// Waits for a child, polling its peak RSS (kB) from /proc until it exits, and returns its
/// user and system CPU time as the kernel counted them when it was reaped (`wait4`: to the
/// microsecond, where /proc's ticks are 10 ms, a tenth of the smallest run).
fn wait_with_usage(child: Child) -> (std::process::ExitStatus, u64, Cpu) {
    use std::os::unix::process::ExitStatusExt as _;
    let pid = child.id() as libc::pid_t;
    let status_path = format!("/proc/{pid}/status");
    let mut peak = 0;
    loop {
        if let Some(kb) = std::fs::read_to_string(&status_path)
            .ok()
            .and_then(|t| vm_hwm(&t))
        {
            peak = peak.max(kb);
        }
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `status` and `usage` are valid to write; `pid` is this child's.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(reaped >= 0, "wait4 failed for the conform run");
        if reaped == pid {
            return (
                std::process::ExitStatus::from_raw(status),
                peak,
                Cpu::of(&usage),
            );
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
}

/// `conform run --config CONFIG --max-cases N -q` of the shipped contracts, reports in `out`,
/// its output discarded.
fn sized_run(bin: &Path, root: &Path, config: &Path, n: usize, out: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(["run", "--contracts"])
        .arg(root)
        .arg("--config")
        .arg(config)
        .args(["--max-cases", &n.to_string(), "-q", "--report-dir"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Starts `conform serve` on a free port (latency in ms) and returns it with its config.
fn serve(bin: &Path, config_out: &Path, latency_ms: u64) -> (Child, TargetConfig) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let _ = std::fs::remove_file(config_out);
    let child = Command::new(bin)
        .args([
            "serve",
            "--port",
            &port.to_string(),
            "--latency",
            &latency_ms.to_string(),
        ])
        .arg("--config-out")
        .arg(config_out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("conform serve starts");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !config_out.exists() {
        assert!(Instant::now() < deadline, "conform serve did not start");
        std::thread::sleep(Duration::from_millis(5));
    }
    let text = std::fs::read_to_string(config_out).expect("config");
    let config = TargetConfig::parse(&text, "bench", &|_| None).expect("config parses");
    (child, config)
}

/// Waits for a child, polling its peak RSS (VmHWM, kB) from /proc until it exits.
fn wait_with_peak_rss(mut child: Child) -> (std::process::ExitStatus, u64) {
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Some(kb) = std::fs::read_to_string(&status_path)
            .ok()
            .and_then(|t| vm_hwm(&t))
        {
            peak = peak.max(kb);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return (status, peak);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// CPU time, user and system apart (system: the kernel's work for the process, such as the
/// loopback TCP of its requests and waking the target's process), to the microsecond (/proc's
/// ticks are 10 ms, a sixth of what item 2 measures).
#[derive(Clone, Copy)]
struct Cpu {
    user: Duration,
    system: Duration,
}

impl Cpu {
    /// This process's, every thread's.
    fn now() -> Cpu {
        // SAFETY: an all-zero rusage is a valid value for getrusage to overwrite.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `u` is a valid rusage to write; RUSAGE_SELF is a constant.
        let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
        assert_eq!(rc, 0, "getrusage(RUSAGE_SELF) failed");
        Cpu::of(&u)
    }

    fn of(u: &libc::rusage) -> Cpu {
        let d = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
        Cpu {
            user: d(u.ru_utime),
            system: d(u.ru_stime),
        }
    }

    fn since(self, before: Cpu) -> Cpu {
        Cpu {
            user: self.user - before.user,
            system: self.system - before.system,
        }
    }

    fn total(self) -> Duration {
        self.user + self.system
    }
}

/// Requests sent in a run: the steps of its transcript.
fn transcript_requests(path: &Path) -> usize {
    conform::report::transcript::read(path)
        .map(|cases| cases.filter_map(Result::ok).map(|c| c.steps.len()).sum())
        .unwrap_or(0)
}

fn report_cases(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["cases"].as_array().map(Vec::len))
        .unwrap_or(0)
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into())
}
