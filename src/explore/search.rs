//! The stateful search: breadth-first over canonical global states with exact (lossless)
//! hashing, building the labelled state graph the outcome analysis reads.

use super::graph::{Edge, Graph, NodeId, SILENT};
use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;
use std::hash::Hash;
use std::time::Instant;

/// A transition system the explorer can search: the simulated kernel with every process.
///
/// States must be canonical when compared: two states that behave the same from here on
/// should be equal (the kernel clears dead locals and drops reaped processes before
/// [`System::step`] returns).
pub trait System: Clone + Eq + Hash {
    /// What distinguishes end states apart from the output (exit statuses, tree, zombies,
    /// deadlock and who waits on what).
    type End: Clone + Eq + Hash;
    /// The processes (by a stable choice index) that can move now; empty at the end.
    fn enabled(&self, out: &mut Vec<u32>);
    /// Moves process `choice` by one visible action, appending what it writes to the
    /// terminal to `output`.
    fn step(&mut self, choice: u32, output: &mut Vec<u8>);
    /// For a state where nothing is enabled: its non-output outcome. Equal values mean
    /// equal outcomes apart from the output.
    fn end_class(&self) -> Self::End;
    /// Whether the move of `choice` is silent and independent of every other process's
    /// moves (it touches only its own process and cannot be disabled by another): then
    /// exploring it alone from this state loses no outcome. `false` unless known.
    fn is_local(&self, choice: u32) -> bool {
        let _ = choice;
        false
    }
    /// Appends to `out` a persistent subset of `enabled` (the moves enabled here): a set
    /// such that no sequence of moves outside it, from this state, is dependent on a move in
    /// it (two moves are independent when in either order they reach the same state and
    /// neither enables or disables the other). All of `enabled` unless known.
    fn persistent(&self, enabled: &[u32], out: &mut Vec<u32>) {
        out.extend_from_slice(enabled);
    }
}

/// Which reductions the search applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    /// Every enabled move of every state.
    Off,
    /// A state with a local move ([`System::is_local`]) is expanded by that move alone.
    Local,
    /// Local moves, and otherwise a persistent set ([`System::persistent`]).
    Persistent,
}

/// Limits of one exploration; hitting one makes the result incomplete.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Most distinct states stored.
    pub max_states: usize,
    /// Most transitions from the initial state (breadth-first depth).
    pub max_depth: u32,
    /// Wall-clock budget.
    pub deadline: Option<Instant>,
    /// Called now and then during a long search (after its first second) with how far it
    /// has come.
    pub progress: Option<fn(&Progress)>,
}

/// How far a search has come: what a progress line shows.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Distinct states stored.
    pub states: usize,
    /// States stored but not yet expanded.
    pub frontier: usize,
    /// Breadth-first depth reached (visible actions from the initial state).
    pub depth: u32,
    /// Since the search started.
    pub elapsed: std::time::Duration,
}

/// Why a search stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// `max_states` states were stored.
    States,
    /// A state deeper than `max_depth` was reached.
    Depth,
    /// The deadline passed.
    Time,
}

/// The explored graph and its states.
pub struct Explored<S: System> {
    /// The graph; node 0 is the initial state. Terminal classes index `classes`.
    pub graph: Graph,
    /// The distinct end classes, interned.
    pub classes: IndexSet<S::End, FxBuildHasher>,
    /// The state of each node.
    pub states: IndexSet<S, FxBuildHasher>,
    /// `Some` if a limit stopped the search (then unexpanded nodes have no edges and are not
    /// terminal).
    pub stopped: Option<Stopped>,
    /// How many states were expanded by a persistent set smaller than their enabled moves.
    pub reduced: usize,
}

