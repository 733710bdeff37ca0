//! One transition of the explorer on the kernel: a thread's move under the scenario's
//! [`Fidelity`], then the settling that makes the state canonical (threads run to their
//! requests, time passes while no thread can move, retry-only wait queues are dropped).

use super::super::interleave;
use super::super::ipc::Ipc;
use super::super::kernel::{Kernel, Step};
use super::super::pcb::{Block, ProcessTable};
use super::super::pipe::Pipe;
use super::super::{mailbox, socket};
use super::{Fidelity, Move};
use crate::outcome::{Limit, ProcessState};
use crate::vm::{Event, FaultKind, Reply, Request, Value};

/// A limit a step hit, with its configured value.
type Halt = (Limit, u64);

/// Whether `choice` (an [`interleave::choice`]: a process and one of its threads) can move
/// now under `fidelity`: eagerly, if the thread's pending request would not block; by
/// dispatch, if the process is not waiting (a ready process whose request would block can
/// move: it tries and blocks). Dispatch moves whole processes: only thread 0 is a choice.
pub(super) fn movable(
    table: &ProcessTable,
    pipes: &[Pipe],
    ipc: &Ipc,
    fidelity: Fidelity,
    choice: u32,
) -> bool {
    let (p, t) = interleave::split(choice);
    let pcb = table.get(p);
    pcb.live.is_some()
        && match fidelity {
            Fidelity::Eager => interleave::thread_blocks(table, pipes, ipc, p, t).is_none(),
            Fidelity::Dispatch => t == 0 && pcb.state != ProcessState::Waiting,
        }
}

/// Blocks that stay in the eager canonical state: the request was performed and the
/// process waits for something no predicate can see again (its wake-up time, the other end
/// of a FIFO, the receiver of its rendezvous message, a signal). Every other block is a
/// retry, found again by [`would_block`].
fn kept_when_eager(block: Block) -> bool {
    matches!(
        block,
        Block::Sleep { .. }
            | Block::OpenFifo { .. }
            | Block::Pause
            | Block::MailboxSend {
                rendezvous: true,
                ..
            }
    )
}

