//! The simulated kernel as a transition system for the explorer: a global state is the
//! kernel's [`Machine`] alone (no output, no clock, no scheduler queue), a transition is one
//! visible action of a process or of one of its threads (a choice names both:
//! `interleave::choice`), and its label is what it wrote to the terminal.
//!
//! Two fidelities ([`Fidelity`]), chosen per scenario. *Eager*: each live thread waits at
//! its next request (local computation is invisible, so it runs eagerly), and whether it is
//! blocked is not stored but found from the state (`interleave::thread_blocks`, which asks
//! [`request_blocks`] for every call that is not a thread call). *Dispatch*, for scenarios
//! where it matters whether a process has already tried its request (a signal handler runs
//! before the code after the last call, but interrupts a call the process waits in): a
//! transition is exactly a run's dispatch of one process, including the silent one that
//! tries a request and blocks, and the process states and blocks are part of the state. A
//! dispatch moves a whole process, so a process that creates threads stops such an
//! exploration as unsupported.
//!
//! Canonical form after every step: retry-only wait queues are emptied (eager) or reduced
//! to the processes that wait on them (dispatch); sleepers and alarms hold their times
//! relative to now, and time passes only when no thread can move (as in a run). A
//! terminated process keeps only its record, which the outcome needs.

mod blocking;
mod end_key;
mod fidelity;
mod step;

pub(super) use blocking::{request_blocks, would_block};
pub use end_key::{fates_of, EndKey, Fate};
use fidelity::Fidelity;

use super::end::read_variables;
use super::files::OpenFile;
use super::footprint::Commute;
use super::interleave;
use super::ipc::Ipc;
use super::kernel::{Kernel, Machine, Options};
use super::pcb::ProcessTable;
use super::pcb::{Live, INIT_PID};
use super::shared::Pool;
use super::shared::Shared;
use super::symmetry;
use crate::explore::search::System;
use crate::outcome::{End, Limit, Outcome, OutputChunk, ProcessRecord};
use crate::scenario::Scenario;
use crate::syntax::ast::Property;
use crate::vm::Request;
use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

/// What the last move of a state was, as a schedule writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// A visible action: the schedule names the process.
    Action,
    /// Not an action of a run (a deferred shared-memory access that then blocks): left out.
    Silent,
    /// The process tried its request and blocked: written `name:block`.
    Blocked,
}

/// One global state of a scenario's exploration.
#[derive(Clone, Debug)]
pub struct Explorable<'s> {
    scenario: &'s Scenario,
    machine: Machine,
    /// The limit a step hit (too many processes, a local loop past `max_steps`): the run
    /// ends here.
    halt: Option<(Limit, u64)>,
    fidelity: Fidelity,
    /// Whether states are renumbered in tree order ([`super::symmetry`]; not part of the
    /// state).
    symmetric: bool,
    /// Whether, renumbering, the interchangeable children of a process are also put in a
    /// canonical order (symmetric processes; not part of the state). It stays sound while
    /// the children that end end alike and no end leaves a process alive
    /// ([`Explorable::symmetry_broken`]).
    siblings: bool,
    /// The order the last renumbering applied: process `i` was process `moved[i]` (not part
    /// of the state).
    moved: Option<Rc<[u32]>>,
    /// Whether every call of the scenario's programs has a footprint
    /// ([`super::forks::only_described_calls`]; not part of the state).
    described: bool,
    /// Whether the history of reaped processes (who adopted and who reaped them) is left
    /// out of the state, when no expectation reads it (not part of the state).
    forgetful: bool,
    /// The last move (not part of the state).
    last: Move,
    /// One copy of each distinct process state and record, shared by every state of the
    /// exploration (not part of the state).
    pools: Rc<RefCell<Pools>>,
}

/// The interning pools of one exploration.
#[derive(Default)]
struct Pools {
    lives: Pool<Live>,
    records: Pool<ProcessRecord>,
    ipcs: Pool<Ipc>,
    /// The record of the first child to end, and whether another ended otherwise or an end
    /// left processes alive (then children are not interchangeable: `wait` takes the
    /// lowest-numbered zombie, and outcomes tell them apart).
    ended: Option<Shared<ProcessRecord>>,
    unlike_ends: bool,
}

impl Pools {
    /// Notes how a child ended: children are not interchangeable once two ended unlike.
    fn note_end(&mut self, record: &Shared<ProcessRecord>) {
        match &self.ended {
            None => self.ended = Some(record.clone()),
            Some(first) => self.unlike_ends |= !ends_alike(first, record),
        }
    }
}

impl std::fmt::Debug for Pools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} process states, {} records",
            self.lives.len(),
            self.records.len()
        )
    }
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

