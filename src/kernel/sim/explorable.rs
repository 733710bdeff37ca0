//! The simulated kernel as a transition system for the explorer: a global state is the
//! kernel's [`Machine`] alone (no output, no clock, no scheduler queue), a transition is one
//! process performing its pending request and running on to its next one, and its label is
//! what it wrote to the terminal.
//!
//! Canonical form after every step: each live process waits at its next request (local
//! computation is invisible, so it runs eagerly); blocked processes are not marked but found
//! by [`would_block`]; wait queues of pipes are emptied; sleepers hold their wake-up time
//! relative to now, and time passes only when no process can move (as in a run). A
//! terminated process keeps only its record, which the outcome needs.

use super::end::read_variables;
use super::files::{FdTable, OpenFile};
use super::interleave;
use super::kernel::{Kernel, Machine, Options, Step};
use super::pcb::{Block, ProcessTable, INIT_PID};
use super::pipe::Pipe;
use super::process::WNOHANG;
use crate::explore::search::System;
use crate::outcome::{End, Limit, Outcome, OutputChunk, ProcessRecord, ProcessState, Termination};
use crate::scenario::Scenario;
use crate::vm::{Event, Reply, Request, RuntimeFault, Value};
use std::hash::{Hash, Hasher};

/// What process `p` would wait for if it tried its pending request now; `None` if it can
/// perform it (or has terminated). A sleeper waits for its wake-up.
pub(super) fn would_block(table: &ProcessTable, pipes: &[Pipe], p: u32) -> Option<Block> {
    let live = table.get(p).live.as_deref()?;
    if live.block.is_some() {
        return live.block;
    }
    request_blocks(table, pipes, p, live.vm.pending(live.thread())?)
}

/// What process `p` would wait for if it made `request` now; `None` if it can perform it.
pub(super) fn request_blocks(
    table: &ProcessTable,
    pipes: &[Pipe],
    p: u32,
    request: &Request,
) -> Option<Block> {
    let live = table.get(p).live.as_deref()?;
    match request {
        Request::Wait { pid, options } if options & WNOHANG == 0 => {
            wait_blocks(table, p, *pid).then_some(Block::Wait { pid: *pid })
        }
        Request::Read { fd, len } => match live.fds.get(*fd) {
            Some(OpenFile::PipeRead(n)) if pipes[n as usize].read_blocks(*len) => {
                Some(Block::Read { pipe: n, fd: *fd })
            }
            _ => None,
        },
        Request::Write { fd, data } => match live.fds.get(*fd) {
            Some(OpenFile::PipeWrite(n))
                if pipes[n as usize].write_blocks(data.len() - live.written) =>
            {
                Some(Block::Write { pipe: n, fd: *fd })
            }
            _ => None,
        },
        _ => None,
    }
}

/// Whether the explorer models `request` of a process with descriptors `fds`: process
/// calls, pipes and the terminal, shared memory, and calls that never block. Signals,
/// FIFOs, message queues, sockets and mailboxes are not modelled yet.
fn modelled(request: &Request, fds: &FdTable) -> bool {
    match request {
        Request::Read { fd, .. } | Request::Write { fd, .. } => !matches!(
            fds.get(*fd),
            Some(OpenFile::Socket(_) | OpenFile::Shm { .. })
        ),
        Request::Open { .. }
        | Request::Msgsnd { .. }
        | Request::Msgrcv { .. }
        | Request::Kill { .. }
        | Request::Raise { .. }
        | Request::Signal { .. }
        | Request::Sigaction { .. }
        | Request::Pause
        | Request::Alarm { .. }
        | Request::Socket { .. }
        | Request::Socketpair { .. }
        | Request::Bind { .. }
        | Request::Listen { .. }
        | Request::Accept { .. }
        | Request::Connect { .. }
        | Request::Mailbox { .. }
        | Request::MailboxSend { .. }
        | Request::MailboxReceive { .. } => false,
        _ => true,
    }
}

