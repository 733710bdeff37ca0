//! Signals (`signal(7)`): dispositions set with `signal(2)`, `kill(2)`, `raise(3)`,
//! `pause(2)`, `alarm(2)` on the virtual clock, `SIGCHLD` to the parent of a terminated
//! child, and delivery (a handler runs when the process next runs).

use super::kernel::{Kernel, Step};
use super::pcb::{Block, ProcessTable};
use crate::errno::{EINTR, EINVAL, ESRCH};
use crate::ir::FuncId;
use crate::outcome::{ProcessState, Termination};
use crate::vm::{Reply, Value};

/// `SIGKILL`: cannot be caught or ignored.
pub const SIGKILL: i32 = 9;
/// `SIGALRM`: what `alarm` sends.
pub const SIGALRM: i32 = 14;
/// `SIGCHLD`: sent to the parent when a child terminates.
pub const SIGCHLD: i32 = 17;
/// `SA_RESTART`: blocking calls go on after the handler.
pub const SA_RESTART: i32 = 0x1000_0000;
/// `SA_RESETHAND`: the handler is used once.
pub const SA_RESETHAND: i32 = 0x8000_0000_u32 as i32;
/// `SIGSTOP`: cannot be caught or ignored.
pub const SIGSTOP: i32 = 19;
/// Signals are numbered `1..NSIG` (the standard signals of Linux).
pub const NSIG: i32 = 32;

/// What a process does on a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// `SIG_DFL`: the default action of `signal(7)`.
    Default,
    /// `SIG_IGN`.
    Ignore,
    /// A function of the process's image, called with the signal number.
    Handler(FuncId),
}

/// The default action of a signal, as `signal(7)` lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DefaultAction {
    /// Terminate (`Term`; `Core` also dumps core, which is not simulated).
    Terminate,
    /// Ignore (`SIGCHLD`, `SIGURG`, `SIGWINCH`, `SIGCONT`; stop signals, since stopping is
    /// not simulated).
    Ignore,
}

/// The default action of `signal`.
pub fn default_action(signal: i32) -> DefaultAction {
    match signal {
        17 | 18 | 19 | 20 | 21 | 22 | 23 | 28 => DefaultAction::Ignore,
        _ => DefaultAction::Terminate,
    }
}

/// One process's signal state.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Signals {
    /// Dispositions, allocated at the first `signal`/`sigaction`: most processes keep every
    /// default, and a fork copies nothing for them.
    actions: Option<Box<[Disposition; NSIG as usize]>>,
    /// Signals waiting to be delivered, one bit per signal (bit `n` for signal `n`): caught
    /// ones until the process is next dispatched, blocked ones until unblocked. A standard
    /// signal sent again while pending is merged (not queued).
    pub pending: u32,
    /// The signal mask (`sigprocmask(2)`), bit `n` for signal `n`: blocked signals stay
    /// pending. Inherited by `fork` and kept by `exec`.
    pub blocked: u32,
    /// The mask `sigsuspend(2)` replaced, restored once a handler has been called.
    pub saved_mask: Option<u32>,
    /// When `SIGALRM` is due (virtual microseconds), if an alarm is set.
    pub alarm: Option<u64>,
    /// Signals whose handler was installed without `SA_RESTART`: they interrupt every
    /// blocking call with `EINTR`.
    pub no_restart: u32,
    /// Signals installed with `SA_RESETHAND`: the disposition reverts to the default when
    /// the handler is called.
    pub reset: u32,
}

impl Signals {
    /// The disposition of `signal` (1 ≤ `signal` < [`NSIG`]).
    pub fn action(&self, signal: i32) -> Disposition {
        self.actions
            .as_ref()
            .map_or(Disposition::Default, |a| a[signal as usize])
    }

    /// Sets the disposition of `signal`, returning the previous one; a pending signal that
    /// is no longer caught is dropped.
    pub fn set(&mut self, signal: i32, action: Disposition) -> Disposition {
        let ignored = match action {
            Disposition::Ignore => true,
            Disposition::Default => default_action(signal) == DefaultAction::Ignore,
            Disposition::Handler(_) => false,
        };
        // POSIX sigaction: ignoring a pending signal discards it, blocked or not.
        if ignored {
            self.pending &= !(1 << signal);
        }
        let actions = self
            .actions
            .get_or_insert_with(|| Box::new([Disposition::Default; NSIG as usize]));
        std::mem::replace(&mut actions[signal as usize], action)
    }

