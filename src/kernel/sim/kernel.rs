//! The kernel driver: one scheduling step after another — pick a process, run its VM to its
//! next request, perform the request or block — until every process has terminated, all
//! are blocked, or a limit is hit.

use super::clock::Clock;
use super::explorable::would_block;
use super::files::FdTable;
use super::interleave;
use super::ipc::Ipc;
use super::pcb::{new_record, Block, Live, ProcessTable};
use super::pipe::Pipe;
use super::schedule::{Replay, Schedule, ScheduleError};
use super::scheduler::{Dispatch, Scheduler};
use super::shared::Shared;
use crate::errno::ENOSYS;
use crate::outcome::{End, Limit, Outcome, OutputChunk, ProcessState};
use crate::scenario::Scenario;
use crate::vm::{Event, FaultKind, Reply, Request, Value, Vm};
use rustc_hash::FxHashMap;

/// How to run: the initial process's arguments, a schedule to replay, what to record.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `argv` of the initial process, `argv[0]` first.
    pub argv: Vec<Vec<u8>>,
    /// Choices to force, in order; the policy decides once they are used up.
    pub schedule: Option<Schedule>,
    /// Record every process's state changes (`ProcessRecord::history`).
    pub record_history: bool,
}

/// What performing a request did.
#[derive(Debug)]
pub(super) enum Step {
    /// Done: the call returns this.
    Reply(Reply),
    /// Done, and there is nothing to resume (`exec` succeeded, the process terminated).
    Performed,
    /// Done in part (a sleep began, part of a large write went in); the process now waits.
    PerformedThenBlocked(Block),
    /// Cannot proceed: the process waits and retries the request when woken.
    Blocked(Block),
    /// Performing it would exceed a limit; the run stops.
    Limit(Limit),
}

/// The kernel's behavioural state: everything that decides what can happen next (the
/// process table with each process's program state, descriptors and record, and the pipes).
/// What only records a run (output, schedule log, scheduler queue, clock, history) stays in
/// [`Kernel`]. Cloned and hashed by the explorer, one per global state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Machine {
    pub(super) table: ProcessTable,
    pub(super) pipes: Vec<Pipe>,
    pub(super) ipc: Shared<Ipc>,
}

/// The simulated kernel for one run of a scenario.
pub struct Kernel<'s> {
    pub(super) scenario: &'s Scenario,
    pub(super) table: ProcessTable,
    pub(super) pipes: Vec<Pipe>,
    pub(super) ipc: Shared<Ipc>,
    pub(super) scheduler: Scheduler,
    pub(super) clock: Clock,
    pub(super) output: Vec<OutputChunk>,
    budget: u64,
    pub(super) steps: u64,
    pub(super) log: Vec<(u32, u64)>,
    replay: Option<Replay>,
    names: FxHashMap<String, Vec<u32>>,
    record_history: bool,
    /// Names of calls answered with `ENOSYS`.
    pub(super) unsupported: std::collections::BTreeSet<&'static str>,
}

