//! Each process's record at the end of a run: its name by place in the tree, whether it
//! was orphaned and who adopted it, who reaped it, whether it was left a zombie.

use super::{Fact, Ledger, INIT_PID, NEVER};
use crate::config::Reaper;
use crate::outcome::{ProcessRecord, Termination};
use rustc_hash::FxHashMap;

impl Ledger {
    /// What blocked process `pid` waits for, in the simulator's words, given the phrase of
    /// the call its wait-table slot names (`None` when the slot defers to its records):
    /// with threads, one phrase per blocked thread (`thread 1: pthread_join() of thread 2;
    /// …`), as the simulator phrases a process with threads.
    pub fn blocked_phrase(&self, pid: i64, call: Option<String>) -> Option<String> {
        let parts = self.facts.get(&pid).and_then(|f| f.blocked.as_ref());
        match parts.map(Vec::as_slice) {
            Some([(0, phrase)]) if call.is_none() => phrase.clone(),
            Some(parts) if parts.iter().all(|(thread, _)| *thread > 0) => {
                let phrases: Vec<String> = (parts.iter())
                    .filter_map(|(thread, phrase)| {
                        let phrase = phrase.clone().or_else(|| call.clone())?;
                        Some(format!("thread {thread}: {phrase}"))
                    })
                    .collect();
                Some(phrases.join("; "))
            }
            _ => call,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::super::Record;
    use super::*;

    fn ledger_with(threads: Vec<(u32, Option<String>)>) -> Ledger {
        let mut ledger = Ledger::new(10, 9, std::time::Instant::now());
        ledger.record(10, Record::Blocked { threads });
        ledger
    }

    #[test]
    fn threads_are_phrased_one_by_one_with_the_call_in_its_place() {
        let ledger = ledger_with(vec![
            (1, Some("pthread_join() of thread 2".into())),
            (2, None),
        ]);
        let call = Some("read() from an empty pipe (fd 3)".to_string());
        assert_eq!(
            ledger.blocked_phrase(10, call).as_deref(),
            Some(
                "thread 1: pthread_join() of thread 2; thread 2: read() from an empty pipe (fd 3)"
            )
        );
    }

    #[test]
    fn a_process_without_threads_uses_its_record_only_when_its_slot_defers_to_it() {
        let ledger = ledger_with(vec![(
            0,
            Some("sem_wait() on a semaphore whose value is 0".into()),
        )]);
        assert_eq!(
            ledger.blocked_phrase(10, None).as_deref(),
            Some("sem_wait() on a semaphore whose value is 0")
        );
        let call = Some("wait() for a child".to_string());
        assert_eq!(ledger.blocked_phrase(10, call.clone()), call);
        assert_eq!(ledger.blocked_phrase(11, call.clone()), call);
    }

    #[test]
    fn an_exec_forgets_the_threads() {
        let mut ledger = ledger_with(vec![(1, Some("pthread_join() of thread 2".into()))]);
        ledger.record(
            10,
            Record::Program {
                program: "/bin/cat".into(),
            },
        );
        let call = Some("read() from an empty pipe (fd 0)".to_string());
        assert_eq!(ledger.blocked_phrase(10, call.clone()), call);
    }
}
