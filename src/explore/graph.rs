//! The explored state graph: nodes are canonical global states (stored elsewhere), edges
//! are transitions labelled with the terminal output they produce.

/// Index of a state in the graph.
pub type NodeId = u32;

/// Index of a label in [`Graph::labels`]; [`SILENT`] is the empty output.
pub type LabelId = u32;

/// The label of a transition that writes nothing to the terminal.
pub const SILENT: LabelId = 0;

/// One transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The state it leads to.
    pub to: NodeId,
    /// What it writes to the terminal.
    pub label: LabelId,
    /// Which process moved (an index the explorer maps back to a schedule step).
    pub choice: u32,
}

/// A state graph in compressed sparse rows: the out-edges of node `n` are
/// `edges[first[n]..first[n + 1]]`, added all at once when `n` is expanded.
#[derive(Clone, Debug)]
pub struct Graph {
    first: Vec<u32>,
    edges: Vec<Edge>,
    /// For each node: `Some(class)` if the run ends there (every process finished, or a
    /// deadlock), with the id of its non-output outcome (exit statuses, tree, …).
    terminal: Vec<Option<u32>>,
    /// Distinct labels; index 0 is the empty output.
    labels: Vec<Vec<u8>>,
    label_ids: rustc_hash::FxHashMap<Vec<u8>, LabelId>,
}

impl Default for Graph {
    fn default() -> Self {
        let mut label_ids = rustc_hash::FxHashMap::default();
        label_ids.insert(Vec::new(), SILENT);
        Graph {
            first: vec![0],
            edges: Vec::new(),
            terminal: Vec::new(),
            labels: vec![Vec::new()],
            label_ids,
        }
    }
}

impl Graph {
    /// Adds the next node (ids are dense, in the order nodes are added) with its out-edges
    /// and terminal class. Nodes must be added in id order: node `n` is the `n`th call.
    pub fn push_node(
        &mut self,
        edges: impl IntoIterator<Item = Edge>,
        terminal: Option<u32>,
    ) -> NodeId {
        self.edges.extend(edges);
        self.first.push(self.edges.len() as u32);
        self.terminal.push(terminal);
        self.terminal.len() as NodeId - 1
    }

    /// Interns an output label.
    pub fn label(&mut self, bytes: &[u8]) -> LabelId {
        if let Some(id) = self.label_ids.get(bytes) {
            return *id;
        }
        let id = self.labels.len() as LabelId;
        self.labels.push(bytes.to_vec());
        self.label_ids.insert(bytes.to_vec(), id);
        id
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.terminal.len()
    }

    /// Whether the graph has no node.
    pub fn is_empty(&self) -> bool {
        self.terminal.is_empty()
    }

    /// Out-edges of `node`.
    pub fn edges(&self, node: NodeId) -> &[Edge] {
        let n = node as usize;
        &self.edges[self.first[n] as usize..self.first[n + 1] as usize]
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The terminal class of `node`, if the run ends there.
    pub fn terminal(&self, node: NodeId) -> Option<u32> {
        self.terminal[node as usize]
    }

    /// The bytes of a label.
    pub fn label_bytes(&self, label: LabelId) -> &[u8] {
        &self.labels[label as usize]
    }
}
