//! What the supervisor learns during a run (records, terminal writes, its own reaping) and
//! the [`Outcome`] it makes of them: names by place in the tree, orphans and who adopted
//! them, zombies, exit statuses.

use super::containment::{parent_of, SysvObjects};
use super::record::Record;
use crate::config::Reaper;
use crate::outcome::{End, Limit, OutputChunk, ProcessRecord, Termination};
use crate::vm::RuntimeFault;
use rustc_hash::FxHashMap;

mod family;

use family::termination;

/// Pid reported for init: the supervisor stands in for it as the adopter of orphans.
const INIT_PID: i64 = 1;
/// Order of an end that never happened before the run stopped.
const NEVER: u64 = u64::MAX;

/// What is known of one process.
#[derive(Debug, Default)]
struct Fact {
    creator: Option<i64>,
    /// Its place among its creator's children, from 1.
    order: u32,
    spawn: Option<String>,
    /// The creator's program when it forked.
    inherited: Option<String>,
    /// The program it ran last, from its own records.
    program: Option<String>,
    /// From its own `Ended` record.
    ended: Option<Ended>,
    /// `(order, reaper pid or 0 for the supervisor, raw status)`.
    reaped: Option<(u64, i64, i32)>,
    /// Killed by the supervisor when the run stopped, still running.
    killed: bool,
    /// Known only from its output or its reaping: a child of an exec'd binary.
    unannounced: bool,
    /// The fault that stopped the run at a limit.
    fault: Option<RuntimeFault>,
    /// Threads it created.
    threads: u32,
    /// What its threads waited for when it last blocked (its last `Blocked` record).
    blocked: Option<Vec<(u32, Option<String>)>>,
}

impl Fact {
    /// How it ended: as its reaper saw it, else as it said; `None` if it was killed
    /// because the run stopped.
    fn termination(&self) -> Option<Termination> {
        match (self.killed, self.reaped, &self.ended) {
            (true, _, _) => None,
            (false, Some((_, _, status)), _) => Some(termination(status)),
            (false, None, Some(ended)) => Some(ended.termination),
            (false, None, None) => None,
        }
    }

    /// The program it ran last: its own, else its creator's at the fork.
    fn last_program(&self) -> String {
        self.program
            .clone()
            .or_else(|| self.inherited.clone())
            .unwrap_or_else(|| "main".to_string())
    }
}

/// A process's own report of its end.
#[derive(Debug)]
struct Ended {
    /// Ledger order of the record.
    at: u64,
    termination: Termination,
    fault: Option<RuntimeFault>,
    variables: Vec<(String, i64)>,
}

/// The facts of one run, in the order they arrived.
#[derive(Debug)]
pub struct Ledger {
    clock: u64,
    started: std::time::Instant,
    /// When the run stopped, in microseconds from `started`.
    stopped_at: u64,
    /// When each fact arrived (microseconds from `started`), by ledger order.
    moments: Vec<u64>,
    main: i64,
    supervisor: i64,
    facts: indexmap::IndexMap<i64, Fact>,
    forks: FxHashMap<i64, u32>,
    /// Parent pids read from `/proc` for writers no record announced (children of exec'd
    /// binaries).
    hints: FxHashMap<i64, (i64, Option<String>)>,
    output: Vec<(i64, i32, Vec<u8>)>,
    /// System V objects the run created.
    pub sysv: SysvObjects,
    /// FIFOs and socket files the run made (absolute paths).
    pub made: Vec<String>,
    /// The limit some process hit (the process budget, its memory), if any.
    pub limit: Option<Limit>,
    /// Calls this backend does not carry out that some process made, by C name.
    unsupported: std::collections::BTreeSet<String>,
    /// What each process waited for when the run was found deadlocked, by pid.
    pub blocked: FxHashMap<i64, String>,
}

