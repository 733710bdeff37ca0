//! Exploring one scenario: the search over the simulated kernel, its distinct outcomes
//! merged up to pid numbering, a witness schedule for each listed one, and the
//! expectations judged over all of them.
//!
//! An outcome is the terminal output, what each process came to (exit status or signal,
//! fault, watched variables), zombies and orphans still alive at the end, and a deadlock with
//! what each process waits on. Who adopted or reaped a finished process is history, not
//! outcome: expectations (`orphans == 1`) are judged over every end state, history
//! included; `outcomes == n` counts outcomes.
//!
//! Pid numbering: two outcomes are one when their end states agree with pids replaced by
//! tree names, and their outputs agree once every number that is the pid of a process of
//! the run is replaced by its order of first appearance in the output (`1002 … 1001 …` and
//! `1001 … 1002 …` are one output). A printed number that merely equals such a pid is
//! renumbered too.

use super::graph::{Graph, NodeId};
use super::outputs::{distinct, witness_of, Budget, Cut, Found};
use super::search::{explore, Explored, Limits, Progress, Reduction, Stopped, System};
use crate::expect::{self, ExpectResult};
use crate::kernel::sim::{terminal_output, EndKey, Explorable, Move, Schedule, BLOCKS};
use crate::outcome::{Limit, Outcome};
use crate::scenario::Scenario;
use crate::syntax::ast::{Mode, Property};
use indexmap::{IndexMap, IndexSet};
use std::hash::Hash;
use std::time::{Duration, Instant};

/// Most raw outcomes enumerated to merge them up to pid numbering and judge expectations;
/// beyond it the count is reported unmerged and set expectations are undecided.
pub const ENUMERATE_MAX: usize = 100_000;

/// How to explore (`scn explore FILE [ARGS…]`).
#[derive(Clone, Debug)]
pub struct ExploreOptions {
    /// `argv[1..]` of the initial process.
    pub args: Vec<String>,
    /// Most distinct states stored.
    pub max_states: usize,
    /// Most visible actions along one schedule.
    pub max_depth: u32,
    /// Wall-clock budget.
    pub timeout: Option<Duration>,
    /// How many outcomes to list with a witness schedule.
    pub list: usize,
    /// Whether to apply the reductions (local moves explored alone, persistent sets, states
    /// renumbered in tree order when pids are unobservable).
    pub reduction: bool,
    /// Called now and then during a long search ([`Limits::progress`]).
    pub progress: Option<fn(&Progress)>,
}

impl Default for ExploreOptions {
    fn default() -> Self {
        ExploreOptions {
            args: Vec::new(),
            max_states: 1_000_000,
            max_depth: u32::MAX,
            timeout: None,
            list: 20,
            reduction: true,
            progress: None,
        }
    }
}

/// How many distinct outcomes there are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    /// Exactly this many (merged up to pid numbering).
    Exact(u128),
    /// This many distinct (output, end) pairs, too many to merge up to pid numbering.
    Unmerged(u128),
    /// Infinitely many: output is written inside a cycle of states.
    Infinite,
}

/// What exploring a scenario found.
#[derive(Clone, Debug)]
pub struct Exploration {
    /// The first outcomes (in byte order of their output), each with a witness schedule.
    pub outcomes: Vec<Outcome>,
    /// How many distinct outcomes exist (among those found, if incomplete).
    pub count: Count,
    /// Distinct states stored.
    pub states: usize,
    /// Transitions explored.
    pub transitions: usize,
    /// Why the result is incomplete: a search limit, or a limit some run hit.
    pub incomplete: Option<(Limit, u64)>,
    /// The expectations judged over every outcome.
    pub results: Vec<ExpectResult>,
    /// Wall time of the exploration.
    pub elapsed: Duration,
}