    /// What a child created by `fork` has: the same dispositions and mask, nothing
    /// pending, no alarm (`fork(2)`).
    pub fn forked(&self) -> Signals {
        Signals {
            pending: 0,
            alarm: None,
            saved_mask: None,
            ..self.clone()
        }
    }

    /// After `execve(2)`: caught signals revert to their default; ignored ones stay.
    pub fn exec(&mut self) {
        for action in self.actions.iter_mut().flat_map(|a| a.iter_mut()) {
            if matches!(action, Disposition::Handler(_)) {
                *action = Disposition::Default;
            }
        }
        self.pending = 0;
    }
}

/// Whether process `p` has a sleep or an alarm due at `until` (clock entries of other
/// kinds are stale).
pub fn timer_due(table: &ProcessTable, p: u32, until: u64) -> bool {
    let Some(live) = table.get(p).live.as_ref() else {
        return false;
    };
    let slept = Some(Block::Sleep { until });
    live.block == slept
        || live.signals.alarm == Some(until)
        || live.threads.tasks.iter().any(|t| t.block == slept)
}

fn ok(n: i64) -> Step {
    Step::Reply(Reply::Value(Value::Int(n)))
}

impl Kernel<'_> {
    /// `signal(sig, handler)`: the previous disposition is the reply. `SIGKILL`, `SIGSTOP`
    /// and numbers out of range fail with `EINVAL`. Installs as glibc does: `SA_RESTART`.
    pub(super) fn signal(&mut self, p: u32, signal: i32, handler: Value) -> Step {
        self.sigaction(p, signal, Some(handler), SA_RESTART)
    }

    /// `sigaction(sig, act, oldact)`: as [`Kernel::signal`] with `act->sa_flags`
    /// (`SA_RESTART`, `SA_RESETHAND`; others are accepted and ignored); `handler` `None`
    /// only asks for the current disposition.
    pub(super) fn sigaction(
        &mut self,
        p: u32,
        signal: i32,
        handler: Option<Value>,
        flags: i32,
    ) -> Step {
        let action = match handler {
            None => None,
            Some(Value::Int(0)) => Some(Disposition::Default),
            Some(Value::Int(1)) => Some(Disposition::Ignore),
            Some(Value::Func(f)) => Some(Disposition::Handler(f)),
            Some(_) => return Step::Reply(Reply::Error(EINVAL)),
        };
        let catchable = signal != SIGKILL && signal != SIGSTOP;
        if !(1..NSIG).contains(&signal) || (action.is_some() && !catchable) {
            return Step::Reply(Reply::Error(EINVAL));
        }
        let signals = &mut self.table.live(p).signals;
        let previous = match action {
            None => signals.action(signal),
            Some(action) => {
                let bit = 1 << signal;
                signals.no_restart &= !bit;
                signals.reset &= !bit;
                if flags & SA_RESTART == 0 {
                    signals.no_restart |= bit;
                }
                if flags & SA_RESETHAND != 0 {
                    signals.reset |= bit;
                }
                signals.set(signal, action)
            }
        };
        Step::Reply(Reply::Value(match previous {
            Disposition::Default => Value::Int(0),
            Disposition::Ignore => Value::Int(1),
            Disposition::Handler(f) => Value::Func(f),
        }))
    }

    /// `kill(pid, sig)`: `pid > 0` that process (a zombie accepts and ignores it), `0` and
    /// `-1` every live process of the run (`-1` not the caller), `-pgid` the process group,
    /// which is the whole run with the initial process's pid (`ESRCH` for another); signal 0
    /// only checks.
    pub(super) fn kill(&mut self, p: u32, pid: i64, signal: i32) -> Step {
        if !(0..NSIG).contains(&signal) {
            return Step::Reply(Reply::Error(EINVAL));
        }
        let targets: Vec<u32> = if pid > 0 {
            match self.table.index_of(pid) {
                Some(q) if self.table.get(q).live.is_some() || self.table.get(q).zombie => {
                    vec![q]
                }
                _ => return Step::Reply(Reply::Error(ESRCH)),
            }
        } else {
            if pid < -1 && pid != -self.table.first_pid {
                return Step::Reply(Reply::Error(ESRCH));
            }
            let all = 0..self.table.pcbs.len() as u32;
            all.filter(|&q| self.table.get(q).live.is_some() && (pid != -1 || q != p))
                .collect()
        };
        if signal != 0 {
            for q in targets {
                self.send_signal(q, signal);
            }
        }
        if self.table.get(p).live.is_none() {
            return Step::Performed;
        }
        ok(0)
    }

    /// `raise(sig)`: `kill(getpid(), sig)`.
    pub(super) fn raise(&mut self, p: u32, signal: i32) -> Step {
        let pid = self.table.pid(p);
        self.kill(p, pid, signal)
    }

    /// `pause()`: waits for a caught signal (the call then fails with `EINTR`).
    pub(super) fn pause(&mut self) -> Step {
        Step::PerformedThenBlocked(Block::Pause)
    }

    /// `alarm(seconds)`: `SIGALRM` once the virtual clock has advanced by `seconds` (0
    /// cancels); the reply is the whole seconds left of the previous alarm, rounded up.
    pub(super) fn alarm(&mut self, p: u32, seconds: u32) -> Step {
        let now = self.clock.now;
        let due = (seconds > 0).then(|| self.clock.sleep(p, u64::from(seconds) * 1_000_000));
        let previous = std::mem::replace(&mut self.table.live(p).signals.alarm, due);
        let left = previous.map_or(0, |t| t.saturating_sub(now).div_ceil(1_000_000));
        ok(left as i64)
    }

    /// Fires `p`'s alarm if it is due at `t`.
    pub(super) fn alarm_due(&mut self, p: u32, t: u64) {
        let live = self.table.get_mut(p).live.as_deref_mut();
        if let Some(live) = live.filter(|l| l.signals.alarm == Some(t)) {
            live.signals.alarm = None;
            self.send_signal(p, SIGALRM);
        }
    }

    /// Sends `signal` to process `q`: ignored, the default action (termination happens at
    /// once), or marked pending for its handler, interrupting a `pause`, `sleep`, `msgsnd`,
    /// `msgrcv` or `receive` it is blocked in. Other blocking calls are restarted, as with
    /// glibc's `signal` (`SA_RESTART`): the handler runs once the call returns.
    pub(super) fn send_signal(&mut self, q: u32, signal: i32) {
        let Some(live) = self.table.get(q).live.as_ref() else {
            return;
        };
        let action = if signal == SIGKILL {
            Disposition::Default
        } else {
            live.signals.action(signal)
        };
        let blockable = signal != SIGKILL && signal != SIGSTOP;
        if blockable && live.signals.blocked & (1 << signal) != 0 {
            // Blocked: pending whatever the disposition, acted on once unblocked (Linux
            // never ignores a blocked signal at generation).
            self.table.live(q).signals.pending |= 1 << signal;
            return;
        }
        match action {
            Disposition::Ignore => {}
            Disposition::Default => match default_action(signal) {
                DefaultAction::Ignore => {}
                DefaultAction::Terminate => self.terminate(q, Termination::Signaled(signal)),
            },
            Disposition::Handler(_) => {
                self.table.live(q).signals.pending |= 1 << signal;
                self.interrupt(q, signal);
            }
        }
    }

    /// Ends the blocking call `q` waits in, if caught `signal` interrupts it.
    fn interrupt(&mut self, q: u32, signal: i32) {
        if self.table.get(q).state != ProcessState::Waiting {
            return;
        }
        let live = self.table.live(q);
        let restart = live.signals.no_restart & (1 << signal) == 0;
        let reply = match live.block {
            Some(Block::Sleep { until }) => {
                let left = until.saturating_sub(self.clock.now).div_ceil(1_000_000);
                Reply::Value(Value::Int(left as i64))
            }
            Some(
                Block::Pause
                | Block::Msgsnd { .. }
                | Block::Msgrcv { .. }
                | Block::MailboxReceive { .. }
                | Block::ReceiveFrom { .. },
            ) => Reply::Error(EINTR),
            Some(Block::Write { .. } | Block::Send { .. }) if !restart && live.written > 0 => {
                let written = std::mem::take(&mut live.written);
                Reply::Value(Value::Int(written as i64))
            }
            Some(block) if block.restartable() && restart && live.written == 0 => {
                if live.vm.interrupt_restart(live.thread()) {
                    self.wake(q);
                }
                return;
            }
            Some(Block::OpenFifo { fd, .. }) if !restart => {
                if let Some(file) = live.fds.remove(fd) {
                    self.file_closed(file);
                }
                Reply::Error(EINTR)
            }
            Some(block) if block.restartable() && !restart => Reply::Error(EINTR),
            _ => return,
        };
        self.table.live(q).resume(reply);
        self.wake(q);
    }

    /// Runs the handlers of `p`'s pending signals that are not blocked (lowest number
    /// first) when it is dispatched, unless it is about to retry a blocked call; the mask a
    /// `sigsuspend` replaced comes back.
    pub(super) fn deliver_signals(&mut self, p: u32) {
        let live = self.table.live(p);
        let pending = live.signals.pending & !live.signals.blocked;
        if pending == 0 || live.vm.pending(live.thread()).is_some() {
            return;
        }
        live.signals.pending &= !pending;
        if let Some(mask) = live.signals.saved_mask.take() {
            live.signals.blocked = mask;
        }
        for signal in 1..NSIG {
            if pending & (1 << signal) != 0 {
                if let Disposition::Handler(f) = live.signals.action(signal) {
                    live.vm
                        .deliver_signal(live.threads.current as usize, f, signal);
                    if live.signals.reset & (1 << signal) != 0 {
                        live.signals.set(signal, Disposition::Default);
                    }
                }
            }
        }
    }

    /// `p` terminated: its parent (if not init) is sent `SIGCHLD`. A parent that set
    /// `SIGCHLD` to `SIG_IGN` gets no zombie: the child is reaped at once (POSIX `wait`,
    /// `_exit`), and its `wait` then fails with `ECHILD` once no child is left.
    pub(super) fn notify_parent(&mut self, p: u32) {
        let Some(q) = self.table.get(p).parent else {
            return;
        };
        if self.table.live(q).signals.action(SIGCHLD) == Disposition::Ignore {
            self.table.live(q).zombies.remove(&p);
            self.table.get_mut(p).zombie = false;
            let pid = self.table.pid(q);
            self.table.record_mut(p).reaped_by = Some(pid);
        }
        self.send_signal(q, SIGCHLD);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_actions_follow_signal_7() {
        assert_eq!(default_action(2), DefaultAction::Terminate);
        assert_eq!(default_action(6), DefaultAction::Terminate);
        assert_eq!(default_action(SIGCHLD), DefaultAction::Ignore);
        assert_eq!(default_action(SIGALRM), DefaultAction::Terminate);
    }

    #[test]
    fn setting_a_disposition_returns_the_old_one_and_drops_uncaught_pending() {
        let mut s = Signals::default();
        assert_eq!(
            s.set(2, Disposition::Handler(FuncId(3))),
            Disposition::Default
        );
        s.pending = 1 << 2;
        assert_eq!(
            s.set(2, Disposition::Ignore),
            Disposition::Handler(FuncId(3))
        );
        assert_eq!(s.pending, 0);
    }

    #[test]
    fn fork_keeps_dispositions_and_exec_resets_handlers() {
        let mut s = Signals::default();
        s.set(2, Disposition::Handler(FuncId(1)));
        s.set(15, Disposition::Ignore);
        s.pending = 1 << 2;
        s.alarm = Some(5);
        let child = s.forked();
        assert_eq!(child.action(2), Disposition::Handler(FuncId(1)));
        assert_eq!((child.pending, child.alarm), (0, None));
        s.exec();
        assert_eq!(s.action(2), Disposition::Default);
        assert_eq!(s.action(15), Disposition::Ignore);
        assert_eq!(s.alarm, Some(5));
    }
}
