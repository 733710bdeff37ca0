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
    let mut argv = vec![program_name(&scenario.path).into_bytes()];
    let args = if options.args.is_empty() {
        &scenario.config.args
    } else {
        &options.args
    };
    argv.extend(args.iter().map(|a| a.clone().into_bytes()));
    let options = Options {
        argv,
        schedule,
        record_history: options.record_history,
    };
    Kernel::new(scenario, options).run()
}

/// `argv[0]` as a shell would pass it for the compiled scenario: `./` and the file stem
/// (`scenarios/three_forks.scn` → `./three_forks`).
pub fn program_name(path: &str) -> String {
    let stem = std::path::Path::new(path)
        .file_stem()
        .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned());
    format!("./{stem}")
}

#[cfg(test)]
mod tests {
    use super::program_name;

    #[test]
    fn argv0_is_the_file_stem_in_the_current_directory() {
        assert_eq!(program_name("scenarios/three_forks.scn"), "./three_forks");
        assert_eq!(program_name("race.c"), "./race");
    }
}
