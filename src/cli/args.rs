//! The command line as clap sees it: subcommands, options and their values.

use super::exit::EXIT_CODES;
use crate::config::{Config, ConfigError};
use crate::report::{ExploreFormat, Format};
use clap::{Parser, Subcommand, ValueEnum};

/// `scn`: the whole command line.
#[derive(Debug, Parser)]
#[command(
    name = "scn",
    version,
    about = "Run scenarios of operating-system processes on a simulated kernel",
    long_about = "Run scenarios of operating-system processes on a simulated kernel and report \
                  what happened: how many processes, the process tree, the output, zombies, \
                  orphans, deadlocks, and whether the scenario's expectations hold.",
    after_long_help = EXIT_CODES
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario once, under one schedule, and report what happened.
    #[command(after_long_help = EXIT_CODES)]
    Run(RunArgs),
    /// Explore every schedule and report every distinct outcome, each with a schedule that
    /// replays it (`scn run FILE --schedule S`).
    #[command(after_long_help = EXIT_CODES)]
    Explore(ExploreArgs),
    /// Check the expectations of scenario files and directories over every schedule, in
    /// parallel, for CI.
    #[command(after_long_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Run scenarios on the real kernel many times and check that every real outcome is one
    /// the simulator predicts (`scn explore`), with how many of those the kernel produced.
    #[command(after_long_help = EXIT_CODES)]
    Conform(ConformArgs),
}

/// Limits and switches of an exploration, shared by `scn explore` and `scn check`.
#[derive(Clone, Debug, clap::Args)]
pub struct SearchArgs {
    /// Most distinct states stored before the result is incomplete.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_states: usize,
    /// Most visible actions along one schedule before the result is incomplete.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<u32>,
    /// Wall-clock budget per scenario, in seconds (`30` or `30s`), before the result is
    /// incomplete.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub timeout: Option<std::time::Duration>,
    /// Explore every state, without reductions (for checking them).
    #[arg(long)]
    pub no_reduction: bool,
    /// Set a config key, as in a `config { }` block (repeatable): `--config stdout=full`.
    #[arg(long = "config", value_name = "KEY=VALUE", value_parser = parse_setting)]
    pub config: Vec<(String, String)>,
}

/// `scn explore FILE [ARGS...]`.
#[derive(Debug, clap::Args)]
pub struct ExploreArgs {
    /// The scenario: a `.scn` file or a plain `.c` file.
    pub file: String,
    /// Arguments passed to the scenario's `main` as `argv[1..]`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
    /// List every outcome (default: the first 20).
    #[arg(long)]
    pub all: bool,
    /// Report format (`text` or `json`).
    #[arg(long, value_enum, default_value_t = ExploreFormat::Text)]
    pub format: ExploreFormat,
    /// Limits and switches.
    #[command(flatten)]
    pub search: SearchArgs,
}

/// `scn check PATH...`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files, and directories searched recursively for `*.scn` and `*.c`.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Report format: a line per scenario, JSON, or JUnit XML.
    #[arg(long, value_enum, default_value_t = ExploreFormat::Text)]
    pub format: ExploreFormat,
    /// Check only partition K of N (1-based): sorted by path, file i goes to partition
    /// (i mod N) + 1.
    #[arg(long, value_name = "K/N", value_parser = parse_partition)]
    pub partition: Option<(usize, usize)>,
    /// Limits and switches, per scenario.
    #[command(flatten)]
    pub search: SearchArgs,
}

/// `scn conform PATH...`.
#[derive(Debug, clap::Args)]
pub struct ConformArgs {
    /// Scenario files, and directories searched recursively for `*.scn` and `*.c`.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Runs on the real kernel per scenario.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub runs: usize,
    /// Wall-clock limit of each real run, in seconds; a run that hits it makes the
    /// scenario's result incomplete.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds, default_value = "10")]
    pub run_timeout: std::time::Duration,
    /// Factor applied to every real `sleep`, `usleep` and `alarm` (`0.01`: `sleep(1)` lasts
    /// 10 ms). The simulator's time is virtual either way.
    #[arg(long, value_name = "F", value_parser = parse_scale, default_value = "1")]
    pub sleep_scale: f64,
    /// Processes at work at the same time: with several scenarios, one scenario each
    /// (default: one per CPU); with one scenario, its runs shared out among N processes
    /// (default: all in this one), as sleeping runs are cheap to run side by side.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// The number of this process's first run when runs are shared out.
    #[arg(long, value_name = "N", default_value_t = 1, hide = true)]
    pub first_run: usize,
    /// Report format (`text` or `json`).
    #[arg(long, value_enum, default_value_t = ConformFormat::Text)]
    pub format: ConformFormat,
    /// Limits and switches of each exploration.
    #[command(flatten)]
    pub search: SearchArgs,
}

/// `scn conform --format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConformFormat {
    /// A block per scenario and a tally.
    Text,
    /// A JSON array of entries.
    Json,
}