/// Explores every state reachable from `initial`.
///
/// With a reduction, a state is expanded by a subset of its enabled moves: a local move
/// alone, or a persistent set. A reduced expansion is kept only if every move in it is
/// silent (output order is observable) and leads to a later state — deeper, or as deep and
/// stored after this one; otherwise the state is expanded fully. (Depth, id) is fixed when a
/// state is stored and only grows along reduced edges, so every cycle of the graph contains
/// a fully expanded state and no process is ignored forever; with persistent sets this keeps
/// every terminal state and every output sequence reachable.
pub fn explore<S: System>(initial: S, limits: Limits, reduction: Reduction) -> Explored<S> {
    let mut search = Search {
        states: IndexSet::default(),
        depth: vec![0],
        graph: Graph::default(),
        classes: IndexSet::default(),
        edges: Vec::new(),
        output: Vec::new(),
    };
    search.states.insert(initial);
    let mut enabled = Vec::new();
    let mut subset = Vec::new();
    let mut stopped = None;
    let mut reduced = 0;
    let mut next = 0usize;
    let started = Instant::now();
    while next < search.states.len() {
        if next.is_multiple_of(1024) && limits.deadline.is_some_and(|d| Instant::now() >= d) {
            stopped = Some(Stopped::Time);
            break;
        }
        if let Some(report) = limits.progress.filter(|_| next.is_multiple_of(8192)) {
            let elapsed = started.elapsed();
            if elapsed.as_secs() >= 1 {
                report(&Progress {
                    states: search.states.len(),
                    frontier: search.states.len() - next,
                    depth: search.depth[next],
                    elapsed,
                });
            }
        }
        let state = search.states[next].clone();
        enabled.clear();
        state.enabled(&mut enabled);
        if enabled.is_empty() {
            let (class, _) = search.classes.insert_full(state.end_class());
            search.graph.push_node([], Some(class as u32));
            next += 1;
            continue;
        }
        if search.depth[next] >= limits.max_depth {
            stopped = Some(Stopped::Depth);
            break;
        }
        let persistent = reduce(&state, &enabled, reduction, &mut subset);
        if search.expand(&state, next, &subset, &enabled) && persistent {
            reduced += 1;
        }
        next += 1;
        if search.states.len() > limits.max_states {
            stopped = Some(Stopped::States);
            break;
        }
    }
    // Stored but unexpanded states (the search stopped) are nodes without edges.
    while search.graph.len() < search.states.len() {
        search.graph.push_node([], None);
    }
    Explored {
        graph: search.graph,
        classes: search.classes,
        states: search.states,
        stopped,
        reduced,
    }
}

/// Puts in `subset` the moves to try first from `state`: a local move, a persistent set, or
/// every enabled move. Whether it is a persistent set.
fn reduce<S: System>(
    state: &S,
    enabled: &[u32],
    reduction: Reduction,
    subset: &mut Vec<u32>,
) -> bool {
    subset.clear();
    if reduction == Reduction::Off {
        subset.extend_from_slice(enabled);
    } else if let Some(&local) = enabled.iter().find(|&&c| state.is_local(c)) {
        subset.push(local);
    } else if reduction == Reduction::Persistent {
        state.persistent(enabled, subset);
        return true;
    } else {
        subset.extend_from_slice(enabled);
    }
    false
}

/// The search's growing state: states, their depth, the graph and the end classes.
struct Search<S: System> {
    states: IndexSet<S, FxBuildHasher>,
    depth: Vec<u32>,
    graph: Graph,
    classes: IndexSet<S::End, FxBuildHasher>,
    edges: Vec<Edge>,
    output: Vec<u8>,
}

impl<S: System> Search<S> {
    /// Adds node `id` (`state`) with the edges of the moves in `subset`, or of every move in
    /// `enabled` when the reduced expansion is not kept (a move writes output or leads to a
    /// state no later than this one: of smaller depth, or of equal depth stored no later). Whether the reduced expansion was kept.
    fn expand(&mut self, state: &S, id: usize, subset: &[u32], enabled: &[u32]) -> bool {
        self.edges.clear();
        for &choice in subset {
            self.step(state, id, choice);
        }
        let reduced = subset.len() < enabled.len();
        let later = |to: usize| (self.depth[to], to) > (self.depth[id], id);
        let kept = (self.edges.iter()).all(|e| e.label == SILENT && later(e.to as usize));
        if reduced && !kept {
            for &choice in enabled.iter().filter(|c| !subset.contains(c)) {
                self.step(state, id, choice);
            }
        }
        self.graph.push_node(self.edges.iter().copied(), None);
        reduced && kept
    }