/// Whether `waitpid(pid)` by `p` blocks: a matching child lives and none is a zombie.
fn wait_blocks(table: &ProcessTable, p: u32, pid: i64) -> bool {
    if pid > 0 {
        let Some(c) = table.index_of(pid) else {
            return false;
        };
        let child = table.get(c);
        child.parent == Some(p) && child.live.is_some()
    } else {
        (table.get(p).live.as_deref()).is_some_and(|l| l.zombies.is_empty() && l.live_children > 0)
    }
}

/// One global state of a scenario's exploration.
#[derive(Clone, Debug)]
pub struct Explorable<'s> {
    scenario: &'s Scenario,
    machine: Machine,
    /// The limit a step hit (too many processes, a local loop past `max_steps`): the run
    /// ends here.
    halt: Option<(Limit, u64)>,
    /// Whether the last step only resumed a thread after a memory access and found it
    /// blocked (not a state's identity: neither compared nor hashed).
    silent: bool,
}

impl PartialEq for Explorable<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.machine == other.machine && self.halt == other.halt
    }
}

impl Eq for Explorable<'_> {}

impl Hash for Explorable<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.machine.hash(state);
        self.halt.hash(state);
    }
}

/// How one process ended, with pids replaced by tree names so that outcomes differing only
/// in pid numbering compare equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fate {
    /// Tree name.
    pub name: String,
    /// Program it ran last.
    pub program: String,
    /// How it ended, if it did.
    pub termination: Option<Termination>,
    /// Its parent at the end (`init` once adopted by init).
    pub parent: String,
    /// Whether it was orphaned, and who adopted it.
    pub adopted_by: Option<String>,
    /// Whether it is a zombie at the end.
    pub zombie: bool,
    /// Who reaped it.
    pub reaped_by: Option<String>,
    /// The fault that killed it.
    pub fault: Option<RuntimeFault>,
    /// What it is blocked on at the end.
    pub blocked_on: Option<String>,
    /// Watched variables.
    pub variables: Vec<(String, i64)>,
}

/// Everything of an end state but the output: the fate of every process (sorted by name)
/// and how the run ended.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EndKey {
    /// Every process.
    pub fates: Vec<Fate>,
    /// `Some` if a limit ended the run.
    pub halt: Option<(Limit, u64)>,
    /// Whether live processes remain, all blocked.
    pub deadlock: bool,
    /// The regular files and their contents.
    pub files: Vec<crate::outcome::FileRecord>,
}

impl EndKey {
    /// The end as the outcome definition sees it: what each process came to, zombies and
    /// orphans still alive at the end, but not who adopted or reaped a process that has
    /// finished (that history is in the report, and `orphans` expectations see it).
    pub fn at_exit(&self) -> EndKey {
        let fates = (self.fates.iter())
            .map(|f| {
                let mut fate = f.clone();
                if f.termination.is_some() && !f.zombie {
                    fate.parent = String::new();
                    fate.adopted_by = None;
                    fate.reaped_by = None;
                }
                fate
            })
            .collect();
        EndKey {
            fates,
            halt: self.halt,
            deadlock: self.deadlock,
            files: self.files.clone(),
        }
    }
}

