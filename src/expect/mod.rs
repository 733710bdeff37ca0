//! Expectations: evaluating `expect` statements on one outcome or on all of them.
//!
//! A property is first observed on one outcome ([`observe`], [`holds`]); a verdict then
//! quantifies over outcomes: `always` holds in every outcome, `may` in at least one,
//! `never` in none. The set forms (`outputs == {…}`, `outcomes == n`) are about the set
//! itself. [`check_run`] judges the one outcome of `scn run`; [`check_all`] judges every
//! outcome of an exploration.

pub mod describe;
mod observe;
mod set;
mod tree;

pub use observe::{compare, holds, observe, Observation};
pub use tree::{normalize_shape, ProcessTree};

use crate::outcome::{End, Outcome};
use crate::scenario::Scenario;
use crate::syntax::ast::{Expect, Mode, Property};
use crate::syntax::span::Span;
use serde::Serialize;

/// The verdict on one expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It holds.
    Pass,
    /// It does not hold: exit code 1.
    Fail,
    /// The outcomes seen do not decide it (a `may` not seen in one schedule, a set form on
    /// one run, a run stopped at a limit). Not a failure.
    Unknown,
}

/// One expectation with its verdict, for reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExpectResult {
    /// The `expect` statement in the source.
    pub span: Span,
    /// The statement as written, without its `;`: `expect processes == 8`.
    pub text: String,
    /// The verdict.
    pub status: Status,
    /// Why: what was seen (`got 8 processes`, `output was "A\n"`).
    pub detail: String,
}

/// Judges every expectation of `scenario` on the one outcome of `scn run`.
pub fn evaluate_run(scenario: &Scenario, outcome: &Outcome) -> Vec<ExpectResult> {
    check_run(&scenario.expects, &scenario.source, outcome)
}

/// Judges `expects` (written in `source`) on one outcome.
///
/// `always`/`never` are decided by this run; a `may` not seen here is `Unknown` (another
/// schedule may show it); `outputs == S` fails when this run's output is not in `S` and is
/// otherwise `Unknown`; `outcomes CMP n` is `Unknown` unless no count of one or more could
/// satisfy it. When the run stopped at a limit nothing is decided: every verdict is
/// `Unknown`.
pub fn check_run(expects: &[Expect], source: &str, outcome: &Outcome) -> Vec<ExpectResult> {
    expects
        .iter()
        .map(|expect| {
            let (status, detail) = match observe(&expect.prop, outcome) {
                Observation::NoSuchProcess(why) => (Status::Fail, why),
                Observation::SetForm => set::on_one_run(expect, outcome),
                Observation::Decided { holds, observed } => {
                    on_one_run(expect.mode, holds, observed)
                }
            };
            let (status, detail) = undecided_at_limit(&outcome.end, status, detail);
            result(expect, source, status, detail)
        })
        .collect()
}

/// Judges `expects` over `outcomes`, the distinct outcomes of every schedule explored.
/// `complete` is false when the exploration stopped early: then only a witness decides
/// (`always` and `never` can fail, `may` can pass), everything else is `Unknown`.
pub fn check_all(
    expects: &[Expect],
    source: &str,
    outcomes: &[Outcome],
    complete: bool,
) -> Vec<ExpectResult> {
    check_all_counted(expects, source, outcomes, outcomes.len(), complete)
}

/// [`check_all`] over end states that may repeat an outcome (the same outcome reached with
/// a different history of who adopted or reaped whom, which `orphans` expectations see):
/// verdicts speak of the `distinct` outcomes they stand for.
pub fn check_all_counted(
    expects: &[Expect],
    source: &str,
    outcomes: &[Outcome],
    distinct: usize,
    complete: bool,
) -> Vec<ExpectResult> {
    expects
        .iter()
        .map(|expect| {
            let (status, detail) = if is_set_form(&expect.prop) {
                set::on_all(expect, outcomes, complete)
            } else {
                quantify(expect, outcomes, distinct, complete)
            };
            result(expect, source, status, detail)
        })
        .collect()
}

/// Whether `prop` is about the set of outcomes rather than one outcome.
pub fn is_set_form(prop: &Property) -> bool {
    matches!(prop, Property::Outputs(_) | Property::Outcomes(..))
}

/// The verdict of one run on a property it decides.
fn on_one_run(mode: Mode, holds: bool, observed: String) -> (Status, String) {
    match (mode, holds) {
        (Mode::Always, true) | (Mode::Never, false) => (Status::Pass, observed),
        (Mode::Always, false) | (Mode::Never, true) => (Status::Fail, observed),
        (Mode::May, true) => (Status::Pass, format!("{observed}, in this schedule")),
        (Mode::May, false) => (
            Status::Unknown,
            format!("not seen in this schedule ({observed}); `scn explore` tries every schedule"),
        ),
    }
}

/// A run stopped at a limit decides nothing.
fn undecided_at_limit(end: &End, status: Status, detail: String) -> (Status, String) {
    match end {
        End::Limit { limit, value } if status != Status::Unknown => (
            Status::Unknown,
            format!(
                "not decided, the run stopped at {}: {detail}",
                describe::limit(*limit, *value)
            ),
        ),
        _ => (status, detail),
    }
}

/// `always`, `may` or `never` over every outcome, with a witness schedule when one decides.
fn quantify(
    expect: &Expect,
    outcomes: &[Outcome],
    distinct: usize,
    complete: bool,
) -> (Status, String) {
    let witness = |want: bool| {
        outcomes
            .iter()
            .find_map(|o| match observe(&expect.prop, o) {
                Observation::Decided { holds, observed } if holds == want => Some((o, observed)),
                Observation::NoSuchProcess(why) if !want => Some((o, why)),
                _ => None,
            })
    };
    let in_schedule =
        |o: &Outcome, observed: String| format!("{observed}, in schedule `{}`", o.schedule);
    let total = describe::count(distinct, "outcome", "outcomes");
    let (decisive, verdict) = match expect.mode {
        Mode::Always => (false, Status::Fail),
        Mode::Never => (true, Status::Fail),
        Mode::May => (true, Status::Pass),
    };
    if let Some((o, observed)) = witness(decisive) {
        return (verdict, in_schedule(o, observed));
    }
    let opposite = if verdict == Status::Pass {
        Status::Fail
    } else {
        Status::Pass
    };
    let detail = match expect.mode {
        Mode::Always => format!("holds in all {total}"),
        _ => format!("holds in none of {total}"),
    };
    if complete {
        (opposite, detail)
    } else {
        (
            Status::Unknown,
            format!("{detail} found before the exploration stopped"),
        )
    }
}

fn result(expect: &Expect, source: &str, status: Status, detail: String) -> ExpectResult {
    ExpectResult {
        span: expect.span,
        text: text_of(expect.span, source),
        status,
        detail,
    }
}

/// The statement as written, without its `;`.
fn text_of(span: Span, source: &str) -> String {
    let written = source
        .get(span.start as usize..span.end as usize)
        .unwrap_or("expect");
    written.trim().trim_end_matches(';').trim_end().to_string()
}
