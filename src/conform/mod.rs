//! Conformance: a scenario explored on the simulator, then run on the real kernel many
//! times; every real outcome must be one the simulator predicted, and coverage says how many
//! of the predicted ones the kernel produced.
//!
//! Outcomes are compared as `scn explore` compares them ([`key::OutcomeKey`]): a real run's
//! pids are first rewritten as the simulator would have numbered them ([`key::as_simulated`]).

pub mod closest;
pub mod key;

use crate::explore::session::{explore_scenario, Count, ExploreOptions};
use crate::kernel::os::{self, OsOptions};
use crate::outcome::{End, Limit, Outcome};
use crate::scenario::Scenario;
use indexmap::IndexMap;
use key::OutcomeKey;
use std::time::Duration;

/// How to check one scenario's conformance (`scn conform`).
#[derive(Clone, Debug)]
pub struct ConformOptions {
    /// The exploration on the simulator (every outcome is listed, so `list` is ignored).
    pub explore: ExploreOptions,
    /// Runs on the real kernel.
    pub runs: usize,
    /// Wall-clock limit of each real run.
    pub timeout: Duration,
    /// Factor applied to every real sleep and alarm (1 = as written).
    pub sleep_scale: f64,
    /// The number of the first run (1, or more when the runs are shared out among
    /// processes), as reports number runs.
    pub first_run: usize,
}

/// What checking a scenario's conformance came to.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Every real outcome is a simulated one.
    Conforms,
    /// Some real outcome is not among the simulated ones.
    Differs(Box<Mismatch>),
    /// The simulated set is not known exactly, or a real run stopped at a limit: nothing is
    /// decided. The sentence says why.
    Incomplete(String),
    /// The scenario makes calls the real backend does not carry out (by C name).
    NotRunnable(Vec<String>),
    /// A real run could not be set up.
    Failed(String),
}

/// A real outcome outside the simulated set, with the simulated outcome closest to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    /// The first run (from 1) that produced it.
    pub run: usize,
    /// The real outcome, with the simulator's pid numbering.
    pub real: Outcome,
    /// Its key.
    pub real_key: OutcomeKey,
    /// The closest simulated outcome (with a schedule that replays it).
    pub closest: Outcome,
    /// Its key.
    pub closest_key: OutcomeKey,
    /// Runs whose outcome was outside the set (this one or another).
    pub outside_runs: usize,
}

/// The conformance of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Conformance {
    /// The verdict.
    pub verdict: Verdict,
    /// Distinct simulated outcomes (0 when the exploration is incomplete).
    pub simulated: usize,
    /// The simulated outcomes some real run produced, by index in the exploration's order
    /// (which is deterministic, so indices from different processes agree).
    pub seen: Vec<usize>,
    /// Real runs made.
    pub runs: usize,
    /// Distinct states the exploration stored.
    pub states: usize,
}

/// Explores `scenario`, then runs it `options.runs` times on the real kernel (one after
/// the other: the real backend forks this process, which must stay single-threaded) and
/// compares. Stops early at a run that hit a limit or made a call the backend lacks.
pub fn conform_scenario(scenario: &Scenario, options: &ConformOptions) -> Conformance {
    let explore = ExploreOptions {
        list: usize::MAX,
        ..options.explore.clone()
    };
    let exploration = explore_scenario(scenario, &explore);
    let mut result = Conformance {
        verdict: Verdict::Conforms,
        simulated: 0,
        seen: Vec::new(),
        runs: 0,
        states: exploration.states,
    };
    if let Some(why) = incomplete(exploration.incomplete, exploration.count) {
        result.verdict = Verdict::Incomplete(why);
        return result;
    }
    let first_pid = scenario.config.first_pid;
    let simulated: IndexMap<OutcomeKey, Outcome> = (exploration.outcomes.into_iter())
        .map(|o| (OutcomeKey::of(&o, first_pid), o))
        .collect();
    result.simulated = simulated.len();
    run_and_compare(scenario, options, &simulated, &mut result);
    result
}