impl<'s> Kernel<'s> {
    /// A kernel whose only process is the initial one, ready to run `scenario`'s main
    /// program with `options.argv` and descriptors 0–2 on the terminal.
    pub fn new(scenario: &'s Scenario, options: Options) -> Kernel<'s> {
        let config = &scenario.config;
        let mut kernel = Kernel {
            scenario,
            table: ProcessTable::new(config.first_pid),
            pipes: Vec::new(),
            ipc: Shared::new(Ipc::default()),
            scheduler: Scheduler::new(config),
            clock: Clock::default(),
            output: Vec::new(),
            budget: config.max_steps,
            steps: 0,
            log: Vec::new(),
            replay: options.schedule.map(Replay::new),
            names: FxHashMap::default(),
            record_history: options.record_history,
            unsupported: Default::default(),
        };
        let mut vm = Vm::new(scenario.catalog.main.clone(), options.argv, &config.vm());
        for fd in 0..=2 {
            vm.set_tty(fd, true);
        }
        let pid = config.first_pid;
        let record = new_record(pid, "main".to_string(), None, "main".to_string(), pid - 1);
        let main = kernel
            .table
            .insert(record, None, Live::new(vm, FdTable::terminal()));
        kernel.created(main);
        kernel.scheduler.make_ready(main);
        for (path, contents) in &scenario.files {
            kernel.create_file(path, contents);
        }
        kernel
    }

    /// A kernel around `machine` that records nothing and replays nothing: the explorer
    /// performs one step of a state it holds this way.
    pub(super) fn around(scenario: &'s Scenario, machine: Machine) -> Kernel<'s> {
        Kernel {
            scenario,
            table: machine.table,
            pipes: machine.pipes,
            ipc: machine.ipc,
            scheduler: Scheduler::new(&scenario.config),
            clock: Clock::default(),
            output: Vec::new(),
            budget: scenario.config.max_steps,
            steps: 0,
            log: Vec::new(),
            replay: None,
            names: FxHashMap::default(),
            record_history: false,
            unsupported: Default::default(),
        }
    }

    /// The behavioural state, without the recording.
    pub(super) fn into_machine(self) -> Machine {
        Machine {
            table: self.table,
            pipes: self.pipes,
            ipc: self.ipc,
        }
    }

    /// Runs until the end and reports everything that happened.
    ///
    /// # Errors
    /// [`ScheduleError::Diverged`] when a replayed schedule names a process that cannot
    /// perform the next action.
    pub fn run(mut self) -> Result<Outcome, ScheduleError> {
        loop {
            let Some((dispatch, forced)) = self.choose()? else {
                if let Some(name) = self.replay.as_ref().and_then(Replay::next_name) {
                    let name = name.to_string();
                    let candidates = self.names.get(&name).cloned().unwrap_or_default();
                    return Err(self.unrunnable(name, &candidates));
                }
                let end = self.idle_end();
                return Ok(self.finish(end));
            };
            if let Some(end) = self.step(dispatch, forced)? {
                return Ok(self.finish(end));
            }
        }
    }

    /// One scheduling step of the dispatched process; `Some(end)` when the run ends here, an
    /// error when a forced process cannot proceed.
    fn step(&mut self, dispatch: Dispatch, forced: bool) -> Result<Option<End>, ScheduleError> {
        let p = dispatch.process;
        if let Some(q) = dispatch.preempted {
            self.set_state(q, ProcessState::Ready);
        }
        if dispatch.switched {
            self.table.record_mut(p).context_switches += 1;
        }
        if self.table.get(p).state != ProcessState::Running {
            self.set_state(p, ProcessState::Running);
        }
        if !forced {
            self.pick_thread(p);
        }
        self.deliver_signals(p);
        let request = match self.advance(p) {
            Ok(request) => request,
            Err(end) => return Ok(Some(end)),
        };
        let actor = interleave::choice(p, self.table.live(p).thread());
        self.thread_switch(p, actor);
        let parks = forced && self.replay.as_ref().is_some_and(Replay::blocks);
        match self.perform(p, &request) {
            Step::Blocked(block) if parks => {
                self.block(p, block);
                if let Some(replay) = &mut self.replay {
                    replay.advance();
                }
            }
            _ if parks => return Err(self.diverged(p, "does not block".to_string())),
            Step::Reply(reply) => {
                let live = self.table.live(p);
                live.vm.resume(live.thread(), reply);
                self.performed(actor);
            }
            Step::Performed => self.performed(actor),
            Step::PerformedThenBlocked(block) => {
                self.performed(actor);
                self.block(p, block);
            }
            Step::Blocked(block) if forced => {
                return Err(self.diverged(p, format!("is blocked: {}", block.phrase())));
            }
            Step::Blocked(block) => self.block(p, block),
            Step::Limit(limit) => {
                let value = match limit {
                    Limit::Processes => self.scenario.config.max_processes,
                    _ => self.scenario.config.max_steps,
                };
                return Ok(Some(End::Limit { limit, value }));
            }
        }
        Ok(None)
    }

    /// The next process to run and whether a replayed schedule forced it; `None` when no
    /// process can run even after the clock advances.
    fn choose(&mut self) -> Result<Option<(Dispatch, bool)>, ScheduleError> {
        while self.scheduler.is_idle() {
            if !self.wake_sleepers() {
                return Ok(None);
            }
        }
        let Some(name) = self.replay.as_ref().and_then(Replay::next_name) else {
            return Ok(self.scheduler.next().map(|d| (d, false)));
        };
        let name = name.to_string();
        let (process, thread) = interleave::parse_thread_name(&name);
        let candidates = self.names.get(process).cloned().unwrap_or_default();
        loop {
            let runnable = candidates.iter().copied().find(|&p| {
                matches!(
                    self.table.get(p).state,
                    ProcessState::Ready | ProcessState::Running
                )
            });
            if let Some(dispatch) = runnable.and_then(|p| self.scheduler.take(p)) {
                if !self.select_thread(dispatch.process, thread) {
                    return Err(ScheduleError::Diverged {
                        step: self.steps,
                        name,
                        reason: "is not a running thread".to_string(),
                    });
                }
                return Ok(Some((dispatch, true)));
            }
            let progress =
                self.park_blocked() || (self.scheduler.is_idle() && self.wake_sleepers());
            if !progress {
                return Err(self.unrunnable(name, &candidates));
            }
        }
    }

    /// Under replay, when the named process cannot run yet: every ready process whose next
    /// request would block tries it and blocks, as it would when the policy picked it
    /// (blocking is not a visible action, so a schedule does not name it). `true` if any
    /// process blocked.
    fn park_blocked(&mut self) -> bool {
        let ready: Vec<u32> = (0..self.table.pcbs.len() as u32)
            .filter(|&p| {
                matches!(
                    self.table.get(p).state,
                    ProcessState::Ready | ProcessState::Running
                )
            })
            .collect();
        let mut parked = false;
        for p in ready {
            if self.advance(p).is_err()
                || would_block(&self.table, &self.pipes, &self.ipc, p).is_none()
            {
                continue;
            }
            let live = self.table.live(p);
            let request = live.vm.pending(live.thread()).cloned();
            if let Some(Step::Blocked(block)) = request.map(|r| self.perform(p, &r)) {
                self.scheduler.remove(p);
                self.table.live(p).block = Some(block);
                self.set_state(p, ProcessState::Waiting);
                parked = true;
            }
        }
        parked
    }

    /// Why none of `candidates` (the processes called `name`) can run now.
    fn unrunnable(&self, name: String, candidates: &[u32]) -> ScheduleError {
        let reason = match candidates.first().map(|&p| self.table.get(p)) {
            None => "does not exist".to_string(),
            Some(pcb) => match pcb.live.as_ref().and_then(|l| l.block) {
                Some(block) => format!("is blocked: {}", block.phrase()),
                None => "has terminated".to_string(),
            },
        };
        ScheduleError::Diverged {
            step: self.steps,
            name,
            reason,
        }
    }

    fn diverged(&self, p: u32, reason: String) -> ScheduleError {
        let name = self.table.record(p).name.clone();
        ScheduleError::Diverged {
            step: self.steps,
            name,
            reason,
        }
    }

    /// Advances the clock to the earliest wake-up and readies every sleeper due; `false` if
    /// no process sleeps.
    fn wake_sleepers(&mut self) -> bool {
        let table = &self.table;
        let asleep = |p: u32, until: u64| super::signal::timer_due(table, p, until);
        let Some(until) = self.clock.earliest(asleep) else {
            return false;
        };
        for (p, t) in self.clock.advance_to(until) {
            self.alarm_due(p, t);
            self.wake_sleeper(p, t);
        }
        true
    }

    /// Runs `p`'s VM to its next request (unless it waits at one already).
    fn advance(&mut self, p: u32) -> Result<Request, End> {
        let live = self.table.live(p);
        let t = live.thread();
        if live.vm.pending(t).is_none() {
            match live.vm.run(t, &mut self.ipc, &mut self.budget) {
                Event::Request(_) => {}
                Event::Fault(fault) if fault.kind == FaultKind::MemoryLimit => {
                    self.table.record_mut(p).fault = Some(fault);
                    return Err(End::Limit {
                        limit: Limit::Memory,
                        value: self.scenario.config.max_memory as u64,
                    });
                }
                Event::Fault(fault) => self.table.record_mut(p).fault = Some(fault),
                Event::Budget => {
                    let value = self.scenario.config.max_steps;
                    return Err(End::Limit {
                        limit: Limit::Steps,
                        value,
                    });
                }
            }
        }
        let live = self.table.live(p);
        Ok(live
            .vm
            .pending(t)
            .cloned()
            .expect("invariant: a VM stops at a request unless its budget ran out"))
    }

    /// Performs `request` for process `p`.
    pub(super) fn perform(&mut self, p: u32, request: &Request) -> Step {
        match request {
            Request::Fork { name } => self.fork(p, name.as_deref()),
            Request::Exit { status } => self.exit(p, *status),
            Request::Die { signal } => self.die(p, *signal),
            Request::Wait { pid, options } => self.waitpid(p, *pid, *options),
            Request::Exec {
                path,
                argv,
                search_path,
            } => self.exec(p, path, argv, *search_path),
            Request::Getpid => Step::Reply(Reply::Pid(self.table.pid(p))),
            Request::Getppid => Step::Reply(Reply::Pid(self.table.record(p).ppid)),
            Request::Sleep { micros } => self.sleep(p, *micros),
            Request::Write { fd, data } => self.write(p, *fd, data),
            Request::Read { fd, len } => self.read(p, *fd, *len),
            Request::Close { fd } => self.close(p, *fd),
            Request::Pipe => self.pipe(p),
            Request::Dup { fd } => self.dup(p, *fd),
            Request::Dup2 { old, new } => self.dup2(p, *old, *new),
            Request::Isatty { fd } => self.isatty(p, *fd),
            Request::Shared { .. } | Request::Memory { .. } => {
                Step::Reply(Reply::Value(Value::ZERO))
            }
            sync if sync.is_sync() => self.perform_sync(p, sync),
            Request::Unsupported { name } => {
                self.unsupported.insert(name);
                Step::Reply(Reply::Error(ENOSYS))
            }
            ipc => self.perform_ipc(p, ipc),
        }
    }

    /// Counts a visible action of `p` (an [`interleave::choice`]: a process and its thread)
    /// and logs it in the schedule.
    fn performed(&mut self, p: u32) {
        self.steps += 1;
        self.scheduler.performed();
        match self.log.last_mut() {
            Some((q, n)) if *q == p => *n += 1,
            _ => self.log.push((p, 1)),
        }
        if let Some(replay) = &mut self.replay {
            replay.advance();
        }
    }

    /// `p` leaves the CPU for the wait queue of `block`.
    pub(super) fn block_process(&mut self, p: u32, block: Block) {
        if let Some(live) = self.table.get_mut(p).live.as_deref_mut() {
            live.block = Some(block);
            self.set_state(p, ProcessState::Waiting);
            self.scheduler.leave();
        }
    }

    /// Moves a Waiting `p` to the ready queue.
    /// Threads of a process with threads that wait in such a call try it again too.
    pub(super) fn wake(&mut self, p: u32) {
        let waiting = self.table.get(p).state == ProcessState::Waiting;
        let Some(live) = self.table.get_mut(p).live.as_deref_mut() else {
            return;
        };
        if waiting || live.block.is_some() {
            live.block = None;
            let current = live.thread();
            if let Some(task) = live.threads.tasks.get_mut(current) {
                task.block = None;
            }
            super::thread::retry_process_blocks(&mut live.threads);
        }
        if waiting {
            self.set_state(p, ProcessState::Ready);
            self.scheduler.make_ready(p);
        }
    }

    /// A new process `p` (state New) enters the ready state.
    pub(super) fn created(&mut self, p: u32) {
        if self.record_history {
            let steps = self.steps;
            self.table
                .record_mut(p)
                .history
                .push((steps, ProcessState::New));
        }
        if self.replay.is_some() {
            let name = self.table.record(p).name.clone();
            self.names.entry(name).or_default().push(p);
        }
        self.set_state(p, ProcessState::Ready);
    }

    /// Changes `p`'s state, recording it when history is asked for.
    pub(super) fn set_state(&mut self, p: u32, state: ProcessState) {
        let steps = self.steps;
        self.table.get_mut(p).state = state;
        if self.record_history {
            self.table.record_mut(p).history.push((steps, state));
        }
    }
}
