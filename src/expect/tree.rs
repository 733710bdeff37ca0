//! The process tree of one outcome: children in creation order, depth, tree paths and
//! the shape notation `*(*(*) *)`.

use crate::outcome::Outcome;

/// Parent/child links of an [`Outcome`]'s processes, by creator (not by final ppid, which
/// changes when a process is orphaned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessTree {
    /// For each process index, the indices of the processes it created, in creation order.
    pub children: Vec<Vec<usize>>,
    /// For each process index, its depth: 1 for the initial process.
    pub depth: Vec<usize>,
}

impl ProcessTree {
    /// Builds the tree of `outcome` (records are in creation order, so a creator always
    /// comes before what it created).
    pub fn of(outcome: &Outcome) -> ProcessTree {
        let n = outcome.processes.len();
        let mut children = vec![Vec::new(); n];
        let mut depth = vec![1; n];
        for (index, record) in outcome.processes.iter().enumerate() {
            if let Some(creator) = record.creator.filter(|&c| c < n && c != index) {
                children[creator].push(index);
                depth[index] = depth[creator] + 1;
            }
        }
        ProcessTree { children, depth }
    }

    /// The height of the tree, counting the initial process as 1; 0 for no process.
    pub fn height(&self) -> usize {
        self.depth.iter().copied().max().unwrap_or(0)
    }

    /// The process at a tree path: `["main", "2", "1"]` is the first child of the second
    /// child of the initial process (children counted from 1 in creation order). The first
    /// component is `main` or a process's recorded name (a `spawn` name); later components
    /// must be numbers. `None` if there is no such process.
    pub fn resolve(&self, outcome: &Outcome, path: &[String]) -> Option<usize> {
        let (first, rest) = path.split_first()?;
        let mut at = if first == "main" {
            (!outcome.processes.is_empty()).then_some(0)?
        } else {
            outcome.processes.iter().position(|p| &p.name == first)?
        };
        for step in rest {
            let nth: usize = step.parse().ok()?;
            at = *self.children[at].get(nth.checked_sub(1)?)?;
        }
        Some(at)
    }

    /// The shape of the subtree at `root`: a process is `*`, followed by its children in
    /// creation order in parentheses, separated by spaces. One process with two children,
    /// the first of which has a child: `*(*(*) *)`; a chain of three: `*(*(*))`.
    pub fn shape(&self, root: usize) -> String {
        let mut out = String::new();
        // Iterative so a chain of thousands of processes cannot overflow the stack.
        let mut stack: Vec<Frame> = vec![Frame::Enter(root)];
        while let Some(frame) = stack.pop() {
            match frame {
                Frame::Enter(p) => {
                    out.push('*');
                    let kids = &self.children[p];
                    if !kids.is_empty() {
                        out.push('(');
                        stack.push(Frame::Text(")"));
                        for (i, &kid) in kids.iter().enumerate().rev() {
                            stack.push(Frame::Enter(kid));
                            if i > 0 {
                                stack.push(Frame::Text(" "));
                            }
                        }
                    }
                }
                Frame::Text(t) => out.push_str(t),
            }
        }
        out
    }
}

/// Work left while writing a shape.
enum Frame {
    Enter(usize),
    Text(&'static str),
}

/// `shape` with all whitespace removed, so `*( * * )` and `*(* *)` compare equal (the
/// notation stays unambiguous without spaces: every `(` follows the `*` it belongs to).
pub fn normalize_shape(shape: &str) -> String {
    shape.chars().filter(|c| !c.is_whitespace()).collect()
}
