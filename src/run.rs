//! One schedule: run a scenario on the simulated kernel under a scheduling policy.

use crate::outcome::Outcome;
use crate::scenario::Scenario;

/// How to run one schedule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// `argv[1..]` of the initial process (`argv[0]` is the scenario path).
    pub args: Vec<String>,
    /// A schedule to replay, in the notation of [`Outcome::schedule`]; `None` follows the
    /// configured policy.
    pub schedule: Option<String>,
    /// Whether to record each process's state history (`--states`).
    pub record_history: bool,
}

/// Why a schedule could not be run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The schedule could not be run (a bad `--schedule`, or one the program diverges from).
    #[error("{0}")]
    Invalid(String),
}

/// Runs `scenario` once, following `options.schedule` if given, else the configured policy.
///
/// # Errors
/// [`ScheduleError`] when the schedule cannot be followed.
pub fn run(scenario: &Scenario, options: &RunOptions) -> Result<Outcome, ScheduleError> {
    let _ = (scenario, options);
    Err(ScheduleError::Invalid(
        "the simulated kernel is not available in this build yet".to_string(),
    ))
}