impl Kernel<'_> {
    /// `choice` (a process and one of its threads) moves, then the state settles; the
    /// limit hit, if any, and how a schedule writes the move.
    pub(super) fn explore_step(&mut self, choice: u32, fidelity: Fidelity) -> (Option<Halt>, Move) {
        let (halt, last) = match fidelity {
            Fidelity::Eager => self.eager_step(choice),
            Fidelity::Dispatch => self.dispatch_step(choice),
        };
        (halt.or_else(|| self.settle(fidelity)), last)
    }

    /// Performs the pending request of the choice's thread (after the memory access it was
    /// answered at, if any: then the move is silent when the thread blocks before its next
    /// request).
    fn eager_step(&mut self, choice: u32) -> (Option<Halt>, Move) {
        let (p, t) = interleave::split(choice);
        self.select_thread(p, t);
        if interleave::is_deferred(self.table.live(p), t) {
            interleave::set_deferred(self.table.live(p), t, false);
            if let Some(halt) = self.run_one(p, t) {
                return (Some(halt), Move::Action);
            }
            if interleave::thread_blocks(&self.table, &self.pipes, &self.ipc, p, t).is_some() {
                return (None, Move::Silent);
            }
        }
        let request = (self.table.live(p).vm.pending(t).cloned())
            .expect("invariant: an enabled thread waits at a request");
        let shared = matches!(request, Request::Shared { .. } | Request::Memory { .. });
        let halt = match self.perform(p, &request) {
            Step::Reply(reply) => {
                let live = self.table.live(p);
                live.vm.resume(t, reply);
                interleave::set_deferred(live, t, shared);
                None
            }
            Step::PerformedThenBlocked(block) if kept_when_eager(block) => {
                self.keep_block(p, t, block)
            }
            Step::Performed | Step::PerformedThenBlocked(_) => None,
            // A request no predicate of `would_block` knows (every call the kernel blocks
            // in has one): this run stops as unsupported rather than guess.
            Step::Blocked(_) => Some((Limit::Unsupported, 0)),
            Step::Limit(limit) => Some(self.limit_value(limit)),
        };
        (halt, Move::Action)
    }

    /// Thread `t` of `p` waits for `block` after performing its request. A thread of a
    /// process with threads keeps only a sleep (its own wake-up): the other blocks are woken
    /// through the process, which the explorer does not model for threads, so that run
    /// stops as unsupported.
    fn keep_block(&mut self, p: u32, t: usize, block: Block) -> Option<Halt> {
        let live = self.table.live(p);
        match live.threads.tasks.get_mut(t) {
            None => self.block(p, block),
            Some(task) if matches!(block, Block::Sleep { .. }) => task.block = Some(block),
            Some(_) => return Some((Limit::Unsupported, 0)),
        }
        None
    }

    /// A run's dispatch of `p` (the choice of its thread 0): its pending signals are
    /// delivered, it runs to its next request (unless it waits at one) and performs it, or
    /// tries it and blocks.
    fn dispatch_step(&mut self, p: u32) -> (Option<Halt>, Move) {
        self.deliver_signals(p);
        if self.table.live(p).vm.pending(0).is_none() {
            if let Some(halt) = self.run_one(p, 0) {
                return (Some(halt), Move::Action);
            }
        }
        let request = (self.table.live(p).vm.pending(0).cloned())
            .expect("invariant: a VM stops at a request unless a limit is hit");
        match self.perform(p, &request) {
            Step::Reply(reply) => self.table.live(p).vm.resume(0, reply),
            Step::Performed => {}
            Step::PerformedThenBlocked(block) => self.block(p, block),
            Step::Blocked(block) => {
                self.block(p, block);
                return (None, Move::Blocked);
            }
            Step::Limit(limit) => return (Some(self.limit_value(limit)), Move::Action),
        }
        (None, Move::Action)
    }

    fn limit_value(&self, limit: Limit) -> Halt {
        let config = &self.scenario.config;
        match limit {
            Limit::Processes => (limit, config.max_processes),
            Limit::Memory => (limit, config.max_memory as u64),
            _ => (limit, config.max_steps),
        }
    }

    /// Runs threads to their next requests (eagerly), advancing time while no thread can
    /// move; then makes the state canonical. By dispatch, a process that has threads stops
    /// the run as unsupported: a dispatch moves a whole process, not one of its threads.
    pub(super) fn settle(&mut self, fidelity: Fidelity) -> Option<Halt> {
        let mut halt = self.run_all(fidelity);
        while halt.is_none() && !self.any_movable(fidelity) && self.pass_time() {
            halt = self.run_all(fidelity);
        }
        self.canonicalise(fidelity);
        let threaded = (self.table.pcbs.iter().filter_map(|pcb| pcb.live.as_deref()))
            .any(|live| live.threads.is_threaded());
        let unsupported = fidelity == Fidelity::Dispatch && threaded;
        halt.or(unsupported.then_some((Limit::Unsupported, 0)))
    }

    /// Eagerly: runs each awake thread without a pending request to its next one
    /// (`max_steps` instructions each at most). By dispatch a process runs only when moved.
    fn run_all(&mut self, fidelity: Fidelity) -> Option<Halt> {
        if fidelity == Fidelity::Dispatch {
            return None;
        }
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
    /// most), as a run's dispatch does: a fault is recorded (the VM then asks to die),
    /// running out of memory or steps ends the run.
    fn run_one(&mut self, p: u32, t: usize) -> Option<Halt> {
        let max_steps = self.scenario.config.max_steps;
        let mut budget = max_steps;
        let live = self.table.live(p);
        match live.vm.run(t, &mut self.ipc, &mut budget) {
            Event::Request(_) => None,
            Event::Fault(fault) => {
                let memory = fault.kind == FaultKind::MemoryLimit;
                self.table.record_mut(p).fault = Some(fault);
                memory.then(|| self.limit_value(Limit::Memory))
            }
            Event::Budget => Some((Limit::Steps, max_steps)),
        }
    }

    fn any_movable(&self, fidelity: Fidelity) -> bool {
        (0..self.table.pcbs.len() as u32).any(|p| {
            interleave::live_threads(&self.table, p).any(|t| {
                let choice = interleave::choice(p, t);
                movable(&self.table, &self.pipes, &self.ipc, fidelity, choice)
            })
        })
    }

    /// Advances the clock to the earliest wake-up or alarm: every time becomes relative to
    /// the new now, due alarms send `SIGALRM` and due sleepers wake (in process order; a
    /// run takes timers due at the same instant in the order they were set). `false` if no
    /// timer is set.
    fn pass_time(&mut self) -> bool {
        let timers = (self.table.pcbs.iter()).filter_map(|pcb| pcb.live.as_deref());
        let earliest = timers
            .flat_map(|live| {
                let sleep = match live.block {
                    Some(Block::Sleep { until }) => Some(until),
                    _ => None,
                };
                sleep.into_iter().chain(live.signals.alarm)
            })
            .chain(interleave::earliest_thread_sleep(&self.table))
            .min();
        let Some(now) = earliest else {
            return false;
        };
        interleave::advance_thread_sleepers(&mut self.table, now);
        for live in (self.table.pcbs.iter_mut()).filter_map(|pcb| pcb.live.as_deref_mut()) {
            if let Some(Block::Sleep { until }) = &mut live.block {
                *until -= now;
            }
            if let Some(due) = &mut live.signals.alarm {
                *due -= now;
            }
        }
        for p in 0..self.table.pcbs.len() as u32 {
            self.alarm_due(p, 0);
            let live = self.table.get(p).live.as_deref();
            if live.is_some_and(|l| l.block == Some(Block::Sleep { until: 0 })) {
                self.table.live(p).vm.resume(0, Reply::Value(Value::ZERO));
                self.wake(p);
            }
        }
        true
    }

    /// Clears what only a run's scheduling needs. Eagerly: every block but those
    /// [`kept_when_eager`] (of a thread: but its sleep), and every wait queue but those of
    /// FIFO opens (which the opener of the other end completes). By dispatch: queues keep only the processes that wait
    /// (each once, in index order); nothing runs, so no process is running.
    fn canonicalise(&mut self, fidelity: Fidelity) {
        for pcb in &mut self.table.pcbs {
            let Some(shared) = pcb.live.as_mut() else {
                continue;
            };
            if fidelity == Fidelity::Eager {
                // Written only when something changes: the state is shared.
                if shared.block.is_some_and(|b| !kept_when_eager(b)) {
                    shared.block = None;
                }
                interleave::canonicalise_threads(shared);
            }
            let live = &**shared;
            pcb.state = if live.block.is_some() {
                ProcessState::Waiting
            } else {
                ProcessState::Ready
            };
        }
        let table = &self.table;
        let waits =
            |q: u32| fidelity == Fidelity::Dispatch && table.get(q).state == ProcessState::Waiting;
        for pipe in &mut self.pipes {
            pipe.retain_waiting(waits);
        }
        if !self.ipc.any_waiting() {
            // Written only when something changes: the state is shared.
            return;
        }
        let ipc = &mut *self.ipc;
        ipc.queues.retain_waiting(waits);
        mailbox::retain_waiting(&mut ipc.mailboxes, waits);
        socket::retain_waiting(&mut ipc.sockets, waits);
        for (f, fifo) in ipc.fifos.iter_mut().enumerate() {
            fifo.retain_waiting(|q| {
                let block = table.get(q).live.as_deref().and_then(|l| l.block);
                matches!(block, Some(Block::OpenFifo { fifo, .. }) if fifo as usize == f)
            });
        }
    }
}
