//! Signal handlers on the real kernel: a caught signal sets a bit in the interpreter's own
//! handler, and the process loop then makes the VM run the scenario's handler
//! ([`crate::vm::Vm::deliver_signal`]), after the interrupted call returned `EINTR` or,
//! with `SA_RESTART`, before the call is made again ([`crate::vm::Vm::interrupt_restart`]).

use super::process::Process;
use crate::ir::FuncId;
use crate::vm::{Reply, Value};
use nix::errno::Errno;
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::sync::atomic::{AtomicU64, Ordering};

/// `SA_RESTART` as the scenario's C library spells it.
const SA_RESTART: i32 = 0x1000_0000;
/// `SA_RESETHAND`: back to the default action once the handler has run.
const SA_RESETHAND: i32 = 0x8000_0000_u32 as i32;

/// Signals caught and not yet handed to the VM, one bit per signal number.
static CAUGHT: AtomicU64 = AtomicU64::new(0);

/// The real handler of every signal the scenario catches: async-signal-safe, it only notes
/// the signal.
extern "C" fn note(signal: libc::c_int) {
    CAUGHT.fetch_or(1 << signal, Ordering::SeqCst);
}

/// Whether a caught signal waits for its handler: a blocking call should return `EINTR`
/// instead of being made again.
pub fn caught() -> bool {
    CAUGHT.load(Ordering::SeqCst) != 0
}

/// Takes the caught signals. Nearly always there are none, and then nothing is written: a
/// write would copy the page of this word into every forked process.
fn take_caught() -> u64 {
    if !caught() {
        return 0;
    }
    CAUGHT.swap(0, Ordering::SeqCst)
}

/// What a process does with one signal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Disposition {
    #[default]
    Default,
    Ignore,
    Handler(FuncId),
}

/// A process's signal dispositions, as the scenario set them.
#[derive(Clone, Debug)]
pub struct Handlers {
    actions: [Disposition; 64],
    /// Signals whose interrupted calls are made again (`SA_RESTART`).
    restart: u64,
    /// Signals reset to the default action once caught (`SA_RESETHAND`).
    reset: u64,
}

impl Default for Handlers {
    fn default() -> Self {
        Handlers {
            actions: [Disposition::Default; 64],
            restart: 0,
            reset: 0,
        }
    }
}

/// Installs the real disposition for `action`.
fn install(signal: Signal, action: Disposition) -> nix::Result<()> {
    let handler = match action {
        Disposition::Default => SigHandler::SigDfl,
        Disposition::Ignore => SigHandler::SigIgn,
        Disposition::Handler(_) => SigHandler::Handler(note),
    };
    // Calls are never restarted by the kernel: the process loop decides, so the
    // scenario's handler can run first.
    let action = SigAction::new(handler, SaFlags::empty(), SigSet::empty());
    // SAFETY: `note` only does an atomic OR, which is async-signal-safe.
    unsafe { nix::sys::signal::sigaction(signal, &action) }.map(drop)
}

impl Process<'_> {
    /// `signal(sig, handler)`: as glibc, with `SA_RESTART`.
    pub(super) fn signal(&mut self, signal: i32, handler: Value) -> Reply {
        self.sigaction(signal, Some(handler), SA_RESTART)
    }

    /// `sigaction(sig, act, oldact)` with `act->sa_handler` and `act->sa_flags`; answers
    /// the previous handler.
    pub(super) fn sigaction(&mut self, signal: i32, handler: Option<Value>, flags: i32) -> Reply {
        let action = match handler {
            None => None,
            Some(Value::Int(0)) => Some(Disposition::Default),
            Some(Value::Int(1)) => Some(Disposition::Ignore),
            Some(Value::Func(f)) => Some(Disposition::Handler(f)),
            Some(_) => return Reply::Error(Errno::EINVAL as i32),
        };
        let Ok(real) = Signal::try_from(signal) else {
            return Reply::Error(Errno::EINVAL as i32);
        };
        let previous = self.handlers.actions[signal as usize];
        if let Some(action) = action {
            if install(real, action).is_err() {
                return Reply::Error(Errno::EINVAL as i32);
            }
            let bit = 1 << signal;
            self.handlers.actions[signal as usize] = action;
            self.handlers.restart =
                (self.handlers.restart & !bit) | if flags & SA_RESTART != 0 { bit } else { 0 };
            self.handlers.reset =
                (self.handlers.reset & !bit) | if flags & SA_RESETHAND != 0 { bit } else { 0 };
        }
        Reply::Value(match previous {
            Disposition::Default => Value::Int(0),
            Disposition::Ignore => Value::Int(1),
            Disposition::Handler(f) => Value::Func(f),
        })
    }

    /// Answers the pending call with `reply` and hands caught signals to the VM: an
    /// interrupted `restartable` call whose signals all restart is set aside and made again
    /// after the handlers.
    pub(super) fn resume_with_signals(&mut self, reply: Reply, restartable: bool) {
        let caught = take_caught();
        let interrupted = restartable && reply == Reply::Error(Errno::EINTR as i32);
        let restart = caught & !self.handlers.restart == 0;
        let t = self.threads.current();
        if !(caught != 0 && interrupted && restart && self.vm.interrupt_restart(t)) {
            self.vm.resume(t, reply);
        }
        self.deliver(caught);
    }

    /// Hands caught signals to the VM while it computes (between two requests).
    pub(super) fn deliver_caught(&mut self) {
        let caught = take_caught();
        self.deliver(caught);
    }

    fn deliver(&mut self, caught: u64) {
        for signal in 1..64 {
            if caught & (1 << signal) == 0 {
                continue;
            }
            if let Disposition::Handler(f) = self.handlers.actions[signal] {
                self.vm
                    .deliver_signal(self.threads.current(), f, signal as i32);
                if self.handlers.reset & (1 << signal) != 0 {
                    self.reset_handler(signal);
                }
            }
        }
    }

    fn reset_handler(&mut self, signal: usize) {
        self.handlers.actions[signal] = Disposition::Default;
        if let Ok(real) = Signal::try_from(signal as i32) {
            let _ = install(real, Disposition::Default);
        }
    }

    /// After `fork`: the child has no caught signals of its own yet.
    pub(super) fn forget_caught(&mut self) {
        take_caught();
    }

    /// After an in-process `exec`: handlers are gone (the code they pointed to is), ignored
    /// signals stay ignored, as `execve(2)` says.
    pub(super) fn reset_handlers_for_exec(&mut self) {
        for signal in 1..64 {
            if matches!(self.handlers.actions[signal], Disposition::Handler(_)) {
                self.reset_handler(signal);
            }
        }
    }
}
