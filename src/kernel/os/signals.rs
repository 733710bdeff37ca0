//! Signals between real processes: `kill(2)`, `raise(3)`, `pause(2)`, `alarm(2)`.

use super::containment::parent_of;
use super::process::Process;
use crate::vm::{Reply, Value};
use nix::errno::Errno;

impl Process<'_> {
    /// `kill(pid, signal)`, only within the run: `-1` (“every process I may signal”) is
    /// narrowed to the run's process group, and a pid or group outside the run (init, which
    /// an orphan sees as its parent, or any other process of the host) fails with `EPERM`.
    pub(super) fn kill(&mut self, pid: i64, signal: i32) -> Reply {
        let target = if pid == -1 {
            -nix::unistd::getpgrp().as_raw()
        } else {
            pid as libc::pid_t
        };
        let process = if target < 0 { -target } else { target };
        if target != 0 && !self.in_run(i64::from(process)) {
            return Reply::Error(Errno::EPERM as i32);
        }
        // SAFETY: kill(2) takes plain integers and touches no memory of this process.
        let result = unsafe { libc::kill(target, signal) };
        if result < 0 {
            Reply::Error(Errno::last() as i32)
        } else {
            Reply::Value(Value::ZERO)
        }
    }

    /// Whether `pid` is a process of the run (a descendant of the supervisor), from the
    /// parent links in `/proc`.
    fn in_run(&self, pid: i64) -> bool {
        let mut pid = pid;
        for _ in 0..4096 {
            if pid == self.link.supervisor {
                return true;
            }
            match parent_of(pid) {
                Some(parent) if parent > 1 => pid = parent,
                _ => return false,
            }
        }
        false
    }

    /// `raise(signal)`: the signal to this process.
    pub(super) fn raise(&mut self, signal: i32) -> Reply {
        self.kill(i64::from(nix::unistd::getpid().as_raw()), signal)
    }

    /// `pause()`: sleeps until a signal is caught (then fails with `EINTR`) or ends the
    /// process.
    pub(super) fn pause(&mut self) -> Reply {
        // SAFETY: pause(2) takes no arguments.
        unsafe { libc::pause() };
        Reply::Error(Errno::EINTR as i32)
    }

    /// `alarm(seconds)`: `SIGALRM` after `seconds` of real time times the sleep scale
    /// (`setitimer(ITIMER_REAL)`, the timer `alarm(2)` sets); the seconds left of the
    /// previous alarm, in the scenario's time.
    pub(super) fn alarm(&mut self, seconds: u32) -> Reply {
        let scale = self.link.sleep_scale;
        let real = f64::from(seconds) * scale;
        let micros = (real * 1e6) as i64;
        let value = libc::timeval {
            tv_sec: (micros / 1_000_000) as libc::time_t,
            tv_usec: (micros % 1_000_000) as libc::suseconds_t,
        };
        let zero = libc::timeval {
            tv_sec: 0,
            tv_usec: 0,
        };
        // A scaled alarm rounded to zero would cancel instead of firing: fire at once.
        let value = if seconds > 0 && micros == 0 {
            libc::timeval { tv_usec: 1, ..zero }
        } else {
            value
        };
        let new = libc::itimerval {
            it_interval: zero,
            it_value: value,
        };
        let mut old = libc::itimerval {
            it_interval: zero,
            it_value: zero,
        };
        // SAFETY: both pointers are to live locals; the call reads `new` and writes `old`.
        unsafe { libc::setitimer(libc::ITIMER_REAL, &new, &mut old) };
        let rings = if seconds == 0 {
            0
        } else {
            super::waits::monotonic_micros() + micros.max(1)
        };
        self.link.waits.alarm(self.slot, rings);
        let left = old.it_value.tv_sec as f64 + old.it_value.tv_usec as f64 / 1e6;
        let seconds = if scale > 0.0 { left / scale } else { 0.0 };
        Reply::Value(Value::Int(seconds.ceil() as i64))
    }
}
