//! What one outcome says about one property: whether it holds and what was seen.

use super::describe::{c_string, count, limit, termination};
use super::tree::{normalize_shape, ProcessTree};
use crate::outcome::{End, Outcome, Termination};
use crate::syntax::ast::{CmpOp, ProcRef, Property};

/// The answer one outcome gives to a property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
    /// Decidable on this outcome.
    Decided {
        /// Whether the property holds in it.
        holds: bool,
        /// What was seen, for the report: `got 8 processes`, `output was "A\n"`.
        observed: String,
    },
    /// The property names a process this outcome does not have (`main.3` when main created
    /// two children); the sentence says which.
    NoSuchProcess(String),
    /// A set form (`outputs == {…}`, `outcomes == n`): only all outcomes together decide it.
    SetForm,
}

/// Whether `prop` holds in `outcome`: `None` for the set forms, which no single outcome
/// decides; `Some(false)` when it names a process the outcome does not have.
pub fn holds(prop: &Property, outcome: &Outcome) -> Option<bool> {
    match observe(prop, outcome) {
        Observation::Decided { holds, .. } => Some(holds),
        Observation::NoSuchProcess(_) => Some(false),
        Observation::SetForm => None,
    }
}

/// Evaluates `prop` on `outcome`, with what was seen.
pub fn observe(prop: &Property, outcome: &Outcome) -> Observation {
    let tree = ProcessTree::of(outcome);
    match prop {
        Property::Processes(op, n) => {
            let got = outcome.processes.len();
            decided(
                compare(got as i64, *op, *n),
                format!("got {}", count(got, "process", "processes")),
            )
        }
        Property::Output(op, expected) => {
            let got = outcome.terminal();
            let holds = compare(got.as_slice(), *op, expected.as_slice());
            decided(holds, format!("output was {}", c_string(&got)))
        }
        Property::OutputContains(part) => {
            let got = outcome.terminal();
            let holds = part.is_empty() || got.windows(part.len()).any(|w| w == part.as_slice());
            decided(holds, format!("output was {}", c_string(&got)))
        }
        Property::OutputLine(line) => {
            let got = outcome.terminal();
            let holds = lines(&got).any(|l| l == line.as_slice());
            decided(holds, format!("output was {}", c_string(&got)))
        }
        Property::Outputs(_) | Property::Outcomes(..) => Observation::SetForm,
        Property::Exit(who, op, n) => with_process(&tree, outcome, who.as_ref(), |p| {
            let ended = outcome.processes[p].termination;
            let holds = matches!(ended, Some(Termination::Exited(code)) if compare(i64::from(code), *op, *n));
            decided(
                holds,
                format!("{} {}", outcome.processes[p].name, termination(ended)),
            )
        }),
        Property::Signaled(who, op, n) => with_process(&tree, outcome, who.as_ref(), |p| {
            let ended = outcome.processes[p].termination;
            let holds = matches!(ended, Some(Termination::Signaled(sig)) if compare(i64::from(sig), *op, *n));
            decided(
                holds,
                format!("{} {}", outcome.processes[p].name, termination(ended)),
            )
        }),
        Property::Zombies(op, n) => {
            let got = outcome.zombies();
            decided(
                compare(got as i64, *op, *n),
                format!("got {}", count(got, "zombie", "zombies")),
            )
        }
        Property::Orphans(op, n) => {
            let got = outcome.orphans();
            decided(
                compare(got as i64, *op, *n),
                format!("got {}", count(got, "orphan", "orphans")),
            )
        }
        Property::Deadlock => decided(is_deadlock(&outcome.end), end_words(&outcome.end)),
        Property::NoDeadlock => decided(!is_deadlock(&outcome.end), end_words(&outcome.end)),
        Property::Var(who, var, op, n) => with_process(&tree, outcome, Some(who), |p| {
            let record = &outcome.processes[p];
            match record.variables.iter().find(|(name, _)| *name == var.name) {
                Some(&(_, value)) => decided(
                    compare(value, *op, *n),
                    format!("{}.{} was {value}", record.name, var.name),
                ),
                None => decided(
                    false,
                    format!(
                        "{}.{} was not recorded ({} {})",
                        record.name,
                        var.name,
                        record.name,
                        termination(record.termination)
                    ),
                ),
            }
        }),
        Property::Children(who, op, n) => with_process(&tree, outcome, Some(who), |p| {
            let got = tree.children[p].len();
            let name = &outcome.processes[p].name;
            decided(
                compare(got as i64, *op, *n),
                format!("{name} created {}", count(got, "child", "children")),
            )
        }),
        Property::Depth(op, n) => {
            let got = tree.height();
            decided(
                compare(got as i64, *op, *n),
                format!("the tree is {got} deep"),
            )
        }
        Property::Tree(shape) => {
            let got = if outcome.processes.is_empty() {
                String::new()
            } else {
                tree.shape(0)
            };
            let holds = normalize_shape(&got) == normalize_shape(shape);
            decided(holds, format!("tree was \"{got}\""))
        }
    }
}

fn decided(holds: bool, observed: String) -> Observation {
    Observation::Decided { holds, observed }
}

/// Runs `f` on the process `who` names (`None` = the initial process), or says it is missing.
fn with_process(
    tree: &ProcessTree,
    outcome: &Outcome,
    who: Option<&ProcRef>,
    f: impl FnOnce(usize) -> Observation,
) -> Observation {
    let main = ["main".to_string()];
    let path = who.map_or(&main[..], |r| &r.path[..]);
    match tree.resolve(outcome, path) {
        Some(p) => f(p),
        None => Observation::NoSuchProcess(format!(
            "there is no process `{}` in this run",
            path.join(".")
        )),
    }
}

/// `a op b` for any ordered values.
pub fn compare<T: PartialOrd>(a: T, op: CmpOp, b: T) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
    }
}

/// The lines of terminal output, without their `\n`; a last line with no `\n` counts.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    body.split(|&b| b == b'\n')
        .filter(move |_| !bytes.is_empty())
}

fn is_deadlock(end: &End) -> bool {
    matches!(end, End::Deadlock { .. })
}

/// How the run ended, in a few words.
fn end_words(end: &End) -> String {
    match end {
        End::Finished => "the run finished".to_string(),
        End::Deadlock { waiting } => format!(
            "the run deadlocked with {} blocked",
            count(waiting.len(), "process", "processes")
        ),
        End::Limit {
            limit: which,
            value,
        } => format!("the run stopped at {}", limit(*which, *value)),
    }
}
