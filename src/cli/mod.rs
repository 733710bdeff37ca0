//! The command line: argument parsing, dispatch, and the one place exit codes are decided.

mod args;
mod check;
mod conform;
mod exit;
mod explore;
mod run;

pub use args::{
    Backend, CheckArgs, Cli, Command, ConformArgs, ConformFormat, ExploreArgs, PolicyArg, RunArgs,
    SearchArgs,
};
pub use check::scenario_args;
pub use exit::{exit_code, Conclusion, EXIT_CODES};
pub use run::render_diagnostics;

use clap::Parser;
use std::io::{IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Whether diagnostics on stderr may use colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colour {
    /// ANSI colours.
    On,
    /// Plain text.
    Off,
}

impl Colour {
    /// Colour when stderr is a terminal and `NO_COLOR` is unset or empty
    /// (<https://no-color.org>).
    pub fn for_stderr() -> Colour {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if std::io::stderr().is_terminal() && !no_color {
            Colour::On
        } else {
            Colour::Off
        }
    }
}

/// Runs `scn` with the process's arguments on the real stdout and stderr; returns the exit
/// code.
pub fn main() -> i32 {
    let args: Vec<String> = std::env::args().collect();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let colour = Colour::for_stderr();
    run_cli_with(&args, &mut stdout.lock(), &mut stderr.lock(), colour)
}

/// Runs `scn` in-process: `args` includes the program name (`["scn", "run", "f.scn"]`);
/// the report goes to `stdout`, diagnostics to `stderr` (without colour). Returns the exit
/// code.
pub fn run_cli(args: &[String], stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    run_cli_with(args, stdout, stderr, Colour::Off)
}

/// [`run_cli`] with a choice of colour. A panic anywhere below is caught here and reported
/// as an internal error (exit code 4).
pub fn run_cli_with(
    args: &[String],
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    colour: Colour,
) -> i32 {
    let conclusion = catch_unwind(AssertUnwindSafe(|| dispatch(args, stdout, stderr, colour)))
        .unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let _ = writeln!(stderr, "internal error: {what}\nthis is a bug in scn; please report it with the scenario that caused it");
            Conclusion::Internal
        });
    let _ = stdout.flush();
    exit_code(conclusion)
}

/// Parses the arguments and runs the subcommand.
fn dispatch(
    args: &[String],
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    colour: Colour,
) -> Conclusion {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let text = if colour == Colour::On {
                error.render().ansi().to_string()
            } else {
                error.render().to_string()
            };
            if error.use_stderr() {
                let _ = write!(stderr, "{text}");
                return Conclusion::BadInput;
            }
            // --help and --version.
            let _ = write!(stdout, "{text}");
            return Conclusion::Ran {
                limit_hit: false,
                failed: 0,
            };
        }
    };
    match cli.command {
        Command::Run(run_args) => run::run(&run_args, stdout, stderr, colour),
        Command::Explore(explore_args) => explore::explore(&explore_args, stdout, stderr, colour),
        Command::Check(check_args) => check::check(&check_args, stdout, stderr),
        Command::Conform(conform_args) => conform::conform(&conform_args, stdout, stderr),
    }
}