impl<'s> Explorable<'s> {
    /// The initial state: the initial process with `argv`, run to its first request.
    pub fn new(scenario: &'s Scenario, argv: Vec<Vec<u8>>) -> Explorable<'s> {
        let options = Options {
            argv,
            schedule: None,
            record_history: false,
        };
        let machine = Kernel::new(scenario, options).into_machine();
        let fidelity = Fidelity::of(scenario);
        let symmetric = fidelity == Fidelity::Eager && symmetry::pids_unobservable(scenario);
        let mut state = Explorable {
            scenario,
            machine,
            halt: None,
            fidelity,
            symmetric,
            siblings: symmetric && symmetry::siblings_unnamed(scenario),
            moved: None,
            described: super::forks::only_described_calls(&scenario.catalog),
            forgetful: fidelity == Fidelity::Eager
                && !(scenario.expects.iter()).any(|e| matches!(e.prop, Property::Orphans(..))),
            last: Move::Action,
            pools: Rc::default(),
        };
        state.halt = state.with_kernel(|k| k.settle(fidelity));
        state.intern();
        state
    }

    /// The schedule name of choice `choice`: the tree name of its process, with the thread
    /// (`main/2`) for a thread other than the main one.
    pub fn name(&self, choice: u32) -> String {
        let (p, t) = interleave::split(choice);
        interleave::thread_name(&self.machine.table.record(p).name, t)
    }

    /// This state going on as a run does: processes kept in creation order (a witness
    /// replayed through [`Explorable::follow`] then shows the pids its schedule gives) and
    /// their whole history.
    pub fn as_run(&self) -> Explorable<'s> {
        Explorable {
            symmetric: false,
            siblings: false,
            forgetful: false,
            ..self.clone()
        }
    }

