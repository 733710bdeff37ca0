//! `scn explore`: load a scenario, explore every schedule, judge the expectations over all
//! outcomes, print the report.

use super::{render_diagnostics, Colour, Conclusion, ExploreArgs, SearchArgs};
use crate::expect::Status;
use crate::explore::session::{explore_scenario, Count, ExploreOptions};
use crate::report::{render_exploration, ExploreReport};
use crate::scenario;
use std::io::Write;

impl SearchArgs {
    /// The exploration options these arguments ask for, listing `list` outcomes.
    pub fn options(&self, args: Vec<String>, list: usize) -> ExploreOptions {
        ExploreOptions {
            args,
            max_states: self.max_states,
            max_depth: self.max_depth.unwrap_or(u32::MAX),
            timeout: self.timeout,
            list,
            reduction: !self.no_reduction,
            progress: None,
        }
    }
}

/// A progress line on `stderr` (a terminal), overwritten by the next one: states stored,
/// states per second, the frontier, the depth.
fn show_progress(p: &crate::explore::search::Progress) {
    let rate = p.states as f64 / p.elapsed.as_secs_f64().max(1e-3);
    eprint!(
        "\r\x1b[2Kexploring: {} states ({:.0}/s), frontier {}, depth {}",
        p.states, rate, p.frontier, p.depth
    );
}

/// Runs `scn explore` with `args`: the report on `stdout`, diagnostics on `stderr`.
pub fn explore(
    args: &ExploreArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    colour: Colour,
) -> Conclusion {
    for note in super::args::misplaced_options("explore", &args.args) {
        let _ = writeln!(stderr, "{note}");
    }
    let scenario = match scenario::load(&args.file, &args.search.config) {
        Ok(scenario) => scenario,
        Err(diagnostics) => {
            let _ = write!(stderr, "{}", render_diagnostics(&diagnostics, colour));
            return Conclusion::BadInput;
        }
    };
    let list = if args.all { usize::MAX } else { 20 };
    let mut options = args.search.options(args.args.clone(), list);
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    if terminal {
        options.progress = Some(show_progress);
    }
    let exploration = explore_scenario(&scenario, &options);
    if terminal && exploration.elapsed.as_secs() >= 1 {
        // Clears the last progress line.
        eprint!("\r\x1b[2K");
    }
    let report = ExploreReport {
        path: &scenario.path,
        source: &scenario.source,
        title: scenario.meta.as_ref().map(|m| m.title.as_str()),
        exploration: &exploration,
    };
    let _ = write!(stdout, "{}", render_exploration(&report, args.format));
    Conclusion::Ran {
        limit_hit: exploration.incomplete.is_some() || exploration.count == Count::Infinite,
        failed: (exploration.results.iter())
            .filter(|r| r.status == Status::Fail)
            .count(),
    }
}
