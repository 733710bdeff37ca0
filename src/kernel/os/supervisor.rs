//! The supervisor: the `scn` process itself, single-threaded, which forks the initial
//! scenario process, collects terminal output and control records, reaps what comes to it
//! as subreaper, and stops the run at the deadline, at the process budget or on a signal.

use super::capture::{Arrival, Capture, MAX_DATAGRAM};
use super::containment::{kill_descendants, Signals};
use super::ledger::Ledger;
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

/// Why the supervisor stopped watching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Every process of the run ended.
    Finished,
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
    buffer: Vec<u8>,
    kept: usize,
}

impl Watch {
    /// Watches the run whose initial process is `main`.
    pub fn new(
        capture: Capture,
        signals: Signals,
        ledger: Ledger,
        main: Pid,
        deadline: Instant,
    ) -> Watch {
        Watch {
            capture,
            signals,
            ledger,
            main,
            deadline,
            buffer: vec![0; MAX_DATAGRAM],
            kept: 0,
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
            if !busy {
                self.wait_for_events(self.deadline - now);
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
            match self.capture.next_record(&mut self.buffer) {
                Ok(Some(Arrival::Record { pid, record })) => self.ledger.record(pid, record),
                Ok(_) | Err(_) => break,
            }
            busy = true;
        }
        for _ in 0..DRAIN_BATCH {
            match self.capture.next_output(&mut self.buffer) {
                Ok(Some(Arrival::Output { pid, fd, len })) => {
                    if self.kept + len <= MAX_OUTPUT {
                        self.kept += len;
                        self.ledger.output(pid, fd, &self.buffer[..len]);
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
