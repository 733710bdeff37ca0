//! Waiting in a process scheduled by the interpreter (`threads`): a system call that may
//! block is first tried without blocking (`poll(2)` with no timeout, `WNOHANG`,
//! `IPC_NOWAIT`), so the other threads run meanwhile; when no thread can go on, the one OS
//! thread blocks: in the single call some thread waits in, on a shared word with
//! `futex(2)`, in `pause(2)` when every thread waits for another one of the process (only a
//! signal can help then), or in short naps while several calls wait at once.

use super::handlers::caught;
use super::mailbox;
use super::process::Process;
use super::record::Record;
use super::sync::wait_shared;
use super::threads::{Attempt, Threads, Wait};
use super::waits::Waiting;
use crate::vm::{Reply, Request, Value};
use nix::errno::Errno;
use nix::sys::signal::{sigprocmask, SigSet, SigmaskHow};
use std::time::{Duration, Instant};

/// How often a process whose signal mask cannot be changed looks for a caught signal.
const SIGNAL_LOOK: Duration = Duration::from_millis(10);
/// Longest `futex(2)` wait for a shared word before it is read again.
const SHARED_WAIT: Duration = Duration::from_millis(500);

impl Process<'_> {
    /// Thread `u`'s system call `request`, performed unless it would block (a call that
    /// may block is not even tried unless `try_calls`).
    pub(super) fn try_call(&mut self, u: usize, request: Request, try_calls: bool) -> Attempt {
        let waits = Waiting::of(&request).is_some()
            || mailbox::waiting_of(&request).is_some()
            || matches!(request, Request::Sigsuspend { .. });
        match request {
            _ if waits && !try_calls => Attempt::Wait(Wait::Call),
            request if waits => self.try_without_blocking(request),
            Request::Fork { .. } => self.thread_fork(u, request),
            request => performed(self.perform(request)),
        }
    }

    /// A call that may block, made only if it will not: `WNOHANG`, `IPC_NOWAIT`, or a
    /// descriptor `poll(2)` finds ready.
    fn try_without_blocking(&mut self, request: Request) -> Attempt {
        let nowait = |flags: i32| flags | libc::IPC_NOWAIT;
        let reply = match request {
            Request::Pause | Request::Sigsuspend { .. } => return Attempt::Wait(Wait::Call),
            Request::Wait { pid, options } => {
                let options = options | libc::WNOHANG;
                match self.perform(Request::Wait { pid, options }) {
                    Some(Reply::Value(Value::Int(0))) => return Attempt::Wait(Wait::Call),
                    reply => return performed(reply),
                }
            }
            Request::Msgsnd {
                msqid,
                mtype,
                data,
                flags,
            } => self.msgsnd(msqid, mtype, &data, nowait(flags)),
            Request::Msgrcv {
                msqid,
                len,
                mtype,
                flags,
            } => self.msgrcv(msqid, len, mtype, nowait(flags)),
            Request::MailboxSend { .. } | Request::MailboxReceive { .. } => {
                match self.mailbox_without_waiting(&request) {
                    Some(reply) => reply,
                    None => return performed(self.perform(request)),
                }
            }
            request if !ready(&request) => return Attempt::Wait(Wait::Call),
            request => return performed(self.perform(request)),
        };
        match reply {
            Reply::Error(e) if e == Errno::EAGAIN as i32 || e == Errno::ENOMSG as i32 => {
                Attempt::Wait(Wait::Call)
            }
            reply => Attempt::Reply(reply),
        }
    }

    /// `fork` by thread `u`: the child keeps only that thread, as its thread 0 (POSIX
    /// `fork(2)`).
    fn thread_fork(&mut self, u: usize, request: Request) -> Attempt {
        match self.perform(request) {
            Some(Reply::Value(Value::Int(0))) => {
                self.vm.keep_only_thread(u);
                Attempt::Restart(Some(Reply::Value(Value::ZERO)))
            }
            Some(reply) => Attempt::Reply(reply),
            None => Attempt::Restart(None),
        }
    }

    /// No thread can go on; each waits as `waits` says. Blocks until something may have
    /// changed (at most `nap` while several calls wait); `true` if a thread was answered
    /// and runs now.
    pub(super) fn wait_all(&mut self, waits: Vec<(usize, Wait)>, nap: Duration) -> bool {
        let outside = waits
            .iter()
            .filter(|(_, w)| matches!(w, Wait::Call | Wait::Shared { .. }))
            .count();
        let wakes = waits
            .iter()
            .filter_map(|(_, w)| match w {
                Wait::Sleep(until) => Some(*until),
                _ => None,
            })
            .min();
        match (outside, wakes) {
            (0, None) => self.wait_for_signal(&waits),
            (1, None) => return self.block_in(&waits),
            (0, Some(until)) => doze(until.saturating_duration_since(Instant::now())),
            (_, Some(until)) => doze(until.saturating_duration_since(Instant::now()).min(nap)),
            (_, None) => self.nap_in_calls(&waits, nap),
        }
        self.hand_signal()
    }

    /// Several threads wait in calls (or on shared words): the process naps and tries them
    /// again, marked meanwhile for the supervisor's deadlock detection if it can phrase
    /// every call (a message queue's number is the supervisor's to give).
    fn nap_in_calls(&mut self, waits: &[(usize, Wait)], nap: Duration) {
        let marked = self.report_blocked(waits, true);
        if marked {
            self.link.waits.set(self.slot, self.pid, Waiting::Recorded);
        }
        doze(nap);
        if marked {
            self.link.waits.clear(self.slot);
        }
    }

    /// Every thread waits for another thread of this process: nothing but a signal can end
    /// that, so the process sleeps in `pause(2)`, marked for the supervisor's deadlock
    /// detection with what each thread waits for.
    fn wait_for_signal(&mut self, waits: &[(usize, Wait)]) {
        self.report_blocked(waits, false);
        self.link.waits.set(self.slot, self.pid, Waiting::Recorded);
        // Signals are blocked between the look at `caught` and the sleep, so one caught in
        // between still ends it (sigsuspend(2) unblocks them atomically).
        let mut mask = SigSet::empty();
        let blocked = sigprocmask(SigmaskHow::SIG_BLOCK, Some(&SigSet::all()), Some(&mut mask));
        while !caught() {
            if blocked.is_err() || mask.suspend().is_err_and(|e| e != Errno::EINTR) {
                doze(SIGNAL_LOOK);
            }
        }
        if blocked.is_ok() {
            let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&mask), None);
        }
        self.link.waits.clear(self.slot);
    }

    /// One thread waits in a call or on a shared word, every other for a thread of this
    /// process: the OS thread blocks in that call (or on that word). `true` if the thread
    /// was answered.
    fn block_in(&mut self, waits: &[(usize, Wait)]) -> bool {
        self.report_blocked(waits, false);
        let Some((u, wait)) = waits
            .iter()
            .find(|(_, w)| matches!(w, Wait::Call | Wait::Shared { .. }))
        else {
            return false;
        };
        if let Wait::Shared { turns, seen, .. } = wait {
            self.link.waits.set(self.slot, self.pid, Waiting::Recorded);
            wait_shared(*turns, *seen, SHARED_WAIT);
            self.link.waits.clear(self.slot);
            return self.hand_signal();
        }
        let u = *u;
        let Some(request) = self.vm.pending(u).cloned() else {
            return false;
        };
        let restartable = !matches!(request, Request::Pause | Request::Sigsuspend { .. });
        self.threads.set_current(u);
        match self.perform(request) {
            Some(reply) => self.resume_with_signals(reply, restartable),
            None => self.threads = Threads::new(),
        }
        true
    }

    /// Tells the supervisor what each thread waits for, before the process blocks: per
    /// thread with threads, else the one phrase. A call is left to the process's slot in the
    /// wait table unless `calls_phrased`; then the phrase is made here, and nothing is told
    /// (`false`) if a call cannot be phrased here.
    fn report_blocked(&mut self, waits: &[(usize, Wait)], calls_phrased: bool) -> bool {
        let threaded = self.threads.is_threaded();
        let mut threads = Vec::with_capacity(waits.len());
        for (u, wait) in waits {
            let phrase = match wait {
                Wait::Own(phrase) | Wait::Shared { phrase, .. } => Some(phrase.clone()),
                Wait::Call if calls_phrased => match self.call_phrase(*u) {
                    Some(phrase) => Some(phrase),
                    None => return false,
                },
                Wait::Call | Wait::Sleep(_) => None,
            };
            threads.push((if threaded { *u as u32 + 1 } else { 0 }, phrase));
        }
        threads.sort_by_key(|(thread, _)| *thread);
        // The same again (a process napping between tries) is not sent: an arrival would
        // tell the supervisor that the run moves.
        if self.threads.reported.as_ref() != Some(&threads) {
            self.report(&Record::Blocked {
                threads: threads.clone(),
            });
            self.threads.reported = Some(threads);
        }
        true
    }

    /// What thread `u`'s call waits for, in the simulator's words; `None` for a call on a
    /// message queue (numbered by the supervisor) or one the wait table does not name.
    fn call_phrase(&self, u: usize) -> Option<String> {
        let request = self.vm.pending(u)?;
        match Waiting::of(request).or_else(|| mailbox::waiting_of(request))? {
            Waiting::Msgsnd { .. } | Waiting::Msgrcv { .. } => None,
            waiting => waiting.phrase(self.pid, |_| None),
        }
    }

    /// A caught signal goes to a thread: one in `pause` or `sigsuspend` returns `EINTR`,
    /// else the first one whose call can be set aside runs the handler first. `true` if a
    /// thread runs now.
    fn hand_signal(&mut self) -> bool {
        if !caught() {
            return false;
        }
        let n = self.vm.threads();
        let pausing = (0..n).find(|&u| {
            matches!(
                self.vm.pending(u),
                Some(Request::Pause | Request::Sigsuspend { .. })
            )
        });
        if let Some(u) = pausing {
            self.threads.set_current(u);
            self.resume_with_signals(Reply::Error(Errno::EINTR as i32), false);
            return true;
        }
        let Some(u) = (0..n).find(|&u| self.vm.interrupt_restart(u)) else {
            return false;
        };
        self.threads.set_current(u);
        self.deliver_caught();
        true
    }
}

