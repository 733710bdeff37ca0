//! Scenario settings: the `config { }` block and `--config key=value`, one table of keys.

use crate::vm::BufMode;

/// How the simulator picks the next process to run (`scn run --policy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// Run the current process until it blocks or exits, then the longest-waiting ready one
    /// (non-preemptive FCFS). The default: it gives the answer most textbooks draw.
    Fifo,
    /// Preempt after `quantum` visible actions; the ready queue is FIFO.
    RoundRobin,
    /// Pick a uniformly random ready process at every visible action, from `seed`.
    Random,
}

/// Where orphans go when their parent exits (`config { orphans = init; }`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reaper {
    /// Reparented to init (pid 1), which reaps them as soon as they exit (Linux default).
    Init,
    /// Reparented to the initial process, as if it had called
    /// `prctl(PR_SET_CHILD_SUBREAPER)`; it must `wait` for them or they stay zombies.
    Main,
}

/// Which process runs first after `fork` under the `fifo` policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForkRuns {
    /// The parent keeps the CPU (Linux's default, `sched_child_runs_first = 0`).
    Parent,
    /// The child runs first.
    Child,
}

/// Every setting of a scenario run. Defaults are Linux's behaviour on a terminal.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Config {
    /// Buffering of `stdout` on the terminal: `line` (default), `full` (as on a pipe) or
    /// `unbuffered`.
    pub stdout: BufMode,
    /// Buffering of `stderr` on the terminal: `unbuffered` (default), `line` or `full`.
    pub stderr: BufMode,
    /// Bytes in a fully buffered stream's buffer (default 4096, glibc's for a pipe).
    pub buffer_size: usize,
    /// Scheduling policy for `scn run` (default `fifo`).
    pub policy: Policy,
    /// Visible actions per time slice under `round-robin` (default 1).
    pub quantum: u64,
    /// Seed of the `random` policy (default 0).
    pub seed: u64,
    /// Who runs first after `fork` under `fifo` (default `parent`).
    pub fork_runs: ForkRuns,
    /// Where orphans are reparented (default `init`).
    pub orphans: Reaper,
    /// Kill all descendants when a process exits (some systems do; Linux does not). Default
    /// off.
    pub cascading_termination: bool,
    /// Pipe capacity in bytes (default 65536, Linux's).
    pub pipe_capacity: usize,
    /// `argv[1…]` of the initial process when `scn run` is given none (`args = "one two"`,
    /// split at spaces).
    pub args: Vec<String>,
    /// What is typed at the terminal (`stdin = "5\n"`): `read` of the terminal returns it a
    /// line at a time, then end of file, as a terminal in canonical mode does when the user
    /// presses Ctrl-D after the last line. Empty by default.
    pub stdin: String,
    /// Pid of the initial process; later ones count up from it (default 1000). Textbook
    /// questions that fix pids (“assume the parent is 2600”) set it.
    pub first_pid: i64,
    /// Most processes that may ever exist in one run, the initial one included.
    pub max_processes: u64,
    /// Most VM instructions executed in one run, all processes together.
    pub max_steps: u64,
    /// Most bytes of memory one process may hold.
    pub max_memory: usize,
    /// Deepest call nesting in one process.
    pub max_call_depth: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            stdout: BufMode::Line,
            stderr: BufMode::Unbuffered,
            buffer_size: 4096,
            policy: Policy::Fifo,
            quantum: 1,
            seed: 0,
            fork_runs: ForkRuns::Parent,
            orphans: Reaper::Init,
            cascading_termination: false,
            pipe_capacity: 65536,
            args: Vec::new(),
            stdin: String::new(),
            first_pid: 1000,
            max_processes: 4_000_000,
            max_steps: 1_000_000_000,
            max_memory: 64 << 20,
            max_call_depth: 10_000,
        }
    }
}

