//! The command line as clap sees it: subcommands, options and their values.

use super::exit::EXIT_CODES;
use crate::config::Config;
use crate::report::Format;
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

/// `key=value`, with the key and value checked against the config table.
fn parse_setting(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, got `{text}`"))?;
    let (key, value) = (key.trim(), value.trim());
    Config::default()
        .set(key, value)
        .map_err(|e| e.to_string())?;
    Ok((key.to_string(), value.to_string()))
}
