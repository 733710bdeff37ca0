//! The stateful search: breadth-first over canonical global states with exact (lossless)
//! hashing, building the labelled state graph the outcome analysis reads.

use super::graph::{Edge, Graph, NodeId};
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
}

/// Explores every state reachable from `initial`.
///
/// With `reduce`, a state where some enabled move is local ([`System::is_local`]) is
/// expanded by that move alone (a persistent set of one silent, independent transition: every
/// complete path can take it first without changing its output or end state).
pub fn explore<S: System>(initial: S, limits: Limits, reduce: bool) -> Explored<S> {
    let mut states: IndexSet<S, FxBuildHasher> = IndexSet::default();
    let mut depth: Vec<u32> = vec![0];
    states.insert(initial);
    let mut graph = Graph::default();
    let mut enabled = Vec::new();
    let mut output = Vec::new();
    let mut edges = Vec::new();
    let mut stopped = None;
    let mut classes: IndexSet<S::End, FxBuildHasher> = IndexSet::default();
    let mut next = 0usize;
    while next < states.len() {
        if next.is_multiple_of(1024) && limits.deadline.is_some_and(|d| Instant::now() >= d) {
            stopped = Some(Stopped::Time);
            break;
        }
        let state = states[next].clone();
        enabled.clear();
        state.enabled(&mut enabled);
        if enabled.is_empty() {
            let (class, _) = classes.insert_full(state.end_class());
            graph.push_node([], Some(class as u32));
            next += 1;
            continue;
        }
        if depth[next] >= limits.max_depth {
            stopped = Some(Stopped::Depth);
            break;
        }
        edges.clear();
        if reduce {
            if let Some(&local) = enabled.iter().find(|&&c| state.is_local(c)) {
                enabled.clear();
                enabled.push(local);
            }
        }
        for &choice in &enabled {
            let mut succ = state.clone();
            output.clear();
            succ.step(choice, &mut output);
            let label = graph.label(&output);
            let (id, fresh) = states.insert_full(succ);
            if fresh {
                depth.push(depth[next] + 1);
            }
            edges.push(Edge {
                to: id as NodeId,
                label,
                choice,
            });
        }
        graph.push_node(edges.iter().copied(), None);
        next += 1;
        if states.len() > limits.max_states {
            stopped = Some(Stopped::States);
            break;
        }
    }
    // Stored but unexpanded states (the search stopped) are nodes without edges.
    while graph.len() < states.len() {
        graph.push_node([], None);
    }
    Explored {
        graph,
        classes,
        states,
        stopped,
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
    };

    #[test]
    fn race_of_three_reaches_one_to_three() {
        let explored = explore(race(3), UNLIMITED, true);
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
        let explored = explore(race(4), limits, true);
        assert_eq!(explored.stopped, Some(Stopped::States));
    }

    #[test]
    fn witnesses_replay_to_their_output() {
        let explored = explore(race(3), UNLIMITED, true);
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
