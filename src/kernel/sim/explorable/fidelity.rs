//! How closely the explorer follows a run's scheduler, chosen per scenario from the calls its
//! programs can make.

use crate::calls::Call;
use crate::ir::{Image, Instr};
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
    /// to other processes, install handlers or block signals (`kill`, `signal`,
    /// `sigaction`, `sigprocmask`, `sigsuspend`), try a
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
                Call::Kill
                    | Call::Signal
                    | Call::Sigaction
                    | Call::Sigprocmask
                    | Call::Sigsuspend
                    | Call::MsgTrySend
                    | Call::Msgctl
            )
        };
        let calls_observing = |image: &Image| {
            image.reachable().into_iter().any(|f| {
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