/// `scn run FILE [ARGS...]`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario: a `.scn` file or a plain `.c` file.
    pub file: String,
    /// Arguments passed to the scenario's `main` as `argv[1..]`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
    /// Set a config key, as in a `config { }` block (repeatable): `--config stdout=full`.
    #[arg(long = "config", value_name = "KEY=VALUE", value_parser = parse_setting)]
    pub config: Vec<(String, String)>,
    /// Scheduling policy (config key `policy`).
    #[arg(long, value_enum)]
    pub policy: Option<PolicyArg>,
    /// Visible actions per time slice under round-robin (config key `quantum`).
    #[arg(long, value_name = "N")]
    pub quantum: Option<u64>,
    /// Seed of the random policy (config key `seed`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Replay this schedule, as printed by a previous run or by `--format json`.
    #[arg(long, value_name = "S")]
    pub schedule: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Show each process's state history and context switches (text format).
    #[arg(long)]
    pub states: bool,
    /// Print the whole process tree even when it is large (text format).
    #[arg(long)]
    pub full_tree: bool,
    /// Most processes in one run, the initial one included (config key `max_processes`).
    #[arg(long, value_name = "N")]
    pub max_processes: Option<u64>,
    /// Most instructions in one run (config key `max_steps`).
    #[arg(long, value_name = "N")]
    pub max_steps: Option<u64>,
    /// Which kernel runs the scenario.
    #[arg(long, value_enum, default_value_t = Backend::Sim)]
    pub backend: Backend,
    /// Wall-clock limit of a run on the real kernel, in seconds (default 10).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Factor applied to every real `sleep`, `usleep` and `alarm` on the real kernel
    /// (`0.01`: `sleep(1)` lasts 10 ms).
    #[arg(long, value_name = "F", value_parser = parse_scale, default_value = "1")]
    pub sleep_scale: f64,
}

/// `--policy` values, spelled as the `policy` config key takes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PolicyArg {
    /// Run until block or exit, then the longest-waiting ready process.
    Fifo,
    /// Preempt after `quantum` visible actions.
    RoundRobin,
    /// A random ready process at every visible action, from `seed`.
    Random,
}

/// `--backend` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// The deterministic simulated kernel.
    Sim,
    /// The real kernel: real processes, pipes and programs.
    Os,
}

impl RunArgs {
    /// The config overrides these arguments make, in order (later ones win): every
    /// `--config`, then the dedicated flags.
    pub fn overrides(&self) -> Vec<(String, String)> {
        let mut out = self.config.clone();
        let mut set = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                out.push((key.to_string(), value));
            }
        };
        set(
            "policy",
            self.policy.map(|p| {
                p.to_possible_value()
                    .expect("no variant is skipped")
                    .get_name()
                    .to_string()
            }),
        );
        set("quantum", self.quantum.map(|n| n.to_string()));
        set("seed", self.seed.map(|n| n.to_string()));
        set("max_processes", self.max_processes.map(|n| n.to_string()));
        set("max_steps", self.max_steps.map(|n| n.to_string()));
        out
    }
}

/// `30`, `30s` or `1.5` seconds.
fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    let number = text.strip_suffix('s').unwrap_or(text);
    number
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(std::time::Duration::from_secs_f64)
        .ok_or_else(|| format!("expected a number of seconds, got `{text}`"))
}

/// A finite factor `>= 0`.
fn parse_scale(text: &str) -> Result<f64, String> {
    (text.parse::<f64>().ok())
        .filter(|f| f.is_finite() && *f >= 0.0)
        .ok_or_else(|| format!("expected a factor >= 0, got `{text}`"))
}

/// `k/n` with `1 <= k <= n`.
fn parse_partition(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("expected K/N with 1 <= K <= N, got `{text}`");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n) = (k.parse::<usize>(), n.parse::<usize>());
    match (k, n) {
        (Ok(k), Ok(n)) if 1 <= k && k <= n => Ok((k, n)),
        _ => Err(bad()),
    }
}

/// `key=value`, with the key and value checked against the config table.
fn parse_setting(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, got `{text}`"))?;
    let (key, value) = (key.trim(), value.trim());
    Config::default().set(key, value).map_err(|e| match &e {
        ConfigError::UnknownKey(k) => {
            let keys = crate::config::KEYS.iter().map(|(k, _)| *k);
            match crate::syntax::did_you_mean(k, keys) {
                Some(help) => format!("{e} ({help})"),
                None => e.to_string(),
            }
        }
        ConfigError::BadValue { .. } => e.to_string(),
    })?;
    Ok((key.to_string(), value.to_string()))
}

/// A note for each argument after the scenario file that spells one of subcommand
/// `command`'s own options (`scn run t.c 2 --policy random`): everything after the file
/// goes to the program as `argv`, so the note says where scn's options belong.
pub fn misplaced_options(command: &str, args: &[String]) -> Vec<String> {
    use clap::CommandFactory;
    let cli = Cli::command();
    let Some(sub) = cli.find_subcommand(command) else {
        return Vec::new();
    };
    let longs: Vec<&str> = sub.get_arguments().filter_map(|a| a.get_long()).collect();
    (args.iter().enumerate())
        .filter(|(_, a)| {
            let name = a.strip_prefix("--").unwrap_or("");
            let name = name.split('=').next().unwrap_or(name);
            longs.contains(&name)
        })
        .map(|(i, a)| {
            format!(
                "note: `{a}` comes after the scenario file, so the program gets it as argv[{}] \
                 and scn does not read it; put scn's options before the file",
                i + 1
            )
        })
        .collect()
}
