//! Each process's record at the end of a run: its name by place in the tree, whether it
//! was orphaned and who adopted it, who reaped it, whether it was left a zombie.

use super::{Fact, Ledger, INIT_PID, NEVER};
use crate::config::Reaper;
use crate::outcome::{ProcessRecord, Termination};
use rustc_hash::FxHashMap;

impl Ledger {
    /// The record of `pid`, whose creator is already in `processes`.
    pub(super) fn process_record(
        &self,
        pid: i64,
        index: &FxHashMap<i64, usize>,
        processes: &[ProcessRecord],
        orphans: Reaper,
    ) -> ProcessRecord {
        let fact = &self.facts[&pid];
        let creator = fact.creator.and_then(|c| index.get(&c).copied());
        let name = match (&fact.spawn, creator) {
            (Some(spawn), _) => spawn.clone(),
            (None, Some(c)) if c < processes.len() => {
                format!("{}.{}", processes[c].name, fact.order)
            }
            (None, _) if pid == self.main => "main".to_string(),
            (None, _) => format!("pid {pid}"),
        };
        let ended = fact.ended.as_ref();
        let mut record = ProcessRecord {
            pid,
            name,
            creator,
            program: fact.last_program(),
            termination: fact.termination(),
            ppid: fact.creator.unwrap_or(self.supervisor),
            orphaned: false,
            adopted_by: None,
            zombie_at_end: false,
            zombie_micros: 0,
            reaped_by: None,
            fault: ended
                .and_then(|e| e.fault.clone())
                .or_else(|| fact.fault.clone()),
            blocked_on: self.blocked.get(&pid).cloned(),
            variables: ended.map(|e| e.variables.clone()).unwrap_or_default(),
            context_switches: 0,
            history: Vec::new(),
            threads: fact.threads,
        };
        // A child of an exec'd binary that its parent reaped: nothing is known of its end.
        let unknown_end = fact.unannounced && fact.reaped.is_none() && !fact.killed;
        if let Some(parent) = fact.creator.filter(|_| pid != self.main && !unknown_end) {
            self.place_in_family(pid, parent, orphans, &mut record);
        }
        // Only a parent that leaves its child unreaped makes a zombie worth reporting: the
        // shell (for main) and init reap at once, and a millisecond is within the
        // supervisor's own latency.
        let reaped_at_once = pid == self.main || record.reaped_by == Some(INIT_PID);
        let micros = self.zombie_micros(fact, record.zombie_at_end);
        record.zombie_micros = if reaped_at_once || micros < 1000 {
            0
        } else {
            micros
        };
        record
    }

    /// Who reaped `pid`, or whether it was a zombie at the end or an orphan, from the order
    /// in which it and its parent ended.
    fn place_in_family(&self, pid: i64, parent: i64, orphans: Reaper, record: &mut ProcessRecord) {
        let fact = &self.facts[&pid];
        let reaper = fact.reaped.filter(|_| !fact.killed).map(|(_, r, _)| r);
        let (mine, theirs) = (self.end_order(pid), self.end_order(parent));
        let as_reported = |r: i64| if r == 0 { INIT_PID } else { r };
        if reaper == Some(parent) {
            record.reaped_by = Some(parent);
        } else if mine < theirs {
            // A zombie when its parent ended, or when the run stopped with the parent alive.
            record.zombie_at_end = theirs == NEVER;
            record.reaped_by = reaper.filter(|_| theirs != NEVER).map(as_reported);
        } else if theirs != NEVER {
            let main_alive = self.end_order(self.main) > theirs;
            let adopter = if orphans == Reaper::Main && parent != self.main && main_alive {
                self.main
            } else {
                INIT_PID
            };
            record.orphaned = true;
            record.adopted_by = Some(adopter);
            record.ppid = adopter;
            record.reaped_by = reaper.map(as_reported);
        }
    }
}

impl Ledger {
    /// Real time in microseconds `fact`'s process spent as a zombie: from its own report of
    /// its end until it was reaped, or the run stopped.
    fn zombie_micros(&self, fact: &Fact, zombie_at_end: bool) -> u64 {
        let Some(ended) = &fact.ended else {
            return 0;
        };
        let until = match fact.reaped {
            _ if zombie_at_end => self.stopped_at,
            Some((at, _, _)) if !fact.killed => self.moment(at),
            _ => return 0,
        };
        until.saturating_sub(self.moment(ended.at))
    }
}

/// A raw wait status as a [`Termination`].
pub fn termination(status: i32) -> Termination {
    if libc::WIFSIGNALED(status) {
        Termination::Signaled(libc::WTERMSIG(status))
    } else {
        Termination::Exited(libc::WEXITSTATUS(status))
    }
}