/// Explores every schedule of `scenario`.
pub fn explore_scenario(scenario: &Scenario, options: &ExploreOptions) -> Exploration {
    let started = Instant::now();
    let mut initial = Explorable::new(scenario, scenario.argv(&options.args));
    if !options.reduction {
        initial = initial.as_run();
    }
    let limits = Limits {
        max_states: options.max_states,
        max_depth: options.max_depth,
        deadline: options.timeout.map(|t| started + t),
        progress: options.progress,
    };
    let mut explored = search(&initial, limits, options.reduction);
    if initial.symmetry_broken() {
        // Two children ended differently, or some were left alive: they were not
        // interchangeable after all.
        initial = initial.without_sibling_symmetry();
        explored = search(&initial, limits, options.reduction);
    }
    let budget = Budget {
        max_states: options.max_states,
        deadline: limits.deadline,
    };
    let raw = distinct(&explored.graph, 0, ENUMERATE_MAX, budget);
    let first_pid = scenario.config.first_pid;
    let output_key = |f: &Found| {
        let processes = explored.classes[f.class as usize].fates.len() as i64;
        renumber_pids(&f.output, &(first_pid..first_pid + processes))
    };
    let fine = merge(&raw.listed, |f| (output_key(f), f.class));
    let at_exit: IndexSet<EndKey> = explored.classes.iter().map(EndKey::at_exit).collect();
    let coarse_of: Vec<usize> = (explored.classes.iter())
        .map(|c| at_exit.get_index_of(&c.at_exit()).expect("interned above"))
        .collect();
    let coarse = merge(&fine, |f| (output_key(f), coarse_of[f.class as usize]));
    let count = match raw.count {
        None => Count::Infinite,
        Some(n) if n as usize <= raw.listed.len() => Count::Exact(coarse.len() as u128),
        Some(n) => Count::Unmerged(n),
    };
    let rebuild = Rebuild::new(&initial, &explored);
    // A run stopped at a limit says nothing about the expectations: leave it out.
    let halted = |f: &Found| explored.classes[f.class as usize].halt;
    let incomplete = (search_limit(&explored, options))
        .or_else(|| raw.cut.map(|cut| cut_limit(cut, options)))
        .or_else(|| fine.iter().find_map(&halted));
    let fine: Vec<Found> = fine.into_iter().filter(|f| halted(f).is_none()).collect();
    let coarse_kept: Vec<&Found> = coarse.iter().filter(|f| halted(f).is_none()).collect();
    // Outcomes are built only for the expectations that read them.
    let (per_outcome, counted): (Vec<_>, Vec<_>) =
        (scenario.expects.iter()).partition(|e| !matches!(e.prop, Property::Outcomes(..)));
    let mut every: Vec<Outcome> = Vec::new();
    if !per_outcome.is_empty() {
        every = fine.iter().map(|f| rebuild.outcome(f, false)).collect();
        witness_deciders(scenario, &fine, &rebuild, &mut every);
    }
    let mut merged: Vec<Outcome> = Vec::new();
    if !counted.is_empty() {
        merged = coarse_kept
            .iter()
            .map(|f| rebuild.outcome(f, false))
            .collect();
    }
    let complete = incomplete.is_none() && matches!(count, Count::Exact(_));
    let results = (scenario.expects.iter())
        .flat_map(|e| {
            let over = if matches!(e.prop, Property::Outcomes(..)) {
                &merged
            } else {
                &every
            };
            let one = std::slice::from_ref(e);
            expect::check_all_counted(one, &scenario.source, over, coarse_kept.len(), complete)
        })
        .collect();
    let outcomes = (coarse.iter().take(options.list))
        .map(|f| rebuild.outcome(f, true))
        .collect();
    Exploration {
        outcomes,
        count,
        states: explored.states.len(),
        transitions: explored.graph.edge_count(),
        incomplete,
        results,
        elapsed: started.elapsed(),
    }
}

/// The state graph of `initial`, reduced by persistent sets with `reduction`. Persistent
/// sets take every move to be independent of a limit being hit, but a run that hits one
/// (too many processes, a loop past `max_steps`, a call the explorer does not model) stops
/// every process at once: when the reduced graph has such an end, the search is repeated
/// with local moves alone.
fn search<'s>(
    initial: &Explorable<'s>,
    limits: Limits,
    reduction: bool,
) -> Explored<Explorable<'s>> {
    if !reduction {
        return explore(initial.clone(), limits, Reduction::Off);
    }
    let explored = explore(initial.clone(), limits, Reduction::Persistent);
    let halted = explored.classes.iter().any(|c| c.halt.is_some());
    if halted && explored.reduced > 0 {
        return explore(initial.clone(), limits, Reduction::Local);
    }
    explored
}