/// Runs `scenario` on the real kernel and compares each outcome with `simulated`, filling
/// in `result`'s runs, coverage and verdict.
fn run_and_compare(
    scenario: &Scenario,
    options: &ConformOptions,
    simulated: &IndexMap<OutcomeKey, Outcome>,
    result: &mut Conformance,
) {
    let first_pid = scenario.config.first_pid;
    let mut seen = vec![false; simulated.len()];
    let args = options.explore.args.clone();
    let real = OsOptions {
        sleep_scale: options.sleep_scale,
        ..OsOptions::new(args, Some(options.timeout), &scenario.config)
    };
    for (done, run) in (options.first_run..).take(options.runs).enumerate() {
        result.runs = done + 1;
        let outcome = (os::run(scenario, &real))
            .map_err(|error| Verdict::Failed(error.to_string()))
            .and_then(|outcome| as_simulated_checked(outcome, first_pid, run));
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(verdict) => {
                result.verdict = verdict;
                break;
            }
        };
        let key = OutcomeKey::of(&outcome, first_pid);
        match simulated.get_index_of(&key) {
            Some(i) => seen[i] = true,
            None => record_mismatch(&mut result.verdict, run, outcome, key, simulated),
        }
    }
    result.seen = (seen.iter().enumerate())
        .filter_map(|(i, &s)| s.then_some(i))
        .collect();
}

/// Why the exploration does not give the exact set of outcomes, if it does not.
fn incomplete(limit: Option<(Limit, u64)>, count: Count) -> Option<String> {
    if let Some((limit, value)) = limit {
        let what = crate::expect::describe::limit(limit, value);
        return Some(format!("the exploration stopped at {what}"));
    }
    match count {
        Count::Exact(_) => None,
        Count::Unmerged(n) => Some(format!(
            "{n} outcomes are too many to compare up to pid numbering"
        )),
        Count::Infinite => Some("the scenario has infinitely many outcomes".to_string()),
    }
}

/// A real outcome in the simulator's pid numbering, or the verdict that ends the runs: the
/// run made calls the backend lacks, or stopped at a limit.
fn as_simulated_checked(outcome: Outcome, first_pid: i64, run: usize) -> Result<Outcome, Verdict> {
    if !outcome.unsupported.is_empty() {
        return Err(Verdict::NotRunnable(outcome.unsupported));
    }
    match outcome.end {
        End::Limit {
            limit: Limit::Time,
            value,
        } => {
            return Err(Verdict::Incomplete(format!(
                "real run {run} stopped at its time limit ({value} s, --run-timeout); its \
                 sleeps are real: --sleep-scale shortens them"
            )))
        }
        End::Limit { limit, value } => {
            let what = crate::expect::describe::limit(limit, value);
            return Err(Verdict::Incomplete(format!(
                "real run {run} stopped at {what}"
            )));
        }
        _ => {}
    }
    Ok(key::as_simulated(&outcome, first_pid))
}

/// Records a run whose outcome is outside the set: the first one is kept with its closest
/// simulated outcome, later ones are counted.
fn record_mismatch(
    verdict: &mut Verdict,
    run: usize,
    real: Outcome,
    real_key: OutcomeKey,
    simulated: &IndexMap<OutcomeKey, Outcome>,
) {
    if let Verdict::Differs(mismatch) = verdict {
        mismatch.outside_runs += 1;
        return;
    }
    let keys: Vec<&OutcomeKey> = simulated.keys().collect();
    let i = closest::closest(&real_key, &keys).expect("a complete exploration has an outcome");
    let (closest_key, closest) = simulated.get_index(i).expect("index from the keys");
    *verdict = Verdict::Differs(Box::new(Mismatch {
        run,
        real,
        real_key,
        closest: closest.clone(),
        closest_key: closest_key.clone(),
        outside_runs: 1,
    }));
}
