//! One schedule: run a scenario on the simulated kernel under a scheduling policy, or
//! replay a schedule string.

use crate::kernel::sim::{Kernel, Options, Schedule};
use crate::outcome::Outcome;
use crate::scenario::Scenario;

pub use crate::kernel::sim::ScheduleError;

/// How to run one schedule (`scn run FILE [ARGS…] [--schedule S]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Arguments after the file name (`argv[1]…`).
    pub args: Vec<String>,
    /// A schedule to replay (`main*3 main.1*2`); the policy decides after its last action.
    pub schedule: Option<String>,
    /// Record each process's state changes in its record's `history`.
    pub record_history: bool,
}

/// Runs `scenario` once on the simulated kernel.
///
/// # Errors
/// [`ScheduleError::Syntax`] for a malformed `options.schedule`,
/// [`ScheduleError::Diverged`] when it names a process that cannot run at that point.
pub fn run(scenario: &Scenario, options: &RunOptions) -> Result<Outcome, ScheduleError> {
    let schedule = options
        .schedule
        .as_deref()
        .map(Schedule::parse)
        .transpose()?;
    let options = Options {
        argv: scenario.argv(&options.args),
        schedule,
        record_history: options.record_history,
    };
    Kernel::new(scenario, options).run()
}
