//! Signals between real processes: `kill(2)`, `raise(3)`, `pause(2)`, `alarm(2)`, and the
//! signal mask: `sigprocmask(2)`, `sigsuspend(2)`, `sigpending(2)`.

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

    /// `sigprocmask(how, set, oldset)` with masks of bit `n` for signal `n`; the reply is
    /// the old mask.
    pub(super) fn sigprocmask(&mut self, how: i32, set: Option<u32>) -> Reply {
        let new = set.map(sigset);
        let mut old = sigset(0);
        let new_ptr = new
            .as_ref()
            .map_or(std::ptr::null(), |s| s as *const libc::sigset_t);
        // SAFETY: both sets are live sigset_t values of this frame; the kernel reads `new`
        // and writes `old`.
        let result = unsafe { libc::sigprocmask(how, new_ptr, &mut old) };
        if result < 0 {
            return Reply::Error(Errno::last() as i32);
        }
        Reply::Value(Value::Int(i64::from(mask_of(&old))))
    }

    /// `sigsuspend(mask)`: always fails, with `EINTR` once a caught signal arrived.
    pub(super) fn sigsuspend(&mut self, mask: u32) -> Reply {
        let set = sigset(mask);
        // SAFETY: `set` is a live sigset_t the kernel only reads.
        unsafe { libc::sigsuspend(&set) };
        Reply::Error(Errno::last() as i32)
    }

    /// `sigpending(set)`: the blocked signals that are pending.
    pub(super) fn sigpending(&mut self) -> Reply {
        let mut set = sigset(0);
        // SAFETY: `set` is a live sigset_t the kernel writes.
        if unsafe { libc::sigpending(&mut set) } < 0 {
            return Reply::Error(Errno::last() as i32);
        }
        Reply::Value(Value::Int(i64::from(mask_of(&set))))
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

/// The `sigset_t` of a mask with bit `n` for signal `n` (signals 1 to 31).
fn sigset(mask: u32) -> libc::sigset_t {
    let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: sigemptyset initialises the whole set it is given; sigaddset only sets bits
    // of that initialised set, for signal numbers in range.
    unsafe {
        libc::sigemptyset(set.as_mut_ptr());
        for signal in 1..32 {
            if mask & (1 << signal) != 0 {
                libc::sigaddset(set.as_mut_ptr(), signal);
            }
        }
        set.assume_init()
    }
}

/// The mask (bit `n` for signal `n`) of the signals 1 to 31 in `set`.
fn mask_of(set: &libc::sigset_t) -> u32 {
    (1..32)
        // SAFETY: `set` is an initialised sigset_t the call only reads.
        .filter(|&signal| unsafe { libc::sigismember(set, signal) } == 1)
        .fold(0, |mask, signal| mask | 1 << signal)
}