impl Ledger {
    /// An empty ledger for a run whose initial process is `main`, supervised by `supervisor`.
    pub fn new(main: i64, supervisor: i64, started: std::time::Instant) -> Ledger {
        let mut facts = indexmap::IndexMap::new();
        facts.insert(main, Fact::default());
        Ledger {
            clock: 0,
            started,
            stopped_at: 0,
            moments: Vec::new(),
            main,
            supervisor,
            facts,
            forks: FxHashMap::default(),
            hints: FxHashMap::default(),
            output: Vec::new(),
            limit: None,
            sysv: SysvObjects::default(),
            made: Vec::new(),
            unsupported: Default::default(),
            blocked: FxHashMap::default(),
        }
    }

    /// The next ledger order; also notes when it happened.
    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.moments.push(self.started.elapsed().as_micros() as u64);
        self.clock
    }

    /// Microseconds from the start of the run to the fact with ledger order `at`.
    fn moment(&self, at: u64) -> u64 {
        self.moments.get(at as usize - 1).copied().unwrap_or(0)
    }

    /// `pid` sent `record`.
    pub fn record(&mut self, pid: i64, record: Record) {
        let now = self.tick();
        match record {
            Record::Forked { child, spawn } => {
                let order = self.forks.entry(pid).or_default();
                *order += 1;
                let order = *order;
                let inherited = self
                    .facts
                    .get(&pid)
                    .and_then(|f| f.program.clone())
                    .or_else(|| self.inherited_of(pid));
                let fact = self.facts.entry(child).or_default();
                fact.creator = Some(pid);
                fact.order = order;
                fact.spawn = spawn;
                fact.inherited = inherited;
            }
            Record::Program { program } => {
                let fact = self.facts.entry(pid).or_default();
                fact.program = Some(program);
                fact.blocked = None;
            }
            Record::Reaped { child, status } => {
                self.facts.entry(child).or_default().reaped = Some((now, pid, status));
            }
            Record::Ended {
                termination,
                fault,
                variables,
            } => {
                self.facts.entry(pid).or_default().ended = Some(Ended {
                    at: now,
                    termination,
                    fault,
                    variables,
                });
            }
            Record::Limit => self.limit = Some(Limit::Processes),
            Record::Sysv { kind, id } => self.sysv.record(kind, id),
            Record::Made { path } => self.made.push(path),
            Record::Unsupported { call } => {
                self.unsupported.insert(call);
            }
            Record::Cascaded { pid } => {
                self.facts.entry(pid).or_default().ended = Some(Ended {
                    at: now,
                    termination: Termination::Signaled(libc::SIGKILL),
                    fault: None,
                    variables: Vec::new(),
                });
            }
            Record::MemoryLimit { fault } => {
                self.facts.entry(pid).or_default().fault = Some(fault);
                self.limit = Some(Limit::Memory);
            }
            Record::Thread => self.facts.entry(pid).or_default().threads += 1,
            Record::Blocked { threads } => {
                self.facts.entry(pid).or_default().blocked = Some(threads)
            }
        }
    }

    fn inherited_of(&self, pid: i64) -> Option<String> {
        self.facts.get(&pid).and_then(|f| f.inherited.clone())
    }

    /// Processes announced so far that have neither ended nor been reaped.
    pub fn alive(&self) -> usize {
        (self.facts.values())
            .filter(|f| f.ended.is_none() && f.reaped.is_none())
            .count()
    }

    /// `pid` wrote `bytes` to terminal descriptor `fd`.
    pub fn output(&mut self, pid: i64, fd: i32, bytes: &[u8]) {
        if !self.facts.contains_key(&pid) && !self.hints.contains_key(&pid) {
            if let Some(parent) = parent_of(pid) {
                let program = std::fs::read_link(format!("/proc/{pid}/exe"))
                    .ok()
                    .map(|p| p.to_string_lossy().into_owned());
                self.hints.insert(pid, (parent, program));
            }
        }
        self.output.push((pid, fd, bytes.to_vec()));
    }

    /// The supervisor reaped `pid` (its child, or an orphan it adopted) with raw `status`;
    /// `stopping` when the run was being stopped.
    pub fn reaped_by_supervisor(&mut self, pid: i64, status: i32, stopping: bool) {
        let now = self.tick();
        let fact = self.facts.entry(pid).or_default();
        fact.reaped = Some((now, 0, status));
        fact.killed = stopping && fact.ended.is_none();
    }

    /// The outcome: processes in creation order with names, terminal output, `end`.
    pub fn into_outcome(
        mut self,
        orphans: Reaper,
        end: End,
        micros: u64,
    ) -> crate::outcome::Outcome {
        self.adopt_unannounced();
        self.stopped_at = micros;
        let order = self.creation_order();
        let index: FxHashMap<i64, usize> = order.iter().enumerate().map(|(i, &p)| (p, i)).collect();
        let mut processes: Vec<ProcessRecord> = Vec::with_capacity(order.len());
        for &pid in &order {
            let record = self.process_record(pid, &index, &processes, orphans);
            processes.push(record);
        }
        let output = self
            .output
            .into_iter()
            .map(|(pid, fd, bytes)| OutputChunk {
                process: index.get(&pid).copied().unwrap_or(0),
                fd,
                bytes,
            })
            .collect();
        crate::outcome::Outcome {
            files: Vec::new(),
            processes,
            output,
            end,
            context_switches: 0,
            steps: self.clock,
            clock_micros: micros,
            schedule: "os".to_string(),
            unsupported: std::mem::take(&mut self.unsupported).into_iter().collect(),
        }
    }

    /// Writers and reaped processes no `Forked` record announced (the children of exec'd
    /// binaries) join the tree under their parent as `/proc` named it, else under main.
    fn adopt_unannounced(&mut self) {
        let writers: Vec<i64> = self.output.iter().map(|(pid, _, _)| *pid).collect();
        for pid in writers {
            self.facts.entry(pid).or_default();
        }
        let mut unannounced: Vec<i64> = self
            .facts
            .iter()
            .filter(|(&pid, f)| pid != self.main && f.creator.is_none())
            .map(|(&pid, _)| pid)
            .collect();
        // Pids count up: their order is the best guess at the order of creation.
        unannounced.sort_unstable();
        for pid in unannounced {
            let (parent, program) = self.hints.remove(&pid).unwrap_or((self.main, None));
            let parent = Some(parent)
                .filter(|p| self.facts.contains_key(p) && *p != pid)
                .unwrap_or(self.main);
            let order = self.forks.entry(parent).or_default();
            *order += 1;
            let order = *order;
            let mut fact = self.facts.shift_remove(&pid).expect("listed above");
            fact.creator = Some(parent);
            fact.order = order;
            fact.unannounced = true;
            fact.program = fact.program.take().or(program);
            self.facts.insert(pid, fact);
        }
    }

    /// Pids in the order their creation became known, every creator before its children.
    fn creation_order(&self) -> Vec<i64> {
        let mut placed: FxHashMap<i64, ()> = FxHashMap::default();
        let mut order = vec![self.main];
        placed.insert(self.main, ());
        let mut pending: Vec<i64> = self
            .facts
            .keys()
            .copied()
            .filter(|&p| p != self.main)
            .collect();
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|pid| {
                let creator = self.facts[pid].creator.unwrap_or(self.main);
                if placed.contains_key(&creator) {
                    placed.insert(*pid, ());
                    order.push(*pid);
                    false
                } else {
                    true
                }
            });
            if pending.len() == before {
                // A cycle can only come from a reused pid; place the rest as they are.
                order.append(&mut pending);
            }
        }
        order
    }

    /// When `pid` ended, in ledger order ([`NEVER`] if it did not before the run stopped).
    fn end_order(&self, pid: i64) -> u64 {
        let Some(fact) = self.facts.get(&pid) else {
            return NEVER;
        };
        if fact.killed {
            return NEVER;
        }
        match (&fact.ended, fact.reaped) {
            (Some(ended), _) => ended.at,
            (None, Some((at, ..))) => at,
            (None, None) => NEVER,
        }
    }
}
