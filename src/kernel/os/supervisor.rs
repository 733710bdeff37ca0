//! The supervisor: the `scn` process itself, single-threaded, which forks the initial
//! scenario process, collects terminal output and control records, reaps what comes to it
//! as subreaper, and stops the run at the deadline, at the process budget or on a signal.

use super::capture::{Arrival, Capture};
use super::containment::{descendants, SysvKind};
use super::containment::{kill_descendants, Signals};
use super::ledger::Ledger;
use super::waits::{Waiting, Waits};
use crate::outcome::Limit;
use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

/// Terminal output kept per run; a scenario printing forever is stopped by the deadline,
/// and what it printed past this is dropped.
const MAX_OUTPUT: usize = 64 << 20;
/// Datagrams taken from one socket before looking at the clock and signals again.
const DRAIN_BATCH: usize = 4096;

/// How often an idle run is looked at for a deadlock, and how long every process must have
/// been seen waiting, with nothing arriving, before the run is called deadlocked.
const DEADLOCK_CHECK: Duration = Duration::from_millis(20);
const DEADLOCK_SETTLED: Duration = Duration::from_millis(60);

/// Why the supervisor stopped watching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Every process of the run ended.
    Finished,
    /// Every live process of the run waits for another one, for good (what each waits
    /// for is in the ledger's `blocked`).
    Deadlock,
    /// The wall-clock deadline passed.
    Timeout,
    /// A process hit a limit: a `fork` past the process budget, memory past `max_memory`.
    Limit(Limit),
    /// `scn` got this signal (Ctrl-C, `kill`).
    Signal(i32),
}

/// The supervisor's side of a running scenario.
pub struct Watch {
    /// The receiving sockets.
    pub capture: Capture,
    /// `SIGCHLD` and the termination signals.
    pub signals: Signals,
    /// What was learnt so far.
    pub ledger: Ledger,
    /// The initial process.
    pub main: Pid,
    /// When the run is stopped.
    pub deadline: Instant,
    kept: usize,
    /// What every process waits for.
    waits: Waits,
    /// Since when every live process has been seen waiting, and for what.
    suspect: Option<(Instant, Vec<(i64, Waiting)>)>,
    /// When the run was last looked at for a deadlock.
    looked: Instant,
}

impl Watch {
    /// Watches the run whose initial process is `main`.
    pub fn new(
        capture: Capture,
        signals: Signals,
        ledger: Ledger,
        main: Pid,
        deadline: Instant,
        waits: Waits,
    ) -> Watch {
        Watch {
            capture,
            signals,
            ledger,
            main,
            deadline,
            kept: 0,
            waits,
            suspect: None,
            looked: Instant::now(),
        }
    }

    /// Watches until every process has ended or the run must stop.
    pub fn supervise(&mut self) -> Stop {
        loop {
            let busy = self.drain();
            if let Some(limit) = self.ledger.limit {
                return Stop::Limit(limit);
            }
            if let Some(signal) = self.take_signals() {
                return Stop::Signal(signal);
            }
            if !self.reap(false) {
                self.drain();
                return Stop::Finished;
            }
            let now = Instant::now();
            if now >= self.deadline {
                return Stop::Timeout;
            }
            if busy {
                self.suspect = None;
            } else {
                // Every process's slot is read for this, so not at every wake-up of a busy run.
                if now.duration_since(self.looked) >= DEADLOCK_CHECK {
                    self.looked = now;
                    if self.deadlocked() {
                        return Stop::Deadlock;
                    }
                }
                self.wait_for_events((self.deadline - now).min(DEADLOCK_CHECK));
            }
        }
    }

