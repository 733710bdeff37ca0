//! One scenario process on the real kernel: its VM runs until it needs the kernel, the
//! request becomes real system calls (`fork(2)` forks this very interpreter, so the child
//! goes on with its copy of the VM), and the reply resumes it.

use super::budget::Budget;
use super::capture::{file_id, send_record, FileId};
use super::handlers::caught;
use super::record::Record;
use super::waits::{Waiting, Waits};
use crate::outcome::Termination;
use crate::scenario::Scenario;
use crate::vm::{Event, FaultKind, Reply, Request, RuntimeFault, Value, Vm};
use nix::errno::Errno;
use nix::sys::signal::{kill, SigHandler, SigSet, SigmaskHow, Signal};
use nix::unistd::{getpid, getppid, ForkResult};
use std::ffi::CString;
use std::os::fd::RawFd;
use std::time::Duration;

/// Instructions a process runs before it looks for caught signals (a loop that makes no
/// call still gets its handlers run).
const STEPS_BETWEEN_SIGNALS: u64 = 100_000;

/// What every scenario process shares with the supervisor.
#[derive(Debug)]
pub struct Link<'r> {
    /// Where control records go (a high, close-on-exec descriptor the scenario cannot
    /// touch).
    pub records: RawFd,
    /// What counts as the terminal for `isatty`: the stdout and stderr sockets and the
    /// initial standard input.
    pub terminal: [FileId; 3],
    /// The shared process count.
    pub budget: &'r Budget,
    /// The supervisor's pid: an orphan sees its adopter as init (pid 1).
    pub supervisor: i64,
    /// Factor applied to the duration of sleeps and alarms (`--sleep-scale`).
    pub sleep_scale: f64,
    /// What each process waits for, for the supervisor's deadlock detection.
    pub waits: &'r Waits,
}

/// A scenario process: its VM and what it reports.
pub struct Process<'r> {
    pub(super) vm: Vm,
    pub(super) scenario: &'r Scenario,
    pub(super) link: Link<'r>,
    /// The fault that is killing the process, between the fault and its `Die` request.
    fault: Option<RuntimeFault>,
    /// Whether this is the initial process (the supervisor's own child).
    initial: bool,
    /// The scenario's signal dispositions.
    pub(super) handlers: super::handlers::Handlers,
    /// Shared memory mapped into this process.
    pub(super) mappings: super::shm::Mappings,
    /// Its slot in [`Waits`] (its process budget ticket).
    pub(super) slot: usize,
    /// Its pid.
    pub(super) pid: i64,
    /// Its threads, which it schedules itself.
    pub(super) threads: super::threads::Threads,
}