impl<'s> Explorable<'s> {
    /// The initial state: the initial process with `argv`, run to its first request.
    pub fn new(scenario: &'s Scenario, argv: Vec<Vec<u8>>) -> Explorable<'s> {
        let options = Options {
            argv,
            schedule: None,
            record_history: false,
        };
        let machine = Kernel::new(scenario, options).into_machine();
        let mut state = Explorable {
            scenario,
            machine,
            halt: None,
            silent: false,
        };
        state.halt = state.with_kernel(|k| k.settle());
        state
    }

    /// The schedule name of choice `choice`: the tree name of its process, with the thread
    /// (`main/2`) for a thread other than the main one.
    pub fn name(&self, choice: u32) -> String {
        let (p, t) = interleave::split(choice);
        interleave::thread_name(&self.machine.table.record(p).name, t)
    }

    fn with_kernel<R>(&mut self, f: impl FnOnce(&mut Kernel<'s>) -> R) -> R {
        let empty = Machine {
            table: ProcessTable::new(0),
            pipes: Vec::new(),
            ipc: Default::default(),
        };
        let machine = std::mem::replace(&mut self.machine, empty);
        let mut kernel = Kernel::around(self.scenario, machine);
        let result = f(&mut kernel);
        self.machine = kernel.into_machine();
        result
    }

    /// The records as a run's outcome has them at its end.
    fn records(&self) -> Vec<ProcessRecord> {
        let table = &self.machine.table;
        let mut records = table.records.clone();
        for (p, (record, pcb)) in records.iter_mut().zip(&table.pcbs).enumerate() {
            record.zombie_at_end = pcb.zombie;
            if let Some(live) = &pcb.live {
                record.blocked_on = interleave::blocked_at_end(&self.machine, p as u32);
                record.variables = read_variables(&live.vm, &self.scenario.watched);
            }
        }
        records
    }

    /// The outcome of an end state reached with `output` by `schedule` in `steps` actions.
    /// The output is one chunk (the explorer keeps output as bytes, not per writer).
    pub fn outcome(&self, output: Vec<u8>, schedule: String, steps: u64) -> Outcome {
        let processes = self.records();
        let end = match self.halt {
            Some((limit, value)) => End::Limit { limit, value },
            None if self.machine.table.alive == 0 => End::Finished,
            None => End::Deadlock {
                waiting: (processes.iter().enumerate())
                    .filter_map(|(i, r)| Some((i, r.blocked_on.clone()?)))
                    .collect(),
            },
        };
        let output = if output.is_empty() {
            Vec::new()
        } else {
            vec![OutputChunk {
                process: 0,
                fd: 1,
                bytes: output,
            }]
        };
        Outcome {
            processes,
            output,
            end,
            context_switches: 0,
            steps,
            clock_micros: 0,
            schedule,
            unsupported: Vec::new(),
            files: super::regular::files_at_end(&self.machine.ipc),
        }
    }

    /// The end key of this state.
    pub fn end_key(&self) -> EndKey {
        let records = self.records();
        let name_of = |pid: i64| -> String {
            if pid == INIT_PID {
                return "init".to_string();
            }
            (records.iter().find(|r| r.pid == pid))
                .map_or_else(|| "outside".to_string(), |r| r.name.clone())
        };
        let mut fates: Vec<Fate> = (records.iter())
            .map(|r| Fate {
                name: r.name.clone(),
                program: r.program.clone(),
                termination: r.termination,
                parent: name_of(r.ppid),
                adopted_by: r.adopted_by.map(name_of),
                zombie: r.zombie_at_end,
                reaped_by: r.reaped_by.map(name_of),
                fault: r.fault.clone(),
                blocked_on: r.blocked_on.clone(),
                variables: r.variables.clone(),
            })
            .collect();
        fates.sort_by(|a, b| a.name.cmp(&b.name));
        EndKey {
            fates,
            halt: self.halt,
            deadlock: self.halt.is_none() && self.machine.table.alive > 0,
            files: super::regular::files_at_end(&self.machine.ipc),
        }
    }

    /// Whether moving `p` now is not an action of a run's schedule: `p` resumes after a
    /// shared-memory access and then blocks (a run tries and blocks without counting it).
    /// Call after the move, with `was_deferred` read before it.
    pub fn moved_silently(&self, choice: u32, was_deferred: bool) -> bool {
        let _ = choice;
        was_deferred && self.silent
    }

    /// Whether the choice's thread resumes after a shared-memory access when next moved.
    pub fn is_deferred(&self, choice: u32) -> bool {
        let (p, t) = interleave::split(choice);
        (self.machine.table.get(p).live.as_deref()).is_some_and(|l| interleave::is_deferred(l, t))
    }

    /// The pending request of the choice's thread, if its process is live.
    pub fn pending(&self, choice: u32) -> Option<&Request> {
        let (p, t) = interleave::split(choice);
        self.machine.table.get(p).live.as_deref()?.vm.pending(t)
    }
}

impl System for Explorable<'_> {
    type End = EndKey;

    fn enabled(&self, out: &mut Vec<u32>) {
        if self.halt.is_some() {
            return;
        }
        let (table, pipes, shm) = (
            &self.machine.table,
            &self.machine.pipes,
            &self.machine.ipc.shm,
        );
        for p in 0..table.pcbs.len() as u32 {
            for t in interleave::live_threads(table, p) {
                if interleave::thread_blocks(table, pipes, shm, p, t).is_none() {
                    out.push(interleave::choice(p, t));
                }
            }
        }
    }

    fn step(&mut self, choice: u32, output: &mut Vec<u8>) {
        let mut silent = false;
        self.halt = self.with_kernel(|k| {
            let halt = k.explore_step(choice, &mut silent);
            for chunk in k.output.drain(..) {
                output.extend_from_slice(&chunk.bytes);
            }
            halt
        });
        self.silent = silent;
    }

    fn end_class(&self) -> EndKey {
        self.end_key()
    }

    /// Requests that read or change only the process's own state and no other process
    /// can disable: `getpid`, `isatty`, `dup`, `close` of the terminal, `exec`, an
    /// unsupported call, a zero-length sleep. (A shared-memory access is not: it races.)
    fn is_local(&self, choice: u32) -> bool {
        let (p, t) = interleave::split(choice);
        let Some(live) = self.machine.table.get(p).live.as_deref() else {
            return false;
        };
        if live.vm.live_threads() > 1 {
            // The other threads share the descriptors and the image.
            return interleave::is_local_to_thread(live.vm.pending(t));
        }
        match live.vm.pending(t) {
            Some(Request::Getpid | Request::Isatty { .. } | Request::Dup { .. }) => true,
            Some(Request::Exec { .. } | Request::Unsupported { .. }) => true,
            Some(Request::Sleep { micros: 0 }) => true,
            Some(Request::Close { fd }) => live.fds.get(*fd) == Some(OpenFile::Terminal),
            _ => false,
        }
    }

    fn persistent(&self, enabled: &[u32], out: &mut Vec<u32>) {
        super::footprint::persistent(&self.machine, self.scenario, enabled, out);
    }
}

impl Kernel<'_> {
    /// Process `p` performs its pending request; then every process runs to its next
    /// request, time passes if no process can move, and the state is made canonical.
    /// `silent` is set when the move only resumed the thread after a memory access and it
    /// then blocked (a run does that without counting an action).
    fn explore_step(&mut self, choice: u32, silent: &mut bool) -> Option<(Limit, u64)> {
        let (p, t) = interleave::split(choice);
        self.select_thread(p, t);
        if interleave::is_deferred(self.table.live(p), t) {
            interleave::set_deferred(self.table.live(p), t, false);
            if let Some(halt) = self.run_one(p, t) {
                return Some(halt);
            }
            if interleave::thread_blocks(&self.table, &self.pipes, &self.ipc.shm, p, t).is_some() {
                *silent = true;
                return self.settle();
            }
        }
        let request = (self.table.live(p).vm.pending(t).cloned())
            .expect("invariant: an enabled process waits at a request");
        let shared = matches!(request, Request::Shared { .. } | Request::Memory { .. });
        let halt = match self.perform(p, &request) {
            Step::Reply(reply) => {
                let live = self.table.live(p);
                live.vm.resume(t, reply);
                interleave::set_deferred(live, t, shared);
                None
            }
            Step::PerformedThenBlocked(block @ Block::Sleep { .. }) => {
                let live = self.table.live(p);
                match live.threads.tasks.get_mut(t) {
                    Some(task) => task.block = Some(block),
                    None => live.block = Some(block),
                }
                None
            }
            Step::Performed | Step::PerformedThenBlocked(_) | Step::Blocked(_) => None,
            Step::Limit(limit) => Some(self.limit_value(limit)),
        };
        halt.or_else(|| self.settle())
    }

