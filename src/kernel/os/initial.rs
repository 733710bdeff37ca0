//! The initial scenario process: forked by the supervisor, it takes its own process group,
//! the run directory as working directory, the capture sockets as its terminal (`/dev/null`
//! as standard input), drops every other descriptor it inherited, and starts the VM.

use super::budget::Budget;
use super::capture::{file_id, Capture, ScenarioEnds};
use super::containment::Signals;
use super::process::{exit_now, Link, Process};
use super::{setup, OsError};
use crate::config::Reaper;
use crate::scenario::Scenario;
use crate::vm::Vm;
use nix::sys::signal::{SigHandler, Signal};
use nix::unistd::{ForkResult, Pid};
use std::os::fd::{AsRawFd, RawFd};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Lowest descriptor number for the control socket: out of the way of the scenario's own
/// descriptors, which `pipe` and `dup` take from the bottom.
const RECORDS_FD: RawFd = 100;

/// What the initial process starts from.
pub struct Start<'r> {
    /// The scenario.
    pub scenario: &'r Scenario,
    /// `argv[1..]`.
    pub args: &'r [String],
    /// The run directory (its working directory).
    pub dir: &'r Path,
    /// The shared process count.
    pub budget: &'r Budget,
    /// Factor applied to sleeps and alarms.
    pub sleep_scale: f64,
    /// What each process waits for.
    pub waits: &'r super::waits::Waits,
}

impl Start<'_> {
    /// What the initial process reads as its terminal input: `/dev/null`, or a file in the
    /// run directory holding `config { stdin = … }`.
    fn stdin(&self) -> std::io::Result<std::fs::File> {
        let typed = &self.scenario.config.stdin;
        if typed.is_empty() {
            return std::fs::File::open("/dev/null");
        }
        let path = self.dir.join(".stdin");
        std::fs::write(&path, typed)?;
        std::fs::File::open(path)
    }

    /// Forks the initial process; in the supervisor, drops the scenario's ends of the
    /// sockets and returns the child's pid.
    ///
    /// # Errors
    /// [`OsError::Setup`] when the standard input, `fstat` or `fork` fails.
    pub fn fork(&self, capture: &mut Capture, signals: &Signals) -> Result<Pid, OsError> {
        let ends = capture.scenario.take().expect("forked once");
        let stdin = setup("standard input", self.stdin().map_err(errno))?;
        let [out, err] = setup("terminal", ends.terminal_ids())?;
        let terminal = [out, err, setup("terminal", file_id(stdin.as_raw_fd()))?];
        let supervisor = nix::unistd::getpid();
        // SAFETY: the supervisor checked that it is single-threaded, so the child may run
        // any code; it never returns into the caller's frames (it exits in `become`).
        match setup("fork", unsafe { nix::unistd::fork() })? {
            ForkResult::Parent { child } => Ok(child),
            ForkResult::Child => {
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    self.become_initial(&ends, stdin.as_raw_fd(), terminal, signals, supervisor)
                }));
                drop(outcome);
                exit_now(101)
            }
        }
    }

    /// In the child: sets the process up and runs the scenario's `main`.
    fn become_initial(
        &self,
        ends: &ScenarioEnds,
        stdin: RawFd,
        terminal: [super::capture::FileId; 3],
        signals: &Signals,
        supervisor: Pid,
    ) -> ! {
        signals.restore_in_child();
        // Every signal starts at its default action, as the simulator assumes: Rust ignores
        // SIGPIPE, a shell's background job ignores SIGINT and SIGQUIT, and an ignored
        // signal would survive fork and exec.
        for signal in Signal::iterator().filter(|s| !matches!(s, Signal::SIGKILL | Signal::SIGSTOP))
        {
            // SAFETY: restoring default actions installs no handler.
            let _ = unsafe { nix::sys::signal::signal(signal, SigHandler::SigDfl) };
        }
        let _ = nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0));
        let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
        if nix::unistd::getppid() != supervisor {
            exit_now(1);
        }
        let _ = nix::sys::prctl::set_child_subreaper(self.scenario.config.orphans == Reaper::Main);
        let _ = nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_CORE, 0, 0);
        if nix::unistd::chdir(self.dir).is_err() {
            exit_now(1);
        }
        let records = install_descriptors(ends, stdin);
        let mut vm = Vm::new(
            self.scenario.catalog.main.clone(),
            self.scenario.argv(self.args),
            &self.scenario.config.vm(),
        );
        for fd in 0..=2 {
            vm.set_tty(fd, true);
        }
        let link = Link {
            records,
            terminal,
            budget: self.budget,
            supervisor: i64::from(supervisor.as_raw()),
            sleep_scale: self.sleep_scale,
            waits: self.waits,
        };
        Process::new(vm, self.scenario, link).run()
    }
}

/// Puts `/dev/null`, the stdout and stderr sockets on 0, 1, 2 and the control socket on a
/// high close-on-exec descriptor, and closes everything else; returns the control
/// descriptor.
fn install_descriptors(ends: &ScenarioEnds, stdin: RawFd) -> RawFd {
    // SAFETY: descriptors 0–2 belong to no Rust object in the child (the supervisor's stdio
    // handles are not used here again), and the sources are open.
    unsafe {
        libc::dup2(stdin, 0);
        libc::dup2(ends.stdout.as_raw_fd(), 1);
        libc::dup2(ends.stderr.as_raw_fd(), 2);
    }
    // SAFETY: F_DUPFD_CLOEXEC only creates a new descriptor.
    let records =
        unsafe { libc::fcntl(ends.records.as_raw_fd(), libc::F_DUPFD_CLOEXEC, RECORDS_FD) };
    if records < 0 {
        exit_now(1);
    }
    // SAFETY: close_range(2) closes descriptors only; the OwnedFds still holding some of
    // them are never dropped, because this process never returns from `become_initial`.
    unsafe {
        libc::syscall(libc::SYS_close_range, 3, records - 1, 0);
        libc::syscall(libc::SYS_close_range, records + 1, u32::MAX, 0);
    }
    records
}

fn errno(error: std::io::Error) -> nix::errno::Errno {
    nix::errno::Errno::from_raw(error.raw_os_error().unwrap_or(0))
}

/// Dies of `signal` with its default action, as a program interrupted by Ctrl-C should
/// (after the run was cleaned up).
pub fn die_of(signal: i32) -> ! {
    if let Ok(signal) = Signal::try_from(signal) {
        // SAFETY: restoring the default action installs no handler.
        let _ = unsafe { nix::sys::signal::signal(signal, SigHandler::SigDfl) };
        let _ = nix::sys::signal::raise(signal);
    }
    std::process::exit(128 + signal)
}
