//! Distinct outcomes of a state graph: the set of (terminal output, end class) pairs over all
//! complete paths, counted exactly, listed in byte order, each with a witness path.
//!
//! Output is a label on transitions, so two paths reach the same outcome when their labels
//! concatenate to the same bytes, however the bytes were split into writes. The graph is
//! determinised on the fly over bytes (subset construction with silent edges as ε); each DFA
//! state is the set of graph positions reachable with one output prefix, so equal prefixes are
//! explored once and the count of distinct outputs is a path count in the (acyclic) DFA.

use super::graph::{Graph, NodeId, SILENT};
use rustc_hash::FxHashMap;
use std::collections::VecDeque;
use std::time::Instant;

/// A position in the byte-level automaton: at a node, or about to read byte `offset` of
/// the label of edge number `edge` (a global edge index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Pos {
    Node(NodeId),
    Mid { edge: u32, offset: u32 },
}

/// One distinct outcome with a path that produces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The terminal output.
    pub output: Vec<u8>,
    /// The end class of the final state.
    pub class: u32,
    /// The transitions of one path producing it, as edge `choice` values, in order.
    pub witness: Vec<u32>,
}

/// The analysis result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcomes {
    /// Exact number of distinct outcomes, or `None` if infinitely many (output inside a
    /// cycle). When `cut`, the number among the output prefixes read (a lower bound).
    pub count: Option<u128>,
    /// The first outcomes in byte order of the output, at most the requested number (when
    /// `cut`, among the output prefixes read).
    pub listed: Vec<Found>,
    /// Why the analysis stopped before reading every output prefix, if it did.
    pub cut: Option<Cut>,
}

/// How far the analysis of outputs may go: each distinct output prefix (with the graph
/// positions it may end at) is one stored automaton state, and every
/// [`POSITIONS_PER_STATE`] positions held count as one more (the sets are the memory).
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Most automaton states stored.
    pub max_states: usize,
    /// Wall-clock deadline.
    pub deadline: Option<Instant>,
}

impl Budget {
    /// No bound.
    pub const UNBOUNDED: Budget = Budget {
        max_states: usize::MAX,
        deadline: None,
    };
}

/// Most outcomes listed when the budget ran out (each is read along its own prefixes).
pub const LISTED_WHEN_CUT: usize = 1000;

/// Graph positions held by the automaton that weigh as much as one stored state.
pub const POSITIONS_PER_STATE: usize = 8;

/// Why the analysis of outputs stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// More distinct output prefixes than [`Budget::max_states`].
    States,
    /// The deadline passed.
    Time,
}

struct Dfa<'g> {
    graph: &'g Graph,
    /// Flat edge ranges: `edge_base[n]` is the global index of node n's first edge.
    edge_base: Vec<u32>,
    edge_owner: Vec<NodeId>,
    states: Vec<Vec<Pos>>,
    ids: FxHashMap<Vec<Pos>, u32>,
    /// Transitions of each DFA state, by byte, sorted.
    next: Vec<Vec<(u8, u32)>>,
    /// End classes present in each DFA state (sorted, unique).
    classes: Vec<Vec<u32>>,
    /// Graph positions held by all DFA states.
    positions: usize,
    /// Whether each DFA state's transitions (`next`) are built.
    built: Vec<bool>,
}

/// Computes the distinct outcomes reachable from `start`, listing at most `list` of them.
pub fn outcomes(graph: &Graph, start: NodeId, list: usize) -> Outcomes {
    let mut out = distinct(graph, start, list, Budget::UNBOUNDED);
    for found in &mut out.listed {
        found.witness = witness_of(graph, start, found);
    }
    out
}

/// [`outcomes`] without witnesses (each `witness` is empty): cheap to list many. Stops
/// reading output prefixes when `budget` runs out (then `cut` says why).
pub fn distinct(graph: &Graph, start: NodeId, list: usize, budget: Budget) -> Outcomes {
    let mut dfa = Dfa::new(graph);
    let root = dfa.intern(dfa.closure(vec![Pos::Node(start)]));
    let cut = dfa.build(root, budget);
    let mut count = dfa.count(root);
    let mut listed = Vec::new();
    // Past the budget, the first few outputs are still read, along their own prefixes.
    let list = if cut.is_some() {
        list.min(LISTED_WHEN_CUT)
    } else {
        list
    };
    dfa.enumerate(root, &mut Vec::new(), list, &mut listed, &mut 0);
    if cut.is_some() {
        count = count.map(|n| n.max(listed.len() as u128));
    }
    Outcomes { count, listed, cut }
}