    /// The edge of `choice` from node `id` (`state`), its target stored if new.
    fn step(&mut self, state: &S, id: usize, choice: u32) {
        let mut succ = state.clone();
        self.output.clear();
        succ.step(choice, &mut self.output);
        let label = self.graph.label(&self.output);
        let (to, fresh) = self.states.insert_full(succ);
        if fresh {
            self.depth.push(self.depth[id] + 1);
        }
        self.edges.push(Edge {
            to: to as NodeId,
            label,
            choice,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::outputs::outcomes;

    /// N workers each do `tmp = counter; counter = tmp + 1` as two steps; the final value
    /// is printed once all are done. Reachable finals: 1..=N.
    #[derive(Clone, PartialEq, Eq, Hash)]
    struct Race {
        counter: u8,
        /// Per worker: 0 = not started, 1 = loaded (tmp), 2 = done.
        pc: Vec<u8>,
        tmp: Vec<u8>,
        printed: bool,
    }

    impl System for Race {
        type End = ();
        fn enabled(&self, out: &mut Vec<u32>) {
            out.extend((0..self.pc.len() as u32).filter(|&i| self.pc[i as usize] < 2));
            if out.is_empty() && !self.printed {
                out.push(u32::MAX);
            }
        }
        fn step(&mut self, choice: u32, output: &mut Vec<u8>) {
            if choice == u32::MAX {
                output.extend(format!("{}\n", self.counter).bytes());
                self.printed = true;
                return;
            }
            let i = choice as usize;
            if self.pc[i] == 0 {
                self.tmp[i] = self.counter;
            } else {
                self.counter = self.tmp[i] + 1;
                self.tmp[i] = 0; // dead local cleared
            }
            self.pc[i] += 1;
        }
        fn end_class(&self) {}
    }

    fn race(n: usize) -> Race {
        Race {
            counter: 0,
            pc: vec![0; n],
            tmp: vec![0; n],
            printed: false,
        }
    }

    const UNLIMITED: Limits = Limits {
        max_states: usize::MAX,
        max_depth: u32::MAX,
        deadline: None,
        progress: None,
    };

    /// Worker 0 toggles a bit forever; worker 1 prints once and stops. A persistent set of
    /// worker 0 alone is one (the two touch nothing in common) but, taken around the cycle,
    /// would ignore worker 1 forever.
    #[derive(Clone, PartialEq, Eq, Hash)]
    struct Spinner {
        bit: bool,
        printed: bool,
    }

    impl System for Spinner {
        type End = ();
        fn enabled(&self, out: &mut Vec<u32>) {
            out.push(0);
            if !self.printed {
                out.push(1);
            }
        }
        fn step(&mut self, choice: u32, output: &mut Vec<u8>) {
            if choice == 0 {
                self.bit = !self.bit;
            } else {
                output.extend_from_slice(b"x");
                self.printed = true;
            }
        }
        fn end_class(&self) {}
        fn persistent(&self, _enabled: &[u32], out: &mut Vec<u32>) {
            out.push(0);
        }
    }

    #[test]
    fn a_cycle_of_reduced_states_is_expanded_fully_once() {
        let initial = Spinner {
            bit: false,
            printed: false,
        };
        let explored = explore(initial, UNLIMITED, Reduction::Persistent);
        let labels: Vec<_> = (0..explored.graph.len() as NodeId)
            .flat_map(|n| explored.graph.edges(n).iter().map(|e| e.label))
            .collect();
        assert!(labels.iter().any(|&l| l != SILENT), "worker 1 never moved");
    }

    #[test]
    fn race_of_three_reaches_one_to_three() {
        let explored = explore(race(3), UNLIMITED, Reduction::Persistent);
        assert_eq!(explored.stopped, None);
        let out = outcomes(&explored.graph, 0, 10);
        let finals: Vec<_> = out
            .listed
            .iter()
            .map(|f| String::from_utf8_lossy(&f.output).into_owned())
            .collect();
        assert_eq!(finals, vec!["1\n", "2\n", "3\n"]);
        assert_eq!(out.count, Some(3));
    }

    #[test]
    fn state_limit_stops_the_search() {
        let limits = Limits {
            max_states: 10,
            ..UNLIMITED
        };
        let explored = explore(race(4), limits, Reduction::Persistent);
        assert_eq!(explored.stopped, Some(Stopped::States));
    }

    #[test]
    fn witnesses_replay_to_their_output() {
        let explored = explore(race(3), UNLIMITED, Reduction::Persistent);
        for found in outcomes(&explored.graph, 0, 10).listed {
            let mut state = race(3);
            let mut output = Vec::new();
            for choice in &found.witness {
                state.step(*choice, &mut output);
            }
            assert_eq!(output, found.output);
        }
    }
}
