//! The real kernel: the scenario's processes are real processes. The interpreter itself
//! forks (each child goes on interpreting its copy of the VM), pipes are real pipes, `wait`
//! is `waitpid(2)`, `exec` of a path outside the scenario runs the real binary. `scn` is the
//! supervisor: it collects every process's terminal output with its identity and leaves no
//! process, file or IPC object behind, even on timeout or Ctrl-C.

// Forking, raw descriptors and the shared budget page need `unsafe`; this module is the one
// place in the crate that may use it, and every block says why it is sound.
#![allow(unsafe_code)]

mod allocator;
mod blocking;
mod budget;
mod capture;
mod cascade;
mod containment;
mod files;
mod handlers;
mod initial;
mod ipc;
mod lean;
mod ledger;
mod mailbox;
mod msgqueue;
mod named_sem;
mod names;
mod posix_shm;
mod process;
mod record;
mod shared_cond;
mod shm;
mod signals;
mod sockets;
mod supervisor;
mod sync;
mod threads;
mod waits;

use crate::config::Config;
use crate::outcome::{End, Limit, Outcome};
use crate::scenario::Scenario;
pub use allocator::Allocator;
use containment::{RunDir, Signals};
pub use lean::prepare;
use ledger::Ledger;
use nix::errno::Errno;
use std::time::{Duration, Instant};
use supervisor::{Stop, Watch};

/// How to run a scenario on the real kernel (`scn run --backend os`).
#[derive(Clone, Debug, PartialEq)]
pub struct OsOptions {
    /// `argv[1..]` of the initial process.
    pub args: Vec<String>,
    /// Wall-clock limit of the run (`--timeout`, default 10 s).
    pub timeout: Duration,
    /// Most processes in the run, the initial one included.
    pub max_processes: u64,
    /// Factor applied to the duration of every `sleep`, `usleep` and `alarm` (1 = as
    /// written; `--sleep-scale`). Programs run by `exec` are not affected.
    pub sleep_scale: f64,
}

impl OsOptions {
    /// The default wall-clock limit.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default process budget: real processes are expensive, so far below the
    /// simulator's.
    pub const DEFAULT_MAX_PROCESSES: u64 = 256;

    /// The options for `args`, `timeout` (default 10 s) and the budget: `max_processes`
    /// from `config` when it was set explicitly (flag or `config { }`), else 256.
    pub fn new(args: Vec<String>, timeout: Option<Duration>, config: &Config) -> OsOptions {
        let explicit = config.max_processes != Config::default().max_processes;
        OsOptions {
            args,
            timeout: timeout.unwrap_or(Self::DEFAULT_TIMEOUT),
            max_processes: if explicit {
                config.max_processes
            } else {
                Self::DEFAULT_MAX_PROCESSES
            },
            sleep_scale: 1.0,
        }
    }
}

/// Why a run on the real kernel could not start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OsError {
    /// `scn` has more than one thread, so forking the interpreter is not safe.
    #[error("the real backend must run in a single-threaded scn process")]
    NotSingleThreaded,
    /// A system call of the set-up failed.
    #[error("cannot set up the run: {what}: {errno}")]
    Setup {
        /// What was being set up.
        what: &'static str,
        /// The error.
        errno: Errno,
    },
}

fn setup<T>(what: &'static str, result: nix::Result<T>) -> Result<T, OsError> {
    result.map_err(|errno| OsError::Setup { what, errno })
}

/// Runs `scenario` once on the real kernel and reports what happened. A run stopped by
/// `SIGINT`/`SIGTERM` is cleaned up, then `scn` dies of the same signal.
///
/// # Errors
/// [`OsError`] when the run cannot be set up (nothing of it is left behind).
pub fn run(scenario: &Scenario, options: &OsOptions) -> Result<Outcome, OsError> {
    if !containment::single_threaded() {
        return Err(OsError::NotSingleThreaded);
    }
    let started = Instant::now();
    let budget = setup(
        "shared process count",
        budget::Budget::new(options.max_processes),
    )?;
    let waits = setup(
        "shared wait table",
        waits::Waits::new(options.max_processes),
    )?;
    let dir = setup("run directory", RunDir::create())?;
    setup("declared files", dir.write_files(&scenario.files))?;
    let mut capture = setup("capture sockets", capture::Capture::open(dir.path()))?;
    let signals = setup("signals", Signals::take())?;
    setup("subreaper", containment::become_subreaper())?;
    let start = initial::Start {
        scenario,
        args: &options.args,
        dir: dir.path(),
        budget: &budget,
        sleep_scale: options.sleep_scale,
        waits: &waits,
    };
    let main = match start.fork(&mut capture, &signals) {
        Ok(main) => main,
        Err(error) => {
            signals.release();
            return Err(error);
        }
    };
    let ledger = Ledger::new(
        i64::from(main.as_raw()),
        i64::from(nix::unistd::getpid().as_raw()),
        started,
    );
    let deadline = started + options.timeout;
    let mut watch = Watch::new(capture, signals, ledger, main, deadline, waits);
    let stop = watch.supervise();
    let (ledger, files) = finish(watch, dir);
    let end = match stop {
        Stop::Finished => End::Finished,
        // The waiting list is filled from the records below.
        Stop::Deadlock => End::Deadlock {
            waiting: Vec::new(),
        },
        Stop::Timeout => End::Limit {
            limit: Limit::Time,
            value: options.timeout.as_secs(),
        },
        Stop::Limit(Limit::Memory) => End::Limit {
            limit: Limit::Memory,
            value: scenario.config.max_memory as u64,
        },
        Stop::Limit(limit) => End::Limit {
            limit,
            value: options.max_processes,
        },
        Stop::Signal(signal) => initial::die_of(signal),
    };
    let micros = started.elapsed().as_micros() as u64;
    let mut outcome = ledger.into_outcome(scenario.config.orphans, end, micros);
    outcome.files = files;
    sync::name_mutex_owners(&mut outcome);
    if let End::Deadlock { waiting } = &mut outcome.end {
        *waiting = (outcome.processes.iter().enumerate())
            .filter_map(|(i, p)| Some((i, p.blocked_on.clone()?)))
            .collect();
    }
    Ok(outcome)
}

/// Stops the run (every process killed and reaped) and removes what it left: the run
/// directory and System V objects. Returns what was learnt and the regular files the run
/// directory held at the end.
fn finish(mut watch: Watch, dir: RunDir) -> (Ledger, Vec<crate::outcome::FileRecord>) {
    watch.stop();
    let Watch {
        signals,
        mut ledger,
        ..
    } = watch;
    signals.release();
    let _ = nix::sys::prctl::set_child_subreaper(false);
    ledger.sysv.remove_all();
    containment::remove_made(&ledger.made);
    let files = dir.regular_files();
    drop(dir);
    (ledger, files)
}