    /// This initial state explored again without putting children in a canonical order,
    /// with fresh pools: for when [`Explorable::symmetry_broken`].
    pub fn without_sibling_symmetry(&self) -> Explorable<'s> {
        Explorable {
            siblings: false,
            pools: Rc::default(),
            ..self.clone()
        }
    }

    /// Whether the explored states may name children by a canonical order rather than the
    /// order they were created in (their trees are then read from replayed runs).
    pub fn renames_siblings(&self) -> bool {
        self.siblings
    }

    /// Whether, while children were taken as interchangeable, some state reached from this
    /// one (sharing its pools) had two children that ended differently, or was an end that
    /// leaves processes alive ([`EndKey::leaves_alive`]): the exploration must be redone
    /// [`Explorable::without_sibling_symmetry`].
    pub fn symmetry_broken(&self) -> bool {
        self.pools.borrow().unlike_ends
    }

    /// Follows the last step's renumbering in `to_run`, which maps each process of the
    /// state before the step to its index in a run of the same schedule (whose processes
    /// keep creation order): processes the step created have the same index in both.
    pub fn follow(&self, to_run: &mut Vec<u32>) {
        while to_run.len() < self.machine.table.pcbs.len() {
            to_run.push(to_run.len() as u32);
        }
        if let Some(order) = &self.moved {
            *to_run = order.iter().map(|&old| to_run[old as usize]).collect();
        }
    }

    /// `choice` of this state as the run that `to_run` maps it to names it.
    pub fn in_run(choice: u32, to_run: &[u32]) -> u32 {
        let (p, t) = interleave::split(choice);
        interleave::choice(to_run[p as usize], t)
    }

    fn with_kernel<R>(&mut self, f: impl FnOnce(&mut Kernel<'s>) -> R) -> R {
        let empty = Machine {
            table: ProcessTable::new(0),
            pipes: Vec::new(),
            ipc: Shared::new(Default::default()),
        };
        let machine = std::mem::replace(&mut self.machine, empty);
        let mut kernel = Kernel::around(self.scenario, machine);
        let result = f(&mut kernel);
        self.machine = kernel.into_machine();
        result
    }

    /// Forgets the history of reaped processes and renumbers the processes in tree order
    /// when nothing observes them, then replaces the
    /// parts changed by the last step by the pools' copies, so that equal parts of
    /// different states are one value (compared by pointer, stored once).
    fn intern(&mut self) {
        if self.forgetful {
            forget_reaped(&mut self.machine.table);
        }
        self.moved = None;
        if self.symmetric {
            self.moved = symmetry::renumber(&mut self.machine, self.siblings).map(Rc::from);
        }
        let mut pools = self.pools.borrow_mut();
        let table = &mut self.machine.table;
        for live in table.pcbs.iter_mut().filter_map(|pcb| pcb.live.as_mut()) {
            pools.lives.intern(live);
        }
        for record in &mut table.records {
            // A record changed by this step is not interned yet: compare each child's end
            // once, when it is written.
            let ended = record.creator.is_some() && record.termination.is_some();
            if self.siblings && ended && record.is_unique() {
                pools.note_end(record);
            }
            pools.records.intern(record);
        }
        pools.ipcs.intern(&mut self.machine.ipc);
    }

    /// The records as a run's outcome has them at its end.
    fn records(&self) -> Vec<ProcessRecord> {
        let table = &self.machine.table;
        let mut records: Vec<ProcessRecord> = table.records.iter().map(|r| (**r).clone()).collect();
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
        Outcome {
            processes,
            output: terminal_output(output),
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
        EndKey {
            fates: end_key::fates_of(&self.records()),
            halt: self.halt,
            deadlock: self.halt.is_none() && self.machine.table.alive > 0,
            files: super::regular::files_at_end(&self.machine.ipc),
        }
    }

    /// What the move that led to this state was, as a schedule writes it.
    pub fn last_move(&self) -> Move {
        self.last
    }

    /// The pending request of the choice's thread, if its process is live.
    pub fn pending(&self, choice: u32) -> Option<&Request> {
        let (p, t) = interleave::split(choice);
        self.machine.table.get(p).live.as_deref()?.vm.pending(t)
    }
}

/// Whether two processes that ended ended alike: same termination, fault, program and
/// watched variables.
fn ends_alike(a: &ProcessRecord, b: &ProcessRecord) -> bool {
    (a.termination, &a.fault, &a.program, &a.variables)
        == (b.termination, &b.fault, &b.program, &b.variables)
}

/// Forgets who adopted and who reaped each process that is gone (terminated and reaped):
/// nothing that can happen next depends on it, and outcomes do not tell it apart
/// ([`EndKey::at_exit`]); `orphans` expectations do.
fn forget_reaped(table: &mut ProcessTable) {
    for (pcb, record) in table.pcbs.iter_mut().zip(&mut table.records) {
        let gone = pcb.live.is_none() && !pcb.zombie;
        let history = (
            record.ppid,
            record.orphaned,
            record.adopted_by,
            record.reaped_by,
        );
        if gone && (history != (INIT_PID, false, None, None) || pcb.parent.is_some()) {
            pcb.parent = None;
            let r = &mut **record;
            (r.ppid, r.orphaned, r.adopted_by, r.reaped_by) = (INIT_PID, false, None, None);
        }
    }
}

/// The terminal output of an explored outcome as one chunk (the explorer keeps output as
/// bytes, not per writer); none when empty.
pub fn terminal_output(output: Vec<u8>) -> Vec<OutputChunk> {
    if output.is_empty() {
        return Vec::new();
    }
    vec![OutputChunk {
        process: 0,
        fd: 1,
        bytes: output,
    }]
}

impl System for Explorable<'_> {
    type End = EndKey;

    fn enabled(&self, out: &mut Vec<u32>) {
        if self.halt.is_some() {
            return;
        }
        let Machine { table, pipes, ipc } = &self.machine;
        for p in 0..table.pcbs.len() as u32 {
            for t in interleave::live_threads(table, p) {
                let choice = interleave::choice(p, t);
                if step::movable(table, pipes, ipc, self.fidelity, choice) {
                    out.push(choice);
                }
            }
        }
    }

    fn step(&mut self, choice: u32, output: &mut Vec<u8>) {
        let fidelity = self.fidelity;
        let (halt, last) = self.with_kernel(|k| {
            let moved = k.explore_step(choice, fidelity);
            for chunk in k.output.drain(..) {
                output.extend_from_slice(&chunk.bytes);
            }
            moved
        });
        (self.halt, self.last) = (halt, last);
        self.intern();
    }

    /// The end key; an end that leaves processes alive (each with what it waits on) tells
    /// interchangeable children apart, so it breaks their symmetry.
    fn end_class(&self) -> EndKey {
        let key = self.end_key();
        if self.siblings && key.leaves_alive() {
            self.pools.borrow_mut().unlike_ends = true;
        }
        key
    }

    /// Requests that read or change only the process's own state and no other process
    /// can disable: `getpid`, `isatty`, `dup`, `close` of the terminal, `exec`, an
    /// unsupported call, a zero-length sleep, the answer at a shared-memory access point (the
    /// access, which races, is done by the process's next move).
    /// Under [`Fidelity::Dispatch`] no move is: another process's signal can come first.
    fn is_local(&self, choice: u32) -> bool {
        if self.fidelity == Fidelity::Dispatch {
            return false;
        }
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
            // Answering the access point: the access itself is the process's next move.
            Some(Request::Shared { .. }) => true,
            Some(Request::Close { fd }) => live.fds.get(*fd) == Some(OpenFile::Terminal),
            _ => false,
        }
    }

    /// Persistent sets from footprints ([`super::footprint`]); none under
    /// [`Fidelity::Dispatch`], where a move is a whole dispatch.
    fn persistent(&self, enabled: &[u32], out: &mut Vec<u32>) {
        if self.fidelity == Fidelity::Dispatch {
            out.extend_from_slice(enabled);
            return;
        }
        let commute = Commute {
            forks: self.symmetric,
            exits: self.symmetric && self.forgetful,
        };
        let described = self.described;
        super::footprint::persistent(
            &self.machine,
            self.scenario,
            described,
            commute,
            enabled,
            out,
        );
    }
}
