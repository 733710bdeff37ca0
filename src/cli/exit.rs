//! Exit codes: what a command came to, mapped to a number in exactly one place.

/// The exit codes of `scn`, as `scn --help` and README list them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success: every expectation passed or is undecided by this run
  1  an expectation failed (scn conform: a real outcome outside the simulated set)
  2  bad input: the scenario has errors (diagnostics printed), or bad arguments
  3  a limit was hit (max_processes, max_steps, ...): the result is incomplete
  4  internal error: a bug in scn (please report it)";

/// What a command came to: the only input of [`exit_code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conclusion {
    /// The command ran to the end.
    Ran {
        /// Whether a run stopped at a limit, so the result is incomplete.
        limit_hit: bool,
        /// How many expectations failed.
        failed: usize,
    },
    /// The scenario or the arguments were bad; diagnostics were printed.
    BadInput,
    /// `scn` itself failed (a panic was caught).
    Internal,
}

/// The exit code for `conclusion`: 4 internal error, 2 bad input, then for a finished
/// command 3 if a limit was hit, 1 if an expectation failed, else 0. A limit comes before
/// failed expectations because on an incomplete run no expectation is decided.
pub fn exit_code(conclusion: Conclusion) -> i32 {
    match conclusion {
        Conclusion::Internal => 4,
        Conclusion::BadInput => 2,
        Conclusion::Ran {
            limit_hit: true, ..
        } => 3,
        Conclusion::Ran { failed, .. } if failed > 0 => 1,
        Conclusion::Ran { .. } => 0,
    }
}
