//! The command line: argument parsing, dispatch, and the one place exit codes are decided.

/// Runs `scn` with the process's arguments; returns the exit code.
pub fn main() -> i32 {
    0
}
