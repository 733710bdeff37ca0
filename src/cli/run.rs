//! `scn run`: load a scenario, run one schedule, judge the expectations, print the report.

use super::{Backend, Colour, Conclusion, RunArgs};
use crate::expect::{self, Status};
use crate::kernel::os::OsOptions;
use crate::outcome::{End, Outcome};
use crate::report::{self, Report, TextOptions};
use crate::run::RunOptions;
use crate::scenario::{self, Diagnostics, Scenario};
use miette::{GraphicalReportHandler, GraphicalTheme};
use std::io::Write;
use std::time::Duration;

/// Runs `scn run` with `args`: the report on `stdout`, diagnostics on `stderr`.
pub fn run(
    args: &RunArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    colour: Colour,
) -> Conclusion {
    for note in super::args::misplaced_options("run", &args.args) {
        let _ = writeln!(stderr, "{note}");
    }
    if args.backend == Backend::Os {
        crate::kernel::os::prepare();
    }
    let scenario = match scenario::load(&args.file, &args.overrides()) {
        Ok(scenario) => scenario,
        Err(diagnostics) => {
            let _ = write!(stderr, "{}", render_diagnostics(&diagnostics, colour));
            return Conclusion::BadInput;
        }
    };
    match run_on_backend(args, &scenario) {
        Ok(outcome) => report(args, &scenario, &outcome, stdout),
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            Conclusion::BadInput
        }
    }
}

/// Runs `scenario` once on the kernel `--backend` names; the error is for the user.
fn run_on_backend(args: &RunArgs, scenario: &Scenario) -> Result<Outcome, String> {
    match args.backend {
        Backend::Sim => {
            let options = RunOptions {
                args: args.args.clone(),
                schedule: args.schedule.clone(),
                record_history: args.states,
            };
            crate::run::run(scenario, &options).map_err(|e| e.to_string())
        }
        Backend::Os => {
            let timeout = args
                .timeout
                .filter(|s| s.is_finite() && *s > 0.0)
                .map(Duration::from_secs_f64);
            let options = OsOptions {
                sleep_scale: args.sleep_scale,
                ..OsOptions::new(args.args.clone(), timeout, &scenario.config)
            };
            crate::kernel::os::run(scenario, &options).map_err(|e| e.to_string())
        }
    }
}

/// Judges the expectations on `outcome` and prints the report.
fn report(
    args: &RunArgs,
    scenario: &Scenario,
    outcome: &Outcome,
    stdout: &mut dyn Write,
) -> Conclusion {
    let results = expect::evaluate_run(scenario, outcome);
    let report = Report {
        path: &scenario.path,
        source: &scenario.source,
        title: scenario.meta.as_ref().map(|m| m.title.as_str()),
        outcome,
        results: &results,
    };
    let options = TextOptions {
        states: args.states,
        full_tree: args.full_tree,
    };
    let _ = write!(stdout, "{}", report::render(&report, args.format, options));
    Conclusion::Ran {
        limit_hit: matches!(outcome.end, End::Limit { .. }),
        failed: results.iter().filter(|r| r.status == Status::Fail).count(),
    }
}

/// Every diagnostic, rendered by miette's graphical handler against the source, then a
/// line counting them.
pub fn render_diagnostics(diagnostics: &Diagnostics, colour: Colour) -> String {
    let theme = match colour {
        Colour::On => GraphicalTheme::unicode(),
        Colour::Off => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme);
    let mut out = String::new();
    for error in &diagnostics.errors {
        if handler.render_report(&mut out, error.as_ref()).is_err() {
            out.push_str(&format!("error: {error}\n"));
        }
        out.push('\n');
    }
    let noun = if diagnostics.count == 1 {
        "error"
    } else {
        "errors"
    };
    out.push_str(&format!(
        "{}: {} {noun}\n",
        diagnostics.path, diagnostics.count
    ));
    out
}
