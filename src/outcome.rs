//! What one run of a scenario produced: every process with its place in the tree, the
//! terminal output, and how the run ended. Kernels produce it; expectations and reports
//! read it.

use crate::vm::RuntimeFault;
use serde::Serialize;

/// The five process states of the seed notes (and a PCB's `state` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ProcessState {
    /// Being created (between `fork` and its first time in the ready queue).
    New,
    /// In the ready queue, waiting for the CPU.
    Ready,
    /// On the CPU.
    Running,
    /// In a wait queue: blocked in `wait`, `read`, `sleep`, …
    Waiting,
    /// Finished; a zombie until its parent reaps it.
    Terminated,
}

/// How a process ended, as `wait` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase", tag = "how", content = "code")]
pub enum Termination {
    /// `exit(code)`, `_exit(code)` or return from `main` (low 8 bits).
    Exited(i32),
    /// Killed by this signal (including faults: `SIGSEGV` 11, `SIGFPE` 8, `abort` 6).
    Signaled(i32),
}

impl Termination {
    /// The wait status `wait(&status)` stores: `code << 8` or the signal number.
    pub fn wait_status(self) -> i32 {
        match self {
            Termination::Exited(code) => (code & 0xff) << 8,
            Termination::Signaled(sig) => sig & 0x7f,
        }
    }
}

/// One process that existed during the run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ProcessRecord {
    /// The pid the simulator gave it (creation order, like Linux) or the real one.
    pub pid: i64,
    /// Its name by place in the tree: `main`, `main.1` (first child of main), `main.1.2`,
    /// or the `spawn` name. Comparable across schedules and with the real kernel.
    pub name: String,
    /// Index (in [`Outcome::processes`]) of the process that created it; `None` for the
    /// initial process.
    pub creator: Option<usize>,
    /// The program it ran last (`exec` changes it): `main` or a path like `/bin/ls`.
    pub program: String,
    /// How it ended; `None` if it was still alive when the run stopped (deadlock, limit).
    pub termination: Option<Termination>,
    /// The parent's pid when the run ended (1 once adopted by init).
    pub ppid: i64,
    /// Whether its parent exited before it did, so it was reparented.
    pub orphaned: bool,
    /// Pid of the process that adopted it when orphaned (1 = init, or a subreaper).
    pub adopted_by: Option<i64>,
    /// Whether it was still a zombie (exited, not reaped) when the run ended.
    pub zombie_at_end: bool,
    /// Virtual time in microseconds it spent as a zombie: from its exit until it was reaped
    /// (or the run ended). 0 when its parent was already waiting.
    pub zombie_micros: u64,
    /// Pid of the process that reaped it with `wait`, if any (1 = init).
    pub reaped_by: Option<i64>,
    /// The fault that killed it, if it crashed.
    pub fault: Option<RuntimeFault>,
    /// What it was blocked on when the run ended (`wait for a child`, `read from pipe 3`).
    pub blocked_on: Option<String>,
    /// Values of the variables the expectations ask about, read when it exited.
    pub variables: Vec<(String, i64)>,
    /// Times it was switched onto the CPU.
    pub context_switches: u64,
    /// Its state changes in order, as `(virtual step, new state)`.
    pub history: Vec<(u64, ProcessState)>,
    /// Threads it created with `pthread_create` (0: only its main thread ever ran).
    #[serde(skip_serializing_if = "is_zero")]
    pub threads: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One write that reached the terminal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutputChunk {
    /// Index of the writing process in [`Outcome::processes`].
    pub process: usize,
    /// 1 for standard output, 2 for standard error.
    pub fd: i32,
    /// The bytes, exactly as written.
    #[serde(serialize_with = "lossy_text")]
    pub bytes: Vec<u8>,
}

fn lossy_text<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(bytes))
}

/// A limit that stopped a run before it finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Limit {
    /// More processes than `max_processes`.
    Processes,
    /// More instructions than `max_steps`.
    Steps,
    /// More memory than `max_memory` in one process.
    Memory,
    /// More states than `--max-states` (exploration).
    States,
    /// More distinct output prefixes than `--max-states` while counting the distinct
    /// outputs of an explored graph (exploration).
    Outputs,
    /// Deeper than `--max-depth` (exploration).
    Depth,
    /// Longer than `--timeout`.
    Time,
    /// A call the explorer does not model yet (one that blocks where no blocking predicate
    /// says it would): exploration stops there (exploration).
    Unsupported,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum End {
    /// Every process terminated.
    Finished,
    /// Live processes remain and every one of them is blocked forever.
    Deadlock {
        /// `(process index, what it waits for)` for every blocked process.
        waiting: Vec<(usize, String)>,
    },
    /// A limit was hit; the result is incomplete.
    Limit {
        /// Which limit.
        limit: Limit,
        /// Its value.
        value: u64,
    },
}

/// A regular file at the end of a run (created by a process or declared with `file`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct FileRecord {
    /// Its path, as the scenario named it (`./` dropped).
    pub path: String,
    /// Its contents (invalid UTF-8 replaced by U+FFFD in JSON).
    #[serde(serialize_with = "lossy")]
    pub contents: Vec<u8>,
}

fn lossy<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&String::from_utf8_lossy(bytes))
}

/// Everything one run produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Every process that existed, in creation order; index 0 is the initial process.
    pub processes: Vec<ProcessRecord>,
    /// Terminal output in the order it reached the terminal.
    pub output: Vec<OutputChunk>,
    /// How the run ended.
    pub end: End,
    /// Context switches, all processes together.
    pub context_switches: u64,
    /// Visible actions (scheduling points) performed.
    pub steps: u64,
    /// Virtual time at the end, in microseconds (`sleep` advances it).
    pub clock_micros: u64,
    /// The schedule that was run, in the replayable notation of `--schedule`.
    pub schedule: String,
    /// Calls of the catalogue the kernel does not carry out (each returned -1 with
    /// `ENOSYS`), by C name, sorted: the report says so rather than let the -1 pass as an
    /// answer.
    pub unsupported: Vec<String>,
    /// The regular files that exist at the end, by path (on the real backend: those in the
    /// run's directory, the processes' working directory).
    pub files: Vec<FileRecord>,
}

impl Outcome {
    /// The terminal output as one byte string (stdout and stderr interleaved as written).
    pub fn terminal(&self) -> Vec<u8> {
        self.output
            .iter()
            .flat_map(|c| c.bytes.iter().copied())
            .collect()
    }

    /// Processes still zombies at the end.
    pub fn zombies(&self) -> usize {
        self.processes.iter().filter(|p| p.zombie_at_end).count()
    }

    /// Processes that were orphaned during the run.
    pub fn orphans(&self) -> usize {
        self.processes.iter().filter(|p| p.orphaned).count()
    }
}