/// Every key `config { }` and `--config` accept, with a one-line description.
pub const KEYS: &[(&str, &str)] = &[
    ("stdout", "line | full | unbuffered"),
    ("stderr", "unbuffered | line | full"),
    ("buffer_size", "bytes in a fully buffered stream's buffer"),
    ("policy", "fifo | round-robin | random"),
    (
        "quantum",
        "visible actions per time slice (round-robin), at least 1",
    ),
    ("seed", "seed of the random policy"),
    (
        "fork_runs",
        "parent | child: who runs first after fork (fifo)",
    ),
    ("orphans", "init | main: who adopts orphans"),
    ("cascading_termination", "on | off"),
    ("pipe_capacity", "bytes a pipe holds"),
    ("args", "arguments when the command line gives none"),
    (
        "stdin",
        "what is typed at the terminal: read(0), getchar, fgets and scanf read it, then end of file",
    ),
    (
        "first_pid",
        "pid of the initial process (2 to 4194304, Linux's pid_max)",
    ),
    ("max_processes", "limit on processes in one run"),
    ("max_steps", "limit on instructions in one run"),
    ("max_memory", "limit on bytes of memory per process"),
    ("max_call_depth", "limit on call nesting per process"),
];

/// Why a `key = value` was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No such key.
    #[error("unknown config key `{0}`")]
    UnknownKey(String),
    /// The key exists; the value is not one it takes.
    #[error("`{key}` takes {expected}, not `{value}`")]
    BadValue {
        /// The key.
        key: String,
        /// What it takes.
        expected: String,
        /// What was given.
        value: String,
    },
}

impl Config {
    /// Sets `key` from its textual `value` (`"full"`, `"65536"`, `"on"`).
    ///
    /// # Errors
    /// [`ConfigError::UnknownKey`] for a key not in [`KEYS`], [`ConfigError::BadValue`] for a
    /// value the key does not take.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let expected = KEYS
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, e)| *e)
            .ok_or_else(|| ConfigError::UnknownKey(key.to_string()))?;
        let bad = || ConfigError::BadValue {
            key: key.to_string(),
            expected: expected.to_string(),
            value: value.to_string(),
        };
        let number = || value.replace('_', "").parse::<u64>().map_err(|_| bad());
        let mode = || match value {
            "line" => Ok(BufMode::Line),
            "full" => Ok(BufMode::Full),
            "unbuffered" | "none" => Ok(BufMode::Unbuffered),
            _ => Err(bad()),
        };
        match key {
            "stdout" => self.stdout = mode()?,
            "stderr" => self.stderr = mode()?,
            "buffer_size" => self.buffer_size = number()?.max(1) as usize,
            "policy" => {
                self.policy = match value {
                    "fifo" => Policy::Fifo,
                    "round-robin" | "rr" => Policy::RoundRobin,
                    "random" => Policy::Random,
                    _ => return Err(bad()),
                }
            }
            "quantum" => self.quantum = positive(number()?).ok_or_else(bad)?,
            "seed" => self.seed = number()?,
            "fork_runs" => {
                self.fork_runs = match value {
                    "parent" => ForkRuns::Parent,
                    "child" => ForkRuns::Child,
                    _ => return Err(bad()),
                }
            }
            "orphans" => {
                self.orphans = match value {
                    "init" => Reaper::Init,
                    "main" | "subreaper" => Reaper::Main,
                    _ => return Err(bad()),
                }
            }
            "cascading_termination" => {
                self.cascading_termination = match value {
                    "on" | "true" | "1" => true,
                    "off" | "false" | "0" => false,
                    _ => return Err(bad()),
                }
            }
            "pipe_capacity" => self.pipe_capacity = number()?.max(1) as usize,
            "args" => self.args = value.split_whitespace().map(String::from).collect(),
            "stdin" => self.stdin = value.to_string(),
            "first_pid" => {
                let pid = number()?;
                if !(2..=4_194_304).contains(&pid) {
                    return Err(bad());
                }
                self.first_pid = pid as i64;
            }
            "max_processes" => self.max_processes = number()?,
            "max_steps" => self.max_steps = number()?,
            "max_memory" => self.max_memory = number()? as usize,
            "max_call_depth" => self.max_call_depth = number()?.max(1) as usize,
            _ => unreachable!("every key in KEYS is handled"),
        }
        Ok(())
    }

    /// The VM's share of these settings.
    pub fn vm(&self) -> crate::vm::VmConfig {
        crate::vm::VmConfig {
            stdout: self.stdout,
            stderr: self.stderr,
            buffer_size: self.buffer_size,
            max_call_depth: self.max_call_depth,
            max_memory: self.max_memory,
        }
    }
}

/// `Some(n)` for n ≥ 1.
fn positive(n: u64) -> Option<u64> {
    (n >= 1).then_some(n)
}
