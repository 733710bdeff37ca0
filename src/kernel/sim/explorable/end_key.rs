//! What distinguishes end states apart from the output: each process's fate with pids
//! replaced by tree names, and how the run ended.

use super::super::pcb::INIT_PID;
use crate::outcome::{Limit, ProcessRecord, Termination};
use crate::vm::RuntimeFault;

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

/// The fate of every process of `records`, sorted by tree name: pids become tree names
/// (`init` for pid 1, `outside` for a process not of the run).
pub fn fates_of(records: &[ProcessRecord]) -> Vec<Fate> {
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
    fates
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
    /// Whether processes are left alive at this end (a deadlock, a limit), each with what
    /// it waits on: interchangeable children would then be told apart.
    pub fn leaves_alive(&self) -> bool {
        self.fates.iter().any(|f| f.termination.is_none())
    }

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
