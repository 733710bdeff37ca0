//! How closely the explorer follows a run's scheduler, chosen per scenario from the calls its
//! programs can make.

use crate::calls::Call;
use crate::ir::{FuncId, GlobalInit, Image, Instr};
use crate::scenario::Scenario;

/// How closely a state follows a run's scheduler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fidelity {
    /// Every live thread runs on to its next request at once; a transition performs one
    /// thread's pending request. Exact while nothing can tell a process that has run up
    /// to its request from one that has not.
    Eager,
    /// A transition is a run's dispatch of one ready process: its pending signals are
    /// delivered, it runs to its request and performs it, or tries it and blocks (a silent
    /// move, written `name:block` in a schedule). Used when the scenario can send signals
    /// to other processes or install handlers (`kill`, `signal`, `sigaction`), try a
    /// rendezvous (`try_send`, which succeeds only if a receiver already waits), remove
    /// a message queue under waiting processes (`msgctl`), or end descendants with their
    /// parent (`cascading_termination`: what a killed process's watched variables hold
    /// depends on how far it ran).
    Dispatch,
}

impl Fidelity {
    /// The fidelity `scenario` needs: [`Fidelity::Dispatch`] if code of one of its programs
    /// that can run (reachable from the entry, or whose address is taken) calls one of the
    /// calls that tell the difference, or its configuration kills descendants. Wrappers a
    /// header defines but the program never calls (`csapp.h`'s `Kill`) do not count.
    pub(super) fn of(scenario: &Scenario) -> Fidelity {
        let catalog = &scenario.catalog;
        let mut images = std::iter::once(&catalog.main).chain(catalog.programs.values());
        let observes = |call: Call| {
            matches!(
                call,
                Call::Kill | Call::Signal | Call::Sigaction | Call::MsgTrySend | Call::Msgctl
            )
        };
        let calls_observing = |image: &Image| {
            reachable(image).into_iter().any(|f| {
                (image.functions[f].code.iter())
                    .any(|instr| matches!(instr, Instr::Call(call, _) if observes(*call)))
            })
        };
        if scenario.config.cascading_termination || images.any(|i| calls_observing(i)) {
            Fidelity::Dispatch
        } else {
            Fidelity::Eager
        }
    }
}

/// The functions of `image` that can run: the entry, the functions whose address a global
/// holds, and every function those call or take the address of (a handler, a thread's
/// start, an `atexit` function), by index.
fn reachable(image: &Image) -> Vec<usize> {
    let globals = (image.global_slots.iter())
        .chain(image.data_pointers.iter().map(|(_, init)| init))
        .filter_map(|init| match init {
            GlobalInit::Func(f) => Some(f.0 as usize),
            _ => None,
        });
    let mut seen = vec![false; image.functions.len()];
    let mut todo: Vec<usize> = std::iter::once(image.entry.0 as usize)
        .chain(globals)
        .collect();
    while let Some(f) = todo.pop() {
        if std::mem::replace(&mut seen[f], true) {
            continue;
        }
        todo.extend(
            image.functions[f]
                .code
                .iter()
                .filter_map(|instr| match instr {
                    Instr::CallFunc(FuncId(g), _) | Instr::Func(FuncId(g)) => Some(*g as usize),
                    _ => None,
                }),
        );
    }
    (0..seen.len()).filter(|&f| seen[f]).collect()
}