/// `found` with those of equal `key` merged (the first, in byte order of output, stays).
fn merge<K: Hash + Eq>(found: &[Found], key: impl Fn(&Found) -> K) -> Vec<Found> {
    let mut groups: IndexMap<K, &Found> = IndexMap::new();
    for f in found {
        groups.entry(key(f)).or_insert(f);
    }
    groups.into_values().cloned().collect()
}

/// The search limit that stopped the search, with its value.
fn search_limit<S: System>(
    explored: &Explored<S>,
    options: &ExploreOptions,
) -> Option<(Limit, u64)> {
    explored.stopped.map(|stopped| match stopped {
        Stopped::States => (Limit::States, options.max_states as u64),
        Stopped::Depth => (Limit::Depth, u64::from(options.max_depth)),
        Stopped::Time => (
            Limit::Time,
            options.timeout.map_or(0, |t| t.as_secs_f64().ceil() as u64),
        ),
    })
}

/// The limit that cut the analysis of outputs short, with its value.
fn cut_limit(cut: Cut, options: &ExploreOptions) -> (Limit, u64) {
    match cut {
        Cut::States => (Limit::Outputs, options.max_states as u64),
        Cut::Time => (
            Limit::Time,
            options.timeout.map_or(0, |t| t.as_secs_f64().ceil() as u64),
        ),
    }
}

/// `output` with each decimal number in `pids` replaced by `<pid N>`, N its order of first
/// appearance.
pub fn renumber_pids(output: &[u8], pids: &std::ops::Range<i64>) -> Vec<u8> {
    let mut seen: Vec<i64> = Vec::new();
    let mut out = Vec::with_capacity(output.len());
    let mut i = 0;
    while i < output.len() {
        if !output[i].is_ascii_digit() {
            out.push(output[i]);
            i += 1;
            continue;
        }
        let end = (i..output.len())
            .find(|&j| !output[j].is_ascii_digit())
            .unwrap_or(output.len());
        let digits = &output[i..end];
        let number = std::str::from_utf8(digits)
            .ok()
            .and_then(|s| s.parse::<i64>().ok());
        match number.filter(|n| pids.contains(n) && digits[0] != b'0') {
            Some(n) => {
                let k = seen.iter().position(|&s| s == n).unwrap_or_else(|| {
                    seen.push(n);
                    seen.len() - 1
                });
                out.extend_from_slice(format!("<pid {}>", k + 1).as_bytes());
            }
            None => out.extend_from_slice(digits),
        }
        i = end;
    }
    out
}

/// For each end class, one terminal node of it.
fn terminals(explored: &Explored<Explorable<'_>>) -> Vec<NodeId> {
    let mut first = vec![0; explored.classes.len()];
    let mut seen = vec![false; explored.classes.len()];
    for node in 0..explored.graph.len() as NodeId {
        if let Some(class) = explored.graph.terminal(node) {
            if !seen[class as usize] {
                seen[class as usize] = true;
                first[class as usize] = node;
            }
        }
    }
    first
}

/// For every node reached from node 0, the edge it is first reached by in a breadth-first
/// search (`(from, choice)`), so that following them back gives a shortest path.
fn shortest_paths(graph: &Graph) -> Vec<Option<(NodeId, u32)>> {
    let mut parents = vec![None; graph.len()];
    let mut queue = std::collections::VecDeque::from([0]);
    let mut seen = vec![false; graph.len()];
    seen[0] = true;
    while let Some(n) = queue.pop_front() {
        for edge in graph.edges(n) {
            if !seen[edge.to as usize] {
                seen[edge.to as usize] = true;
                parents[edge.to as usize] = Some((n, edge.choice));
                queue.push_back(edge.to);
            }
        }
    }
    parents
}

/// The choices along the shortest path from node 0 to `node` ([`shortest_paths`]).
fn path_to(graph: &Graph, parents: &[Option<(NodeId, u32)>], node: NodeId) -> Vec<u32> {
    let mut path = Vec::new();
    let mut at = node;
    while let Some((from, choice)) = parents[at as usize] {
        path.push(choice);
        at = from;
    }
    debug_assert!(at == 0 || graph.is_empty());
    path.reverse();
    path
}

