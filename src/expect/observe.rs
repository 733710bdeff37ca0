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
    match prop {
        Property::Outputs(_) | Property::Outcomes(..) => Observation::SetForm,
        Property::Output(..) | Property::OutputContains(_) | Property::OutputLine(_) => {
            observe_output(prop, &outcome.terminal())
        }
        Property::Exit(..)
        | Property::Signaled(..)
        | Property::Var(..)
        | Property::Children(..) => observe_process(prop, outcome, &ProcessTree::of(outcome)),
        _ => observe_whole(prop, outcome),
    }
}

/// The output forms, on the terminal bytes `got`.
fn observe_output(prop: &Property, got: &[u8]) -> Observation {
    let holds = match prop {
        Property::Output(op, expected) => compare(got, *op, expected.as_slice()),
        Property::OutputContains(part) => {
            part.is_empty() || got.windows(part.len()).any(|w| w == part.as_slice())
        }
        Property::OutputLine(line) => lines(got).any(|l| l == line.as_slice()),
        _ => unreachable!("observe_output is called for output forms only"),
    };
    let detail = match (prop, holds) {
        (Property::OutputContains(_), true) => "found in the output".to_string(),
        (Property::OutputLine(_), true) => "found as a whole line".to_string(),
        (Property::Output(..), true) => "output matched".to_string(),
        _ => format!("output was {}", c_string_clipped(got)),
    };
    decided(holds, detail)
}

/// `got` as a C string, clipped to its first 400 bytes with the total length after.
fn c_string_clipped(got: &[u8]) -> String {
    const CLIP: usize = 400;
    if got.len() <= CLIP {
        return c_string(got);
    }
    format!("{}… ({} bytes in all)", c_string(&got[..CLIP]), got.len())
}

/// The forms about one named process: exit status, signal, a variable, its children.
fn observe_process(prop: &Property, outcome: &Outcome, tree: &ProcessTree) -> Observation {
    let (who, judge): (Option<&ProcRef>, &dyn Fn(usize) -> Observation) = match prop {
        Property::Exit(who, op, n) => (who.as_ref(), &|p| {
            ended(
                outcome,
                p,
                |t| matches!(t, Termination::Exited(c) if compare(i64::from(c), *op, *n)),
            )
        }),
        Property::Signaled(who, op, n) => (who.as_ref(), &|p| {
            ended(
                outcome,
                p,
                |t| matches!(t, Termination::Signaled(s) if compare(i64::from(s), *op, *n)),
            )
        }),
        Property::Var(who, var, op, n) => {
            (Some(who), &|p| variable(outcome, p, &var.name, *op, *n))
        }
        Property::Children(who, op, n) => (Some(who), &|p| {
            let got = tree.children[p].len();
            let name = &outcome.processes[p].name;
            decided(
                compare(got as i64, *op, *n),
                format!("{name} created {}", count(got, "child", "children")),
            )
        }),
        _ => unreachable!("observe_process is called for process forms only"),
    };
    let main = ["main".to_string()];
    let path = who.map_or(&main[..], |r| &r.path[..]);
    match tree.resolve(outcome, path) {
        Some(p) => judge(p),
        None => Observation::NoSuchProcess(format!(
            "there is no process `{}` in this run",
            path.join(".")
        )),
    }
}

/// Whether process `p` ended as `wanted` says (a process still running never does).
fn ended(outcome: &Outcome, p: usize, wanted: impl Fn(Termination) -> bool) -> Observation {
    let record = &outcome.processes[p];
    let holds = record.termination.is_some_and(wanted);
    decided(
        holds,
        format!("{} {}", record.name, termination(record.termination)),
    )
}

/// `p.var op n` on the values recorded when `p` exited.
fn variable(outcome: &Outcome, p: usize, var: &str, op: CmpOp, n: i64) -> Observation {
    let record = &outcome.processes[p];
    match record.variables.iter().find(|(name, _)| name == var) {
        Some(&(_, value)) => decided(
            compare(value, op, n),
            format!("{}.{var} was {value}", record.name),
        ),
        None => decided(
            false,
            format!(
                "{}.{var} was not recorded ({} {})",
                record.name,
                record.name,
                termination(record.termination)
            ),
        ),
    }
}

/// The forms about the whole run: counts, the tree, deadlock.
fn observe_whole(prop: &Property, outcome: &Outcome) -> Observation {
    let counted = |op: &CmpOp, n: &i64, got: usize, one: &str, many: &str| {
        decided(
            compare(got as i64, *op, *n),
            format!("got {}", count(got, one, many)),
        )
    };
    match prop {
        Property::Processes(op, n) => {
            counted(op, n, outcome.processes.len(), "process", "processes")
        }
        Property::Zombies(op, n) => counted(op, n, outcome.zombies(), "zombie", "zombies"),
        Property::Orphans(op, n) => counted(op, n, outcome.orphans(), "orphan", "orphans"),
        Property::Deadlock => decided(is_deadlock(&outcome.end), end_words(&outcome.end)),
        Property::NoDeadlock => decided(!is_deadlock(&outcome.end), end_words(&outcome.end)),
        Property::Depth(op, n) => {
            let got = ProcessTree::of(outcome).height();
            decided(
                compare(got as i64, *op, *n),
                format!("the tree is {got} deep"),
            )
        }
        Property::File(path, op, expected) => {
            let wanted = path.trim_start_matches("./");
            let file = (outcome.files.iter()).find(|f| f.path.trim_start_matches("./") == wanted);
            let got = file.map_or(&[][..], |f| f.contents.as_slice());
            let observed = match file {
                Some(_) => format!("{path} held {}", c_string_clipped(got)),
                None => format!("there was no file {path} at the end"),
            };
            decided(compare(got, *op, expected.as_slice()), observed)
        }
        Property::Tree(shape) => {
            let tree = ProcessTree::of(outcome);
            let got = if outcome.processes.is_empty() {
                String::new()
            } else {
                tree.shape(0)
            };
            let holds = normalize_shape(&got) == normalize_shape(shape);
            decided(holds, format!("tree was \"{got}\""))
        }
        _ => unreachable!("every other form is dispatched by observe"),
    }
}

fn decided(holds: bool, observed: String) -> Observation {
    Observation::Decided { holds, observed }
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