impl<'r> Process<'r> {
    /// The initial process, running `vm`.
    pub fn new(vm: Vm, scenario: &'r Scenario, link: Link<'r>) -> Process<'r> {
        Process {
            vm,
            scenario,
            link,
            fault: None,
            initial: true,
            handlers: super::handlers::Handlers::default(),
            mappings: super::shm::Mappings::default(),
            slot: 0,
            pid: i64::from(getpid().as_raw()),
            threads: super::threads::Threads::new(),
        }
    }

    /// Interprets until the process ends; never returns.
    pub fn run(mut self) -> ! {
        let mut budget = STEPS_BETWEEN_SIGNALS;
        loop {
            let t = self.threads.current();
            match self.vm.run(t, &mut self.mappings, &mut budget) {
                Event::Budget => {
                    budget = STEPS_BETWEEN_SIGNALS;
                    self.deliver_caught();
                    self.time_slice();
                }
                Event::Fault(fault) if fault.kind == FaultKind::MemoryLimit => {
                    self.report(&Record::MemoryLimit { fault });
                    // The supervisor stops the whole run on this record.
                    loop {
                        std::thread::sleep(Duration::from_secs(1));
                    }
                }
                Event::Fault(fault) => self.fault = Some(fault),
                Event::Request(_) => {}
            }
            let Some(request) = self.vm.pending(t).cloned() else {
                continue;
            };
            // A signal caught while the VM computed: its handler runs before the call, as it
            // would have in C (the call is made afterwards).
            if caught() && self.vm.interrupt_restart(t) {
                self.deliver_caught();
                continue;
            }
            if self.threads.is_threaded() || super::threads::is_sync(&request) {
                self.schedule();
                continue;
            }
            let restartable = super::threads::restartable(&request);
            if let Some(reply) = self.perform(request) {
                self.resume_with_signals(reply, restartable);
            }
        }
    }

    /// Performs `request`, with what it may wait for in the process's slot meanwhile;
    /// `None` when the VM was replaced (`exec`) and needs no reply.
    pub(super) fn perform(&mut self, request: Request) -> Option<Reply> {
        let Some(waiting) = Waiting::of(&request) else {
            return self.perform_call(request);
        };
        let waiting = match waiting {
            Waiting::Open { write, .. } => Waiting::Open {
                fd: self.lowest_free_fd(),
                write,
            },
            other => other,
        };
        self.link.waits.set(self.slot, self.pid, waiting);
        let reply = self.perform_call(request);
        self.link.waits.clear(self.slot);
        reply
    }

    /// The descriptor `open` would return now: the lowest free one.
    fn lowest_free_fd(&self) -> i64 {
        // SAFETY: F_DUPFD duplicates a descriptor this process holds open into the lowest
        // free number, which is closed again at once.
        let fd = unsafe { libc::fcntl(self.link.records, libc::F_DUPFD, 0) };
        if fd >= 0 {
            // SAFETY: `fd` was just made here and nothing else refers to it.
            unsafe { libc::close(fd) };
        }
        i64::from(fd)
    }

    /// Performs `request`; `None` when the VM was replaced (`exec`) and needs no reply.
    fn perform_call(&mut self, request: Request) -> Option<Reply> {
        Some(match request {
            Request::Fork { name } => self.fork(name),
            Request::Exit { status } => self.exit(status),
            Request::Die { signal } => self.die(signal),
            Request::Wait { pid, options } => self.waitpid(pid, options),
            Request::Exec {
                path,
                argv,
                search_path,
            } => return self.exec(&path, argv, search_path),
            Request::Getpid => Reply::Pid(i64::from(getpid().as_raw())),
            Request::Getppid => self.getppid(),
            Request::Sleep { micros } => sleep(micros, self.link.sleep_scale),
            Request::Write { fd, data } => self.write(fd, &data),
            Request::Read { fd, len } => self.read(fd, len),
            Request::Close { fd } => self.close(fd),
            Request::Pipe => self.pipe(),
            Request::Dup { fd } => self.dup(fd),
            Request::Dup2 { old, new } => self.dup2(old, new),
            Request::Isatty { fd } => self.isatty(fd),
            Request::Shared { .. } => Reply::Value(Value::ZERO),
            request => self.perform_ipc(request),
        })
    }

    /// Sends `record` to the supervisor.
    pub(super) fn report(&self, record: &Record) {
        send_record(self.link.records, record);
    }

    /// `fork(2)`, within the run's process budget: past it, the run stops.
    fn fork(&mut self, spawn: Option<String>) -> Reply {
        let Some(ticket) = self.link.budget.take() else {
            self.report(&Record::Limit);
            // The supervisor stops the whole run on this record.
            loop {
                std::thread::sleep(Duration::from_secs(1));
            }
        };
        // SAFETY: scenario processes are single-threaded (the supervisor checked before
        // its first fork, and the VM never starts OS threads), so the child may run any code.
        match unsafe { nix::unistd::fork() } {
            Ok(ForkResult::Parent { child }) => {
                let child = i64::from(child.as_raw());
                self.report(&Record::Forked { child, spawn });
                Reply::Pid(child)
            }
            Ok(ForkResult::Child) => {
                self.initial = false;
                self.slot = ticket;
                self.pid = i64::from(getpid().as_raw());
                self.forget_caught();
                Reply::Value(Value::ZERO)
            }
            Err(errno) => Reply::Error(errno as i32),
        }
    }

    /// `_exit(2)` after telling the supervisor how and with which variables.
    fn exit(&mut self, status: i32) -> ! {
        self.cascade();
        self.report_end(Termination::Exited(status & 0xff));
        exit_now(status)
    }

    /// Death by `signal`, with the signal's default action, as the real process would die.
    fn die(&mut self, signal: i32) -> ! {
        self.cascade();
        self.report_end(Termination::Signaled(signal));
        if let Ok(signal) = Signal::try_from(signal) {
            // SAFETY: restoring the default action installs no handler.
            let _ = unsafe { nix::sys::signal::signal(signal, SigHandler::SigDfl) };
            let mut set = SigSet::empty();
            set.add(signal);
            let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_UNBLOCK, Some(&set), None);
            let _ = kill(getpid(), signal);
        }
        exit_now(128 + signal)
    }

    fn report_end(&mut self, termination: Termination) {
        let variables = self
            .scenario
            .watched
            .iter()
            .filter_map(|name| Some((name.clone(), self.vm.variable(name)?)))
            .collect();
        let fault = self.fault.take();
        self.report(&Record::Ended {
            termination,
            fault,
            variables,
        });
    }

    /// `waitpid(2)` with the raw status; a reaped child is reported to the supervisor.
    fn waitpid(&mut self, pid: i64, options: i32) -> Reply {
        let mut status = 0;
        loop {
            // SAFETY: `status` is a live local the call writes one int into.
            let child = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, options) };
            match child {
                -1 if Errno::last() == Errno::EINTR && !caught() => continue,
                -1 => return Reply::Error(Errno::last() as i32),
                0 => return Reply::Value(Value::ZERO),
                child => {
                    let child = i64::from(child);
                    self.report(&Record::Reaped { child, status });
                    return Reply::Waited { pid: child, status };
                }
            }
        }
    }

    /// `getppid(2)`; the supervisor stands in for init, so an orphan sees 1.
    fn getppid(&self) -> Reply {
        let parent = i64::from(getppid().as_raw());
        let adopted = parent == self.link.supervisor && !self.initial;
        Reply::Pid(if adopted { 1 } else { parent })
    }

    /// `execve(2)`: a `program` block of the scenario runs in this process on a new VM; any
    /// other path is the real binary.
    fn exec(&mut self, path: &[u8], argv: Vec<Vec<u8>>, search_path: bool) -> Option<Reply> {
        let text = String::from_utf8_lossy(path).into_owned();
        let mut program = resolve_on_path(&text, search_path);
        if let Some(image) = self.scenario.catalog.resolve(&text, search_path) {
            program.clone_from(&image.path);
            if !runs_real_binary(&image.path) {
                self.vm.exec(image.clone(), argv);
                self.reset_handlers_for_exec();
                for fd in 0..=2 {
                    self.update_tty(fd);
                }
                self.report(&Record::Program { program });
                return None;
            }
        }
        Some(self.exec_real(path, &argv, search_path, program))
    }

    /// Replaces the process with a real binary, which the report calls `program`; returns
    /// only on failure (and then the process still runs its old program).
    fn exec_real(
        &mut self,
        path: &[u8],
        argv: &[Vec<u8>],
        search_path: bool,
        program: String,
    ) -> Reply {
        let (Ok(file), Ok(args)) = (
            CString::new(path),
            argv.iter()
                .map(|a| CString::new(a.as_slice()))
                .collect::<Result<Vec<_>, _>>(),
        ) else {
            return Reply::Error(Errno::EINVAL as i32);
        };
        self.report(&Record::Program { program });
        let error = if search_path {
            nix::unistd::execvp(&file, &args)
        } else {
            nix::unistd::execv(&file, &args)
        };
        let image = self.vm.image();
        let program = if std::rc::Rc::ptr_eq(image, &self.scenario.catalog.main) {
            "main".to_string()
        } else {
            image.path.clone()
        };
        self.report(&Record::Program { program });
        Reply::Error(error.map_or_else(|e| e as i32, |never| match never {}))
    }

    /// Tells the VM's C library whether standard descriptor `fd` is still the terminal.
    pub(super) fn update_tty(&mut self, fd: RawFd) {
        if (0..=2).contains(&fd) {
            let tty = self.is_terminal(fd);
            self.vm.set_tty(fd, tty);
        }
    }

    /// Whether `fd` is open on one of the scenario's terminal files.
    pub(super) fn is_terminal(&self, fd: RawFd) -> bool {
        file_id(fd).is_ok_and(|id| self.link.terminal.contains(&id))
    }
}