    fn limit_value(&self, limit: Limit) -> (Limit, u64) {
        let config = &self.scenario.config;
        match limit {
            Limit::Processes => (limit, config.max_processes),
            _ => (limit, config.max_steps),
        }
    }

    /// Runs every process to its next request, advancing time while no process can move;
    /// then makes the state canonical.
    fn settle(&mut self) -> Option<(Limit, u64)> {
        let mut halt = self.run_all();
        while halt.is_none() && !self.any_enabled() && self.wake_earliest() {
            halt = self.run_all();
        }
        self.canonicalise();
        halt.or_else(|| self.unmodelled())
    }

    /// Stops the exploration at the first process waiting at a call it does not model.
    fn unmodelled(&self) -> Option<(Limit, u64)> {
        let unmodelled = (self.table.pcbs.iter()).any(|pcb| {
            pcb.live.as_deref().is_some_and(|l| {
                (0..l.vm.threads()).any(|t| l.vm.pending(t).is_some_and(|r| !modelled(r, &l.fds)))
            })
        });
        unmodelled.then_some((Limit::Unsupported, 0))
    }

    /// Runs each live, awake process without a pending request to its next one
    /// (`max_steps` instructions each at most).
    fn run_all(&mut self) -> Option<(Limit, u64)> {
        for p in 0..self.table.pcbs.len() as u32 {
            for t in 0..interleave::thread_count(&self.table, p) {
                let runs =
                    (self.table.get(p).live.as_deref()).is_some_and(|l| interleave::runs_on(l, t));
                if runs {
                    if let Some(halt) = self.run_one(p, t) {
                        return Some(halt);
                    }
                }
            }
        }
        None
    }