/// The shortest path from `start` producing `found` (its output and class), as edge
/// `choice` values.
///
/// # Panics
/// If no such path exists: `found` must come from [`distinct`] on the same graph.
pub fn witness_of(graph: &Graph, start: NodeId, found: &Found) -> Vec<u32> {
    let dfa = Dfa::new(graph);
    witness(graph, &dfa, start, &found.output, found.class)
}

impl<'g> Dfa<'g> {
    fn new(graph: &'g Graph) -> Self {
        let mut edge_base = Vec::with_capacity(graph.len() + 1);
        let mut edge_owner = Vec::with_capacity(graph.edge_count());
        let mut total = 0u32;
        for n in 0..graph.len() as NodeId {
            edge_base.push(total);
            let k = graph.edges(n).len() as u32;
            edge_owner.extend(std::iter::repeat_n(n, k as usize));
            total += k;
        }
        edge_base.push(total);
        Dfa {
            graph,
            edge_base,
            edge_owner,
            states: Vec::new(),
            ids: FxHashMap::default(),
            next: Vec::new(),
            classes: Vec::new(),
            positions: 0,
            built: Vec::new(),
        }
    }

    fn edge(&self, global: u32) -> super::graph::Edge {
        let owner = self.edge_owner[global as usize];
        self.graph.edges(owner)[(global - self.edge_base[owner as usize]) as usize]
    }

    /// The ε-closure: follows silent edges from nodes, and opens labelled edges.
    fn closure(&self, seed: Vec<Pos>) -> Vec<Pos> {
        let mut seen: rustc_hash::FxHashSet<Pos> = seed.iter().copied().collect();
        let mut stack = seed;
        while let Some(pos) = stack.pop() {
            let Pos::Node(n) = pos else { continue };
            for (i, e) in self.graph.edges(n).iter().enumerate() {
                let next = if e.label == SILENT {
                    Pos::Node(e.to)
                } else {
                    Pos::Mid {
                        edge: self.edge_base[n as usize] + i as u32,
                        offset: 0,
                    }
                };
                if seen.insert(next) {
                    stack.push(next);
                }
            }
        }
        let mut set: Vec<Pos> = seen.into_iter().collect();
        set.sort_unstable();
        set
    }

    fn intern(&mut self, set: Vec<Pos>) -> u32 {
        if let Some(id) = self.ids.get(&set) {
            return *id;
        }
        let id = self.states.len() as u32;
        let mut classes: Vec<u32> = set
            .iter()
            .filter_map(|p| match p {
                Pos::Node(n) => self.graph.terminal(*n),
                Pos::Mid { .. } => None,
            })
            .collect();
        classes.sort_unstable();
        classes.dedup();
        self.positions += set.len();
        self.ids.insert(set.clone(), id);
        self.states.push(set);
        self.next.push(Vec::new());
        self.built.push(false);
        self.classes.push(classes);
        id
    }

    /// Builds every DFA state reachable from `root`, or as many as `budget` allows (the
    /// states left unbuilt have no transitions yet).
    fn build(&mut self, root: u32, budget: Budget) -> Option<Cut> {
        let mut queue = VecDeque::from([root]);
        let mut visits = 0usize;
        while let Some(d) = queue.pop_front() {
            if self.states.len() > budget.max_states
                || self.positions / POSITIONS_PER_STATE > budget.max_states
            {
                return Some(Cut::States);
            }
            visits += 1;
            if visits.is_multiple_of(4096) && budget.deadline.is_some_and(|t| Instant::now() >= t) {
                return Some(Cut::Time);
            }
            if !self.built[d as usize] {
                queue.extend(self.expand(d).iter().map(|&(_, target)| target));
            }
        }
        None
    }

    /// The transitions of DFA state `d` by byte, built if they were not.
    fn expand(&mut self, d: u32) -> &[(u8, u32)] {
        if !self.built[d as usize] {
            let mut by_byte: std::collections::BTreeMap<u8, Vec<Pos>> = Default::default();
            for pos in &self.states[d as usize] {
                if let Pos::Mid { edge, offset } = *pos {
                    let e = self.edge(edge);
                    let bytes = self.graph.label_bytes(e.label);
                    let after = if offset as usize + 1 == bytes.len() {
                        Pos::Node(e.to)
                    } else {
                        Pos::Mid {
                            edge,
                            offset: offset + 1,
                        }
                    };
                    (by_byte.entry(bytes[offset as usize]).or_default()).push(after);
                }
            }
            let mut next = Vec::with_capacity(by_byte.len());
            for (byte, seed) in by_byte {
                next.push((byte, self.intern(self.closure(seed))));
            }
            self.next[d as usize] = next;
            self.built[d as usize] = true;
        }
        &self.next[d as usize]
    }