/// Programs of the simulated machine that describe that machine rather than compute from
/// their input: `ls` lists the simulated working directory (in columns on the simulated
/// terminal), `ps` the simulated process table. They run as the simulator runs them, so
/// real and simulated outputs compare.
const DESCRIBE_THE_SIMULATOR: &[&str] = &["/bin/ls", "/bin/ps"];

/// Whether exec of catalogue image `path` runs the real binary: the built-in programs
/// (`/bin/echo`, `/bin/cat`, …) stand in for real ones, which run when the host has them
/// (except those in [`DESCRIBE_THE_SIMULATOR`]).
fn runs_real_binary(path: &str) -> bool {
    let builtin = crate::kernel::sim::bin::PROGRAMS
        .iter()
        .any(|(p, _)| *p == path);
    builtin
        && !DESCRIBE_THE_SIMULATOR.contains(&path)
        && nix::unistd::access(path, nix::unistd::AccessFlags::X_OK).is_ok()
}

/// The path a `p`-variant exec of bare `name` runs, for the report (`ls` → `/bin/ls`).
fn resolve_on_path(name: &str, search_path: bool) -> String {
    if !search_path || name.contains('/') {
        return name.to_string();
    }
    let path = std::env::var("PATH").unwrap_or_else(|_| "/bin:/usr/bin".to_string());
    path.split(':')
        .map(|dir| format!("{dir}/{name}"))
        .find(|candidate| {
            nix::unistd::access(candidate.as_str(), nix::unistd::AccessFlags::X_OK).is_ok()
        })
        .unwrap_or_else(|| name.to_string())
}