/// Turns found outcomes into full outcomes.
struct Rebuild<'a, 's> {
    initial: &'a Explorable<'s>,
    explored: &'a Explored<Explorable<'s>>,
    /// For each end class, the outcome of one terminal state of it, without output.
    ends: Vec<Outcome>,
}

impl<'a, 's> Rebuild<'a, 's> {
    fn new(initial: &'a Explorable<'s>, explored: &'a Explored<Explorable<'s>>) -> Self {
        let mut rebuild = Rebuild {
            initial,
            explored,
            ends: Vec::new(),
        };
        let terminals = terminals(explored);
        rebuild.ends = if initial.renames_siblings() {
            // The explored states name children by a canonical order, which a run may not
            // give: each end is replayed, so that its tree is a run's.
            let parents = shortest_paths(&explored.graph);
            (terminals.iter())
                .map(|&node| {
                    let mut outcome = rebuild.replay(&path_to(&explored.graph, &parents, node));
                    (outcome.output, outcome.schedule, outcome.steps) =
                        (Vec::new(), String::new(), 0);
                    outcome
                })
                .collect()
        } else {
            (terminals.iter())
                .map(|&node| explored.states[node as usize].outcome(Vec::new(), String::new(), 0))
                .collect()
        };
        rebuild
    }

    /// The outcome of `found`: replayed along its witness when `witness` is asked for,
    /// else read from a terminal state of its class (no schedule).
    fn outcome(&self, found: &Found, witness: bool) -> Outcome {
        if !witness {
            let mut outcome = self.ends[found.class as usize].clone();
            outcome.output = terminal_output(found.output.clone());
            return outcome;
        }
        self.replay(&witness_of(&self.explored.graph, 0, found))
    }

    /// The run that follows `path` (choices of the explored states) from the initial state.
    fn replay(&self, path: &[u32]) -> Outcome {
        // The path's choices name processes of the explored states, which may be
        // renumbered; the run keeps creation order, so that its pids and names are a run's.
        let mut explored = self.initial.clone();
        let mut state = self.initial.as_run();
        let mut to_run = Vec::new();
        explored.follow(&mut to_run);
        let mut schedule = Schedule::default();
        let mut output = Vec::new();
        for &choice in path {
            let p = Explorable::in_run(choice, &to_run);
            let name = state.name(p);
            explored.step(choice, &mut Vec::new());
            explored.follow(&mut to_run);
            state.step(p, &mut output);
            match state.last_move() {
                Move::Action => schedule.push(&name),
                Move::Blocked => schedule.push(&format!("{name}{BLOCKS}")),
                Move::Silent => {}
            }
        }
        state.outcome(output, schedule.to_string(), path.len() as u64)
    }
}

/// Gives a witness schedule to the first outcome that decides each `always`/`may`/`never`
/// expectation, as [`expect::check_all`] cites it.
fn witness_deciders(scenario: &Scenario, groups: &[Found], rebuild: &Rebuild, all: &mut [Outcome]) {
    for e in &scenario.expects {
        if expect::is_set_form(&e.prop) {
            continue;
        }
        let decisive = e.mode != Mode::Always;
        let first = all
            .iter()
            .position(|o| expect::holds(&e.prop, o) == Some(decisive));
        if let Some(i) = first.filter(|&i| all[i].schedule.is_empty()) {
            all[i] = rebuild.outcome(&groups[i], true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::renumber_pids;

    #[test]
    fn pids_are_renumbered_by_first_appearance() {
        let pids = 1000..1003;
        let a = renumber_pids(b"child 1002 of 1000, then 1001 (999, 1002x, 01001)", &pids);
        assert_eq!(
            String::from_utf8(a).unwrap(),
            "child <pid 1> of <pid 2>, then <pid 3> (999, <pid 1>x, 01001)"
        );
        assert_eq!(
            renumber_pids(b"1001 1002", &pids),
            renumber_pids(b"1002 1001", &pids)
        );
    }
}