    /// Kills every remaining process, reaps them all and collects what they sent.
    pub fn stop(&mut self) {
        let _ = killpg(self.main, Signal::SIGKILL);
        loop {
            let found = kill_descendants();
            self.drain();
            let children_left = self.reap(true);
            if !found && !children_left {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        while self.drain() {}
    }

    /// Blocks until a socket or the signal descriptor is readable, or `timeout` passes.
    fn wait_for_events(&self, timeout: Duration) {
        let mut fds = [
            PollFd::new(self.capture.terminal.as_fd(), PollFlags::POLLIN),
            PollFd::new(self.capture.control.as_fd(), PollFlags::POLLIN),
            PollFd::new(self.signals.fd.as_fd(), PollFlags::POLLIN),
        ];
        let millis = timeout.as_millis().clamp(1, 1000) as u16;
        let _ = poll(&mut fds, PollTimeout::from(millis));
    }

    /// Takes queued records, then terminal output; `true` if there were any.
    fn drain(&mut self) -> bool {
        let mut busy = false;
        for _ in 0..DRAIN_BATCH {
            match self.capture.next_record() {
                Ok(Some(Arrival::Record { pid, record })) => self.ledger.record(pid, record),
                Ok(_) | Err(_) => break,
            }
            busy = true;
        }
        for _ in 0..DRAIN_BATCH {
            match self.capture.next_output() {
                Ok(Some(Arrival::Output { pid, fd, len })) => {
                    if self.kept + len <= MAX_OUTPUT {
                        self.kept += len;
                        self.ledger.output(pid, fd, self.capture.received(len));
                    }
                }
                Ok(_) | Err(_) => break,
            }
            busy = true;
        }
        busy
    }

    /// Reads pending signals: `SIGCHLD` needs no action (reaping follows), anything else
    /// is a request to stop.
    fn take_signals(&mut self) -> Option<i32> {
        let mut stop = None;
        while let Ok(Some(info)) = self.signals.fd.read_signal() {
            let signal = info.ssi_signo as i32;
            if signal != Signal::SIGCHLD as i32 {
                stop = Some(signal);
            }
        }
        stop
    }

    /// Reaps every child that has ended (the initial process and adopted orphans);
    /// `false` once the supervisor has no child left at all.
    fn reap(&mut self, stopping: bool) -> bool {
        loop {
            let mut status = 0;
            // SAFETY: `status` is a live local the call writes one int into.
            let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG | libc::__WALL) };
            match pid {
                0 => return true,
                -1 if Errno::last() == Errno::EINTR => continue,
                -1 => return false,
                pid => self
                    .ledger
                    .reaped_by_supervisor(i64::from(pid), status, stopping),
            }
        }
    }
}

impl Watch {
    /// Whether the run is deadlocked: every live process (not a zombie) has been asleep in
    /// a call that waits for another process, the same call, for [`DEADLOCK_SETTLED`] with
    /// nothing arriving, and no alarm is pending. Then what each waits for goes to the
    /// ledger, in the simulator's words.
    fn deadlocked(&mut self) -> bool {
        let now = Instant::now();
        let Some(waiting) = self.all_waiting() else {
            self.suspect = None;
            return false;
        };
        match &self.suspect {
            Some((since, seen)) if *seen == waiting => {
                if now.duration_since(*since) < DEADLOCK_SETTLED {
                    return false;
                }
            }
            _ => {
                self.suspect = Some((now, waiting));
                return false;
            }
        }
        let sysv = &self.ledger.sysv;
        let queue = |id: i64| sysv.index_of(SysvKind::MessageQueue, id as i32);
        let phrases: Vec<(i64, Option<String>)> = (waiting.into_iter())
            .map(|(pid, w)| (pid, w.phrase(pid, queue)))
            .collect();
        self.ledger.blocked = (phrases.into_iter())
            .filter_map(|(pid, call)| Some((pid, self.ledger.blocked_phrase(pid, call)?)))
            .collect();
        true
    }

    /// What every live process of the run waits for; `None` if one of them is not waiting
    /// for another process (running, sleeping, in an exec'd binary), or an alarm is
    /// pending.
    fn all_waiting(&self) -> Option<Vec<(i64, Waiting)>> {
        if self.waits.alarm_pending() {
            return None;
        }
        let waits = self.waits.snapshot();
        // Cheap first: fewer processes waiting than the ledger knows alive is no deadlock.
        if waits.is_empty() || waits.len() < self.ledger.alive() {
            return None;
        }
        let mut out = Vec::new();
        for pid in descendants(nix::unistd::getpid()) {
            let pid = i64::from(pid.as_raw());
            match process_state(pid) {
                Some('Z' | 'X') | None => continue,
                Some('S') => out.push((pid, *waits.get(&pid)?)),
                Some(_) => return None,
            }
        }
        out.sort_unstable_by_key(|(pid, _)| *pid);
        (!out.is_empty()).then_some(out)
    }
}

/// The state letter of `pid` (`R`, `S`, `Z`, …) from `/proc/<pid>/stat`.
fn process_state(pid: i64) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}