/// `_exit(2)`: ends this process at once, without unwinding or `atexit` handlers (the VM
/// ran the scenario's own already).
pub(super) fn exit_now(status: i32) -> ! {
    // SAFETY: _exit runs no user code and never returns; nothing in this process needs
    // to be dropped first.
    unsafe { libc::_exit(status) }
}

/// `sleep`/`usleep` for `micros` times `scale`; a caught signal ends it early (`sleep` then
/// returns the seconds left, unscaled back to the scenario's time).
fn sleep(micros: u64, scale: f64) -> Reply {
    let real = (micros as f64 * scale) as u64;
    let mut left = libc::timespec {
        tv_sec: (real / 1_000_000) as libc::time_t,
        tv_nsec: ((real % 1_000_000) * 1000) as libc::c_long,
    };
    loop {
        let asked = left;
        // SAFETY: both pointers are to live locals; the call writes the time left into `left`.
        if unsafe { libc::nanosleep(&asked, &mut left) } == 0 {
            return Reply::Value(Value::ZERO);
        }
        if caught() {
            let real_left = left.tv_sec as f64 + left.tv_nsec as f64 / 1e9;
            let seconds = if scale > 0.0 { real_left / scale } else { 0.0 };
            return Reply::Value(Value::Int(seconds.ceil() as i64));
        }
    }
}