    /// Number of (word, class) pairs from `root`, or `None` if the DFA has a cycle.
    fn count(&self, root: u32) -> Option<u128> {
        // Iterative DFS post-order with cycle detection (0 = new, 1 = on stack, 2 = done).
        let n = self.states.len();
        let mut mark = vec![0u8; n];
        let mut total = vec![0u128; n];
        let mut stack = vec![(root, 0usize)];
        mark[root as usize] = 1;
        while let Some((d, i)) = stack.pop() {
            if let Some(&(_, child)) = self.next[d as usize].get(i) {
                stack.push((d, i + 1));
                match mark[child as usize] {
                    0 => {
                        mark[child as usize] = 1;
                        stack.push((child, 0));
                    }
                    1 => return None,
                    _ => {}
                }
            } else {
                let own = self.classes[d as usize].len() as u128;
                let below: u128 = self.next[d as usize]
                    .iter()
                    .map(|(_, c)| total[*c as usize])
                    .fold(0u128, |a, b| a.saturating_add(b));
                total[d as usize] = own.saturating_add(below);
                mark[d as usize] = 2;
            }
        }
        Some(total[root as usize])
    }

    /// Lists the first outcomes from `d` in byte order, building the states it passes
    /// through that are not built yet.
    fn enumerate(
        &mut self,
        d: u32,
        word: &mut Vec<u8>,
        limit: usize,
        out: &mut Vec<Found>,
        depth: &mut usize,
    ) {
        if out.len() >= limit || *depth > 1 << 20 {
            return;
        }
        for class in &self.classes[d as usize] {
            if out.len() < limit {
                out.push(Found {
                    output: word.clone(),
                    class: *class,
                    witness: Vec::new(),
                });
            }
        }
        for (byte, child) in self.expand(d).to_vec() {
            if out.len() >= limit {
                return;
            }
            word.push(byte);
            *depth += 1;
            self.enumerate(child, word, limit, out, depth);
            *depth -= 1;
            word.pop();
        }
    }
}

/// The shortest path (in transitions) from `start` whose labels spell `output` and that
/// ends in a terminal node of class `class`; returns its edges' `choice` values.
fn witness(graph: &Graph, dfa: &Dfa<'_>, start: NodeId, output: &[u8], class: u32) -> Vec<u32> {
    // BFS over (position, bytes read); parent links rebuild the path.
    let mut parent: FxHashMap<Key, (Key, Option<u32>)> = FxHashMap::default();
    let first: Key = (Pos::Node(start), 0);
    let mut queue = VecDeque::from([first]);
    parent.insert(first, (first, None));
    while let Some(key @ (pos, read)) = queue.pop_front() {
        let mut visit = |next: Key, choice: Option<u32>, queue: &mut VecDeque<Key>| {
            if let std::collections::hash_map::Entry::Vacant(v) = parent.entry(next) {
                v.insert((key, choice));
                queue.push_back(next);
            }
        };
        match pos {
            Pos::Node(n) => {
                if read as usize == output.len() && graph.terminal(n) == Some(class) {
                    return rebuild(&parent, key);
                }
                for (i, e) in graph.edges(n).iter().enumerate() {
                    if e.label == SILENT {
                        visit((Pos::Node(e.to), read), Some(e.choice), &mut queue);
                    } else {
                        let edge = dfa.edge_base[n as usize] + i as u32;
                        visit(
                            (Pos::Mid { edge, offset: 0 }, read),
                            Some(e.choice),
                            &mut queue,
                        );
                    }
                }
            }
            Pos::Mid { edge, offset } => {
                let e = dfa.edge(edge);
                let bytes = graph.label_bytes(e.label);
                if output.get(read as usize) != Some(&bytes[offset as usize]) {
                    continue;
                }
                let after = if offset as usize + 1 == bytes.len() {
                    Pos::Node(e.to)
                } else {
                    Pos::Mid {
                        edge,
                        offset: offset + 1,
                    }
                };
                visit((after, read + 1), None, &mut queue);
            }
        }
    }
    unreachable!("every listed outcome was found in the graph, so a path spells it")
}

/// A BFS position: where in the automaton, and how many output bytes were read.
type Key = (Pos, u32);