/// The attempt of a call that was made: its answer, or `None` when the program was replaced
/// (`exec`).
fn performed(reply: Option<Reply>) -> Attempt {
    match reply {
        Some(reply) => Attempt::Reply(reply),
        None => Attempt::Restart(None),
    }
}

/// Whether a call on a descriptor would go on now (`poll(2)` with no timeout): readable for
/// `read` and `accept`, writable for `write` and `connect`, or in error (the call then
/// fails at once); a `write` to a pipe also needs room for all its bytes (unless they could
/// never fit). Other calls are taken as ready.
fn ready(request: &Request) -> bool {
    let (fd, events) = match request {
        Request::Read { fd, .. } | Request::Accept { fd } => (*fd, libc::POLLIN),
        Request::Write { fd, .. } | Request::Connect { fd, .. } => (*fd, libc::POLLOUT),
        _ => return true,
    };
    let mut poll = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: `poll` is one live pollfd the call reads and writes.
    let n = unsafe { libc::poll(&mut poll, 1, 0) };
    match request {
        Request::Write { fd, data } if n != 0 && poll.revents == libc::POLLOUT => {
            pipe_room(*fd).is_none_or(|(room, size)| data.len() <= room || data.len() > size)
        }
        _ => n != 0,
    }
}

/// The free bytes and the capacity of the pipe or FIFO `fd`; `None` for another file.
fn pipe_room(fd: i32) -> Option<(usize, usize)> {
    // SAFETY: F_GETPIPE_SZ takes no argument and fails on anything but a pipe.
    let size = unsafe { libc::fcntl(fd, libc::F_GETPIPE_SZ) };
    let mut queued: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int into the live local `queued`.
    let asked = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut queued) };
    let size = usize::try_from(size).ok()?;
    let queued = usize::try_from(queued).ok().filter(|_| asked == 0)?;
    Some((size.saturating_sub(queued), size))
}

/// Sleeps for `time` (a caught signal ends it early).
fn doze(time: Duration) {
    let time = libc::timespec {
        tv_sec: time.as_secs() as libc::time_t,
        tv_nsec: libc::c_long::from(time.subsec_nanos() as i32),
    };
    // SAFETY: `time` is a live local the call reads; no remaining time is asked for.
    unsafe { libc::nanosleep(&time, std::ptr::null_mut()) };
}