    /// Runs thread `t` of process `p` to its next request (`max_steps` instructions at
    /// most).
    fn run_one(&mut self, p: u32, t: usize) -> Option<(Limit, u64)> {
        let max_steps = self.scenario.config.max_steps;
        let mut budget = max_steps;
        let live = self.table.live(p);
        match live.vm.run(t, &mut self.ipc.shm, &mut budget) {
            Event::Request(_) => None,
            Event::Fault(fault) => {
                self.table.record_mut(p).fault = Some(fault);
                None
            }
            Event::Budget => Some((Limit::Steps, max_steps)),
        }
    }

    fn any_enabled(&self) -> bool {
        (0..self.table.pcbs.len() as u32).any(|p| {
            interleave::live_threads(&self.table, p).any(|t| {
                interleave::thread_blocks(&self.table, &self.pipes, &self.ipc.shm, p, t).is_none()
            })
        })
    }

    /// Wakes the earliest sleepers; the others' wake-up times become relative to the new
    /// now. `false` if no process sleeps.
    fn wake_earliest(&mut self) -> bool {
        let earliest = (self.table.pcbs.iter())
            .filter_map(|pcb| match pcb.live.as_ref()?.block {
                Some(Block::Sleep { until }) => Some(until),
                _ => None,
            })
            .chain(interleave::earliest_thread_sleep(&self.table))
            .min();
        let Some(now) = earliest else {
            return false;
        };
        interleave::advance_thread_sleepers(&mut self.table, now);
        for pcb in &mut self.table.pcbs {
            let Some(live) = pcb.live.as_deref_mut() else {
                continue;
            };
            if let Some(Block::Sleep { until }) = live.block {
                if until == now {
                    live.block = None;
                    live.vm.resume(0, Reply::Value(Value::ZERO));
                } else {
                    live.block = Some(Block::Sleep { until: until - now });
                }
            }
        }
        true
    }

    /// Clears what only a run's scheduling needs: wait queues, and every block but sleep.
    fn canonicalise(&mut self) {
        for pcb in &mut self.table.pcbs {
            if let Some(live) = pcb.live.as_deref_mut() {
                if !matches!(live.block, Some(Block::Sleep { .. })) {
                    live.block = None;
                }
                interleave::canonicalise_threads(live);
                pcb.state = if live.block.is_some() {
                    ProcessState::Waiting
                } else {
                    ProcessState::Ready
                };
            }
        }
        for pipe in &mut self.pipes {
            pipe.waiting_readers.clear();
            pipe.waiting_writers.clear();
        }
    }
}