fn rebuild(parent: &FxHashMap<Key, (Key, Option<u32>)>, end: Key) -> Vec<u32> {
    let mut path = Vec::new();
    let mut at = end;
    loop {
        let (prev, choice) = parent[&at];
        if prev == at {
            break;
        }
        if let Some(c) = choice {
            path.push(c);
        }
        at = prev;
    }
    path.reverse();
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::graph::Edge;

    fn edge(to: NodeId, label: u32, choice: u32) -> Edge {
        Edge { to, label, choice }
    }

    /// Two processes each print one line in either order: 2 outcomes.
    #[test]
    fn two_printers_have_two_outcomes() {
        let mut g = Graph::default();
        let a = g.label(b"a\n");
        let b = g.label(b"b\n");
        // 0 -a-> 1 -b-> 3 ; 0 -b-> 2 -a-> 3
        g.push_node([edge(1, a, 0), edge(2, b, 1)], None);
        g.push_node([edge(3, b, 1)], None);
        g.push_node([edge(3, a, 0)], None);
        g.push_node([], Some(0));
        let out = outcomes(&g, 0, 10);
        assert_eq!(out.count, Some(2));
        let outputs: Vec<_> = out.listed.iter().map(|f| f.output.clone()).collect();
        assert_eq!(outputs, vec![b"a\nb\n".to_vec(), b"b\na\n".to_vec()]);
        assert_eq!(out.listed[1].witness, vec![1, 0]);
    }

    /// Writes split differently ("ab" then "c" vs "a" then "bc") are one output.
    #[test]
    fn split_writes_are_one_output() {
        let mut g = Graph::default();
        let ab = g.label(b"ab");
        let c = g.label(b"c");
        let a = g.label(b"a");
        let bc = g.label(b"bc");
        g.push_node([edge(1, ab, 0), edge(2, a, 1)], None);
        g.push_node([edge(3, c, 0)], None);
        g.push_node([edge(3, bc, 1)], None);
        g.push_node([], Some(7));
        let out = outcomes(&g, 0, 10);
        assert_eq!(out.count, Some(1));
        assert_eq!(out.listed[0].output, b"abc");
        assert_eq!(out.listed[0].class, 7);
    }

    /// Same output, different end classes (e.g. exit statuses) are different outcomes; a
    /// silent cycle does not make the set infinite.
    #[test]
    fn classes_split_outcomes_and_silent_cycles_are_finite() {
        let mut g = Graph::default();
        let x = g.label(b"x");
        g.push_node([edge(1, SILENT, 0), edge(2, x, 1)], None);
        g.push_node([edge(0, SILENT, 0), edge(3, x, 1)], None);
        g.push_node([], Some(1));
        g.push_node([], Some(2));
        let out = outcomes(&g, 0, 10);
        assert_eq!(out.count, Some(2));
    }

    /// Output inside a cycle means infinitely many outputs.
    #[test]
    fn output_in_a_cycle_is_infinite() {
        let mut g = Graph::default();
        let x = g.label(b"x");
        g.push_node([edge(0, x, 0), edge(1, SILENT, 1)], None);
        g.push_node([], Some(0));
        assert_eq!(outcomes(&g, 0, 3).count, None);
    }

    /// N independent printers: N! orders, counted exactly without listing them all.
    #[test]
    fn permutations_are_counted() {
        let n = 6u32;
        let mut g = Graph::default();
        let labels: Vec<u32> = (0..n)
            .map(|i| g.label(format!("child {i}\n").as_bytes()))
            .collect();
        // Node id = bitmask of children that printed.
        for mask in 0..(1u32 << n) {
            let edges: Vec<Edge> = (0..n)
                .filter(|i| mask & (1 << i) == 0)
                .map(|i| edge(mask | (1 << i), labels[i as usize], i))
                .collect();
            let terminal = (mask == (1 << n) - 1).then_some(0);
            g.push_node(edges, terminal);
        }
        let out = outcomes(&g, 0, 5);
        assert_eq!(out.count, Some(720));
        assert_eq!(out.cut, None);
        assert_eq!(out.listed.len(), 5);
        assert_eq!(
            out.listed[0].output,
            b"child 0\nchild 1\nchild 2\nchild 3\nchild 4\nchild 5\n"
        );
        let budget = Budget {
            max_states: 50,
            deadline: None,
        };
        let cut = distinct(&g, 0, 5, budget);
        assert_eq!(cut.cut, Some(Cut::States));
        assert!(cut.count.is_some_and(|n| n < 720), "{:?}", cut.count);
    }
}
