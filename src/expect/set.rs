//! The set forms: `outputs == {…}` and `outcomes CMP n`, judged over all outcomes or,
//! partly, over one run.

use super::describe::{c_string, count};
use super::observe::compare;
use super::Status;
use crate::outcome::Outcome;
use crate::syntax::ast::{CmpOp, Expect, Mode, Property};
use std::collections::BTreeSet;

/// What one run says about a set form: `outputs == S` fails when its output is not in `S`;
/// `outcomes CMP n` fails when no count of one or more satisfies it; otherwise `Unknown`.
pub(super) fn on_one_run(expect: &Expect, outcome: &Outcome) -> (Status, String) {
    let explore = "`scn explore` decides it over every schedule";
    match &expect.prop {
        Property::Outputs(set) => {
            let got = outcome.terminal();
            let shown = c_string(&got);
            if set.contains(&got) {
                (
                    Status::Unknown,
                    format!("this run's output {shown} is in the set; {explore}"),
                )
            } else {
                (Status::Fail, format!("output was {shown}, not in the set"))
            }
        }
        Property::Outcomes(op, n) => {
            let possible = matches!(op, CmpOp::Ne | CmpOp::Gt | CmpOp::Ge)
                || *n > 1
                || (*n == 1 && *op != CmpOp::Lt);
            if possible {
                (
                    Status::Unknown,
                    format!("one run shows one outcome; {explore}"),
                )
            } else {
                (
                    Status::Fail,
                    "there is always at least one outcome".to_string(),
                )
            }
        }
        _ => unreachable!("on_one_run is called for set forms only"),
    }
}

/// The set form over `outcomes` (distinct, one per outcome). `never` negates the verdict.
pub(super) fn on_all(expect: &Expect, outcomes: &[Outcome], complete: bool) -> (Status, String) {
    let (status, detail) = match &expect.prop {
        Property::Outputs(set) => outputs(set, outcomes, complete),
        Property::Outcomes(op, n) => {
            let got = outcomes.len();
            let words = format!("got {}", count(got, "outcome", "outcomes"));
            if !complete {
                (
                    Status::Unknown,
                    format!("{words} before the exploration stopped"),
                )
            } else {
                (pass_if(compare(got as i64, *op, *n)), words)
            }
        }
        _ => unreachable!("on_all is called for set forms only"),
    };
    match (expect.mode, status) {
        (Mode::Never, Status::Pass) => (Status::Fail, detail),
        (Mode::Never, Status::Fail) => (Status::Pass, detail),
        _ => (status, detail),
    }
}

/// `outputs == set`: the distinct outputs must be exactly `set`.
fn outputs(set: &[Vec<u8>], outcomes: &[Outcome], complete: bool) -> (Status, String) {
    let expected: BTreeSet<&[u8]> = set.iter().map(Vec::as_slice).collect();
    let seen: BTreeSet<Vec<u8>> = outcomes.iter().map(Outcome::terminal).collect();
    let unexpected: Vec<String> = seen
        .iter()
        .filter(|o| !expected.contains(o.as_slice()))
        .map(|o| c_string(o))
        .collect();
    let missing: Vec<String> = expected
        .iter()
        .filter(|o| !seen.contains(**o))
        .map(|o| c_string(o))
        .collect();
    if !unexpected.is_empty() {
        return (
            Status::Fail,
            format!("also possible: {}", unexpected.join(", ")),
        );
    }
    if !complete {
        return (
            Status::Unknown,
            format!(
                "{} seen before the exploration stopped",
                count(seen.len(), "output", "outputs")
            ),
        );
    }
    if missing.is_empty() {
        (
            Status::Pass,
            format!("got exactly {}", count(seen.len(), "output", "outputs")),
        )
    } else {
        (
            Status::Fail,
            format!("never produced: {}", missing.join(", ")),
        )
    }
}

fn pass_if(holds: bool) -> Status {
    if holds {
        Status::Pass
    } else {
        Status::Fail
    }
}
