//! The signal mask: `sigprocmask(2)`, `sigsuspend(2)` and `sigpending(2)`. A blocked
//! signal stays pending (whatever its disposition) until unblocked; then its action is
//! taken: a handler runs at the process's next dispatch, a default action at once.

use super::kernel::{Kernel, Step};
use super::pcb::Block;
use super::signal::{default_action, DefaultAction, Disposition, NSIG, SIGKILL, SIGSTOP};
use crate::errno::{EINTR, EINVAL};
use crate::outcome::Termination;
use crate::vm::{Reply, Value};

/// `how` of `sigprocmask` (Linux values).
const SIG_BLOCK: i32 = 0;
const SIG_UNBLOCK: i32 = 1;
const SIG_SETMASK: i32 = 2;

/// Signals no mask can block.
const UNBLOCKABLE: u32 = 1 << SIGKILL | 1 << SIGSTOP;

impl Kernel<'_> {
    /// `sigprocmask(how, set, oldset)`: with `set` (bit `n` for signal `n`), blocks its
    /// signals (`SIG_BLOCK`), unblocks them (`SIG_UNBLOCK`) or makes it the mask
    /// (`SIG_SETMASK`); `SIGKILL` and `SIGSTOP` are never blocked. The reply is the old
    /// mask. A pending signal unblocked here is acted on before the call returns.
    pub(super) fn sigprocmask(&mut self, p: u32, how: i32, set: Option<u32>) -> Step {
        let signals = &mut self.table.live(p).signals;
        let old = signals.blocked;
        if let Some(set) = set {
            let set = set & !UNBLOCKABLE;
            signals.blocked = match how {
                SIG_BLOCK => old | set,
                SIG_UNBLOCK => old & !set,
                SIG_SETMASK => set,
                _ => return Step::Reply(Reply::Error(EINVAL)),
            };
        }
        if self.release(p) {
            return Step::Performed;
        }
        Step::Reply(Reply::Value(Value::Int(i64::from(old))))
    }

    /// `sigsuspend(mask)`: makes `mask` the signal mask and waits for a caught signal; the
    /// call fails with `EINTR` and the old mask comes back once the handler is called. A
    /// signal the new mask unblocks that is already pending ends the wait at once.
    pub(super) fn sigsuspend(&mut self, p: u32, mask: u32) -> Step {
        let signals = &mut self.table.live(p).signals;
        signals.saved_mask.get_or_insert(signals.blocked);
        signals.blocked = mask & !UNBLOCKABLE;
        if self.release(p) {
            return Step::Performed;
        }
        let signals = &self.table.live(p).signals;
        if signals.pending & !signals.blocked != 0 {
            return Step::Reply(Reply::Error(EINTR));
        }
        Step::PerformedThenBlocked(Block::Pause)
    }

    /// `sigpending(set)`: the signals pending because they are blocked.
    pub(super) fn sigpending(&mut self, p: u32) -> Step {
        let signals = &self.table.live(p).signals;
        let blocked_pending = signals.pending & signals.blocked;
        Step::Reply(Reply::Value(Value::Int(i64::from(blocked_pending))))
    }

    /// Takes the action of `p`'s pending signals that are no longer blocked and not
    /// caught: an ignored one is dropped, a terminating one kills `p`. `true` if `p` died.
    fn release(&mut self, p: u32) -> bool {
        let signals = &mut self.table.live(p).signals;
        let unblocked = signals.pending & !signals.blocked;
        for signal in 1..NSIG {
            if unblocked & (1 << signal) == 0 {
                continue;
            }
            let signals = &mut self.table.live(p).signals;
            match signals.action(signal) {
                Disposition::Handler(_) => {}
                Disposition::Ignore => signals.pending &= !(1 << signal),
                Disposition::Default => {
                    signals.pending &= !(1 << signal);
                    if default_action(signal) == DefaultAction::Terminate {
                        self.terminate(p, Termination::Signaled(signal));
                        return true;
                    }
                }
            }
        }
        false
    }
}
